/**
 * A lab on a booted machine: compiles its C, boots the kernel, loads the drivers (each in an
 * insmod task), runs the programs one after another, unloads the drivers, and reports. It can
 * run to the end (the CLI) or in slices that stop at breakpoints (the debug adapter).
 */
import { MODE_KERNEL, MODE_USER } from '../machine/tlb';
import { callStackPc, type CFrame, type CompiledFunction } from '../exec/types';
import type { TranslationUnit } from '../lang/ast';
import { linkImage, planImage, type LinkedImage } from '../lang/link';
import { HZ, Kernel, NS_PER_STEP, type KernelConfig } from '../kernel/kernel';
import type { DevmemTraceRecord } from '../kernel/drivers/devmem';
import { devmemConfigFromLab, DevmemConfigError, type DevmemConfig } from '../kernel/drivers/devmemConfig';
import type { LoadedModule } from '../kernel/module';
import { signalName } from '../kernel/sched';
import type { Task } from '../kernel/task';
import { Libc, LIBC_DATA_BYTES } from '../libc';
import type { LibcHost } from '../libc/port';
import { formatTimestamp } from '../kernel/printk';
import { archSpec, compileDriver, compileProgram, kernelLayouts, moduleNameOf, typeSystemFor, type SourceFiles } from './build';
import { endingsJudgedByChecks, evaluateChecks, type CheckResult } from './checks';
import { BadInput, type LabSpec } from './lab';

export interface ProgramResult {
  path: string;
  pid: number | null;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: string | null;
  /** Why the program did not finish normally, when it did not (step limit, never started). */
  note?: string;
}

export interface DriverResult {
  path: string;
  name: string;
  loaded: boolean;
  initReturn: number | null;
}

export interface RunResult {
  lab: string;
  arch: string;
  dmesg: { level: number; text: string; time: string }[];
  programs: ProgramResult[];
  drivers: DriverResult[];
  oops: { pid: number; comm: string; text: string; file?: string; line?: number }[];
  checks: CheckResult[];
  steps: number;
  stepLimit?: { limit: number; where: string };
  exitCode: 0 | 1;
}

/** A line breakpoint as the session keeps it: where it was asked for and where it landed. */
export interface LineBreakpoint {
  file: string;
  line: number;
  /** The line of the statement it moved to (the first statement at or after `line`). */
  actualLine: number | undefined;
  verified: boolean;
  /** Placed on these ops. */
  sites: { fn: CompiledFunction; pc: number }[];
  /** Extra data the debugger keeps with it (condition, hit count, log message). */
  data?: unknown;
}

type Job = { kind: 'insmod'; index: number } | { kind: 'program'; index: number } | { kind: 'rmmod'; index: number };

export type SliceOutcome = 'done' | 'stopped' | 'budget';

interface DriverState {
  path: string;
  name: string;
  tu: TranslationUnit;
  module?: LoadedModule;
  image?: LinkedImage;
}

interface ProgramState {
  path: string;
  tu: TranslationUnit;
  image?: LinkedImage;
  task?: Task;
  note?: string;
}

/** lab.json's /dev/mem settings; a mistake in them is bad input. */
function labDevmem(lab: LabSpec): DevmemConfig {
  try {
    return devmemConfigFromLab(lab.extra, lab.ramMiB * 1048576);
  } catch (e) {
    if (e instanceof DevmemConfigError) throw new BadInput(`${lab.name}: lab.json: ${e.message}`);
    throw e;
  }
}

/** Decodes program output as UTF-8 (bytes that are not UTF-8 become U+FFFD). */
function text(bytes: number[]): string {
  return new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
}

export class Session {
  readonly kernel: Kernel;
  readonly libc: Libc;
  readonly drivers: DriverState[];
  readonly programs: ProgramState[];
  private readonly jobs: Job[] = [];
  private jobIndex = 0;
  /** The task that ran last. */
  private current: Task | undefined;
  /** The running job's tasks (all the programs at once with `concurrent`). */
  private foreground: Task[] = [];
  /** When the current task's slice ends (the next jiffy), in emulated ns. */
  private sliceEndNs = 0;
  stepLimit: { limit: number; where: string } | undefined;
  private readonly lineBreakpoints = new Map<string, LineBreakpoint[]>();
  /** Called when a breakpoint's op is reached; returning false lets execution go on. */
  breakpointFilter: ((bp: LineBreakpoint) => boolean) | undefined;

  /** Compiles everything first, so a C error is reported before anything runs. */
  constructor(readonly lab: LabSpec, readonly files: SourceFiles) {
    const arch = archSpec(lab.arch);
    if (lab.drivers.length === 0 && lab.programs.length === 0) throw new BadInput('nothing to run: no drivers and no programs');
    this.drivers = lab.drivers.map((d) => ({ path: d.path, name: moduleNameOf(d.path), tu: compileDriver(arch, d.path, files) }));
    this.programs = lab.programs.map((p) => ({ path: p.path, tu: compileProgram(arch, p.path, files) }));
    const names = new Set<string>();
    for (const d of this.drivers) {
      if (names.has(d.name)) throw new BadInput(`two drivers are named ${d.name}`);
      names.add(d.name);
    }
    const cfg: KernelConfig = { arch, ramBytes: lab.ramMiB * 1048576, layouts: kernelLayouts(arch), securelevel: lab.securelevel, devmem: labDevmem(lab) };
    this.kernel = new Kernel(cfg);
    this.libc = new Libc(this.libcHost());
    this.kernel.binfmt.setRuntime(this.libc, LIBC_DATA_BYTES);
    for (const p of this.programs) p.image = this.linkProgram(p);
    this.kernel.exec.breakpointHit = (_thread, frame, pc) => {
      const bp = this.breakpointAt(frame.fn, pc);
      if (!bp) return undefined;
      if (this.breakpointFilter && !this.breakpointFilter(bp)) return undefined;
      return { reason: 'breakpoint', data: bp };
    };
    this.drivers.forEach((_, i) => this.jobs.push({ kind: 'insmod', index: i }));
    this.programs.forEach((_, i) => this.jobs.push({ kind: 'program', index: i }));
    if (lab.unload) for (let i = this.drivers.length - 1; i >= 0; i--) this.jobs.push({ kind: 'rmmod', index: i });
  }

  private libcHost(): LibcHost {
    const k = this.kernel;
    return {
      cpu: k.cpu,
      ptrBytes: k.arch.abi.ptrBytes,
      longBytes: k.arch.abi.longBytes,
      syscall: (name) => k.routines.get(`sys_${name}`),
    };
  }

  private linkProgram(p: ProgramState): LinkedImage {
    const k = this.kernel;
    const plan = planImage(p.tu);
    const ts = typeSystemFor(k.arch);
    const image = linkImage(plan, k.arch.layout.userTextStart, {
      ts,
      cpu: k.cpu,
      exec: k.exec,
      mode: MODE_USER,
      unit: p.path.split('/').pop()!.replace(/\.c$/, ''),
      lookupExternal: (name) => {
        const r = this.libc.routines.get(name);
        if (r) return { kind: 'func', callable: r, address: r.address };
        const o = this.libc.objects.get(name);
        if (o) return { kind: 'object', address: k.binfmt.runtimeDataVa + o.offsetInData };
        return undefined;
      },
      explainMissing: (name) => `undefined reference to '${name}'${k.routines.get(name)?.exported ? ` (${name} is a kernel routine: a user program cannot call it)` : ''}`,
      resolve: (a) => k.resolve(a),
    });
    const main = image.find('main');
    if (!main || main.kind !== 'func') {
      throw new BadInput(`${p.path}: undefined reference to 'main'`);
    }
    return image;
  }

  private linkDriver(d: DriverState): LoadedModule {
    const k = this.kernel;
    const plan = planImage(d.tu);
    const mod = k.modules.prepare(d.name, plan.totalBytes);
    d.image = linkImage(plan, mod.base, {
      ts: typeSystemFor(k.arch),
      cpu: k.cpu,
      exec: k.exec,
      mode: MODE_KERNEL,
      unit: d.name,
      lookupExternal: (name) => k.modules.lookupExternal(name, mod),
      explainMissing: (name) => k.modules.explainMissing(name),
      resolve: (a) => k.resolve(a),
    });
    const spec = this.lab.drivers.find((x) => x.path === d.path)!;
    return k.modules.install(mod, d.image, spec.params);
  }

  // ---- breakpoints ------------------------------------------------------------------------------

  /** Every compiled C function of the lab (programs now, drivers once loaded). */
  functions(): CompiledFunction[] {
    const out: CompiledFunction[] = [];
    for (const p of this.programs) if (p.image) out.push(...p.image.functions);
    for (const d of this.drivers) if (d.image) out.push(...d.image.functions);
    return out;
  }

  /** Sets the line breakpoints of one file (replacing its previous ones). */
  setLineBreakpoints(file: string, lines: { line: number; data?: unknown }[]): LineBreakpoint[] {
    for (const old of this.lineBreakpoints.get(file) ?? []) for (const s of old.sites) s.fn.stops[s.pc] = 0;
    const bps: LineBreakpoint[] = lines.map((l) => ({ file, line: l.line, actualLine: undefined, verified: false, sites: [], data: l.data }));
    this.lineBreakpoints.set(file, bps);
    this.placeBreakpoints(this.functions());
    for (const bp of bps) if (!bp.verified) this.verifyFromSource(bp);
    return bps;
  }

  /** A breakpoint in code not loaded yet is verified if the line is inside a function. */
  private verifyFromSource(bp: LineBreakpoint): void {
    for (const unit of [...this.drivers, ...this.programs]) {
      for (const fn of unit.tu.functions) {
        if (fn.loc.file !== bp.file) continue;
        if (bp.line <= fn.endLoc.line && (bp.actualLine === undefined || fn.loc.line < bp.actualLine)) {
          bp.actualLine = Math.max(bp.line, fn.loc.line);
          bp.verified = true;
        }
      }
    }
  }

  /** Puts the flags of every line breakpoint on the first statement at or after its line. */
  private placeBreakpoints(fns: CompiledFunction[]): void {
    for (const [file, bps] of this.lineBreakpoints) {
      for (const bp of bps) {
        let best: { fn: CompiledFunction; pc: number; line: number } | undefined;
        for (const fn of fns) {
          if (fn.file !== file) continue;
          for (let pc = 0; pc < fn.ops.length; pc++) {
            const loc = fn.locs[pc];
            if (!fn.stmtStart[pc] || loc.file !== file || loc.line < bp.line) continue;
            if (!best || loc.line < best.line) best = { fn, pc, line: loc.line };
          }
        }
        if (!best) continue;
        // Every op that starts a statement on that line gets the flag (a loop header has two).
        for (const fn of fns) {
          if (fn.file !== file) continue;
          for (let pc = 0; pc < fn.ops.length; pc++) {
            if (fn.stmtStart[pc] && fn.locs[pc].line === best.line && fn.locs[pc].file === file && !bp.sites.some((s) => s.fn === fn && s.pc === pc)) {
              bp.sites.push({ fn, pc });
              fn.stops[pc] = 1;
            }
          }
        }
        bp.actualLine = best.line;
        bp.verified = true;
      }
    }
  }

  private breakpointAt(fn: CompiledFunction, pc: number): LineBreakpoint | undefined {
    for (const bps of this.lineBreakpoints.values()) for (const bp of bps) if (bp.sites.some((s) => s.fn === fn && s.pc === pc)) return bp;
    return undefined;
  }

  /** Starts the next job without running it (the debugger's stop-on-entry needs a task). */
  prime(): Task | undefined {
    if (this.foreground.length === 0) this.startNextJob();
    return this.current;
  }

  /** Every /dev/mem mmap so far with each policy's verdict (the debugger's policy view). */
  devmemTrace(): DevmemTraceRecord[] {
    return this.kernel.devmem.trace;
  }

  /** The task that ran last (for the debugger), if any. */
  get currentTask(): Task | undefined {
    return this.current;
  }

  get done(): boolean {
    return this.foreground.length === 0 && this.jobIndex >= this.jobs.length;
  }

  /** Spawns a job's task: an insmod, a program, or an rmmod. */
  private spawnJob(job: Job): Task | undefined {
    const k = this.kernel;
    if (job.kind === 'insmod') {
      const d = this.drivers[job.index];
      d.module = this.linkDriver(d);
      this.placeBreakpoints(d.image!.functions);
      return k.modules.spawnInsmod(d.module);
    }
    if (job.kind === 'program') {
      const p = this.programs[job.index];
      const spec = this.lab.programs[job.index];
      const main = p.image!.byVar.get(p.image!.find('main')!.v) as CompiledFunction;
      p.task = k.binfmt.spawn({ path: p.path, sections: p.image!.sections, functions: p.image!.functions, main }, spec.args, {
        uid: spec.uid,
        gid: spec.gid,
        euid: spec.uid,
        egid: spec.gid,
      });
      return p.task;
    }
    const d = this.drivers[job.index];
    return d.module && d.module.state === 'live' ? k.modules.spawnRmmod(d.module) : undefined;
  }

  /**
   * Starts the next job; with `concurrent`, every program of the lab starts at once. The jobs'
   * tasks are the foreground: the next job waits until all of them have ended.
   */
  private startNextJob(): boolean {
    while (this.jobIndex < this.jobs.length) {
      const job = this.jobs[this.jobIndex++];
      const started = [this.spawnJob(job)];
      if (job.kind === 'program' && this.lab.concurrent) {
        while (this.jobIndex < this.jobs.length && this.jobs[this.jobIndex].kind === 'program') started.push(this.spawnJob(this.jobs[this.jobIndex++]));
      }
      this.foreground = started.filter((t): t is Task => t !== undefined);
      if (this.foreground.length > 0) {
        this.current = this.foreground[0];
        return true;
      }
    }
    return false;
  }

  /**
   * Runs up to `budget` ops. 'stopped' means the executor stopped (breakpoint, step, event);
   * 'done' means every job has finished.
   *
   * This is the scheduler's outer loop: the task picked runs until its jiffy ends (then the next
   * runnable task gets the CPU, round robin) unless it is atomic; due timers fire in softirq
   * context on top of the task about to run; when every task sleeps, emulated time jumps to the
   * next wake-up or timer.
   */
  run(budget: number): SliceOutcome {
    const k = this.kernel;
    const tickNs = 1e9 / HZ;
    let left = budget;
    while (left > 0) {
      this.foreground = this.foreground.filter((t) => !t.exited);
      if (this.foreground.length === 0 && !this.startNextJob()) return 'done';
      if (k.exec.steps >= this.lab.maxSteps) {
        this.hitLimit(`step limit of ${this.lab.maxSteps}`, `stopped at the step limit (${this.lab.maxSteps})`);
        return 'done';
      }
      if (k.nowNs() > this.lab.maxSeconds * 1e9) {
        this.hitLimit(`time limit of ${this.lab.maxSeconds} emulated seconds`, `stopped at the time limit (${this.lab.maxSeconds} s)`);
        return 'done';
      }
      k.syncJiffies();
      k.sched.wakeSleepers();
      const keep = this.current !== undefined && !this.current.exited && (this.current.preemptCount > 0 || k.nowNs() < this.sliceEndNs);
      const task = k.sched.pickNext(keep);
      if (!task) {
        if (!this.idleUntilNextEvent()) continue;
        left--;
        continue;
      }
      if (task !== this.current || !keep) this.sliceEndNs = (Math.floor(k.nowNs() / tickNs) + 1) * tickNs;
      this.current = task;
      if (k.timers.hasDue() && task.inSoftirq === 0) k.timers.raise(task);
      const before = k.exec.steps;
      const stepsToTick = Math.max(1, Math.ceil((this.sliceEndNs - k.nowNs()) / NS_PER_STEP));
      const outcome = k.sched.run(task, Math.min(left, stepsToTick, this.lab.maxSteps - k.exec.steps));
      left -= Math.max(1, k.exec.steps - before);
      if (outcome === 'stopped') return 'stopped';
    }
    return this.done ? 'done' : 'budget';
  }

  /**
   * Nothing can run: jump emulated time to the next wake-up or timer (a due timer interrupts the
   * idle task). With nothing left to wait for, the foreground tasks can never wake and are
   * killed. Returns false when it ended the run instead.
   */
  private idleUntilNextEvent(): boolean {
    const k = this.kernel;
    const next = k.sched.nextEventNs();
    if (next === undefined) {
      for (const t of this.foreground) {
        k.printk(`\x013kmemlab: ${t.comm}[${t.pid}] is blocked (${t.thread.blockedOn}) and nothing can wake it; killing it\n`);
        this.forceEnd(t);
      }
      return true;
    }
    if (next > this.lab.maxSeconds * 1e9) {
      this.hitLimit(`time limit of ${this.lab.maxSeconds} emulated seconds`, `stopped at the time limit (${this.lab.maxSeconds} s)`);
      return false;
    }
    if (next > k.nowNs()) k.idleNs += next - k.nowNs();
    k.syncJiffies();
    k.sched.wakeSleepers();
    if (k.timers.hasDue()) {
      k.idle.thread.state = 'runnable';
      k.timers.raise(k.idle);
    }
    return true;
  }

  /** Ends a task from outside (a limit, a task that can never wake): frames go, files close. */
  private forceEnd(task: Task): void {
    const k = this.kernel;
    k.exec.unwind(task.thread);
    task.thread.state = 'dead';
    k.sched.reap(task, 0, 9);
  }

  /** A step or time limit: every task still alive stops where it is, and nothing more starts. */
  private hitLimit(what: string, note: string): void {
    const k = this.kernel;
    const task = this.current && !this.current.exited ? this.current : this.foreground[0];
    const where = task ? `${task.comm}[${task.pid}] in ${this.placeOf(task)}` : 'idle';
    this.stepLimit = { limit: this.lab.maxSteps, where };
    k.printk(`\x013kmemlab: ${what} reached: ${where}\n`);
    for (const t of this.foreground) {
      const p = this.programs.find((x) => x.task === t);
      if (p) p.note = `${note} in ${this.placeOf(t)}`;
      this.forceEnd(t);
    }
    this.foreground = [];
    for (const q of this.programs) if (!q.task) q.note = `not run: the ${what} was reached before it started`;
    this.jobIndex = this.jobs.length;
  }

  /** `fn at file:line` of the innermost C frame, after the kernel routine running on top of it if any. */
  private placeOf(task: Task): string {
    const frames = task.thread.frames;
    const top = frames[frames.length - 1];
    const c = [...frames].reverse().find((f): f is CFrame => f.kind === 'c');
    const loc = c ? c.fn.locs[callStackPc(frames, c)] : undefined;
    const inC = c ? `${c.fn.name}${loc ? ` at ${loc.file}:${loc.line}` : ''}` : '?';
    return top && top.kind === 'native' && c ? `${top.routine.name}, called from ${inC}` : inC;
  }

  /** Runs everything to the end (or the step limit) and reports. */
  runToEnd(): RunResult {
    while (this.run(1 << 30) !== 'done') {
      // A stop without a debugger attached (an event nobody waits for): just go on.
    }
    return this.result();
  }

  result(): RunResult {
    const k = this.kernel;
    k.log.flushPartial();
    const programs: ProgramResult[] = this.programs.map((p) => {
      const rec = p.task?.program;
      return {
        path: p.path,
        pid: p.task?.pid ?? null,
        stdout: rec ? text(rec.stdout) : '',
        stderr: rec ? text(rec.stderr) : '',
        exitCode: rec?.exitCode ?? null,
        signal: rec?.signal !== undefined ? signalName(rec.signal) : null,
        ...(p.note ? { note: p.note } : {}),
      };
    });
    const drivers: DriverResult[] = this.drivers.map((d) => ({
      path: d.path,
      name: d.name,
      loaded: d.module !== undefined && d.module.state !== 'failed' && d.module.initReturn !== undefined && d.module.initReturn >= 0,
      initReturn: d.module?.initReturn ?? null,
    }));
    const dmesg = k.log.records.map((r) => ({ level: r.level, text: r.text, time: formatTimestamp(r.timeNs) }));
    const oops = k.oops.reports.map((o) => ({ ...o }));
    const partial = { dmesg, programs, oops };
    const checks = evaluateChecks(this.lab, partial);
    const judged = endingsJudgedByChecks(this.lab, partial);
    const ok = programs.every((p) => p.exitCode === 0 || judged.has(p.path)) && oops.length === 0 && checks.every((c) => c.pass) && !this.stepLimit;
    return {
      lab: this.lab.name,
      arch: k.arch.name,
      dmesg,
      programs,
      drivers,
      oops,
      checks,
      steps: k.exec.steps,
      ...(this.stepLimit ? { stepLimit: this.stepLimit } : {}),
      exitCode: ok ? 0 : 1,
    };
  }
}
