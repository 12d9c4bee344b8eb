/**
 * What the executor runs: compiled C functions and native routines (the emulated kernel's and
 * libc's, written in TypeScript). It knows nothing of the kernel: a native is a function that
 * returns a value, or a generator that asks the executor to call something (a driver callback
 * through a function pointer), to handle a trap, or to block the thread.
 */
import type { SourceLoc } from '../util/loc';
import type { Mode, Trap } from '../machine/cpu';
import type { I64 } from '../util/int64';
import type { Thread } from './thread';

/** A C value in flight: integers and pointers (I64 or 32-bit numbers), doubles, or struct bytes. */
export type Value = number | bigint | Uint8Array;

/** Returned by an op to the run loop instead of a next pc. */
export const OP_CALL = -1;
export const OP_RETURN = -2;
/** The op changed the thread's state (blocked, exited, trapped into a native): re-dispatch. */
export const OP_SWITCH = -3;
/**
 * A fused loop caught an exception from one of its ops and handed it over (Executor.thrownInOp)
 * instead of throwing it again: the run loop treats it as if the op had thrown. A second throw
 * costs a host exception's full price again (about half a microsecond per page fault).
 */
export const OP_THROWN = -4;

export type Op = (f: CFrame) => number;

/** Debug information of a local variable: where it lives and from which op on it is in scope. */
export interface LocalDebug {
  name: string;
  typeName: string;
  /** Opaque for the executor: the C front end's type, for the debugger to format values. */
  type: unknown;
  storage: 'reg' | 'mem';
  slot: number;
  frameOffset: number;
  fromPc: number;
  toPc: number;
  isParam: boolean;
}

export interface CompiledFunction {
  kind: 'c';
  name: string;
  address: I64;
  mode: Mode;
  ops: Op[];
  /** Source position of each op. */
  locs: SourceLoc[];
  /** 1 where an op starts a statement (where line breakpoints and steps stop). */
  stmtStart: Uint8Array;
  /** Breakpoint flags per op, written by the debugger. */
  stops: Uint8Array;
  regCount: number;
  /** Bytes of stack memory for locals that live in memory. */
  frameBytes: number;
  /** How incoming arguments are stored: into a register, or into frame memory with a store. */
  params: ParamSlot[];
  variadic: boolean;
  /** Bytes per variadic argument slot (8 on LP64, 4 on ILP32; doubles take 8). */
  vaSlotBytes: number;
  locals: LocalDebug[];
  file: string;
  loc: SourceLoc;
  endLoc: SourceLoc;
  /** The program or module this function belongs to. */
  unit: string;
  /** Opaque link to the C front end's definition (for the debugger). */
  def?: unknown;
}

export interface ParamSlot {
  reg: number;
  /** For memory params: frame offset and a store of the incoming value. */
  frameOffset: number;
  store?: (addr: I64, v: Value) => void;
}

/** What a native generator may ask of the executor. */
export type NativeRequest =
  | { kind: 'call'; target: Callable | I64; args: Value[]; /** for a name in the call stack when target is an address */ viaName?: string }
  | { kind: 'trap'; trap: Trap }
  | { kind: 'block'; reason: string }
  | { kind: 'yield' }
  /** The thread is finished: every frame goes (the kernel has already done its exit work). */
  | { kind: 'exit' };

export type NativeGen = Generator<NativeRequest, Value | undefined, Value | undefined>;

export interface NativeContext {
  thread: Thread;
  /** The mode the caller ran in. */
  callerMode: Mode;
  /** Where in C the call came from, if from C. */
  callerLoc: SourceLoc | undefined;
  /** For variadic calls from C: which arguments are doubles (the rest are integers/pointers). */
  argIsDouble?: readonly boolean[];
}

export interface NativeRoutine {
  kind: 'native';
  name: string;
  address: I64;
  /** Parameter names, for the debugger's view of a kernel frame. */
  paramNames: string[];
  mode: Mode;
  /** Kernel routines show as subtle frames; libc as user frames. */
  impl: (ctx: NativeContext, args: Value[]) => Value | undefined | NativeGen;
  /** Marks routines a function breakpoint may name (kernel API). */
  visible?: boolean;
}

export type Callable = CompiledFunction | NativeRoutine;

export class CFrame {
  readonly kind = 'c';
  pc = 0;
  readonly regs: Value[];
  /** Register that receives the result of the call this frame is making (-1: discard). */
  retSlot = -1;
  /** Stack pointer to restore when this frame returns. */
  savedSp: number;
  /** Start of the variadic argument area, for va_start. */
  vaBase = 0;

  constructor(readonly fn: CompiledFunction, readonly fp: number, savedSp: number) {
    this.regs = new Array(fn.regCount).fill(0);
    this.savedSp = savedSp;
  }
}

export class NativeFrame {
  readonly kind = 'native';
  /** Value to resume the generator with. */
  resume: Value | undefined = undefined;
  /** Set while this frame waits for a trap handler it asked for. */
  awaitingTrap = false;
  /**
   * A call this frame asked for that faulted before the callee started (its stack page was not
   * there yet): it is issued again once the fault handler returns.
   */
  pendingCall: { target: Callable; args: Value[] } | undefined = undefined;

  constructor(
    readonly routine: NativeRoutine,
    readonly gen: NativeGen,
    readonly args: Value[],
    readonly mode: Mode,
    /** A trap-handler frame: when it returns, the interrupted code is resumed or re-run. */
    readonly trapFor: Trap | undefined,
    /**
     * Pushed on top of whatever the thread was doing (an interrupt, a softirq, signal delivery):
     * when it returns, nothing is handed to the frame below.
     */
    readonly interrupt = false,
  ) {}
}

export type Frame = CFrame | NativeFrame;

/**
 * The op a C frame is at, as a call stack shows it. The top frame is at its pc. A frame below a
 * callee has already moved its pc past the call op, so it is at the op before. Below a trap
 * handler or an interrupt the frame will run (or re-run) its pc, so that is where it is.
 */
export function callStackPc(frames: readonly Frame[], f: CFrame): number {
  const above = frames[frames.indexOf(f) + 1];
  if (above === undefined) return f.pc;
  if (above.kind === 'native' && (above.trapFor !== undefined || above.interrupt)) return f.pc;
  return Math.max(0, f.pc - 1);
}
