/**
 * signal.h: handlers, masks, sending, and the trampoline a handler returns through. Shaped like
 * glibc 2.15 on Linux: sigaction converts the user's struct (a 1024-bit sigset_t) to the
 * kernel's (64 bits) on the stack, always adds SA_RESTORER with __restore_rt as the restorer (the
 * kernel's x86_64 frame needs one; the emulated i386 has no vDSO, which is when glibc does the
 * same there), and refuses the two signals NPTL keeps for itself; signal() has BSD semantics
 * (SA_RESTART, the signal blocked in its handler); raise() is tgkill on the calling thread.
 */
import type { NativeRoutine, Value } from '../exec/types';
import { EINVAL } from './errno';
import type { LibcProcess } from './process';
import type { DefineRoutine } from './routine';
import { toAddress, type Step } from './usermem';

/** The user sigset_t: 1024 bits, of which the kernel uses 64. */
const USER_SIGSET_BYTES = 128;
const KERNEL_SIGSET_BYTES = 8;
const NSIG = 65;
/** NPTL's cancellation and setxid signals: not for applications. */
const SIGCANCEL = 32;
const SIGSETXID = 33;
const SA_RESTART = 0x10000000;
const SA_RESTORER = 0x04000000;

/** struct sigaction as the program sees it: handler, sa_mask, sa_flags, sa_restorer. */
function userSigaction(ptrBytes: 4 | 8) {
  const flags = ptrBytes + USER_SIGSET_BYTES;
  return { handler: 0, mask: ptrBytes, flags, restorer: Math.ceil((flags + 4) / ptrBytes) * ptrBytes };
}

/** struct sigaction as rt_sigaction takes it: handler, flags, restorer, a 64-bit mask. */
function kernelSigaction(ptrBytes: 4 | 8) {
  return { handler: 0, flags: ptrBytes, restorer: 2 * ptrBytes, mask: 3 * ptrBytes, sizeBytes: 3 * ptrBytes + KERNEL_SIGSET_BYTES };
}

/** (void *)-1 and friends as the ABI hands them back. */
function pointerResult(p: LibcProcess, v: number): number {
  return p.host.ptrBytes === 8 ? v : v >>> 0;
}

function isAllOnes(p: LibcProcess, v: Value | undefined): boolean {
  const bits = p.host.ptrBytes * 8;
  return BigInt.asUintN(bits, BigInt(toAddress(v))) === (1n << BigInt(bits)) - 1n;
}

/**
 * Room for a routine's locals on the user stack below the caller's frame, as a compiled
 * function would take: a signal frame set up meanwhile goes below it and cannot clobber it.
 */
function* onUserStack<T>(p: LibcProcess, bytes: number, body: (va: number) => Step<T>): Step<T> {
  const saved = p.thread.usp;
  const va = Math.floor((saved - bytes) / 16) * 16;
  p.thread.usp = va;
  try {
    return yield* body(va);
  } finally {
    p.thread.usp = saved;
  }
}

function* invalid(p: LibcProcess): Step<number> {
  yield* p.setErrno(EINVAL);
  return -1;
}

function badSignal(sig: number): boolean {
  return sig <= 0 || sig >= NSIG;
}

/**
 * __libc_sigaction: the user's struct copied into a kernel_sigaction on the stack, rt_sigaction,
 * and the old action copied back (only the first 64 bits of the old mask are written).
 */
function* sigaction(p: LibcProcess, sig: number, act: number, oact: number, restorer: NativeRoutine): Step<number> {
  if (badSignal(sig) || sig === SIGCANCEL || sig === SIGSETXID) return yield* invalid(p);
  const w = p.host.ptrBytes;
  const U = userSigaction(w);
  const K = kernelSigaction(w);
  return yield* onUserStack(p, 2 * K.sizeBytes, function* (kact): Step<number> {
    const koact = kact + K.sizeBytes;
    if (act !== 0) {
      const handler = yield* p.mem.word(act + U.handler);
      const mask = yield* p.mem.read(act + U.mask, KERNEL_SIGSET_BYTES);
      const flags = yield* p.mem.i32(act + U.flags);
      yield* p.mem.wword(kact + K.handler, handler);
      // An int widened to unsigned long: the sign extends, as in glibc.
      if (w === 8) yield* p.mem.w64(kact + K.flags, flags | SA_RESTORER);
      else yield* p.mem.w32(kact + K.flags, (flags | SA_RESTORER) >>> 0);
      yield* p.mem.wword(kact + K.restorer, Number(restorer.address));
      yield* p.mem.write(kact + K.mask, mask);
    }
    const r = yield* p.syscall('rt_sigaction', [sig, act !== 0 ? kact : 0, oact !== 0 ? koact : 0, KERNEL_SIGSET_BYTES]);
    if (oact !== 0 && r >= 0) {
      const handler = yield* p.mem.word(koact + K.handler);
      const flags = yield* p.mem.i32(koact + K.flags);
      const restorerVa = yield* p.mem.word(koact + K.restorer);
      const mask = yield* p.mem.read(koact + K.mask, KERNEL_SIGSET_BYTES);
      yield* p.mem.wword(oact + U.handler, handler);
      yield* p.mem.write(oact + U.mask, mask);
      yield* p.mem.w32(oact + U.flags, flags);
      yield* p.mem.wword(oact + U.restorer, restorerVa);
    }
    return r;
  });
}

/**
 * signal(): BSD semantics — the handler stays installed, the signal is blocked while it runs,
 * interrupted system calls restart. Returns the previous handler, or SIG_ERR.
 */
function* bsdSignal(p: LibcProcess, sig: number, handler: Value | undefined, restorer: NativeRoutine): Step<Value> {
  const sigErr = pointerResult(p, -1);
  if (isAllOnes(p, handler) || badSignal(sig)) {
    yield* p.setErrno(EINVAL);
    return sigErr;
  }
  const w = p.host.ptrBytes;
  const U = userSigaction(w);
  return yield* onUserStack(p, 2 * 160, function* (act): Step<Value> {
    const old = act + 160;
    yield* p.mem.fill(act, 0, U.restorer + w);
    yield* p.mem.wword(act + U.handler, toAddress(handler));
    yield* sigbit(p, act + U.mask, sig, true);
    yield* p.mem.w32(act + U.flags, SA_RESTART);
    if ((yield* sigaction(p, sig, act, old, restorer)) < 0) return sigErr;
    return pointerResult(p, yield* p.mem.word(old + U.handler));
  });
}

/** Sets or clears one signal's bit in a user sigset_t (little-endian words: a byte's bit). */
function* sigbit(p: LibcProcess, set: number, sig: number, on: boolean): Step<void> {
  const at = set + ((sig - 1) >> 3);
  const bit = 1 << ((sig - 1) & 7);
  const b = yield* p.mem.u8(at);
  yield* p.mem.w8(at, on ? b | bit : b & ~bit);
}

function* sigsetOp(p: LibcProcess, a: Value[], op: 'add' | 'del' | 'test'): Step<number> {
  const set = toAddress(a[0]);
  const sig = p.abi.int(a[1]);
  if (set === 0 || badSignal(sig)) return yield* invalid(p);
  if (op === 'test') return ((yield* p.mem.u8(set + ((sig - 1) >> 3))) >> ((sig - 1) & 7)) & 1;
  yield* sigbit(p, set, sig, op === 'add');
  return 0;
}

function* sigsetFill(p: LibcProcess, a: Value[], full: boolean): Step<number> {
  const set = toAddress(a[0]);
  if (set === 0) return yield* invalid(p);
  yield* p.mem.fill(set, full ? 0xff : 0, USER_SIGSET_BYTES);
  if (full) {
    yield* sigbit(p, set, SIGCANCEL, false);
    yield* sigbit(p, set, SIGSETXID, false);
  }
  return 0;
}

export function defineSignals(def: DefineRoutine): void {
  // glibc's __restore_rt: "mov $__NR_rt_sigreturn, %eax; syscall". rt_sigreturn never comes
  // back here on a real machine; here it returns to the kernel's delivery frame.
  const restoreRt = def('__restore_rt()', function* (p) {
    const target = p.host.syscall('rt_sigreturn');
    if (target) yield { kind: 'call', target, args: [] };
    return 0;
  });
  def('signal(sig, handler)', (p, a) => bsdSignal(p, p.abi.int(a[0]), a[1], restoreRt));
  def('sigaction(sig, act, oact)', (p, a) => sigaction(p, p.abi.int(a[0]), toAddress(a[1]), toAddress(a[2]), restoreRt));
  def('sigemptyset(set)', (p, a) => sigsetFill(p, a, false));
  def('sigfillset(set)', (p, a) => sigsetFill(p, a, true));
  def('sigaddset(set, signum)', (p, a) => sigsetOp(p, a, 'add'));
  def('sigdelset(set, signum)', (p, a) => sigsetOp(p, a, 'del'));
  def('sigismember(set, signum)', (p, a) => sigsetOp(p, a, 'test'));
  def('sigprocmask(how, set, oldset)', (p, a) => p.syscall('rt_sigprocmask', [p.abi.int(a[0]), a[1], a[2], KERNEL_SIGSET_BYTES]));
  def('sigpending(set)', (p, a) => p.syscall('rt_sigpending', [a[0], KERNEL_SIGSET_BYTES]));
  def('sigsuspend(mask)', (p, a) => p.syscall('rt_sigsuspend', [a[0], KERNEL_SIGSET_BYTES]));
  def('sigaltstack(ss, old_ss)', (p, a) => p.syscall('sigaltstack', [a[0], a[1]]));
  def('kill(pid, sig)', (p, a) => p.syscall('kill', [p.abi.int(a[0]), p.abi.int(a[1])]));
  def('raise(sig)', (p, a) => p.raise(p.abi.int(a[0])));
  def('alarm(seconds)', function* (p, a) {
    return (yield* p.syscall('alarm', [p.abi.int(a[0]) >>> 0])) >>> 0;
  });
}
