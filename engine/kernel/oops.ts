/**
 * When the kernel itself goes wrong: oops reports in the x86 3.7 format (headline, IP, the
 * page-table entries of the faulting address, registers we know, the call trace of C and kernel
 * frames), BUG(), WARN(), dump_stack(), and the death of the offending task — after which the
 * machine keeps running, as Linux does.
 */
import { KernelStackOverflow, type TrapSite } from '../exec/executor';
import { callStackPc, type Callable, type Frame, type NativeGen, type NativeRoutine, type Value } from '../exec/types';
import type { I64 } from '../util/int64';
import type { Kernel } from './kernel';
import { KernelAccessError } from './kmem';
import { SIGKILL } from './fault';
import type { Task } from './task';

/** A BUG() or BUG_ON() hit, by kernel C (via __kmemlab_bug) or by the kernel's own checks. */
export class KernelBug extends Error {
  constructor(readonly file: string, readonly line: number, readonly why: string) {
    super(`kernel BUG at ${file}:${line}!`);
    this.name = 'KernelBug';
  }
}

export interface OopsReport {
  pid: number;
  comm: string;
  text: string;
  /** The C statement that faulted, when it was C. */
  file?: string;
  line?: number;
}

export class Oops {
  count = 0;
  readonly reports: OopsReport[] = [];
  /** Host exceptions that escaped emulated code (bugs in kmemlab itself). */
  readonly internalErrors: string[] = [];
  private readonly dieRoutine: NativeRoutine;
  private readonly pending = new Map<number, { head: string; oopsLine?: string; site?: TrapSite; address: I64 }[]>();

  constructor(private readonly k: Kernel) {
    const r = k.routines;
    this.dieRoutine = r.define('oops_end', ['signr'], (_a, ctx) => {
      const p = this.pending.get(ctx.thread.id)?.pop();
      return this.die(this.k.current, p?.head ?? 'BUG', p?.oopsLine, p?.site, p?.address ?? 0);
    }, { exported: false });
    r.define('__kmemlab_bug', ['file', 'line'], (a, ctx) => {
      const file = this.k.km.readCString(a[0] as number, 256);
      throw new KernelBug(file, Number(a[1]), `BUG() in ${ctx.callerLoc ? `${ctx.callerLoc.file}:${ctx.callerLoc.line}` : 'kernel code'}`);
    });
    r.define('__kmemlab_warn', ['condition', 'file', 'line', 'fmt'], (a) => {
      const file = this.k.km.readCString(a[1] as number, 256);
      const fmt = (a[3] as number) ? this.k.lib.formatKernel(a[3] as I64, a.slice(4)) : '';
      this.warn(this.k.current, file, Number(a[2]), fmt);
      return 1;
    });
    r.define('dump_stack', [], () => {
      this.dumpStack(this.k.current, '');
      return 0;
    });
    r.define('panic', ['fmt'], (a) => {
      const msg = this.k.lib.formatKernel(a[0] as I64, a.slice(1));
      this.k.printk(`\x010Kernel panic - not syncing: ${msg}\n`);
      throw new KernelBug('kernel/panic.c', 0, `panic: ${msg}`);
    });
  }

  // ---- formatting ----------------------------------------------------------------------------

  fmtPtr(v: I64): string {
    const bits = this.k.arch.vaBits;
    return BigInt.asUintN(bits, BigInt(v)).toString(16).padStart(bits / 4, '0');
  }

  /** A frame's "instruction pointer": function address plus a plausible offset for the pc. */
  frameIp(f: Frame): number {
    return f.kind === 'c' ? this.codeIp(f.fn, f.pc) : this.codeIp(f.routine, -1);
  }

  /** The "instruction pointer" of op `pc` of a function (a kernel routine has one, pc -1). */
  codeIp(fn: Callable, pc: number): number {
    if (fn.kind === 'native') return (fn.address as number) + 0x1c;
    const size = this.k.kallsyms.sizeAt(fn.address as number) ?? 0x80;
    return (fn.address as number) + Math.min(Math.max(pc, 0) * 4 + 4, Math.max(size - 1, 1));
  }

  ipOf(task: Task): number {
    const frames = task.thread.frames;
    for (let i = frames.length - 1; i >= 0; i--) {
      const f = frames[i];
      if (f.kind === 'native' && f.trapFor !== undefined) continue;
      return this.frameIp(f);
    }
    return 0;
  }

  symbolize(addr: number): string {
    return this.k.kallsyms.symbolize(addr) ?? '';
  }

  /** ` in prog[400000+1000]` — the VMA of a user ip, for the segfault line. */
  inVma(task: Task, ip: number): string {
    const mm = task.mm;
    if (!mm) return '';
    const v = mm.vmaAt(ip);
    if (!v) return '';
    const name = this.k.procfs.vmaName(task, v);
    return ` in ${name.split('/').pop()}[${mm.vmaStart(v).toString(16)}+${(mm.vmaEnd(v) - mm.vmaStart(v)).toString(16)}]`;
  }

  /** A call-trace line for frame `f` of `frames` (a caller shows its call, not its return point). */
  private frameLine(f: Frame, frames: readonly Frame[]): string {
    return f.kind === 'c' ? this.codeLine(f.fn, callStackPc(frames, f)) : this.codeLine(f.routine, -1);
  }

  /** One call-trace line: ` [<ip>] symbol+off/size [module] (file:line)`. */
  codeLine(fn: Callable, pc: number): string {
    const ip = this.codeIp(fn, pc);
    let s = ` [<${this.fmtPtr(ip)}>] ${this.symbolize(ip)}`;
    if (fn.kind === 'c') {
      const loc = fn.locs[pc];
      if (loc) s += ` (${loc.file}:${loc.line})`;
    }
    return s;
  }

  /** Frames below the faulting one, innermost first, skipping the trap handlers. */
  callTrace(task: Task, skipTop: number): string[] {
    const frames = task.thread.frames.filter((f) => !(f.kind === 'native' && (f.trapFor !== undefined || f.routine === this.dieRoutine)));
    const lines: string[] = [];
    for (let i = frames.length - 1 - skipTop; i >= 0; i--) lines.push(this.frameLine(frames[i], task.thread.frames));
    return lines;
  }

  private faultingFrame(task: Task, site: TrapSite | undefined): Frame | undefined {
    if (site) return site.frame;
    const frames = task.thread.frames.filter((f) => !(f.kind === 'native' && f.trapFor !== undefined));
    return frames[frames.length - 1];
  }

  private modulesLine(): string {
    const mods = this.k.modules.loaded.map((m) => `${m.name}${m.taint ? `(${m.taint})` : ''}`);
    return `Modules linked in: ${mods.join(' ')}`;
  }

  /** The line that names the task under a report, as 3.7's dump_stack prints it. */
  taskLine(task: Task): string {
    return `Pid: ${task.pid}, comm: ${task.comm} ${this.taintString()} 3.7.10-kmemlab #1`;
  }

  private taintString(): string {
    const taints = new Set<string>();
    for (const m of this.k.modules.loaded) for (const c of m.taint) taints.add(c);
    const p = taints.has('P') ? 'P' : 'G';
    return `Tainted: ${p}${' '.repeat(10)}${taints.has('O') ? 'O' : ' '}`;
  }

  private ptDump(task: Task, address: I64): string {
    if (typeof address !== 'number') return '';
    const mm = task.mm ?? task.activeMm ?? this.k.initMm;
    const parts: string[] = [];
    let tablePa = mm.pgdPa;
    // x86_64 prints "PGD .. PUD .. PMD .. PTE ..". 32-bit dump_pagetable names the hardware's
    // tables: "*pdpt = " (PAE's PGD), "*pde = " (the page directory), "*pte = ", zero-padded.
    const names32: Record<string, string> = this.k.arch.pteBytes === 8 ? { pgd: '*pdpt =', pmd: '*pde =', pte: '*pte =' } : { pgd: '*pde =', pte: '*pte =' };
    for (const level of this.k.pt.levels) {
      const pa = this.k.pt.entryPa(tablePa, level, address);
      const v = this.k.pt.read(pa);
      if (this.k.arch.vaBits === 32) parts.push(`${names32[level.name]} ${v.toString(16).padStart(this.k.arch.pteBytes * 2, '0')}`);
      else parts.push(`${level.name.toUpperCase()} ${v.toString(16)}`);
      if (!this.k.pt.present(v) || this.k.pt.isLeaf(level, v)) break;
      tablePa = this.k.pt.pfnOf(v) * 4096;
    }
    return parts.join(' ');
  }

  // ---- reports ---------------------------------------------------------------------------------

  /** Prints an oops for the current state of `task`, kills the task, and never returns. */
  *die(task: Task, headline: string, oopsLine: string | undefined, site: TrapSite | undefined, address: I64): NativeGen {
    this.count++;
    const f = this.faultingFrame(task, site);
    const ip = f ? (site?.native ? (site.native.address as number) + 0x1c : this.frameIp(f)) : 0;
    const lines: string[] = [headline];
    // What KASAN knows of the address: a vmalloc guard page or a vfree'd area, and whose.
    if (headline.startsWith('BUG: unable to handle kernel paging request')) lines.push(...this.k.kasan.describeFault(address));
    lines.push(`IP: [<${this.fmtPtr(ip)}>] ${this.symbolize(ip)}`);
    const pt = this.ptDump(task, address);
    if (pt) lines.push(pt);
    lines.push(`${oopsLine ?? 'Oops: 0000'} [#${this.count}] SMP`);
    lines.push(this.modulesLine());
    lines.push(this.taskLine(task));
    const reg = this.k.arch.vaBits === 64 ? 'RIP' : 'EIP';
    lines.push(`${reg}: 0010:[<${this.fmtPtr(ip)}>]  [<${this.fmtPtr(ip)}>] ${this.symbolize(ip)}`);
    lines.push(`${this.k.arch.vaBits === 64 ? 'RSP' : 'ESP'}: 0018:${this.fmtPtr(task.thread.ksp)}  EFLAGS: 00010246`);
    lines.push('Call Trace:');
    const frames = task.thread.frames.filter((x) => !(x.kind === 'native' && (x.trapFor !== undefined || x.routine === this.dieRoutine)));
    const top = f ? frames.lastIndexOf(f) : frames.length - 1;
    if (site?.native) lines.push(this.frameLine(frames[top], task.thread.frames));
    for (let i = top - 1; i >= 0; i--) lines.push(this.frameLine(frames[i], task.thread.frames));
    if (typeof address === 'number' && headline.startsWith('BUG: unable')) lines.push(`CR2: ${this.fmtPtr(address)}`);
    lines.push(`---[ end trace ${(0x1000000000000000n + BigInt(this.count)).toString(16).slice(1)} ]---`);
    const text = lines.join('\n');
    for (const l of lines) this.k.printk(`\x014${l}\n`);
    const loc = f?.kind === 'c' ? f.fn.locs[f.pc] : undefined;
    this.reports.push({ pid: task.pid, comm: task.comm, text, file: loc?.file, line: loc?.line });
    this.k.emit({ kind: 'oops', pid: task.pid, text });
    return yield* this.k.sched.killTask(task, SIGKILL);
  }

  warn(task: Task, file: string, line: number, message: string): void {
    const caller = this.faultingFrame(task, undefined);
    const ip = caller ? this.frameIp(caller) : 0;
    const out = ['------------[ cut here ]------------', `WARNING: at ${file}:${line} ${this.symbolize(ip).replace(/ \[.*\]$/, '')}()`];
    if (message) out.push(message.replace(/\n$/, ''));
    out.push(this.modulesLine());
    out.push(this.taskLine(task));
    out.push('Call Trace:', ...this.callTrace(task, 0));
    out.push(`---[ end trace ${(0x1000000000000000n + BigInt(++this.count)).toString(16).slice(1)} ]---`);
    for (const l of out) this.k.printk(`\x014${l}\n`);
    this.k.emit({ kind: 'warn', pid: task.pid, text: out.join('\n') });
  }

  dumpStack(task: Task, header: string): void {
    if (header) this.k.printk(`\x014${header}\n`);
    this.k.printk(`\x014${this.taskLine(task)}\n`);
    this.k.printk('\x014Call Trace:\n');
    for (const l of this.callTrace(task, 0)) this.k.printk(`\x014${l}\n`);
  }

  private handlerFor(task: Task, head: string, oopsLine: string | undefined, site: TrapSite, address: I64): { routine: NativeRoutine; args: Value[] } {
    let list = this.pending.get(task.thread.id);
    if (!list) {
      list = [];
      this.pending.set(task.thread.id, list);
    }
    list.push({ head, oopsLine, site, address });
    return { routine: this.dieRoutine, args: [SIGKILL] };
  }

  stackOverflowHandler(task: Task, e: KernelStackOverflow, site: TrapSite): { routine: NativeRoutine; args: Value[] } {
    return this.handlerFor(task, `BUG: stack guard page was hit: ${e.fn} needs ${e.frameBytes} bytes of stack, past the ${this.k.arch.layout.threadSizeBytes}-byte kernel stack`, 'Oops: 0000', site, 0);
  }

  internalErrorHandler(task: Task, error: unknown, site: TrapSite): { routine: NativeRoutine; args: Value[] } {
    if (error instanceof KernelBug) {
      this.k.printk('\x014------------[ cut here ]------------\n');
      return this.handlerFor(task, `kernel BUG at ${error.file}:${error.line}! (${error.why})`, 'invalid opcode: 0000', site, 0);
    }
    if (error instanceof KernelAccessError) {
      const a = typeof error.va === 'number' ? error.va : 0;
      const head = a >= 0 && a < 4096 ? `BUG: unable to handle kernel NULL pointer dereference at ${this.fmtPtr(error.va)}` : `BUG: unable to handle kernel paging request at ${this.fmtPtr(error.va)}`;
      return this.handlerFor(task, head, 'Oops: 0000', site, error.va);
    }
    const msg = error instanceof Error ? error.message : String(error);
    this.internalErrors.push(msg);
    return this.handlerFor(task, `kmemlab internal error: ${msg}`, 'Oops: 0000', site, 0);
  }
}

export { KernelStackOverflow };
