/**
 * The debugger's runtime, in the engine's own terms (no DAP): run control with breakpoints of
 * every kind, stepping in C and (optionally) into kernel routines, pause, restart, and stepping
 * backwards by deterministic replay; threads (tasks), call stacks of C and kernel frames, scopes,
 * typed variables, expressions, memory, and the crash-style console. The debug adapter turns
 * this into the Debug Adapter Protocol; the same class works inline in a browser worker.
 */
import { lex } from '../lang/lexer';
import { parseExpressionIn } from '../lang/parser';
import { compileDebugExpression } from '../lang/codegen';
import { ValueReader, type DebugMemory, type DebugValue } from '../lang/debugvalues';
import { CompileError, formatDiagnostic } from '../lang/diagnostics';
import type { Expr, FuncDef, VarInfo } from '../lang/ast';
import { typeSystemFor } from './build';
import { MODE_KERNEL } from '../machine/tlb';
import { PAGE_SIZE, WATCH_DATA } from '../machine/physmem';
import { callStackPc, type CFrame, type CompiledFunction, type Frame, type NativeFrame, type NativeRoutine, type Value } from '../exec/types';
import type { StopInfo } from '../exec/executor';
import type { KernelEvent } from '../kernel/kernel';
import type { Task } from '../kernel/task';
import { siCodeName, signalName } from '../kernel/signal';
import { fromHiLo, type I64 } from '../util/int64';
import type { SourceFiles } from './build';
import { Inspector, hex } from './inspect';
import type { LabSpec } from './lab';
import { Session, type LineBreakpoint, type RunResult } from './session';

/** Ops before a replay's target during which statements are recorded (for the next step back). */
const RECORD_WINDOW = 200_000;

export type StopReason = 'entry' | 'breakpoint' | 'step' | 'pause' | 'exception' | 'data breakpoint' | 'function breakpoint' | 'goto';

export interface DebugEvents {
  stopped(e: { reason: StopReason; threadId: number; description: string; text?: string; breakpointIds?: number[] }): void;
  output(e: { category: 'console' | 'stdout' | 'stderr' | 'important'; text: string; file?: string; line?: number }): void;
  /** After every stop: what changed since the previous stop, for the views. */
  changed(e: ChangeSummary): void;
  threadStarted(id: number): void;
  threadExited(id: number): void;
  exited(code: number): void;
  terminated(): void;
}

export interface ChangeSummary {
  steps: number;
  pid: number;
  /** Tasks whose VMAs changed, and VMA start addresses that appeared or went. */
  vmas: { pid: number; added: string[]; removed: string[]; changed: string[] }[];
  /** Leaf PTEs that appeared, went or changed, per task (va → raw entry). */
  ptes: { pid: number; added: string[]; removed: string[]; changed: string[] }[];
  tlb: { added: string[]; removed: string[]; stale: string[] };
  frames: { owner: string; delta: number }[];
  devmem: number;
}

export interface BreakpointRequest {
  line: number;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export interface BreakpointResult {
  id: number;
  verified: boolean;
  line: number;
  message?: string;
}

export const EXCEPTION_FILTERS = [
  { filter: 'pagefault', label: 'Page fault', description: 'Stop when the MMU raises a page fault (user or kernel)', default: false },
  { filter: 'oops', label: 'Oops / BUG', description: 'Stop when the kernel oopses or hits BUG()', default: true },
  { filter: 'signal', label: 'Signal delivered', description: 'Stop when a signal is sent to a task (SIGSEGV, SIGBUS...)', default: true },
  { filter: 'uaccess', label: 'User access fixed up to -EFAULT', description: 'Stop when copy_to_user/put_user... meets a bad user address and returns an error', default: false },
  { filter: 'stale-tlb', label: 'Access through a stale TLB entry', description: 'Stop when memory is accessed through a TLB entry whose page-table entry has changed', default: true },
  { filter: 'warn', label: 'WARN / lock bug / bad page', description: 'Stop on WARN(), lock misuse and bad page state reports', default: false },
] as const;

export interface DebugOptions {
  stopOnEntry?: boolean;
  /** stepIn also enters kernel routines (frames without source). */
  stepIntoKernel?: boolean;
  /** Ops per slice between chances to process requests (pause). */
  sliceOps?: number;
  /** Schedules the next slice (setTimeout in Node and browsers). */
  defer?: (fn: () => void) => void;
}

type VarRef =
  | { kind: 'scope'; task: Task; frame: Frame; scope: 'locals' | 'globals' | 'task' | 'args' | 'registers' }
  | { kind: 'value'; value: DebugValue; task: Task }
  | { kind: 'list'; items: { name: string; value: string; ref?: VarRef }[] };

interface FrameRef {
  task: Task;
  frame: Frame;
  index: number;
}

class DataWatch {
  constructor(readonly va: number, readonly sizeBytes: number, readonly pid: number, readonly pas: { pa: number; n: number }[], readonly label: string) {}
}

/** Tokenizes a debugger expression (no preprocessor: macros are not known here). */
function exprTokens(text: string): ReturnType<typeof lex> {
  const toks = lex(text, '<expression>');
  return [...toks, { kind: 'eof', text: '', file: '<expression>', line: 1, col: text.length + 1 }];
}

/**
 * DAP thread ids are pids, but the idle task's pid 0 reads as "no thread" to clients: it gets an
 * id no pid reaches (PID_MAX_DEFAULT is 32768).
 */
export const IDLE_THREAD_ID = 0x7fff_0000;

function threadIdOf(t: Task): number {
  return t.pid === 0 ? IDLE_THREAD_ID : t.pid;
}

export class DebugRuntime {
  session: Session;
  inspector: Inspector;
  private running = false;
  private pauseRequested = false;
  private terminatedFlag = false;
  private nextBpId = 1;
  private readonly lineBps = new Map<string, (BreakpointRequest & { id: number; hits: number })[]>();
  private functionBps: { name: string; condition?: string; hitCondition?: string; hits: number; id: number }[] = [];
  private exceptionFilters = new Set<string>(EXCEPTION_FILTERS.filter((f) => f.default).map((f) => f.filter));
  private dataWatches: DataWatch[] = [];
  private frameRefs = new Map<number, FrameRef>();
  private varRefs = new Map<number, VarRef>();
  private nextRef = 1;
  private readonly knownThreads = new Set<number>();
  /** Where statements started, per thread: ops executed and call depth, for stepping back. */
  private stmtHistory = new Map<number, { steps: number; depth: number }[]>();
  /** Step counts where execution stopped at a breakpoint (reverse continue goes to the last one). */
  private breakpointSteps: number[] = [];
  private replaying = false;
  private lastSnapshot: Snapshot | undefined;
  private finished = false;
  readonly opts: Required<Omit<DebugOptions, 'stopOnEntry'>> & { stopOnEntry: boolean };

  constructor(readonly lab: LabSpec, readonly files: SourceFiles, readonly events: DebugEvents, opts: DebugOptions = {}) {
    this.opts = {
      stopOnEntry: opts.stopOnEntry ?? false,
      stepIntoKernel: opts.stepIntoKernel ?? false,
      sliceOps: opts.sliceOps ?? 200_000,
      defer: opts.defer ?? ((fn) => setTimeout(fn, 0)),
    };
    this.session = this.makeSession();
    this.inspector = new Inspector(this.session.kernel);
  }

  // ---- session wiring ----------------------------------------------------------------------------

  private makeSession(): Session {
    const s = new Session(this.lab, this.files);
    const k = s.kernel;
    k.log.onRecord = (r) => {
      if (this.replaying) return;
      this.events.output({ category: r.level <= 3 ? 'stderr' : 'console', text: `${r.text}\n`, file: r.loc?.file, line: r.loc?.line });
    };
    k.vfs.onOutput = (_t, stream, bytes) => {
      if (this.replaying) return;
      this.events.output({ category: stream, text: new TextDecoder().decode(bytes) });
    };
    k.events.onEvent = (e) => this.kernelEvent(e);
    s.breakpointFilter = (bp) => this.breakpointHit(bp);
    k.exec.nativeEntered = (thread, nf) => this.nativeEntered(thread.owner as Task, nf);
    k.exec.stmtProbe = (thread) => {
      let h = this.stmtHistory.get(thread.id);
      if (!h) {
        h = [];
        this.stmtHistory.set(thread.id, h);
      }
      const steps = k.exec.steps;
      if (h[h.length - 1]?.steps !== steps) {
        h.push({ steps, depth: thread.frames.length });
        // Trimmed in halves, so recording stays O(1) per statement.
        if (h.length > 8192) h.splice(0, 4096);
      }
    };
    k.cpu.onDataWrite = (pa, size, old) => this.dataWritten(pa, size, old);
    return s;
  }

  private get k() {
    return this.session.kernel;
  }

  /** Line breakpoints go into the session with their ids; conditions are checked on hit. */
  private applyLineBreakpoints(): void {
    for (const [file, bps] of this.lineBps) this.session.setLineBreakpoints(file, bps.map((b) => ({ line: b.line, data: b })));
    for (const fb of this.functionBps) this.placeFunctionBreakpoint(fb);
  }

  // ---- breakpoints -------------------------------------------------------------------------------

  setBreakpoints(file: string, reqs: BreakpointRequest[]): BreakpointResult[] {
    const entries = reqs.map((r) => ({ ...r, id: this.nextBpId++, hits: 0 }));
    this.lineBps.set(file, entries);
    const placed = this.session.setLineBreakpoints(file, entries.map((e) => ({ line: e.line, data: e })));
    return placed.map((p, i) => ({
      id: entries[i].id,
      verified: p.verified,
      line: p.actualLine ?? p.line,
      message: p.verified ? undefined : 'no code at or after this line in a function',
    }));
  }

  setFunctionBreakpoints(reqs: { name: string; condition?: string; hitCondition?: string }[]): { id: number; verified: boolean; message?: string }[] {
    this.functionBps = reqs.map((r) => ({ ...r, hits: 0, id: this.nextBpId++ }));
    this.k.exec.framedNatives = undefined;
    for (const [file, bps] of this.lineBps) {
      const kept = bps.filter((b) => !(b as { fnBp?: number }).fnBp);
      if (kept.length !== bps.length) {
        this.lineBps.set(file, kept);
        this.session.setLineBreakpoints(file, kept.map((e) => ({ line: e.line, data: e })));
      }
    }
    return this.functionBps.map((fb) => {
      const ok = this.placeFunctionBreakpoint(fb);
      return { id: fb.id, verified: ok, message: ok ? undefined : `no C function or kernel routine named ${fb.name}` };
    });
  }

  /** A C function: a breakpoint at its first statement; a kernel routine: stop on entry. */
  private placeFunctionBreakpoint(fb: { name: string; id: number }): boolean {
    const routine = this.k.routines.get(fb.name) ?? this.k.binfmt.runtime?.routines.get(fb.name) ?? this.builtinModuleRoutine(fb.name);
    if (routine) {
      const set = new Set(this.k.exec.framedNatives ?? []);
      set.add(routine);
      this.k.exec.framedNatives = set;
      return true;
    }
    for (const unit of [...this.session.drivers, ...this.session.programs]) {
      const def = unit.tu.functions.find((f) => f.v.name === fb.name);
      if (def) {
        const file = def.loc.file;
        const existing = (this.lineBps.get(file) ?? []).filter((b) => !(b as { fnBp?: number }).fnBp);
        const entry = { line: def.body.loc.line, id: fb.id, hits: 0, fnBp: fb.id } as BreakpointRequest & { id: number; hits: number; fnBp: number };
        this.lineBps.set(file, [...existing, entry]);
        this.session.setLineBreakpoints(file, [...existing, entry].map((e) => ({ line: e.line, data: e })));
        return true;
      }
    }
    return false;
  }

  /** A routine of a module built into the kernel (like ksyms), found through kallsyms. */
  private builtinModuleRoutine(name: string): NativeRoutine | undefined {
    const sym = this.k.kallsyms.byName(name);
    if (!sym || !/^[Tt]$/.test(sym.type)) return undefined;
    const callee = this.k.resolve(sym.address);
    return callee?.kind === 'native' ? callee : undefined;
  }

  setExceptionFilters(filters: string[]): void {
    this.exceptionFilters = new Set(filters);
  }

  /** A data breakpoint target for a variable: its address range, if it lives in memory. */
  dataBreakpointInfo(ref: number | undefined, name: string, frameId?: number): { dataId: string | null; description: string } {
    let v: DebugValue | undefined;
    let task: Task | undefined;
    if (ref !== undefined && ref !== 0) {
      const r = this.varRefs.get(ref);
      if (r) {
        const kids = this.childValues(r);
        const hit = kids.find((c) => c.value.name === name);
        v = hit?.value;
        task = hit?.task;
      }
    } else {
      try {
        const res = this.evalValue(name, frameId);
        v = res.value;
        task = res.task;
      } catch {
        v = undefined;
      }
    }
    if (!v || v.loc.kind !== 'mem' || !task) return { dataId: null, description: `${name} is not in memory (a register variable or a computed value)` };
    const size = v.type.kind === 'ptr' ? this.k.arch.abi.ptrBytes : Math.max(1, Math.min(64, this.sizeOfValue(v)));
    return { dataId: `${task.pid}:${hex(v.loc.va as number)}:${size}`, description: `${name} (${size} bytes at ${hex(v.loc.va as number)})` };
  }

  private sizeOfValue(v: DebugValue): number {
    const t = v.type;
    if (t.kind === 'int' || t.kind === 'float' || t.kind === 'ptr') return t.size;
    if (t.kind === 'struct') return t.info.size;
    if (t.kind === 'array') return (t.length ?? 0) * 8;
    return 1;
  }

  setDataBreakpoints(ids: string[]): { verified: boolean; message?: string }[] {
    for (const w of this.dataWatches) for (const p of w.pas) this.k.cpu.setWatch(Math.floor(p.pa / PAGE_SIZE), WATCH_DATA, false);
    this.dataWatches = [];
    return ids.map((id) => {
      const m = /^(\d+):(0x[0-9a-f]+):(\d+)$/.exec(id);
      if (!m) return { verified: false, message: 'not a data breakpoint of this debugger' };
      const pid = Number(m[1]);
      const va = Number(BigInt.asIntN(64, BigInt(m[2])));
      const size = Number(m[3]);
      const task = this.k.tasks.get(pid);
      const pgd = task?.mm?.pgdPa ?? this.k.swapperPgdPa;
      const pas: { pa: number; n: number }[] = [];
      for (let off = 0; off < size; ) {
        const a = va + off;
        const n = Math.min(size - off, PAGE_SIZE - (a & 4095));
        const pa = this.k.cpu.peekTranslate(a, pgd);
        if (pa === undefined) return { verified: false, message: `${m[2]} is not mapped yet` };
        pas.push({ pa, n });
        off += n;
      }
      const w = new DataWatch(va, size, pid, pas, id);
      for (const p of pas) this.k.cpu.setWatch(Math.floor(p.pa / PAGE_SIZE), WATCH_DATA, true);
      this.dataWatches.push(w);
      return { verified: true };
    });
  }

  private dataWritten(pa: number, size: number, old: Uint8Array): void {
    if (this.replaying) return;
    for (const w of this.dataWatches) {
      for (const p of w.pas) {
        if (pa < p.pa + p.n && p.pa < pa + size) {
          const now = this.k.mem.readBytes(p.pa, p.n);
          const before = now.slice();
          for (let i = 0; i < p.n; i++) {
            const at = p.pa + i;
            if (at >= pa && at < pa + size) before[i] = old[at - pa];
          }
          if (before.every((b, i) => b === now[i])) continue;
          const fmt = (b: Uint8Array) => '0x' + [...b].reverse().map((x) => x.toString(16).padStart(2, '0')).join('');
          this.k.exec.pendingStop = { reason: 'event', description: `data breakpoint: ${hex(w.va)} changed from ${fmt(before)} to ${fmt(now)}`, data: { kind: 'data breakpoint' } };
          return;
        }
      }
    }
  }

  private kernelEvent(e: KernelEvent): void {
    if (this.replaying) return;
    const map: Record<KernelEvent['kind'], string> = { pagefault: 'pagefault', oops: 'oops', signal: 'signal', 'uaccess-fixup': 'uaccess', 'stale-tlb': 'stale-tlb', warn: 'warn', lock: 'warn' };
    const filter = map[e.kind];
    if (e.kind === 'oops') this.events.output({ category: 'important', text: e.text + '\n' });
    if (!this.exceptionFilters.has(filter)) return;
    let description: string;
    switch (e.kind) {
      case 'pagefault':
        description = `page fault at ${hex(e.va)} (error ${e.errorCode.toString(16)}, ${e.user ? 'user' : 'kernel'} mode): ${e.resolved}`;
        break;
      case 'oops':
        description = e.text.split('\n')[0];
        break;
      case 'signal':
        description = `${signalName(e.signo)} (${siCodeName(e.signo, e.code)}${e.addr ? `, address ${hex(e.addr)}` : ''}) to ${this.k.tasks.get(e.pid)?.comm ?? 'pid'}[${e.pid}]`;
        break;
      case 'uaccess-fixup':
        description = `${e.routine}: user address ${hex(e.va)} cannot be accessed; fixed up to an error`;
        break;
      case 'stale-tlb':
        description = `${e.write ? 'write' : 'read'} at ${hex(e.va)} used a stale TLB entry (the page tables changed and no flush came)`;
        break;
      default:
        description = e.text.split('\n').find((l) => l.trim()) ?? e.kind;
    }
    this.k.exec.pendingStop = { reason: 'event', description, data: { kind: 'exception', filter } };
  }

  private nativeEntered(task: Task, nf: NativeFrame): StopInfo | undefined {
    if (this.replaying) return undefined;
    const fb = this.functionBps.find((b) => b.name === nf.routine.name);
    if (!fb) return undefined;
    fb.hits++;
    if (fb.hitCondition && !this.hitConditionMet(fb.hitCondition, fb.hits)) return undefined;
    void task;
    return { reason: 'event', description: `function breakpoint: ${nf.routine.name}`, data: { kind: 'function breakpoint', ids: [fb.id] } };
  }

  private hitConditionMet(cond: string, hits: number): boolean {
    const m = /^\s*(>=|<=|==|>|<|%)?\s*(\d+)\s*$/.exec(cond);
    if (!m) return true;
    const n = Number(m[2]);
    switch (m[1]) {
      case '>=':
        return hits >= n;
      case '>':
        return hits > n;
      case '<':
        return hits < n;
      case '<=':
        return hits <= n;
      case '%':
        return n > 0 && hits % n === 0;
      default:
        return hits === n;
    }
  }

  /** Conditions, hit counts and logpoints, decided when a breakpoint's statement is reached. */
  private breakpointHit(bp: LineBreakpoint): boolean {
    if (this.replaying) return false;
    const req = bp.data as (BreakpointRequest & { id: number; hits: number }) | undefined;
    if (!req) return true;
    if (req.condition) {
      try {
        const v = this.evalValue(req.condition, undefined);
        const raw = new ValueReader(this.memoryFor(v.task), this.k.arch.abi.ptrBytes).scalar(v.value);
        if (raw === undefined || raw === 0 || raw === 0n) return false;
      } catch (e) {
        this.events.output({ category: 'stderr', text: `breakpoint condition '${req.condition}' failed: ${e instanceof Error ? e.message : e}\n` });
        return true;
      }
    }
    req.hits++;
    if (req.hitCondition && !this.hitConditionMet(req.hitCondition, req.hits)) return false;
    if (req.logMessage !== undefined) {
      const text = req.logMessage.replace(/\{([^}]+)\}/g, (_m, expr: string) => {
        try {
          return this.evaluate(expr, undefined, 'watch').result;
        } catch (e) {
          return `<${e instanceof Error ? e.message : e}>`;
        }
      });
      this.events.output({ category: 'console', text: text + '\n', file: bp.file, line: bp.actualLine });
      return false;
    }
    this.breakpointSteps.push(this.k.exec.steps);
    return true;
  }

  // ---- run control ---------------------------------------------------------------------------

  /** Starts the lab: stops on entry (the first statement) or runs. */
  start(): void {
    this.applyLineBreakpoints();
    if (this.opts.stopOnEntry) {
      const thread = this.primeFirstTask();
      if (thread !== undefined) {
        this.k.exec.requestStep(thread.thread, 'in');
        this.resume();
        return;
      }
    }
    this.resume();
  }

  /** Starts the first job so there is a thread to step into. */
  private primeFirstTask(): Task | undefined {
    return this.session.prime();
  }

  continue(): void {
    this.resume();
  }

  step(kind: 'over' | 'in' | 'out', threadId: number): void {
    const t = this.taskOfThread(threadId) ?? this.session.currentTask;
    if (!t) {
      this.resume();
      return;
    }
    const kernel = kind === 'in' && this.opts.stepIntoKernel;
    this.k.exec.requestStep(t.thread, kind, kernel);
    this.resume();
  }

  pause(): void {
    if (this.running) this.pauseRequested = true;
  }

  terminate(): void {
    this.terminatedFlag = true;
    this.running = false;
  }

  /** Runs slices until something stops execution, giving the event loop a turn in between. */
  private resume(): void {
    if (this.terminatedFlag || this.finished) {
      if (this.finished) this.finish();
      return;
    }
    this.running = true;
    this.invalidateRefs();
    const slice = () => {
      if (this.terminatedFlag) {
        this.running = false;
        return;
      }
      if (this.pauseRequested) {
        this.pauseRequested = false;
        this.running = false;
        this.k.exec.clearStep();
        this.reportStop('pause', 'paused');
        return;
      }
      let outcome;
      try {
        outcome = this.session.run(this.opts.sliceOps);
      } catch (e) {
        this.running = false;
        this.events.output({ category: 'stderr', text: `kmemlab: internal error: ${e instanceof Error ? e.message : e}\n` });
        this.finish();
        return;
      }
      this.noticeThreads();
      if (outcome === 'stopped') {
        this.running = false;
        const info = this.k.exec.stopInfo!;
        this.stopFromInfo(info);
        return;
      }
      if (outcome === 'done') {
        this.running = false;
        this.finish();
        return;
      }
      this.opts.defer(slice);
    };
    slice();
  }

  private stopFromInfo(info: StopInfo): void {
    if (info.reason === 'breakpoint') {
      const bp = info.data as LineBreakpoint;
      const req = bp.data as { id: number; fnBp?: number } | undefined;
      this.reportStop(req?.fnBp ? 'function breakpoint' : 'breakpoint', `breakpoint at ${bp.file}:${bp.actualLine}`, req ? [req.id] : []);
      return;
    }
    if (info.reason === 'step') {
      this.reportStop('step', 'step');
      return;
    }
    const d = info.data as { kind: string; ids?: number[] } | undefined;
    if (d?.kind === 'data breakpoint') this.reportStop('data breakpoint', info.description ?? 'data breakpoint');
    else if (d?.kind === 'function breakpoint') this.reportStop('function breakpoint', info.description ?? '', d.ids);
    else this.reportStop('exception', info.description ?? 'exception');
  }

  private reportStop(reason: StopReason, description: string, ids?: number[]): void {
    const t = this.session.currentTask ?? this.k.current;
    this.invalidateRefs();
    this.events.stopped({ reason, threadId: threadIdOf(t), description, text: description, breakpointIds: ids });
    this.events.changed(this.changes());
  }

  private finish(): void {
    if (this.finished && this.terminatedFlag) return;
    this.finished = true;
    const r = this.session.result();
    for (const id of this.knownThreads) this.events.threadExited(id);
    this.knownThreads.clear();
    this.events.output({ category: 'console', text: summary(r) });
    this.events.exited(r.exitCode);
    this.events.terminated();
    this.terminatedFlag = true;
  }

  get result(): RunResult {
    return this.session.result();
  }

  private noticeThreads(): void {
    for (const t of this.k.tasks.values()) {
      if (!t.exited && !this.knownThreads.has(t.pid)) {
        this.knownThreads.add(t.pid);
        this.events.threadStarted(t.pid);
      } else if (t.exited && this.knownThreads.has(t.pid)) {
        this.knownThreads.delete(t.pid);
        this.events.threadExited(t.pid);
      }
    }
  }

  /** Starts over from boot with the same breakpoints. */
  restart(): void {
    this.session = this.makeSession();
    this.inspector = new Inspector(this.session.kernel);
    this.finished = false;
    this.terminatedFlag = false;
    this.stmtHistory.clear();
    this.breakpointSteps = [];
    this.lastSnapshot = undefined;
    this.start();
  }

  // ---- reverse execution ----------------------------------------------------------------------

  /**
   * Replays from boot to `steps` ops (the machine is deterministic, so this recreates the exact
   * state, page tables and TLB included), with breakpoints and output muted.
   */
  private replayTo(steps: number, recordFrom = Math.max(0, steps - RECORD_WINDOW)): void {
    const fresh = this.makeSession();
    this.session = fresh;
    this.inspector = new Inspector(fresh.kernel);
    this.applyLineBreakpoints();
    this.stmtHistory.clear();
    this.replaying = true;
    const probe = fresh.kernel.exec.stmtProbe;
    try {
      // Statements are recorded only near the target: the rest runs at full speed.
      fresh.kernel.exec.stmtProbe = undefined;
      this.runSessionTo(fresh, recordFrom);
      fresh.kernel.exec.stmtProbe = probe;
      this.runSessionTo(fresh, steps);
    } finally {
      fresh.kernel.exec.stmtProbe = probe;
      this.replaying = false;
    }
    this.noticeThreads();
  }

  private runSessionTo(s: Session, steps: number): void {
    while (s.kernel.exec.steps < steps) {
      const before = s.kernel.exec.steps;
      const r = s.run(steps - before);
      if (r === 'done') break;
      if (s.kernel.exec.steps === before && r !== 'budget') break;
    }
  }

  /** The start of the latest recorded statement before now at a depth of at most `depth`. */
  private previousStatement(threadId: number, depth: number): number | undefined {
    const h = this.stmtHistory.get(threadId) ?? [];
    const now = this.k.exec.steps;
    for (let i = h.length - 1; i >= 0; i--) if (h[i].steps < now && h[i].depth <= depth) return h[i].steps;
    return undefined;
  }

  /**
   * Goes back to the start of the previous statement of this frame (reverse "step over": calls
   * and faults made by that statement are stepped over backwards too).
   */
  stepBack(threadId: number): void {
    const depth = this.taskOfThread(threadId)?.thread.frames.length ?? 0;
    let target = this.previousStatement(threadId, depth);
    if (target === undefined && this.k.exec.steps > 0) {
      // Not in the recent history: replay once recording everything to find it.
      const now = this.k.exec.steps;
      this.replayTo(now, 0);
      target = this.previousStatement(threadId, depth);
    }
    this.replayTo(target ?? 0);
    this.reportStop('step', 'stepped back');
  }

  /** Runs backwards to the previous breakpoint hit (or to the start). */
  reverseContinue(): void {
    const now = this.k.exec.steps;
    const earlier = this.breakpointSteps.filter((s) => s < now);
    const target = earlier.length ? earlier[earlier.length - 1] : 0;
    this.breakpointSteps = earlier.slice(0, -1);
    this.replayTo(target);
    this.reportStop(target ? 'breakpoint' : 'entry', target ? 'reverse continue: previous breakpoint' : 'reverse continue: the beginning');
  }

  // ---- threads, stacks, scopes ---------------------------------------------------------------------

  threads(): { id: number; name: string }[] {
    const out = [...this.k.tasks.values()].filter((t) => !t.exited && t.pid !== 0).map((t) => ({ id: t.pid, name: `${t.comm} [${t.pid}]${t.kind === 'kernel' ? ' (kernel thread)' : ''}` }));
    // The idle task is a thread only while something runs on it (a timer firing while all sleep).
    if (out.length === 0 || this.k.idle.thread.frames.length > 0) out.push({ id: IDLE_THREAD_ID, name: `swapper/0 (idle${this.k.idle.thread.frames.length > 0 ? ', in softirq' : ''})` });
    return out;
  }

  /** The task a DAP thread id stands for. */
  private taskOfThread(threadId: number): Task | undefined {
    return threadId === IDLE_THREAD_ID ? this.k.idle : this.k.tasks.get(threadId);
  }

  private invalidateRefs(): void {
    this.frameRefs.clear();
    this.varRefs.clear();
    this.nextRef = 1;
  }

  private ref(v: VarRef): number {
    const id = this.nextRef++;
    this.varRefs.set(id, v);
    return id;
  }

  stack(threadId: number, start = 0, levels = 1000): { frames: StackFrameInfo[]; total: number } {
    const t = this.taskOfThread(threadId);
    if (!t) return { frames: [], total: 0 };
    const frames = t.thread.frames;
    const out: StackFrameInfo[] = [];
    for (let i = frames.length - 1 - start, n = 0; i >= 0 && n < levels; i--, n++) {
      const f = frames[i];
      const id = this.nextRef++;
      this.frameRefs.set(id, { task: t, frame: f, index: i });
      if (f.kind === 'c') {
        const pc = Math.min(callStackPc(frames, f), f.fn.locs.length - 1);
        const loc = f.fn.locs[pc];
        out.push({ id, name: `${f.fn.name}${f.fn.mode === MODE_KERNEL ? ` [${f.fn.unit}]` : ''}`, file: loc.file, line: loc.line, column: loc.col, kernel: false, address: hex(this.k.oops.codeIp(f.fn, pc)) });
      } else {
        const args = f.routine.paramNames.map((p, j) => `${p}=${fmtArg(f.args[j])}`).join(', ');
        out.push({ id, name: `${f.routine.name}(${args})`, file: undefined, line: 0, column: 0, kernel: true, address: hex(this.k.oops.frameIp(f)) });
      }
    }
    return { frames: out, total: frames.length };
  }

  scopes(frameId: number): { name: string; ref: number; expensive: boolean; hint?: 'locals' | 'registers' }[] {
    const fr = this.frameRefs.get(frameId);
    if (!fr) throw new Error('unknown frame (the program has moved on)');
    const out: { name: string; ref: number; expensive: boolean; hint?: 'locals' | 'registers' }[] = [];
    if (fr.frame.kind === 'c') {
      out.push({ name: 'Locals', ref: this.ref({ kind: 'scope', task: fr.task, frame: fr.frame, scope: 'locals' }), expensive: false, hint: 'locals' });
      out.push({ name: fr.frame.fn.mode === MODE_KERNEL ? `Globals (${fr.frame.fn.unit})` : 'Globals', ref: this.ref({ kind: 'scope', task: fr.task, frame: fr.frame, scope: 'globals' }), expensive: false });
    } else {
      out.push({ name: 'Arguments', ref: this.ref({ kind: 'scope', task: fr.task, frame: fr.frame, scope: 'args' }), expensive: false, hint: 'locals' });
    }
    out.push({ name: 'Task', ref: this.ref({ kind: 'scope', task: fr.task, frame: fr.frame, scope: 'task' }), expensive: false, hint: 'registers' });
    return out;
  }

  /** Memory as the selected task sees it (kernel addresses through any task's tables). */
  memoryFor(task: Task | undefined): DebugMemory {
    const k = this.k;
    const pgd = task?.mm?.pgdPa ?? task?.activeMm?.pgdPa ?? k.swapperPgdPa;
    const translate = (va: number) => k.cpu.peekTranslate(va, pgd);
    return {
      read(va: I64, n: number): Uint8Array | undefined {
        if (typeof va !== 'number') return undefined;
        const out = new Uint8Array(n);
        for (let off = 0; off < n; ) {
          const a = va + off;
          const chunk = Math.min(n - off, PAGE_SIZE - (a & 4095));
          const pa = translate(a);
          if (pa === undefined) return undefined;
          k.mem.readBytes(pa, chunk, out.subarray(off, off + chunk));
          off += chunk;
        }
        return out;
      },
      write(va: I64, bytes: Uint8Array): boolean {
        if (typeof va !== 'number') return false;
        for (let off = 0; off < bytes.length; ) {
          const a = va + off;
          const chunk = Math.min(bytes.length - off, PAGE_SIZE - (a & 4095));
          const pa = translate(a);
          if (pa === undefined) return false;
          k.mem.writeBytes(pa, bytes.subarray(off, off + chunk));
          off += chunk;
        }
        return true;
      },
      symbol: (va: I64) => {
        if (typeof va !== 'number') return undefined;
        const s = k.kallsyms.lookup(va);
        return s ? (s.offset ? `${s.name}+0x${s.offset.toString(16)}` : s.name) : undefined;
      },
    };
  }

  private unitOf(fn: CompiledFunction): { tu: import('../lang/ast').TranslationUnit; image: import('../lang/link').LinkedImage | undefined } | undefined {
    for (const u of [...this.session.drivers, ...this.session.programs]) {
      if (u.image?.functions.includes(fn)) return { tu: u.tu, image: u.image };
    }
    return undefined;
  }

  /** The locals of a C frame in scope at its pc, as the parser's VarInfo (slots already assigned). */
  private localsInScope(f: CFrame): VarInfo[] {
    const def = f.fn.def as FuncDef | undefined;
    if (!def) return [];
    const pc = f.pc;
    const inScope = f.fn.locals.filter((l) => l.fromPc <= pc && (l.toPc < 0 || pc < l.toPc));
    const byName = new Map<string, VarInfo>();
    for (const l of inScope) {
      const v = [...def.params, ...def.locals].find((x) => x.name === l.name && (x.inMemory ? x.frameOffset === l.frameOffset : x.slot === l.slot));
      if (v) byName.set(l.name, v);
    }
    // Static locals of this function are globals with a mangled symbol.
    const unit = this.unitOf(f.fn);
    if (unit) for (const g of unit.tu.globals) if (g.symbol.startsWith(`${def.v.name}.`) && !byName.has(g.name)) byName.set(g.name, g);
    return [...byName.values()];
  }

  private valueOfVar(v: VarInfo, f: CFrame | undefined, task: Task, image: import('../lang/link').LinkedImage | undefined): DebugValue {
    if ((v.kind === 'local' || v.kind === 'param') && f) {
      if (!v.inMemory) return { name: v.name, type: v.type, loc: { kind: 'reg', regs: f.regs, slot: v.slot } };
      return { name: v.name, type: v.type, loc: { kind: 'mem', va: f.fp + v.frameOffset } };
    }
    const addr = image ? image.addressOf(v) : 0;
    void task;
    return { name: v.name, type: v.type, loc: { kind: 'mem', va: addr } };
  }

  private childValues(r: VarRef): { value: DebugValue; task: Task }[] {
    if (r.kind === 'value') return new ValueReader(this.memoryFor(r.task), this.k.arch.abi.ptrBytes).children(r.value).map((value) => ({ value, task: r.task }));
    if (r.kind === 'scope' && r.frame.kind === 'c') {
      const f = r.frame;
      const unit = this.unitOf(f.fn);
      if (r.scope === 'locals') return this.localsInScope(f).map((v) => ({ value: this.valueOfVar(v, f, r.task, unit?.image), task: r.task }));
      if (r.scope === 'globals' && unit) {
        return unit.tu.globals
          .filter((g) => !g.name.startsWith('.') && !g.name.startsWith('__kmemlab') && !g.name.startsWith('__UNIQUE_ID') && !g.section?.startsWith('__') && g.section !== '.modinfo' && !g.symbol.includes('.'))
          .map((g) => ({ value: this.valueOfVar(g, undefined, r.task, unit.image), task: r.task }));
      }
    }
    return [];
  }

  variables(ref: number, start?: number, count?: number): VariableInfo[] {
    const r = this.varRefs.get(ref);
    if (!r) throw new Error('unknown variable reference (the program has moved on since it was shown)');
    if (r.kind === 'list') return r.items.map((it) => ({ name: it.name, value: it.value, type: '', ref: it.ref ? this.ref(it.ref) : 0 }));
    if (r.kind === 'scope' && r.scope === 'task') return this.taskVariables(r.task);
    if (r.kind === 'scope' && r.scope === 'args' && r.frame.kind === 'native') {
      const nf = r.frame;
      return nf.routine.paramNames.map((p, i) => ({ name: p, value: fmtArg(nf.args[i]), type: 'long', ref: 0, memoryReference: typeof nf.args[i] === 'number' && Math.abs(nf.args[i] as number) > 4096 ? hex(nf.args[i] as number) : undefined }));
    }
    const reader = r.kind === 'value' ? new ValueReader(this.memoryFor(r.task), this.k.arch.abi.ptrBytes) : new ValueReader(this.memoryFor(r.kind === 'scope' ? r.task : undefined), this.k.arch.abi.ptrBytes);
    let kids: { value: DebugValue; task: Task }[];
    if (r.kind === 'value' && r.value.type.kind === 'array') {
      kids = reader.children(r.value, start ?? 0, count ?? 1000).map((value) => ({ value, task: r.task }));
    } else kids = this.childValues(r);
    return kids.map(({ value, task }) => this.describe(value, task, reader));
  }

  private describe(value: DebugValue, task: Task, reader: ValueReader): VariableInfo {
    const f = reader.format(value);
    return {
      name: value.name,
      value: f.text,
      type: f.typeName,
      ref: f.expandable ? this.ref({ kind: 'value', value, task }) : 0,
      indexed: f.indexed,
      memoryReference: f.memoryReference,
      evaluateName: value.name,
    };
  }

  private taskVariables(t: Task): VariableInfo[] {
    const mm = t.mm;
    const items: VariableInfo[] = [
      { name: 'pid', value: String(t.pid), type: 'pid_t', ref: 0 },
      { name: 'comm', value: JSON.stringify(t.comm), type: 'char[16]', ref: 0 },
      { name: 'state', value: t.exited ? 'dead' : t.thread.state, type: '', ref: 0 },
      { name: 'task_struct', value: hex(t.va), type: 'struct task_struct *', ref: this.ref({ kind: 'value', task: t, value: { name: 'task', type: this.pointerTo('task_struct'), loc: { kind: 'value', value: t.va } } }), memoryReference: hex(t.va) },
      { name: 'mm', value: mm ? hex(mm.va) : 'NULL (kernel thread)', type: 'struct mm_struct *', ref: mm ? this.ref({ kind: 'value', task: t, value: { name: 'mm', type: this.pointerTo('mm_struct'), loc: { kind: 'value', value: mm.va } } }) : 0 },
      { name: 'page table root (cr3)', value: hex((mm ?? t.activeMm ?? this.k.initMm).pgdPa), type: 'phys_addr_t', ref: 0, memoryReference: `phys:${hex((mm ?? t.activeMm ?? this.k.initMm).pgdPa)}` },
      { name: 'uid / euid', value: `${t.cred.uid} / ${t.cred.euid}`, type: 'kuid_t', ref: 0 },
      { name: 'addr_limit', value: hex(t.addrLimit), type: 'mm_segment_t', ref: 0 },
      { name: 'in_atomic()', value: t.preemptCount > 0 ? '1' : '0', type: 'int', ref: 0 },
      { name: 'locks held', value: t.heldLocks.map((l) => l.name).join(', ') || 'none', type: '', ref: 0 },
      { name: 'pending signals', value: t.pendingSignals.map((s) => s.signo).join(', ') || 'none', type: '', ref: 0 },
    ];
    return items;
  }

  private pointerTo(tag: string): import('../lang/types').CType {
    const ts = typeSystemFor(this.k.arch);
    for (const u of this.session.drivers) {
      const info = u.tu.tags.get(tag);
      if (info) return ts.ptr({ kind: 'struct', info });
    }
    return ts.ptr(ts.void);
  }

  // ---- expressions ------------------------------------------------------------------------------

  private frameFor(frameId: number | undefined): FrameRef | undefined {
    if (frameId !== undefined) return this.frameRefs.get(frameId);
    const t = this.session.currentTask ?? this.k.current;
    const frames = t.thread.frames;
    for (let i = frames.length - 1; i >= 0; i--) if (frames[i].kind === 'c') return { task: t, frame: frames[i], index: i };
    return frames.length ? { task: t, frame: frames[frames.length - 1], index: frames.length - 1 } : undefined;
  }

  /** Evaluates a C expression in a frame to a DebugValue (an lvalue when it designates one). */
  private evalValue(text: string, frameId: number | undefined): { value: DebugValue; task: Task } {
    const fr = this.frameFor(frameId);
    const task = fr?.task ?? this.k.current;
    const f = fr?.frame.kind === 'c' ? fr.frame : undefined;
    const unit = f ? this.unitOf(f.fn) : this.session.drivers[0] ?? this.session.programs[0];
    const tu = unit && 'tu' in unit ? unit.tu : undefined;
    const ts = typeSystemFor(this.k.arch);
    const locals = f ? this.localsInScope(f) : [];
    const enums = new Map<string, number>();
    let e: Expr;
    try {
      e = parseExpressionIn(exprTokens(text), { ts, file: '<expression>' }, tu, locals, enums);
    } catch (err) {
      if (err instanceof CompileError) throw new Error(err.diagnostics.map((d) => d.message).join('; '));
      throw err;
    }
    const image = f ? this.unitOf(f.fn)?.image : undefined;
    const mem = this.memoryFor(task);
    const cpu = debugCpu(mem, this.k.arch.abi.ptrBytes);
    const compiled = compileDebugExpression(e, {
      ts,
      cpu: cpu as never,
      exec: this.k.exec,
      mode: MODE_KERNEL,
      unit: '<expression>',
      addressOf: (v) => {
        if (!image) throw new Error(`${v.name} has no address here`);
        return image.addressOf(v);
      },
      callableOf: () => undefined,
      resolve: () => undefined,
    });
    const frame = f ?? ({ regs: [], fp: 0 } as unknown as CFrame);
    if (compiled.address) {
      // A bitfield's address is its storage unit's: the reader extracts the bits.
      const bitField = e.k === 'member' && e.field.bitWidth !== undefined ? e.field : undefined;
      return { value: { name: text, type: e.type, loc: { kind: 'mem', va: compiled.address(frame) as I64 }, ...(bitField ? { bitField } : {}) }, task };
    }
    if (e.k === 'var' && (e.v.kind === 'local' || e.v.kind === 'param') && !e.v.inMemory && f) return { value: { name: text, type: e.type, loc: { kind: 'reg', regs: f.regs, slot: e.v.slot } }, task };
    return { value: { name: text, type: e.type, loc: { kind: 'value', value: compiled.value(frame) } }, task };
  }

  /**
   * Evaluates for the Debug Console (also console commands), watch and hover. Hover and watch
   * never change anything; the console may assign (`x = 5`).
   */
  evaluate(text: string, frameId: number | undefined, context: 'watch' | 'hover' | 'repl' | 'clipboard' | string): { result: string; type?: string; ref: number; memoryReference?: string; indexed?: number } {
    const t = text.trim();
    if (context === 'repl') {
      const word = t.split(/\s+/)[0];
      if (['help', 'vtop', 'ptdump', 'vm', 'kmem', 'tlb', 'ps', 'dmesg', 'ksyms', 'vmalloc'].includes(word)) {
        const pid = this.frameFor(frameId)?.task.pid ?? this.k.current.pid;
        return { result: this.inspector.command(t, pid), ref: 0 };
      }
      const assign = /^(.+?[^=!<>])=([^=].*)$/.exec(t);
      if (assign) {
        const target = this.evalValue(assign[1].trim(), frameId);
        const value = this.evalValue(assign[2].trim(), frameId);
        const reader = new ValueReader(this.memoryFor(target.task), this.k.arch.abi.ptrBytes);
        const raw = new ValueReader(this.memoryFor(value.task), this.k.arch.abi.ptrBytes).scalar(value.value);
        if (raw === undefined || !reader.assign(target.value, raw)) throw new Error(`cannot assign to ${assign[1].trim()}`);
        const f = reader.format(target.value);
        return { result: f.text, type: f.typeName, ref: 0 };
      }
    }
    try {
      const { value, task } = this.evalValue(t, frameId);
      const reader = new ValueReader(this.memoryFor(task), this.k.arch.abi.ptrBytes);
      const f = reader.format(value);
      return { result: f.text, type: f.typeName, ref: f.expandable ? this.ref({ kind: 'value', value, task }) : 0, memoryReference: f.memoryReference, indexed: f.indexed };
    } catch (e) {
      if (e instanceof DebugReadError) return { result: `<unmapped ${hex(e.va)}>`, ref: 0 };
      throw e;
    }
  }

  setVariable(ref: number, name: string, valueText: string, frameId?: number): VariableInfo {
    const r = this.varRefs.get(ref);
    if (!r) throw new Error('unknown variable reference');
    const target = this.childValues(r).find((c) => c.value.name === name);
    if (!target) throw new Error(`no variable ${name} here`);
    const v = this.evalValue(valueText, frameId);
    const raw = new ValueReader(this.memoryFor(v.task), this.k.arch.abi.ptrBytes).scalar(v.value);
    const reader = new ValueReader(this.memoryFor(target.task), this.k.arch.abi.ptrBytes);
    if (raw === undefined || !reader.assign(target.value, raw)) throw new Error(`cannot set ${name}`);
    return this.describe(target.value, target.task, reader);
  }

  completions(text: string, frameId: number | undefined): string[] {
    const fr = this.frameFor(frameId);
    const names = new Set<string>(['help', 'vtop', 'ptdump', 'vm', 'kmem -p', 'tlb', 'ps', 'dmesg', 'ksyms', 'vmalloc']);
    if (fr?.frame.kind === 'c') {
      for (const v of this.localsInScope(fr.frame)) names.add(v.name);
      const unit = this.unitOf(fr.frame.fn);
      if (unit) for (const g of unit.tu.globals) if (!g.name.startsWith('.')) names.add(g.name);
      if (unit) for (const f of unit.tu.functions) names.add(f.v.name);
    }
    const word = /[A-Za-z_][A-Za-z0-9_]*$/.exec(text)?.[0] ?? '';
    return [...names].filter((n) => n.startsWith(word)).sort();
  }

  // ---- memory -------------------------------------------------------------------------------

  /** Reads memory for VS Code's memory view: a virtual address, or `phys:0x...`. */
  readMemory(reference: string, offset: number, count: number): { address: string; data: Uint8Array; unreadable: number } {
    const phys = reference.startsWith('phys:');
    const base = BigInt(phys ? reference.slice(5) : reference);
    const start = Number(BigInt.asIntN(64, base + BigInt(offset)));
    const data = new Uint8Array(count);
    let unreadable = 0;
    const mem = this.memoryFor(this.session.currentTask ?? this.k.current);
    for (let off = 0; off < count; ) {
      const a = start + off;
      const chunk = Math.min(count - off, PAGE_SIZE - (a & 4095));
      const bytes = phys ? (a >= 0 && a < this.k.mem.sizeBytes ? this.k.mem.readBytes(a, chunk) : undefined) : mem.read(a, chunk);
      if (!bytes) {
        if (off === 0) unreadable += chunk;
        else return { address: hex(start), data: data.subarray(0, off), unreadable: count - off };
      } else data.set(bytes, off);
      off += chunk;
    }
    return { address: hex(start), data: unreadable ? new Uint8Array(0) : data, unreadable };
  }

  writeMemory(reference: string, offset: number, bytes: Uint8Array): number {
    const phys = reference.startsWith('phys:');
    const start = Number(BigInt.asIntN(64, BigInt(phys ? reference.slice(5) : reference) + BigInt(offset)));
    if (phys) {
      this.k.mem.writeBytes(start, bytes);
      return bytes.length;
    }
    return this.memoryFor(this.session.currentTask ?? this.k.current).write(start, bytes) ? bytes.length : 0;
  }

  // ---- what changed between stops ----------------------------------------------------------------

  private changes(): ChangeSummary {
    const snap = takeSnapshot(this);
    const prev = this.lastSnapshot;
    this.lastSnapshot = snap;
    const diff = (a: Map<string, string> | undefined, b: Map<string, string>) => {
      const added: string[] = [];
      const removed: string[] = [];
      const changed: string[] = [];
      for (const [k, v] of b) {
        if (!a?.has(k)) added.push(k);
        else if (a.get(k) !== v) changed.push(k);
      }
      if (a) for (const k of a.keys()) if (!b.has(k)) removed.push(k);
      return { added, removed, changed };
    };
    const vmas = [...snap.vmas].map(([pid, m]) => ({ pid, ...diff(prev?.vmas.get(pid), m) })).filter((d) => d.added.length + d.removed.length + d.changed.length);
    const ptes = [...snap.ptes].map(([pid, m]) => ({ pid, ...diff(prev?.ptes.get(pid), m) })).filter((d) => d.added.length + d.removed.length + d.changed.length);
    const tlbDiff = diff(prev?.tlb, snap.tlb);
    const frames = Object.keys({ ...snap.owners, ...(prev?.owners ?? {}) })
      .map((o) => ({ owner: o, delta: (snap.owners[o] ?? 0) - (prev?.owners[o] ?? 0) }))
      .filter((d) => d.delta !== 0);
    return {
      steps: this.k.exec.steps,
      pid: (this.session.currentTask ?? this.k.current).pid,
      vmas,
      ptes,
      tlb: { added: tlbDiff.added, removed: tlbDiff.removed, stale: [...snap.tlb].filter(([, v]) => v.endsWith('stale')).map(([k]) => k) },
      frames,
      devmem: 0,
    };
  }
}

interface Snapshot {
  vmas: Map<number, Map<string, string>>;
  ptes: Map<number, Map<string, string>>;
  tlb: Map<string, string>;
  owners: Record<string, number>;
}

function takeSnapshot(d: DebugRuntime): Snapshot {
  const k = d.session.kernel;
  const vmas = new Map<number, Map<string, string>>();
  const ptes = new Map<number, Map<string, string>>();
  for (const t of k.tasks.values()) {
    if (t.exited || !t.mm) continue;
    const info = d.inspector.vmas(t.pid);
    if (!info) continue;
    vmas.set(t.pid, new Map(info.vmas.map((v) => [v.start, `${v.end} ${v.flags} ${v.pgoff}`])));
    const m = new Map<string, string>();
    for (const v of info.vmas) {
      const start = Number(BigInt.asIntN(64, BigInt(v.start)));
      const end = Number(BigInt.asIntN(64, BigInt(v.end)));
      if (end - start > 64 << 20) continue;
      for (let a = start; a < end; a += PAGE_SIZE) {
        const e = k.pt.lookup(t.mm.pgdPa, a);
        if (e) m.set(hex(a), hex(e.value & ~0x60n));
      }
    }
    ptes.set(t.pid, m);
  }
  const tlb = new Map(k.cpu.tlb.valid().map((e) => [hex(e.vpn * PAGE_SIZE), `${e.pfn}${e.stale ? ' stale' : ''}`]));
  const owners: Record<string, number> = {};
  for (const o of k.pages.owner) owners[o] = (owners[o] ?? 0) + 1;
  return { vmas, ptes, tlb, owners };
}

export interface StackFrameInfo {
  id: number;
  name: string;
  file: string | undefined;
  line: number;
  column: number;
  kernel: boolean;
  address: string;
}

export interface VariableInfo {
  name: string;
  value: string;
  type: string;
  ref: number;
  indexed?: number;
  memoryReference?: string;
  evaluateName?: string;
}

function fmtArg(v: Value | undefined): string {
  if (v === undefined) return '?';
  if (v instanceof Uint8Array) return `{${[...v].map((b) => b.toString(16).padStart(2, '0')).join('')}}`;
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) > 0xffff) return hex(v);
  if (typeof v === 'bigint') return hex(v);
  return String(v);
}

function summary(r: RunResult): string {
  const lines = ['', `kmemlab: ${r.lab} finished after ${r.steps} ops.`];
  for (const p of r.programs) lines.push(`  ${p.path.split('/').pop()}: ${p.exitCode !== null ? `exit status ${p.exitCode}` : p.signal ? `killed by ${p.signal}` : 'did not finish'}${p.note ? ` (${p.note})` : ''}`);
  if (r.checks.length) lines.push(`  checks: ${r.checks.filter((c) => c.pass).length}/${r.checks.length} passed${r.checks.some((c) => !c.pass) ? ` — failing: ${r.checks.filter((c) => !c.pass).map((c) => c.name).join('; ')}` : ''}`);
  return lines.join('\n') + '\n';
}

/** A memory read for an expression hit an unmapped page. */
export class DebugReadError extends Error {
  constructor(readonly va: I64) {
    super(`cannot read memory at ${hex(va)}`);
  }
}

/**
 * The CPU interface compiled expressions call, answering from debugger memory: loads never fault
 * or set accessed bits, and stores are refused.
 */
function debugCpu(mem: DebugMemory, ptrBytes: number): unknown {
  const rd = (va: I64, n: number) => {
    const b = mem.read(va, n);
    if (!b) throw new DebugReadError(va);
    return new DataView(b.buffer);
  };
  const refuse = () => {
    throw new Error('expressions here cannot write memory');
  };
  void ptrBytes;
  return {
    r8: (va: I64) => rd(va, 1).getUint8(0),
    r16: (va: I64) => rd(va, 2).getUint16(0, true),
    r32: (va: I64) => rd(va, 4).getUint32(0, true),
    r32s: (va: I64) => rd(va, 4).getInt32(0, true),
    r64: (va: I64) => {
      const d = rd(va, 8);
      return fromHiLo(d.getInt32(4, true), d.getUint32(0, true));
    },
    rf32: (va: I64) => rd(va, 4).getFloat32(0, true),
    rf64: (va: I64) => rd(va, 8).getFloat64(0, true),
    readBytes: (va: I64, n: number) => {
      const b = mem.read(va, n);
      if (!b) throw new DebugReadError(va);
      return b;
    },
    w8: refuse,
    w16: refuse,
    w32: refuse,
    w64: refuse,
    wf32: refuse,
    wf64: refuse,
    writeBytes: refuse,
    probe: () => undefined,
  };
}

export { formatDiagnostic };
