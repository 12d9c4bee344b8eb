/**
 * The run loop. C functions are arrays of ops (closures compiled once); a frame is just a pc and
 * registers, so stopping anywhere is returning from the loop, and resuming is entering it again.
 * Native routines that call back into C are generators: the loop pushes a C frame for them and
 * resumes the generator with the result. A memory access that faults throws a Trap out of the op;
 * the op had no effect yet, so after the kernel's handler returns the op simply runs again.
 */
import { Trap, type Cpu } from '../machine/cpu';
import { MODE_KERNEL, MODE_USER, type Mode } from '../machine/tlb';
import type { I64 } from '../util/int64';
import type { SourceLoc } from '../util/loc';
import { Thread } from './thread';
import {
  CFrame, NativeFrame, OP_CALL, OP_RETURN, OP_SWITCH, OP_THROWN,
  type Callable, type CompiledFunction, type Frame, type NativeContext, type NativeGen, type NativeRequest, type NativeRoutine, type Value,
} from './types';

/** Where a trap came from, for the kernel's fault handler and its oops call trace. */
export interface TrapSite {
  frame: Frame;
  /** A synchronous native that raised it while called from `frame`. */
  native?: NativeRoutine;
  /** The code that raised it cannot be resumed (a native generator that did not catch it). */
  fatal: boolean;
}

export interface ExecHost {
  readonly cpu: Cpu;
  /** The kernel routine that handles a trap (page fault, #GP, #DE) raised by `thread`. */
  trapHandler(thread: Thread, trap: Trap, site: TrapSite): { routine: NativeRoutine; args: Value[] };
  /** A host exception escaped emulated code: the kernel turns it into an oops-like report. */
  internalError(thread: Thread, error: unknown, site: TrapSite): { routine: NativeRoutine; args: Value[] };
  /** The function at an address, for calls through pointers. */
  resolve(address: I64): Callable | undefined;
  /** The thread's outermost frame returned. */
  threadDone(thread: Thread, value: Value | undefined): void;
  /** Control is about to continue in user mode after kernel code ran (signal delivery point). */
  returnedToUser?(thread: Thread): void;
}

export type StepKind = 'in' | 'over' | 'out';

interface StepRequest {
  kind: StepKind;
  thread: Thread;
  depth: number;
  frame: Frame | undefined;
  line: number;
  file: string;
  pc: number;
  /** Stop in native frames too (step into kernel routines). */
  intoNatives: boolean;
}

export type RunOutcome = 'budget' | 'stopped' | 'blocked' | 'dead';

export interface StopInfo {
  reason: 'breakpoint' | 'step' | 'event' | 'entry';
  description?: string;
  /** Whatever the requester attached (an event record). */
  data?: unknown;
}

/** Runs a routine inside a generator, so it has a frame to stop in. */
function* framed(target: NativeRoutine, ctx: NativeContext, args: Value[]): NativeGen {
  const r = target.impl(ctx, args);
  if (isGenerator(r)) return yield* r;
  return r;
}

function isGenerator(v: unknown): v is NativeGen {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && typeof (v as NativeGen).next === 'function';
}

export class Executor {
  /** Ops executed since boot: the machine's notion of time and the step budget. */
  steps = 0;

  /**
   * Kernel work a native does in one go (entering a page fault, building a signal frame) costs
   * emulated time as well, so a loop of faults advances the clock and meets the step limit.
   */
  charge(steps: number): void {
    this.chargedSteps += steps;
  }

  /** Charged steps not yet counted: they are paid before the next op, within slice budgets. */
  private chargedSteps = 0;
  /** The thread the loop is running (natives read it through their context). */
  current: Thread | undefined;
  /** Set by hooks during an op (data breakpoint, stale TLB use...) to stop after it. */
  pendingStop: StopInfo | undefined;
  /**
   * The step count at which the running slice ends. An op that runs many statements itself (a
   * fused loop) adds what it ran to `steps` and gives control back before passing this.
   */
  sliceEnd = 0;
  /**
   * Set by an op that runs several statements before it rethrows a Trap: the pc of the statement
   * that faulted, so the restart happens there and not at the op's own pc.
   */
  faultPc: number | undefined;
  /** What a fused op caught and handed over with OP_THROWN. */
  private thrown: unknown;
  stopInfo: StopInfo | undefined;
  /** Decides whether a breakpoint flag at (frame, pc) stops here (conditions, hit counts, logpoints). */
  breakpointHit: ((thread: Thread, frame: CFrame, pc: number) => StopInfo | undefined) | undefined;
  /** Called when a native frame is entered, for function breakpoints on kernel routines. */
  nativeEntered: ((thread: Thread, frame: NativeFrame) => StopInfo | undefined) | undefined;
  /**
   * Routines that must get a frame of their own even when they complete at once (a function
   * breakpoint is set on them), so that execution can stop inside them.
   */
  framedNatives: ReadonlySet<NativeRoutine> | undefined;
  private step: StepRequest | undefined;
  /**
   * Called at every statement start while set (the debugger records where statements began, so
   * it can step back). Statement-level ops are used while it is set.
   */
  stmtProbe: ((thread: Thread, frame: CFrame, pc: number) => void) | undefined;
  /** After a stop, the first check at the same place is skipped so that resuming makes progress. */
  private resumeFrom: { frame: Frame; pc: number } | undefined;
  /** Value of the frame that just returned. */
  private retval: Value | undefined;
  private readonly cpu: Cpu;

  constructor(readonly host: ExecHost) {
    this.cpu = host.cpu;
  }

  // ---- entering code ---------------------------------------------------------------------------

  /** Pushes the first frame of a thread (its entry point). */
  start(thread: Thread, target: Callable, args: Value[]): void {
    // A running thread may start another (kthread_run): the running one stays current.
    const running = this.current;
    this.current = thread;
    this.pushCall(thread, target, args, undefined);
    if (running) this.current = running;
  }

  /** Pushes a frame for target, called by `caller` (or nothing, for an entry point). */
  private pushCall(thread: Thread, target: Callable, args: Value[], callerLoc: SourceLoc | undefined): 'pushed' | { value: Value | undefined } {
    if (target.kind === 'c') {
      thread.frames.push(this.enterC(thread, target, args));
      return 'pushed';
    }
    const ctx: NativeContext = { thread, callerMode: thread.mode, callerLoc };
    const r = this.framedNatives?.has(target) ? framed(target, ctx, args) : target.impl(ctx, args);
    if (isGenerator(r)) {
      const nf = new NativeFrame(target, r, args, target.mode, undefined);
      thread.frames.push(nf);
      const stop = this.nativeEntered?.(thread, nf);
      if (stop) this.pendingStop = stop;
      return 'pushed';
    }
    return { value: r };
  }

  /**
   * A new C frame: its memory locals and variadic area go on the stack of its mode. The stack
   * memory is probed first, so a fault (an unmapped user stack page) happens before anything
   * changes and the call can be retried.
   */
  private enterC(thread: Thread, fn: CompiledFunction, args: Value[], argIsDouble?: readonly boolean[]): CFrame {
    const user = fn.mode === MODE_USER;
    const sp = user ? thread.usp : thread.ksp;
    const extra = fn.variadic ? Math.max(0, args.length - fn.params.length) * 8 : 0;
    const size = Math.ceil((fn.frameBytes + extra) / 16) * 16;
    const fp = sp - size;
    if (!user && thread.kstackHi !== 0 && fp < thread.kstackLo) throw new KernelStackOverflow(fn.name, size);
    if (size > 0) {
      const t = this.cpu.probe(fp, size, true, fn.mode);
      if (t) throw t;
    }
    const f = new CFrame(fn, fp, sp);
    if (user) thread.usp = fp;
    else thread.ksp = fp;
    const n = Math.min(args.length, fn.params.length);
    for (let i = 0; i < n; i++) {
      const p = fn.params[i];
      if (p.store) p.store(fp + p.frameOffset, args[i]);
      else f.regs[p.reg] = args[i];
    }
    if (fn.variadic) {
      f.vaBase = fp + fn.frameBytes;
      let at = f.vaBase;
      for (let i = fn.params.length; i < args.length; i++) {
        const v = args[i];
        if (argIsDouble?.[i]) this.cpu.wf64(at, v as number, fn.mode);
        else if (v instanceof Uint8Array) this.cpu.writeBytes(at, v.subarray(0, 8), fn.mode);
        else this.cpu.w64(at, v as I64, fn.mode);
        at += 8;
      }
    }
    return f;
  }

  /** Called by a C call op. Returns the next pc, or OP_CALL/OP_SWITCH. */
  callFromC(f: CFrame, target: Callable | undefined, calleeAddr: I64, args: Value[], dest: number, next: number, argIsDouble?: readonly boolean[]): number {
    const thread = this.current!;
    if (target === undefined) {
      // Nothing lives there: the CPU would fetch from that address and fault.
      throw new Trap('page', calleeAddr, f.fn.mode === MODE_USER ? 4 | 16 : 16, f.fn.mode, false);
    }
    if (target.kind === 'c') {
      const frame = this.enterC(thread, target, args, argIsDouble);
      f.pc = next;
      f.retSlot = dest;
      thread.frames.push(frame);
      return OP_CALL;
    }
    const ctx: NativeContext = { thread, callerMode: f.fn.mode, callerLoc: f.fn.locs[next - 1], argIsDouble };
    let r: Value | undefined | NativeGen;
    try {
      r = this.framedNatives?.has(target) ? framed(target, ctx, args) : target.impl(ctx, args);
    } catch (e) {
      if (e instanceof Trap) {
        (e as TrapWithNative).native = target;
      }
      throw e;
    }
    if (isGenerator(r)) {
      f.pc = next;
      f.retSlot = dest;
      const nf = new NativeFrame(target, r, args, target.mode, undefined);
      thread.frames.push(nf);
      const stop = this.nativeEntered?.(thread, nf);
      if (stop) this.pendingStop = stop;
      return OP_CALL;
    }
    if (dest >= 0) f.regs[dest] = r ?? 0;
    if (thread.state !== 'runnable' || thread.top !== f) {
      f.pc = next;
      return OP_SWITCH;
    }
    return next;
  }

  /** Called by a return op. */
  returnFromC(v: Value | undefined): number {
    this.retval = v;
    return OP_RETURN;
  }

  // ---- stepping and stopping -------------------------------------------------------------------

  requestStep(thread: Thread, kind: StepKind, intoNatives = false): void {
    const top = thread.top;
    let line = -1;
    let file = '';
    let pc = -1;
    if (top && top.kind === 'c') {
      const loc = top.fn.locs[top.pc];
      line = loc?.line ?? -1;
      file = loc?.file ?? '';
      pc = top.pc;
    }
    this.step = { kind, thread, depth: thread.frames.length, frame: top, line, file, pc, intoNatives };
    // The step starts from here: the check at the current statement must not end it at once.
    if (top) this.resumeFrom = { frame: top, pc: top.kind === 'c' ? top.pc : -1 };
  }

  clearStep(): void {
    this.step = undefined;
  }

  /** True while ops must run one statement at a time (stepping, or statements being recorded). */
  get stepping(): boolean {
    return this.step !== undefined || this.stmtProbe !== undefined;
  }

  /** Should a statement start at (f, pc) end the current step? */
  private stepStopsAt(thread: Thread, f: CFrame, pc: number): boolean {
    const s = this.step!;
    if (s.thread !== thread) return false;
    const depth = thread.frames.length;
    const loc = f.fn.locs[pc];
    const moved = f !== s.frame || loc.line !== s.line || loc.file !== s.file || pc <= s.pc;
    switch (s.kind) {
      case 'in':
        return moved;
      case 'over':
        return depth <= s.depth && moved;
      case 'out':
        return depth < s.depth;
    }
  }

  private setStop(info: StopInfo, frame: Frame, pc: number): void {
    this.stopInfo = info;
    this.resumeFrom = { frame, pc };
    this.step = undefined;
  }

  // ---- the loop ----------------------------------------------------------------------------------

  /**
   * Runs `thread` for at most `budget` ops. Returns why it came back; after 'stopped',
   * `stopInfo` says what stopped it.
   */
  run(thread: Thread, budget: number): RunOutcome {
    this.current = thread;
    this.stopInfo = undefined;
    const limit = this.steps + budget;
    this.sliceEnd = limit;
    for (;;) {
      if (thread.state === 'dead') return 'dead';
      if (thread.state === 'blocked') return 'blocked';
      if (this.pendingStop) {
        const top = thread.top;
        const info = this.pendingStop;
        this.pendingStop = undefined;
        if (top) {
          this.setStop(info, top, top.kind === 'c' ? top.pc : -1);
          return 'stopped';
        }
      }
      const top = thread.top;
      if (top === undefined) {
        thread.state = 'dead';
        this.host.threadDone(thread, this.retval);
        return 'dead';
      }
      if (this.chargedSteps > 0) {
        const pay = Math.min(this.chargedSteps, limit - this.steps);
        this.steps += pay;
        this.chargedSteps -= pay;
      }
      if (this.steps >= limit) return 'budget';
      if (top.kind === 'native') {
        if (this.step && this.step.intoNatives && this.step.thread === thread && top.resume === undefined && this.resumeFrom?.frame !== top) {
          if (this.step.kind === 'in' || (this.step.kind === 'over' && thread.frames.length <= this.step.depth)) {
            this.setStop({ reason: 'step' }, top, -1);
            return 'stopped';
          }
        }
        this.resumeFrom = undefined;
        this.stepNative(thread, top);
        continue;
      }
      const r = this.runC(thread, top, limit);
      if (r !== undefined) return r;
    }
  }

  /** Runs ops of the C frame on top until it calls, returns, traps, stops or the budget ends. */
  private runC(thread: Thread, f: CFrame, limit: number): RunOutcome | undefined {
    const fn = f.fn;
    const ops = fn.ops;
    const checks = this.step || this.stmtProbe ? fn.stmtStart : fn.stops;
    let pc = f.pc;
    let steps = this.steps;
    try {
      while (steps < limit) {
        if (checks[pc] !== 0) {
          const resumed = this.resumeFrom !== undefined && this.resumeFrom.frame === f && this.resumeFrom.pc === pc;
          this.resumeFrom = undefined;
          if (this.stmtProbe && fn.stmtStart[pc] !== 0) {
            this.steps = steps;
            this.stmtProbe(thread, f, pc);
          }
          if (!resumed) {
            if (this.step && fn.stmtStart[pc] !== 0 && this.stepStopsAt(thread, f, pc)) {
              this.steps = steps;
              f.pc = pc;
              this.setStop({ reason: 'step' }, f, pc);
              return 'stopped';
            }
            if (fn.stops[pc] !== 0 && this.breakpointHit) {
              this.steps = steps;
              f.pc = pc;
              const info = this.breakpointHit(thread, f, pc);
              if (info) {
                this.setStop(info, f, pc);
                return 'stopped';
              }
            }
          }
        }
        steps++;
        this.steps = steps;
        const next = ops[pc](f);
        steps = this.steps;
        // The common case first: on to the next op, nothing asked to stop.
        if (next >= 0 && this.pendingStop === undefined) {
          pc = next;
          continue;
        }
        if (next === OP_THROWN) {
          const e = this.thrown;
          this.thrown = undefined;
          this.opThrew(thread, f, pc, steps, e);
          return undefined;
        }
        if (this.pendingStop !== undefined) {
          if (next >= 0) f.pc = next;
          else if (next === OP_RETURN) this.popReturn(thread);
          return undefined;
        }
        if (next === OP_RETURN) {
          this.popReturn(thread);
          return undefined;
        }
        // OP_CALL / OP_SWITCH: the op saved its continuation in f.pc.
        return undefined;
      }
      f.pc = pc;
      this.steps = steps;
      return 'budget';
    } catch (e) {
      this.opThrew(thread, f, pc, steps, e);
      return undefined;
    }
  }

  /**
   * A fused op caught `e` from one of the ops it runs (after setting faultPc and steps): the run
   * loop handles it as if it had been thrown. Returns what the op returns.
   */
  thrownInOp(e: unknown): number {
    this.thrown = e;
    return OP_THROWN;
  }

  /** An op threw `e` while the loop was at pc with `steps` counted: a trap, or an internal error. */
  private opThrew(thread: Thread, f: CFrame, pc: number, steps: number, e: unknown): void {
    f.pc = this.faultPc ?? pc;
    this.faultPc = undefined;
    if (this.steps < steps) this.steps = steps;
    if (e instanceof Trap) this.pushTrap(thread, e, { frame: f, native: (e as TrapWithNative).native, fatal: false });
    else this.pushInternal(thread, e, { frame: f, fatal: true });
  }

  private popReturn(thread: Thread): void {
    const done = thread.frames.pop()!;
    if (done.kind === 'c') {
      if (done.fn.mode === MODE_USER) thread.usp = done.savedSp;
      else thread.ksp = done.savedSp;
    }
    this.deliver(thread, done, this.retval);
  }

  /** Hands a returning frame's value to the frame below it. */
  private deliver(thread: Thread, done: Frame, v: Value | undefined): void {
    const below = thread.top;
    if (below === undefined) {
      this.retval = v;
      return;
    }
    const step = this.step;
    if (step && step.kind === 'out' && step.thread === thread && thread.frames.length < step.depth && below.kind === 'c') {
      this.pendingStop = { reason: 'step' };
    }
    if (done.kind === 'native' && done.interrupt) {
      // Nothing to hand back: the interrupted frame just goes on.
    } else if (done.kind === 'native' && done.trapFor !== undefined) {
      // A trap handler finished: the interrupted C op runs again; a native that asked for the
      // handler gets its verdict.
      if (below.kind === 'native') below.resume = v;
    } else if (below.kind === 'c') {
      if (below.retSlot >= 0) below.regs[below.retSlot] = v ?? 0;
      below.retSlot = -1;
    } else below.resume = v;
    const belowMode = below.kind === 'c' ? below.fn.mode : below.mode;
    const doneMode = done.kind === 'c' ? done.fn.mode : done.mode;
    if (belowMode === MODE_USER && doneMode === MODE_KERNEL) this.host.returnedToUser?.(thread);
  }

  private stepNative(thread: Thread, nf: NativeFrame): void {
    if (nf.pendingCall) {
      const pc = nf.pendingCall;
      nf.pendingCall = undefined;
      nf.resume = undefined;
      this.issueCall(thread, nf, pc.target, pc.args);
      return;
    }
    let res: IteratorResult<NativeRequest, Value | undefined>;
    const resume = nf.resume;
    nf.resume = undefined;
    try {
      res = nf.gen.next(resume);
    } catch (e) {
      thread.frames.pop();
      thread.frames.push(nf); // keep it visible in the call trace of the report
      if (e instanceof Trap) this.pushTrap(thread, e, { frame: nf, fatal: true });
      else this.pushInternal(thread, e, { frame: nf, fatal: true });
      return;
    }
    if (res.done) {
      thread.frames.pop();
      this.deliver(thread, nf, res.value);
      return;
    }
    const req = res.value;
    switch (req.kind) {
      case 'call': {
        let target: Callable | undefined;
        if (typeof req.target === 'object') target = req.target as Callable;
        else target = this.host.resolve(req.target as I64);
        if (target === undefined) {
          this.pushTrap(thread, new Trap('page', req.target as I64, 16, MODE_KERNEL, false), { frame: nf, fatal: true });
          return;
        }
        this.issueCall(thread, nf, target, req.args);
        return;
      }
      case 'trap':
        this.pushTrap(thread, req.trap, { frame: nf, fatal: false });
        return;
      case 'block':
        thread.state = 'blocked';
        thread.blockedOn = req.reason;
        return;
      case 'yield':
        return;
      case 'exit':
        this.unwind(thread);
        thread.state = 'dead';
        this.host.threadDone(thread, undefined);
        return;
    }
  }

  /**
   * Calls `target` for a native frame. A trap while setting the call up (the callee's stack page
   * is not present yet) is handled first, and then the call is issued again.
   */
  private issueCall(thread: Thread, nf: NativeFrame, target: Callable, args: Value[]): void {
    try {
      const r = this.pushCall(thread, target, args, undefined);
      if (r !== 'pushed') nf.resume = r.value;
    } catch (e) {
      if (e instanceof Trap) {
        if (target.kind === 'c') {
          nf.pendingCall = { target, args };
          this.pushTrap(thread, e, { frame: nf, fatal: false });
          return;
        }
        (e as TrapWithNative).native = target;
        this.pushTrap(thread, e, { frame: nf, fatal: true });
      } else this.pushInternal(thread, e, { frame: nf, fatal: true });
    }
  }

  private pushTrap(thread: Thread, trap: Trap, site: TrapSite): void {
    const h = this.host.trapHandler(thread, trap, site);
    this.pushHandler(thread, h.routine, h.args, trap);
  }

  private pushInternal(thread: Thread, error: unknown, site: TrapSite): void {
    const h = this.host.internalError(thread, error, site);
    this.pushHandler(thread, h.routine, h.args, new Trap('gp', 0, 0, MODE_KERNEL, false));
  }

  /** Pushes a native frame on a thread from outside the loop (signal delivery, a kernel thread's work). */
  pushNative(thread: Thread, routine: NativeRoutine, args: Value[]): void {
    const r = routine.impl({ thread, callerMode: thread.mode, callerLoc: undefined }, args);
    if (!isGenerator(r)) return;
    thread.frames.push(new NativeFrame(routine, r, args, routine.mode, undefined, true));
    const stop = this.nativeEntered?.(thread, thread.top as NativeFrame);
    if (stop) this.pendingStop = stop;
  }

  private pushHandler(thread: Thread, routine: NativeRoutine, args: Value[], trap: Trap): void {
    const r = routine.impl({ thread, callerMode: thread.mode, callerLoc: undefined }, args);
    if (!isGenerator(r)) return;
    const nf = new NativeFrame(routine, r, args, routine.mode, trap);
    thread.frames.push(nf);
    const stop = this.nativeEntered?.(thread, nf);
    if (stop) this.pendingStop = stop;
  }

  /** Discards every frame of a thread (the task died). Generators get a chance to clean up. */
  unwind(thread: Thread): void {
    while (thread.frames.length) {
      const f = thread.frames.pop()!;
      if (f.kind === 'native') {
        try {
          f.gen.return(undefined);
        } catch {
          // A generator's finally block failing must not take the machine down.
        }
      }
    }
  }

  /** The C frame on top of a thread, if any, and the location it is at. */
  where(thread: Thread): { fn: string; loc: SourceLoc | undefined; mode: Mode } | undefined {
    for (let i = thread.frames.length - 1; i >= 0; i--) {
      const f = thread.frames[i];
      if (f.kind === 'c') return { fn: f.fn.name, loc: f.fn.locs[f.pc], mode: f.fn.mode };
      return { fn: f.routine.name, loc: undefined, mode: f.mode };
    }
    return undefined;
  }
}

interface TrapWithNative extends Trap {
  native?: NativeRoutine;
}

/** A C call would run past the bottom of the kernel stack (THREAD_SIZE). */
export class KernelStackOverflow extends Error {
  constructor(readonly fn: string, readonly frameBytes: number) {
    super(`kernel stack overflow entering ${fn} (frame of ${frameBytes} bytes)`);
    this.name = 'KernelStackOverflow';
  }
}
