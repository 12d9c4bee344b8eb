/**
 * Signals, Linux 3.7 flavoured (kernel/signal.c, arch/x86/kernel/signal.c): per-task handlers,
 * blocked mask and pending queue; sending (kill, tkill/tgkill, faults, alarm) with the rules for
 * ignored, blocked and uncatchable signals; waking interruptible sleepers; delivery on the way
 * back to user mode (do_notify_resume → do_signal → handle_signal → __setup_rt_frame), the handler
 * run on the user stack and its return through pretcode into rt_sigreturn; default actions;
 * restarting interrupted system calls; and the signal system calls.
 *
 * The emulator's user context is a stack of frames rather than registers, so a handler is called
 * by the delivering kernel frame with the user stack pointer moved to the signal frame, and the
 * interrupted frames simply wait underneath: when rt_sigreturn has read the frame back, the
 * interrupted code goes on exactly where it was (a faulting access runs again). A handler that
 * edits the saved ip or sp in its ucontext is reported, not followed.
 */
import { MODE_USER } from '../machine/tlb';
import { Trap } from '../machine/cpu';
import type { Frame, NativeFrame, NativeGen, NativeRequest, NativeRoutine, Value } from '../exec/types';
import { norm64, type I64 } from '../util/int64';
import { EFAULT, EINTR, EINVAL, ENOMEM, EPERM, ERESTARTSYS, ESRCH } from './errno';
import { hexAddr } from './fault';
import { HZ, SIGNAL_DELIVERY_STEPS, SIGRETURN_STEPS, type Kernel } from './kernel';
import { call } from './routines';
import {
  __SI_FAULT, SIGSET_BYTES, SS_DISABLE, SS_ONSTACK, fromLe, handlerArgs, leBytes, makeSigInfo, onSigStack, readRtFrame, sasSsFlags, setupRtFrame,
  sigframeLayout, userSiCode, UserStores, type FrameRequest, type KSigInfo, type SigframeLayout, type TrapRecord, type UserRegs,
} from './sigframe';
import { TASK_INTERRUPTIBLE, type Task } from './task';

type Gen<T> = Generator<NativeRequest, T, Value | undefined>;

export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGABRT = 6;
export const SIGBUS = 7;
export const SIGFPE = 8;
export const SIGKILL = 9;
export const SIGUSR1 = 10;
export const SIGSEGV = 11;
export const SIGUSR2 = 12;
export const SIGALRM = 14;
export const SIGCHLD = 17;
export const SIGCONT = 18;
export const SIGSTOP = 19;
export const SIGTSTP = 20;
export const SIGTTIN = 21;
export const SIGTTOU = 22;
export const SIGURG = 23;
export const SIGXCPU = 24;
export const SIGXFSZ = 25;
export const SIGWINCH = 28;
export const SIGSYS = 31;
const SIGRTMIN = 32;
const NSIG = 64;

/** si_code values as the kernel keeps them. */
export const SI_USER = 0;
export const SI_KERNEL = 0x80;
export const SI_TKILL = -6;

/** Restart codes a system call returns when a signal interrupts it (never seen by user space). */
export const ERESTARTNOINTR = 513;
export const ERESTARTNOHAND = 514;
export const ERESTART_RESTARTBLOCK = 516;

const SIG_DFL = 0;
const SIG_IGN = 1;
const SA_RESTART = 0x10000000;
const SA_NODEFER = 0x40000000;
const SA_RESETHAND = 0x80000000 | 0;
const SIG_BLOCK = 0;
const SIG_UNBLOCK = 1;
const SIG_SETMASK = 2;
const MINSIGSTKSZ = 2048;
const TASK_STOPPED = 4;
const X86_TRAP_PF = 14;

const SIGNAL_NAMES: Record<number, string> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL', 10: 'SIGUSR1', 11: 'SIGSEGV',
  12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM', 16: 'SIGSTKFLT', 17: 'SIGCHLD', 18: 'SIGCONT', 19: 'SIGSTOP', 20: 'SIGTSTP', 21: 'SIGTTIN',
  22: 'SIGTTOU', 23: 'SIGURG', 24: 'SIGXCPU', 25: 'SIGXFSZ', 26: 'SIGVTALRM', 27: 'SIGPROF', 28: 'SIGWINCH', 29: 'SIGIO', 30: 'SIGPWR', 31: 'SIGSYS',
};

export function signalName(n: number): string {
  return SIGNAL_NAMES[n] ?? `signal ${n}`;
}

const FAULT_CODES: Record<number, string[]> = {
  4: ['', 'ILL_ILLOPC', 'ILL_ILLOPN', 'ILL_ILLADR', 'ILL_ILLTRP', 'ILL_PRVOPC', 'ILL_PRVREG', 'ILL_COPROC', 'ILL_BADSTK'],
  7: ['', 'BUS_ADRALN', 'BUS_ADRERR', 'BUS_OBJERR'],
  8: ['', 'FPE_INTDIV', 'FPE_INTOVF', 'FPE_FLTDIV', 'FPE_FLTOVF', 'FPE_FLTUND', 'FPE_FLTRES', 'FPE_FLTINV', 'FPE_FLTSUB'],
  11: ['', 'SEGV_MAPERR', 'SEGV_ACCERR'],
};
const GENERIC_CODES: Record<number, string> = { 0: 'SI_USER', 0x80: 'SI_KERNEL', [-1]: 'SI_QUEUE', [-2]: 'SI_TIMER', [-6]: 'SI_TKILL' };

/** The name of a siginfo si_code for a signal (SEGV_MAPERR, SI_USER...), or the number. */
export function siCodeName(signo: number, code: number): string {
  return GENERIC_CODES[code] ?? FAULT_CODES[signo]?.[code] ?? String(code);
}

export function sigmask(sig: number): bigint {
  return 1n << BigInt(sig - 1);
}

const maskOf = (sigs: number[]) => sigs.reduce((m, s) => m | sigmask(s), 0n);
const ALL_SIGNALS = (1n << 64n) - 1n;
const UNBLOCKABLE = maskOf([SIGKILL, SIGSTOP]);
/** Dequeued before anything else: the faults the current instruction caused. */
const SYNCHRONOUS = maskOf([SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS]);
const DEFAULT_IGNORE = maskOf([SIGCONT, SIGCHLD, SIGWINCH, SIGURG]);
const DEFAULT_STOP = maskOf([SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU]);

const has = (mask: bigint, sig: number) => (mask & sigmask(sig)) !== 0n;

/** struct k_sigaction as the kernel keeps it. */
interface KSigAction {
  handler: I64;
  flags: number;
  restorer: I64;
  mask: bigint;
}

/** A signal frame the kernel set up and the handler has not yet returned from. */
interface DeliveredFrame {
  va: number;
  /** The context it interrupted, which rt_sigreturn brings back. */
  regs: UserRegs;
  returned: boolean;
}

/** A task's signal state (sighand, blocked, saved_sigmask, restart_block, thread.trap_nr...). */
class TaskSignals {
  readonly actions: KSigAction[] = Array.from({ length: NSIG + 1 }, () => ({ handler: SIG_DFL, flags: 0, restorer: 0, mask: 0n }));
  blocked = 0n;
  /** sigsuspend's mask to restore (TIF_RESTORE_SIGMASK). */
  savedSigmask: bigint | undefined;
  trap: TrapRecord = { trapNr: 0, errorCode: 0, cr2: 0 };
  readonly frames: DeliveredFrame[] = [];
  /** restart_block.fn for -ERESTART_RESTARTBLOCK. */
  restart: (() => NativeGen) | undefined;
  /** The context rt_sigreturn just brought back, for a signal delivered on the same way out. */
  resumed: UserRegs | undefined;
  /** The alarm's timer_list (0 until alarm is first called). */
  alarmVa = 0;
}

function isRestartCode(v: Value | undefined): boolean {
  return typeof v === 'number' && (v === -ERESTARTSYS || v === -ERESTARTNOINTR || v === -ERESTARTNOHAND || v === -ERESTART_RESTARTBLOCK);
}

export class Signals {
  private readonly states = new WeakMap<Task, TaskSignals>();
  private readonly frameRequests = new WeakMap<Task, FrameRequest>();
  private readonly notifyResume: NativeRoutine;
  private readonly setupFrame: NativeRoutine;
  private readonly itRealFn: NativeRoutine;
  readonly layout: SigframeLayout;

  constructor(private readonly k: Kernel) {
    this.layout = sigframeLayout(k.arch.abi.ptrBytes);
    const r = k.routines;
    const internal = { exported: false };
    const withFixups = { exported: false, fixup: true };
    this.notifyResume = r.define('do_notify_resume', [], () => this.doNotifyResume(), internal);
    this.setupFrame = r.define('__setup_rt_frame', ['sig'], () => {
      this.k.exec.charge(SIGNAL_DELIVERY_STEPS);
      return setupRtFrame(this.k, this.layout, this.frameRequests.get(this.k.current)!);
    }, withFixups);
    this.itRealFn = r.define('it_real_fn', ['data'], (a) => this.itRealFired(a[0] as number), internal);
    r.define('sys_rt_sigaction', ['sig', 'act', 'oact', 'sigsetsize'], (a) => this.sysRtSigaction(Number(a[0]), a[1] as I64, a[2] as I64, Number(a[3])), internal);
    r.define('sys_sigaction', ['sig', 'act', 'oact'], (a) => this.sysOldSigaction(Number(a[0]), a[1] as I64, a[2] as I64), withFixups);
    r.define('sys_rt_sigprocmask', ['how', 'nset', 'oset', 'sigsetsize'], (a) => this.sysRtSigprocmask(Number(a[0]), a[1] as I64, a[2] as I64, Number(a[3])), internal);
    r.define('sys_rt_sigpending', ['set', 'sigsetsize'], (a) => this.sysRtSigpending(a[0] as I64, Number(a[1])), internal);
    r.define('sys_rt_sigsuspend', ['unewset', 'sigsetsize'], (a) => this.sysRtSigsuspend(a[0] as I64, Number(a[1])), internal);
    r.define('sys_rt_sigreturn', [], () => this.sysRtSigreturn(), withFixups);
    r.define('sys_sigaltstack', ['uss', 'uoss'], (a) => this.sysSigaltstack(a[0] as I64, a[1] as I64), withFixups);
    r.define('sys_kill', ['pid', 'sig'], (a) => this.sysKill(Number(a[0]) | 0, Number(a[1]) | 0), internal);
    r.define('sys_tkill', ['pid', 'sig'], (a) => this.sysTgkill(0, Number(a[0]) | 0, Number(a[1]) | 0), internal);
    r.define('sys_tgkill', ['tgid', 'pid', 'sig'], (a) => (Number(a[0]) <= 0 ? -EINVAL : this.sysTgkill(Number(a[0]) | 0, Number(a[1]) | 0, Number(a[2]) | 0)), internal);
    r.define('sys_pause', [], () => this.sysPause(), internal);
    r.define('sys_alarm', ['seconds'], (a) => this.sysAlarm(Number(a[0]) >>> 0), internal);
    r.define('sys_restart_syscall', [], () => this.sysRestartSyscall(), withFixups);
    r.define('signal_pending', ['p'], (a) => (this.signalPending(this.taskOrCurrent(a[0])) ? 1 : 0));
    r.define('fatal_signal_pending', ['p'], (a) => (this.taskOrCurrent(a[0]).pendingSignals.some((s) => s.signo === SIGKILL) ? 1 : 0));
    r.define('send_sig', ['sig', 'p', 'priv'], (a) => {
      const t = this.k.sched.taskAt(a[1] as number);
      if (!t) return -ESRCH;
      const cur = this.k.current;
      const info = Number(a[2]) ? makeSigInfo({ signo: Number(a[0]), code: SI_KERNEL }) : makeSigInfo({ signo: Number(a[0]), code: SI_USER, pid: cur.pid, uid: cur.cred.uid });
      this.send(t, info);
      return 0;
    });
  }

  // ---- state ---------------------------------------------------------------------------------

  private state(task: Task): TaskSignals {
    let s = this.states.get(task);
    if (!s) {
      s = new TaskSignals();
      this.states.set(task, s);
    }
    return s;
  }

  private taskOrCurrent(va: Value | undefined): Task {
    return (typeof va === 'number' && this.k.sched.taskAt(va)) || this.k.current;
  }

  private pending(task: Task): KSigInfo[] {
    return task.pendingSignals as KSigInfo[];
  }

  /** set_current_blocked: SIGKILL and SIGSTOP can never be blocked. */
  private setBlocked(task: Task, mask: bigint): void {
    this.state(task).blocked = mask & ALL_SIGNALS & ~UNBLOCKABLE;
    this.mirror(task);
  }

  /** Copies blocked and the pending set into task_struct's words, for drivers and the views. */
  private mirror(task: Task): void {
    let pending = 0n;
    for (const s of this.pending(task)) pending |= sigmask(s.signo);
    const word = (m: bigint): I64 => (this.layout.wordBytes === 8 ? norm64(BigInt.asIntN(64, m)) : Number(m & 0xffffffffn));
    this.taskOffsets ??= { blocked: this.k.structs.get('task_struct').off('blocked'), pending: this.k.structs.get('task_struct').off('pending') };
    this.k.km.wptr(task.va + this.taskOffsets.blocked, word(this.state(task).blocked));
    this.k.km.wptr(task.va + this.taskOffsets.pending, word(pending));
  }

  private taskOffsets: { blocked: number; pending: number } | undefined;

  /** The alternate signal stack lives in task_struct (sas_ss_sp, sas_ss_size). */
  private altStack(task: Task): { sp: number; sizeBytes: number } {
    const TS = this.k.structs.get('task_struct');
    return { sp: Number(TS.get(task.va, 'sas_ss_sp')), sizeBytes: Number(TS.get(task.va, 'sas_ss_size')) };
  }

  private setAltStack(task: Task, sp: I64, sizeBytes: I64): void {
    const TS = this.k.structs.get('task_struct');
    TS.set(task.va, 'sas_ss_sp', sp);
    TS.set(task.va, 'sas_ss_size', sizeBytes);
  }

  /** thread.trap_nr, error_code and cr2, which every later sigcontext reports. */
  recordTrap(task: Task, trap: Partial<TrapRecord>): void {
    const st = this.state(task);
    st.trap = { ...st.trap, ...trap };
  }

  /** restart_block.fn: what restart_syscall runs after -ERESTART_RESTARTBLOCK. */
  setRestartBlock(task: Task, fn: () => NativeGen): void {
    this.state(task).restart = fn;
  }

  /** signal_pending(): a pending signal that is not blocked. */
  signalPending(task: Task): boolean {
    const blocked = this.state(task).blocked;
    return this.pending(task).some((s) => !has(blocked, s.signo));
  }

  /** unhandled_signal(): the fault messages are printed only when nobody catches the signal. */
  unhandled(task: Task, sig: number): boolean {
    const h = this.state(task).actions[sig].handler;
    return h === SIG_DFL || h === SIG_IGN;
  }

  private ignoredByHandler(task: Task, sig: number): boolean {
    const h = this.state(task).actions[sig].handler;
    return h === SIG_IGN || (h === SIG_DFL && has(DEFAULT_IGNORE, sig));
  }

  // ---- sending -------------------------------------------------------------------------------

  /**
   * send_signal: stop and continue signals cancel each other; an ignored signal that is not
   * blocked is dropped; a classic signal already pending is not queued twice; a signal that is
   * not blocked wakes the task from an interruptible sleep (SIGKILL also from a stop).
   * Returns whether it was queued.
   */
  send(task: Task, info: KSigInfo): boolean {
    const sig = info.signo;
    if (task.exited || task.kind === 'kernel') return false;
    const pend = this.pending(task);
    const st = this.state(task);
    if (has(DEFAULT_STOP, sig)) this.discard(task, maskOf([SIGCONT]));
    if (sig === SIGCONT) {
      this.discard(task, DEFAULT_STOP);
      if (task.state === TASK_STOPPED) this.k.sched.wake(task);
    }
    if (!has(st.blocked, sig) && this.ignoredByHandler(task, sig)) return false;
    if (sig < SIGRTMIN && pend.some((s) => s.signo === sig)) return false;
    pend.push(info);
    this.mirror(task);
    this.k.emit({ kind: 'signal', pid: task.pid, signo: sig, code: userSiCode(info.code), addr: info.addr });
    if (!has(st.blocked, sig)) this.wakeForSignal(task, sig === SIGKILL);
    return true;
  }

  /** signal_wake_up: interruptible sleepers wake; SIGKILL also ends a stop. */
  private wakeForSignal(task: Task, fatal: boolean): void {
    const s = task.state;
    if (s === TASK_INTERRUPTIBLE || (fatal && s === TASK_STOPPED)) this.k.sched.wake(task);
  }

  /** Drops pending signals in `mask` (rm_from_queue). */
  private discard(task: Task, mask: bigint): void {
    const pend = this.pending(task);
    const keep = pend.filter((s) => !has(mask, s.signo));
    if (keep.length === pend.length) return;
    pend.splice(0, pend.length, ...keep);
    this.mirror(task);
  }

  /**
   * force_sig_info: for a signal the task caused itself. If it is blocked or ignored, the task
   * cannot be allowed to go on as if nothing happened: the handler is reset to the default
   * action (and the signal unblocked) first.
   */
  forceSigInfo(task: Task, info: KSigInfo): void {
    const st = this.state(task);
    const ka = st.actions[info.signo];
    const blocked = has(st.blocked, info.signo);
    if (blocked || ka.handler === SIG_IGN) {
      ka.handler = SIG_DFL;
      if (blocked) this.setBlocked(task, st.blocked & ~sigmask(info.signo));
    }
    this.send(task, info);
  }

  /** force_sig_info_fault: SIGSEGV/SIGBUS/SIGFPE with si_code (SEGV_MAPERR...) and si_addr. */
  forceSigFault(task: Task, signo: number, code: number, addr: I64, trap?: Partial<TrapRecord>): void {
    if (trap) this.recordTrap(task, trap);
    this.forceSigInfo(task, makeSigInfo({ signo, code: __SI_FAULT | code, addr }));
  }

  /** A page fault in user mode that ends in a signal (bad_area, do_sigbus). */
  forcePageFaultSignal(task: Task, signo: number, code: number, address: I64, errorCode: number): void {
    this.forceSigFault(task, signo, code, address, { trapNr: X86_TRAP_PF, errorCode, cr2: address });
  }

  /** force_sig: SEND_SIG_PRIV, si_code SI_KERNEL. */
  forceSig(task: Task, signo: number): void {
    this.forceSigInfo(task, makeSigInfo({ signo, code: SI_KERNEL }));
  }

  /** force_sigsegv: a frame that could not be written; SIGSEGV's own handler is not tried again. */
  private forceSigsegv(task: Task, sig: number): void {
    if (sig === SIGSEGV) this.state(task).actions[SIGSEGV].handler = SIG_DFL;
    this.forceSig(task, SIGSEGV);
  }

  // ---- delivery ------------------------------------------------------------------------------

  /** On the way back to user mode (or when a task in user mode gets the CPU): deliver what is pending. */
  returnToUser(task: Task): void {
    if (task.exited || task.kind === 'kernel' || !this.signalPending(task)) return;
    this.k.exec.pushNative(task.thread, this.notifyResume, []);
  }

  /** A task about to run: if it is in user mode, it passes the signal check first. */
  beforeRun(task: Task): void {
    if (task.thread.frames.length > 0 && task.thread.mode === MODE_USER) this.returnToUser(task);
  }

  /** next_signal: the synchronous faults first, then the lowest number; the oldest of its kind. */
  private dequeue(task: Task): KSigInfo | undefined {
    const pend = this.pending(task);
    const blocked = this.state(task).blocked;
    let best = -1;
    const rank = (s: KSigInfo) => (has(SYNCHRONOUS, s.signo) ? 0 : 100) + s.signo;
    for (let i = 0; i < pend.length; i++) {
      if (has(blocked, pend[i].signo)) continue;
      if (best < 0 || rank(pend[i]) < rank(pend[best])) best = i;
    }
    if (best < 0) return undefined;
    const [info] = pend.splice(best, 1);
    this.mirror(task);
    return info;
  }

  private *doNotifyResume(): NativeGen {
    const task = this.k.current;
    const frames = task.thread.frames;
    const below = frames[frames.length - 2] as Frame | undefined;
    const st = this.state(task);
    const regs = st.resumed ?? { ip: below ? this.k.oops.frameIp(below) : 0, sp: task.thread.usp };
    st.resumed = undefined;
    // A system call that returned a restart code: its libc wrapper is the frame below.
    const syscall = below?.kind === 'native' && below.mode === MODE_USER && isRestartCode(below.resume) ? below : undefined;
    yield* this.doSignal(task, regs, syscall);
    return 0;
  }

  /**
   * get_signal_to_deliver and do_signal: ignored signals are skipped, a handler gets a frame,
   * the default action stops, ignores or kills. With no handler run, an interrupted system call
   * restarts and sigsuspend's mask comes back.
   */
  private *doSignal(task: Task, regs: UserRegs, syscall: NativeFrame | undefined): Gen<void> {
    const st = this.state(task);
    for (;;) {
      const info = this.dequeue(task);
      if (!info) break;
      const sig = info.signo;
      const ka = st.actions[sig];
      if (ka.handler === SIG_IGN) continue;
      if (ka.handler !== SIG_DFL) {
        const use = { ...ka };
        if (ka.flags & SA_RESETHAND) ka.handler = SIG_DFL;
        if (syscall) this.restartOrInterrupt(syscall, use.flags);
        syscall = undefined;
        if (yield* this.handleSignal(task, sig, info, use, regs)) return;
        continue;
      }
      if (has(DEFAULT_IGNORE, sig)) continue;
      if (has(DEFAULT_STOP, sig)) {
        // Our programs have no job control: their process group is orphaned, so only SIGSTOP stops.
        if (sig === SIGSTOP) yield* this.stop(sig);
        continue;
      }
      yield* this.k.sched.killTask(task, sig);
      return;
    }
    if (st.savedSigmask !== undefined) {
      this.setBlocked(task, st.savedSigmask);
      st.savedSigmask = undefined;
    }
  }

  /** handle_signal's system call check: -EINTR, or the call runs again after the handler. */
  private restartOrInterrupt(syscall: NativeFrame, saFlags: number): void {
    const code = -(syscall.resume as number);
    if (code === ERESTART_RESTARTBLOCK || code === ERESTARTNOHAND || (code === ERESTARTSYS && !(saFlags & SA_RESTART))) syscall.resume = -EINTR;
  }

  /** do_signal_stop: the task sleeps until SIGCONT (or SIGKILL). */
  private *stop(sig: number): Gen<void> {
    yield* this.k.sched.block(`stopped by ${signalName(sig)}`, undefined, TASK_STOPPED);
  }

  /**
   * handle_signal: the frame goes on the user stack (a failure forces SIGSEGV), the handler's
   * mask is applied, signals still pending are delivered on top, then the handler runs. False
   * when no frame could be set up.
   */
  private *handleSignal(task: Task, sig: number, info: KSigInfo, ka: KSigAction, regs: UserRegs): Gen<boolean> {
    const st = this.state(task);
    const req: FrameRequest = {
      sig,
      info,
      saFlags: ka.flags,
      restorer: ka.restorer,
      savedMask: st.savedSigmask ?? st.blocked,
      regs,
      trap: st.trap,
      altStack: this.altStack(task),
      defaultRestorer: this.layout.wordBytes === 4 ? this.vdsoSigreturn() : undefined,
    };
    this.frameRequests.set(task, req);
    const frame = Number(yield* call(this.setupFrame, sig));
    this.frameRequests.delete(task);
    if (frame === -1) {
      this.forceSigsegv(task, sig);
      return false;
    }
    st.savedSigmask = undefined;
    let blocked = st.blocked | ka.mask;
    if (!(ka.flags & SA_NODEFER)) blocked |= sigmask(sig);
    this.setBlocked(task, blocked);
    const rec: DeliveredFrame = { va: frame, regs, returned: false };
    st.frames.push(rec);
    task.thread.usp = frame;
    yield* this.doSignal(task, { ip: Number(ka.handler), sp: frame }, undefined);
    yield* this.runHandler(task, sig, ka, rec);
    return true;
  }

  /**
   * i386 without SA_RESTORER returns through the vDSO's __kernel_rt_sigreturn. The emulator has
   * no vDSO; libc's __restore_rt does the same thing and stands in for it.
   */
  private vdsoSigreturn(): number | undefined {
    const r = this.k.binfmt.runtime?.routines.get('__restore_rt');
    return r ? Number(r.address) : undefined;
  }

  /**
   * The handler runs in user mode with sp at the frame; its return pops pretcode and jumps
   * there. The restorer must end in rt_sigreturn; anything else leaves the task nowhere to go.
   */
  private *runHandler(task: Task, sig: number, ka: KSigAction, rec: DeliveredFrame): Gen<void> {
    const thread = task.thread;
    const handler = this.k.resolve(ka.handler);
    const args = handlerArgs(this.layout, sig, rec.va);
    if (!handler || handler.mode !== MODE_USER) return yield* this.jumpToNowhere(task, ka.handler, rec);
    if (handler.kind === 'c' && !(yield* this.userStackReady(rec.va, Math.ceil(handler.frameBytes / 16) * 16))) return yield* this.jumpToNowhere(task, ka.handler, rec);
    yield { kind: 'call', target: handler, args };
    const pretcode = yield* this.userWord(thread.usp);
    if (pretcode === undefined) return yield* this.jumpToNowhere(task, thread.usp, rec);
    thread.usp += this.layout.wordBytes;
    const restorer = this.k.resolve(pretcode);
    if (!restorer || restorer.mode !== MODE_USER) return yield* this.jumpToNowhere(task, pretcode, rec);
    yield { kind: 'call', target: restorer, args: [] };
    if (!rec.returned) return yield* this.jumpToNowhere(task, thread.usp, rec);
    this.state(task).resumed = undefined;
  }

  /** A user access from the delivery path (the handler's ret), with one chance for the fault handler. */
  private *userWord(va: number): Gen<I64 | undefined> {
    const cpu = this.k.cpu;
    for (let attempt = 0; ; attempt++) {
      try {
        return this.layout.wordBytes === 8 ? cpu.r64(va, MODE_USER) : cpu.r32(va, MODE_USER);
      } catch (e) {
        if (!(e instanceof Trap) || attempt > 0) {
          if (e instanceof Trap) return undefined;
          throw e;
        }
        yield { kind: 'trap', trap: e };
      }
    }
  }

  /** The handler's stack frame must be writable before it starts (the stack may need to grow). */
  private *userStackReady(sp: number, sizeBytes: number): Gen<boolean> {
    if (sizeBytes === 0) return true;
    for (let attempt = 0; attempt < 2; attempt++) {
      const t = this.k.cpu.probe(sp - sizeBytes, sizeBytes, true, MODE_USER);
      if (!t) return true;
      if (attempt === 0) yield { kind: 'trap', trap: t };
    }
    return false;
  }

  /**
   * User code would continue at an address with no code (a bad handler, pretcode overwritten, a
   * restorer that returned instead of calling rt_sigreturn): the CPU faults there. The emulator
   * cannot run "nowhere", so the task dies of SIGSEGV the way it would once the fault repeats.
   */
  private *jumpToNowhere(task: Task, ip: I64, rec: DeliveredFrame): Gen<void> {
    const st = this.state(task);
    const i = st.frames.indexOf(rec);
    if (i >= 0) st.frames.splice(i);
    const o = this.k.oops;
    // An instruction fetch from a page that is not there: error code PF_USER | PF_INSTR.
    this.k.printk(`\x016${task.comm}[${task.pid}]: segfault at ${hexAddr(ip)} ip ${o.fmtPtr(ip)} sp ${o.fmtPtr(task.thread.usp)} error 14\n`);
    task.thread.usp = rec.regs.sp;
    yield* this.k.sched.killTask(task, SIGSEGV);
  }

  // ---- rt_sigreturn --------------------------------------------------------------------------

  private *sysRtSigreturn(): NativeGen {
    const task = this.k.current;
    this.k.exec.charge(SIGRETURN_STEPS);
    const st = this.state(task);
    const frame = task.thread.usp - this.layout.wordBytes;
    const got = yield* readRtFrame(this.k, this.layout, frame);
    if (!got) return this.badFrame(task, frame);
    this.setBlocked(task, got.mask);
    st.restart = undefined;
    // do_sigaltstack(&frame->uc.uc_stack, NULL, sp): only a fault would count, and the read is done.
    this.applyAltStack(task, got.stack.sp, got.stack.flags, got.stack.sizeBytes, Number(got.sp));
    const rec = st.frames[st.frames.length - 1];
    if (!rec || rec.va !== frame) return this.badFrame(task, frame);
    if (Number(got.ip) !== rec.regs.ip || Number(got.sp) !== rec.regs.sp) {
      const o = this.k.oops;
      this.k.printk(
        `\x014kmemlab: ${task.comm}[${task.pid}]: rt_sigreturn: the handler changed the saved context (ip ${o.fmtPtr(rec.regs.ip)} -> ${o.fmtPtr(got.ip)}, sp ${o.fmtPtr(rec.regs.sp)} -> ${o.fmtPtr(got.sp)}); kmemlab resumes the interrupted statement, it cannot follow a changed ip or sp\n`,
      );
    }
    st.frames.pop();
    rec.returned = true;
    task.thread.usp = rec.regs.sp;
    st.resumed = rec.regs;
    return got.ax;
  }

  /** signal_fault: the frame cannot be read back; the task is then killed by SIGSEGV. */
  private badFrame(task: Task, frame: number): number {
    const o = this.k.oops;
    const ip = o.ipOf(task);
    this.k.printk(`\x016${task.comm}[${task.pid}] bad frame in rt_sigreturn frame:${o.fmtPtr(frame)} ip:${ip.toString(16)} sp:${task.thread.usp.toString(16)} orax:${o.fmtPtr(-1)}${o.inVma(task, ip)}\n`);
    return 0;
  }


  // ---- system calls --------------------------------------------------------------------------

  /** Room on the kernel stack for a syscall's local structures (k_sigaction, sigset_t...). */
  private *onKernelStack<T>(bytes: number, body: (va: number) => Gen<T>): Gen<T> {
    const thread = this.k.current.thread;
    const saved = thread.ksp;
    const va = Math.floor((saved - bytes) / 16) * 16;
    thread.ksp = va;
    try {
      return yield* body(va);
    } finally {
      thread.ksp = saved;
    }
  }

  private *copyFromUser(to: number, from: I64, n: number): Gen<boolean> {
    return Number(yield* call(this.k.routines.must('copy_from_user'), to, from, n)) === 0;
  }

  private *copyToUser(to: I64, from: number, n: number): Gen<boolean> {
    return Number(yield* call(this.k.routines.must('copy_to_user'), to, from, n)) === 0;
  }

  /** struct sigaction as the kernel takes it: handler, flags, restorer, mask (8 bytes). */
  private get ksigactionBytes(): number {
    return 3 * this.layout.wordBytes + SIGSET_BYTES;
  }

  private readKSigaction(va: number): KSigAction {
    const km = this.k.km;
    const w = this.layout.wordBytes;
    const word = (at: number) => (w === 8 ? km.r64(at) : km.r32(at));
    return { handler: word(va), flags: Number(BigInt.asUintN(32, BigInt(word(va + w)))) | 0, restorer: word(va + 2 * w), mask: BigInt.asUintN(64, BigInt(km.r64(va + 3 * w))) };
  }

  private writeKSigaction(va: number, ka: KSigAction): void {
    const w = this.layout.wordBytes;
    this.k.km.writeBytes(va, leBytes(ka.handler, w));
    this.k.km.writeBytes(va + w, leBytes(ka.flags >>> 0, w));
    this.k.km.writeBytes(va + 2 * w, leBytes(ka.restorer, w));
    this.k.km.writeBytes(va + 3 * w, leBytes(ka.mask, SIGSET_BYTES));
  }

  /**
   * do_sigaction: SIGKILL and SIGSTOP keep their action (EINVAL). Setting a handler that ignores
   * the signal throws away what is pending of it (POSIX 3.3.1.3).
   */
  private doSigaction(task: Task, sig: number, act: KSigAction | undefined): { error: number; old: KSigAction } {
    const st = this.state(task);
    if (sig < 1 || sig > NSIG || (act && (sig === SIGKILL || sig === SIGSTOP))) return { error: -EINVAL, old: st.actions[0] };
    const old = { ...st.actions[sig] };
    if (act) {
      st.actions[sig] = { ...act, mask: act.mask & ~UNBLOCKABLE };
      if (this.ignoredByHandler(task, sig)) this.discard(task, sigmask(sig));
    }
    return { error: 0, old };
  }

  /** rt_sigaction: the whole struct sigaction in with copy_from_user, the old one out with copy_to_user. */
  private *sysRtSigaction(sig: number, act: I64, oact: I64, sigsetsize: number): NativeGen {
    if (sigsetsize !== SIGSET_BYTES) return -EINVAL;
    return yield* this.onKernelStack(2 * this.ksigactionBytes, (buf) => this.rtSigaction(buf, sig, act, oact));
  }

  private *rtSigaction(buf: number, sig: number, act: I64, oact: I64): Gen<number> {
    const n = this.ksigactionBytes;
    let newKa: KSigAction | undefined;
    if (act !== 0) {
      if (!(yield* this.copyFromUser(buf, act, n))) return -EFAULT;
      newKa = this.readKSigaction(buf);
    }
    const r = this.doSigaction(this.k.current, sig, newKa);
    if (r.error) return r.error;
    if (oact !== 0) {
      this.writeKSigaction(buf + n, r.old);
      if (!(yield* this.copyToUser(oact, buf + n, n))) return -EFAULT;
    }
    return 0;
  }

  /**
   * i386's old sigaction (struct old_sigaction: handler, mask word, flags, restorer), copied
   * field by field with get_user_ex / put_user_ex after access_ok, as the slides show.
   */
  private *sysOldSigaction(sig: number, act: I64, oact: I64): NativeGen {
    const w = this.layout.wordBytes;
    const bytes = 4 * w;
    let newKa: KSigAction | undefined;
    if (act !== 0) {
      if (!this.k.uaccess.accessOk(act, bytes)) return -EFAULT;
      const a = Number(act);
      const fields: I64[] = [];
      let failed = false;
      // handler, flags, mask, restorer: the order of the get_user_ex lines.
      for (const off of [0, 2 * w, w, 3 * w]) {
        const b = yield* this.k.uaccess.readUser(a + off, w);
        if (!b) failed = true;
        fields.push(b ? fromLe(b, 0, w) : 0);
      }
      if (failed) return -EFAULT;
      newKa = { handler: fields[0], flags: Number(fields[1]) | 0, mask: BigInt.asUintN(64, BigInt(fields[2])), restorer: fields[3] };
    }
    const r = this.doSigaction(this.k.current, sig, newKa);
    if (r.error || oact === 0) return r.error;
    if (!this.k.uaccess.accessOk(oact, bytes)) return -EFAULT;
    const out = new UserStores(this.k);
    const o = Number(oact);
    yield* out.int(o, r.old.handler, w);
    yield* out.int(o + 2 * w, r.old.flags >>> 0, w);
    yield* out.int(o + w, r.old.mask & 0xffffffffn, w);
    yield* out.int(o + 3 * w, r.old.restorer, w);
    return out.failed ? -EFAULT : 0;
  }

  private *sysRtSigprocmask(how: number, nset: I64, oset: I64, sigsetsize: number): NativeGen {
    if (sigsetsize !== SIGSET_BYTES) return -EINVAL;
    return yield* this.onKernelStack(2 * SIGSET_BYTES, (buf) => this.rtSigprocmask(buf, how, nset, oset));
  }

  private *rtSigprocmask(buf: number, how: number, nset: I64, oset: I64): Gen<number> {
    const task = this.k.current;
    const old = this.state(task).blocked;
    if (nset !== 0) {
      if (!(yield* this.copyFromUser(buf, nset, SIGSET_BYTES))) return -EFAULT;
      const set = BigInt.asUintN(64, BigInt(this.k.km.r64(buf))) & ~UNBLOCKABLE;
      if (how === SIG_BLOCK) this.setBlocked(task, old | set);
      else if (how === SIG_UNBLOCK) this.setBlocked(task, old & ~set);
      else if (how === SIG_SETMASK) this.setBlocked(task, set);
      else return -EINVAL;
    }
    if (oset !== 0) {
      this.k.km.writeBytes(buf + SIGSET_BYTES, leBytes(old, SIGSET_BYTES));
      if (!(yield* this.copyToUser(oset, buf + SIGSET_BYTES, SIGSET_BYTES))) return -EFAULT;
    }
    return 0;
  }

  /** rt_sigpending: what is pending among the blocked signals. */
  private *sysRtSigpending(set: I64, sigsetsize: number): NativeGen {
    if (sigsetsize > SIGSET_BYTES) return -EINVAL;
    const task = this.k.current;
    let pending = 0n;
    for (const s of this.pending(task)) pending |= sigmask(s.signo);
    pending &= this.state(task).blocked;
    return yield* this.onKernelStack(SIGSET_BYTES, (buf) => this.copySetOut(buf, pending, set, sigsetsize));
  }

  private *copySetOut(buf: number, mask: bigint, to: I64, n: number): Gen<number> {
    this.k.km.writeBytes(buf, leBytes(mask, SIGSET_BYTES));
    return (yield* this.copyToUser(to, buf, n)) ? 0 : -EFAULT;
  }

  private *copySetIn(buf: number, from: I64): Gen<bigint | undefined> {
    if (!(yield* this.copyFromUser(buf, from, SIGSET_BYTES))) return undefined;
    return BigInt.asUintN(64, BigInt(this.k.km.r64(buf)));
  }

  /** rt_sigsuspend: the temporary mask, one interruptible sleep, and the old mask saved for later. */
  private *sysRtSigsuspend(unewset: I64, sigsetsize: number): NativeGen {
    if (sigsetsize !== SIGSET_BYTES) return -EINVAL;
    const task = this.k.current;
    const st = this.state(task);
    const set = yield* this.onKernelStack(SIGSET_BYTES, (buf) => this.copySetIn(buf, unewset));
    if (set === undefined) return -EFAULT;
    const saved = st.blocked;
    this.setBlocked(task, set);
    yield* this.sleepUntilSignal(task, 'sigsuspend');
    st.savedSigmask = saved;
    return -ERESTARTNOHAND;
  }

  private *sysPause(): NativeGen {
    const task = this.k.current;
    while (!this.signalPending(task) && !task.exited) yield* this.sleepUntilSignal(task, 'pause');
    return -ERESTARTNOHAND;
  }

  /** An interruptible sleep with no time limit (it returns at once if a signal is pending). */
  private *sleepUntilSignal(task: Task, why: string): Gen<void> {
    if (this.signalPending(task)) return;
    yield* this.k.sched.block(why, undefined, TASK_INTERRUPTIBLE);
  }

  private *sysRestartSyscall(): NativeGen {
    const st = this.state(this.k.current);
    const fn = st.restart;
    st.restart = undefined;
    return fn ? yield* fn() : -EINTR;
  }

  /** kill_ok_by_cred: same user (real or effective) or CAP_KILL. */
  private mayKill(sender: Task, target: Task): boolean {
    const s = sender.cred;
    const t = target.cred;
    return s.euid === 0 || s.euid === t.uid || s.uid === t.uid;
  }

  /** group_send_sig_info's checks, then the signal; signal 0 only checks. */
  private sendChecked(target: Task, sig: number, info: KSigInfo): number {
    if (sig < 0 || sig > NSIG) return -EINVAL;
    if (!this.mayKill(this.k.current, target)) return -EPERM;
    if (sig !== 0) this.send(target, info);
    return 0;
  }

  private userTask(pid: number): Task | undefined {
    const t = this.k.tasks.get(pid);
    return t && !t.exited && t.kind === 'user' ? t : undefined;
  }

  /**
   * kill: pid > 0 one process; 0 and < -1 a process group (each program is its own group here);
   * -1 every process the caller may signal except itself. (A generator, so that the return to
   * user mode is a real one and a signal sent to oneself is delivered on it.)
   */
  private *sysKill(pid: number, sig: number): NativeGen {
    const self = this.k.current;
    const info = makeSigInfo({ signo: sig, code: SI_USER, pid: self.pid, uid: self.cred.uid });
    if (pid === -1) {
      let sent = 0;
      let err = -ESRCH;
      for (const t of this.k.tasks.values()) {
        if (t === self || t.exited || t.kind !== 'user') continue;
        const r = this.sendChecked(t, sig, { ...info });
        if (r === 0) sent++;
        else err = r;
      }
      return sent > 0 ? 0 : err;
    }
    const target = pid === 0 ? self : this.userTask(Math.abs(pid));
    if (!target) return -ESRCH;
    return this.sendChecked(target, sig, info);
  }

  /** tkill/tgkill: one thread, si_code SI_TKILL. */
  private *sysTgkill(tgid: number, pid: number, sig: number): NativeGen {
    if (pid <= 0) return -EINVAL;
    const self = this.k.current;
    const target = this.userTask(pid);
    if (!target || (tgid > 0 && target.pid !== tgid)) return -ESRCH;
    return this.sendChecked(target, sig, makeSigInfo({ signo: sig, code: SI_TKILL, pid: self.pid, uid: self.cred.uid }));
  }

  /** sigaltstack: EPERM while on the alternate stack, EINVAL for bad flags, ENOMEM below MINSIGSTKSZ. */
  private *sysSigaltstack(uss: I64, uoss: I64): NativeGen {
    const task = this.k.current;
    const L = this.layout;
    const sp = task.thread.usp;
    const old = this.altStack(task);
    const oldFlags = sasSsFlags(sp, old);
    if (uss !== 0) {
      if (!this.k.uaccess.accessOk(uss, L.stackBytes)) return -EFAULT;
      const b = yield* this.k.uaccess.readUser(uss, L.stackBytes);
      if (!b) return -EFAULT;
      const r = this.applyAltStack(task, fromLe(b, 0, L.wordBytes), Number(fromLe(b, L.stackFlags, 4)) | 0, fromLe(b, L.stackSize, L.wordBytes), sp);
      if (r !== 0) return r;
    }
    if (uoss !== 0) {
      if (!this.k.uaccess.accessOk(uoss, L.stackBytes)) return -EFAULT;
      const out = new UserStores(this.k);
      const o = Number(uoss);
      yield* out.int(o, old.sp, L.wordBytes);
      yield* out.int(o + L.stackSize, old.sizeBytes, L.wordBytes);
      yield* out.int(o + L.stackFlags, oldFlags, 4);
      if (out.failed) return -EFAULT;
    }
    return 0;
  }

  private applyAltStack(task: Task, ssSp: I64, ssFlags: number, ssSize: I64, sp: number): number {
    if (onSigStack(sp, this.altStack(task))) return -EPERM;
    if (ssFlags !== SS_DISABLE && ssFlags !== SS_ONSTACK && ssFlags !== 0) return -EINVAL;
    if (ssFlags === SS_DISABLE) {
      this.setAltStack(task, 0, 0);
      return 0;
    }
    if (Number(ssSize) < MINSIGSTKSZ) return -ENOMEM;
    this.setAltStack(task, ssSp, ssSize);
    return 0;
  }

  // ---- alarm ---------------------------------------------------------------------------------

  /**
   * alarm: one timer per task on the kernel's timer_list (Linux uses an hrtimer; jiffies are fine
   * at a second's resolution). Returns the seconds the previous alarm had left, rounded as
   * alarm_setitimer does.
   */
  private *sysAlarm(seconds: number): NativeGen {
    const task = this.k.current;
    const st = this.state(task);
    const r = this.k.routines;
    let left = 0;
    if (st.alarmVa !== 0 && this.k.timers.isPending(st.alarmVa)) {
      const T = this.k.structs.get('timer_list');
      const jiffiesLeft = Number(BigInt.asIntN(64, BigInt(T.get(st.alarmVa, 'expires')) - BigInt(this.k.jiffies())));
      const ns = Math.max(0, jiffiesLeft) * this.tickNs;
      left = Math.floor(ns / 1e9);
      const usec = Math.floor((ns % 1e9) / 1000);
      if ((left === 0 && usec > 0) || usec >= 500000) left++;
      yield* call(r.must('del_timer'), st.alarmVa);
    }
    if (seconds === 0) return left;
    if (st.alarmVa === 0) {
      st.alarmVa = this.k.slab.kmallocNoTrack(this.k.structs.get('timer_list').sizeBytes, 'alarm timer');
      yield* call(r.must('__kmemlab_setup_timer'), st.alarmVa, this.itRealFn.address, task.va);
    }
    const expires = BigInt(this.k.jiffies()) + BigInt(Math.round((seconds * 1e9) / this.tickNs));
    yield* call(r.must('mod_timer'), st.alarmVa, norm64(BigInt.asIntN(64, expires)));
    return left;
  }

  private get tickNs(): number {
    return 1e9 / HZ;
  }

  /** it_real_fn: the alarm went off (in softirq context, on whatever task was running). */
  private itRealFired(taskVa: number): number {
    const t = this.k.sched.taskAt(taskVa);
    if (t) this.send(t, makeSigInfo({ signo: SIGALRM, code: SI_KERNEL }));
    return 0;
  }

  /** exit: the alarm goes with the task. */
  exitTask(task: Task): void {
    const st = this.states.get(task);
    if (!st || st.alarmVa === 0) return;
    const size = this.k.structs.get('timer_list').sizeBytes;
    this.k.timers.forgetRange(st.alarmVa, st.alarmVa + size);
    this.k.slab.kfree(st.alarmVa, 'exit_itimers');
    st.alarmVa = 0;
  }
}
