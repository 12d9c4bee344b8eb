/**
 * The x86 signal frame of Linux 3.7 (arch/x86/kernel/signal.c, FACTS §F): where get_sigframe
 * puts it on the user stack, the rt_sigframe layouts of i386 and x86_64, the order in which
 * __setup_rt_frame stores its fields, copy_siginfo_to_user's rules, and reading the frame back
 * for rt_sigreturn.
 *
 * The stores run inside a kernel routine that has exception-table entries: a store whose fault
 * cannot be serviced is skipped and remembered (put_user_ex / put_user_catch), so every later
 * field is still attempted, as on 3.7. Only the x86_64 siginfo copy returns at once on failure.
 *
 * The emulator models no general-purpose registers, FPU or EFLAGS: the sigcontext holds the
 * interrupted op's address (ip), the user stack pointer (sp), the last trap's number, error code
 * and fault address (trapno, err, cr2), the mask, the user segment selectors (constants of the
 * ABI) and EFLAGS' always-set bits (IF and bit 1); every other register is 0, and there is no
 * FPU state (fpstate is NULL, uc_flags is 0 as on a CPU without xsave).
 */
import { MODE_KERNEL } from '../machine/tlb';
import { Trap } from '../machine/cpu';
import { PAGE_SIZE } from '../machine/physmem';
import type { NativeRequest, Value } from '../exec/types';
import { add64, norm64, type I64 } from '../util/int64';
import { FAULT_FIXUP } from './fault';
import type { Kernel } from './kernel';

type Gen<T> = Generator<NativeRequest, T, Value | undefined>;

export const SIGINFO_BYTES = 128;
export const SIGSET_BYTES = 8;
export const SA_SIGINFO = 0x4;
export const SA_ONSTACK = 0x08000000;
export const SA_RESTORER = 0x04000000;
export const SS_ONSTACK = 1;
export const SS_DISABLE = 2;
/** i386's "movl $__NR_rt_sigreturn, %eax; int $0x80", kept in the frame only as a marker for gdb. */
const I386_RT_RETCODE = Uint8Array.of(0xb8, 173, 0, 0, 0, 0xcd, 0x80, 0);

/** The high half of a kernel si_code says which union member copy_siginfo_to_user copies. */
export const __SI_KILL = 0;
export const __SI_TIMER = 1 << 16;
export const __SI_POLL = 2 << 16;
export const __SI_FAULT = 3 << 16;
export const __SI_CHLD = 4 << 16;
export const __SI_RT = 5 << 16;
export const __SI_MESGQ = 6 << 16;
const __SI_MASK = 0xffff0000 | 0;

/** A kernel siginfo (the fields the union members use; the rest is 0). */
export interface KSigInfo {
  signo: number;
  errno: number;
  /** As the kernel keeps it: a user code plus its __SI_* class in the high half. */
  code: number;
  pid: number;
  uid: number;
  addr: I64;
  status: number;
  utime: number;
  stime: number;
  /** sigval (si_int / si_ptr). */
  value: I64;
  tid: number;
  overrun: number;
  band: number;
  fd: number;
}

export function makeSigInfo(fields: Partial<KSigInfo> & { signo: number; code: number }): KSigInfo {
  return { errno: 0, pid: 0, uid: 0, addr: 0, status: 0, utime: 0, stime: 0, value: 0, tid: 0, overrun: 0, band: 0, fd: 0, ...fields };
}

/** si_code as user space sees it: copy_siginfo_to_user stores (short)si_code. */
export function userSiCode(code: number): number {
  return (code << 16) >> 16;
}

/** What the emulator has of the interrupted user context (pt_regs). */
export interface UserRegs {
  ip: number;
  sp: number;
}

/** thread_struct's record of the last trap, saved into every sigcontext. */
export interface TrapRecord {
  trapNr: number;
  errorCode: number;
  cr2: I64;
}

interface ScField {
  name: string;
  offset: number;
  bytes: 2 | 4 | 8;
}

export interface SigframeLayout {
  wordBytes: 4 | 8;
  frameBytes: number;
  pretcode: number;
  /** i386 only: the handler's stack arguments. */
  sig?: number;
  pinfo?: number;
  puc?: number;
  retcode?: number;
  info: number;
  uc: number;
  /** Offsets inside the ucontext. */
  ucFlags: number;
  ucLink: number;
  ucStack: number;
  mcontext: number;
  sigmask: number;
  /** stack_t: ss_sp, ss_flags, ss_size. */
  stackFlags: number;
  stackSize: number;
  stackBytes: number;
  /** struct sigcontext: its size and the fields in the order setup_sigcontext stores them. */
  sigcontextBytes: number;
  sigcontext: ScField[];
  /** Where the siginfo union starts (__ARCH_SI_PREAMBLE_SIZE) and where _sigchld's clocks are. */
  siUnion: number;
  siUtime: number;
  redZoneBytes: number;
  /** align_sigframe. */
  align(sp: number): number;
  /** Selectors of user mode, which the emulator does not model but the ABI fixes. */
  selectors: Record<string, number>;
}

const word8 = (names: string[], from: number): ScField[] => names.map((name, i) => ({ name, offset: from + 8 * i, bytes: 8 as const }));

const X86_64: SigframeLayout = {
  wordBytes: 8,
  frameBytes: 440,
  pretcode: 0,
  uc: 8,
  info: 312,
  ucFlags: 0,
  ucLink: 8,
  ucStack: 16,
  mcontext: 40,
  sigmask: 296,
  stackFlags: 8,
  stackSize: 16,
  stackBytes: 24,
  sigcontextBytes: 256,
  // r8..r15 at 0..56, then di si bp bx dx ax cx sp ip flags at 64..136.
  sigcontext: [
    { name: 'di', offset: 64, bytes: 8 }, { name: 'si', offset: 72, bytes: 8 }, { name: 'bp', offset: 80, bytes: 8 },
    { name: 'sp', offset: 120, bytes: 8 }, { name: 'bx', offset: 88, bytes: 8 }, { name: 'dx', offset: 96, bytes: 8 },
    { name: 'cx', offset: 112, bytes: 8 }, { name: 'ax', offset: 104, bytes: 8 },
    ...word8(['r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'], 0),
    { name: 'trapno', offset: 160, bytes: 8 }, { name: 'err', offset: 152, bytes: 8 }, { name: 'ip', offset: 128, bytes: 8 },
    { name: 'flags', offset: 136, bytes: 8 }, { name: 'cs', offset: 144, bytes: 2 }, { name: 'gs', offset: 146, bytes: 2 },
    { name: 'fs', offset: 148, bytes: 2 }, { name: 'fpstate', offset: 184, bytes: 8 }, { name: 'oldmask', offset: 168, bytes: 8 },
    { name: 'cr2', offset: 176, bytes: 8 },
  ],
  siUnion: 16,
  siUtime: 16,
  redZoneBytes: 128,
  align: (sp) => Math.floor(sp / 16) * 16 - 8,
  selectors: { cs: 0x33, gs: 0, fs: 0 },
};

const I386: SigframeLayout = {
  wordBytes: 4,
  frameBytes: 268,
  pretcode: 0,
  sig: 4,
  pinfo: 8,
  puc: 12,
  info: 16,
  uc: 144,
  retcode: 260,
  ucFlags: 0,
  ucLink: 4,
  ucStack: 8,
  mcontext: 20,
  sigmask: 108,
  stackFlags: 4,
  stackSize: 8,
  stackBytes: 12,
  sigcontextBytes: 88,
  // Segment registers are stored as 32-bit words (selector and its padding half).
  sigcontext: [
    { name: 'gs', offset: 0, bytes: 4 }, { name: 'fs', offset: 4, bytes: 4 }, { name: 'es', offset: 8, bytes: 4 }, { name: 'ds', offset: 12, bytes: 4 },
    { name: 'di', offset: 16, bytes: 4 }, { name: 'si', offset: 20, bytes: 4 }, { name: 'bp', offset: 24, bytes: 4 }, { name: 'sp', offset: 28, bytes: 4 },
    { name: 'bx', offset: 32, bytes: 4 }, { name: 'dx', offset: 36, bytes: 4 }, { name: 'cx', offset: 40, bytes: 4 }, { name: 'ax', offset: 44, bytes: 4 },
    { name: 'trapno', offset: 48, bytes: 4 }, { name: 'err', offset: 52, bytes: 4 }, { name: 'ip', offset: 56, bytes: 4 }, { name: 'cs', offset: 60, bytes: 4 },
    { name: 'flags', offset: 64, bytes: 4 }, { name: 'sp_at_signal', offset: 68, bytes: 4 }, { name: 'ss', offset: 72, bytes: 4 },
    { name: 'fpstate', offset: 76, bytes: 4 }, { name: 'oldmask', offset: 80, bytes: 4 }, { name: 'cr2', offset: 84, bytes: 4 },
  ],
  siUnion: 12,
  siUtime: 12,
  redZoneBytes: 0,
  align: (sp) => (((sp + 4) & -16) >>> 0) - 4,
  selectors: { cs: 0x73, ss: 0x7b, ds: 0x7b, es: 0x7b, gs: 0x33, fs: 0 },
};

export function sigframeLayout(wordBytes: 4 | 8): SigframeLayout {
  return wordBytes === 8 ? X86_64 : I386;
}

/** EFLAGS with no arithmetic flag set: IF and the reserved bit that always reads 1. */
const USER_EFLAGS = 0x202;

/** Little-endian bytes of an integer of `bytes` width. */
export function leBytes(v: I64 | bigint, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let b = BigInt.asUintN(bytes * 8, BigInt(v));
  for (let i = 0; i < bytes; i++, b >>= 8n) out[i] = Number(b & 0xffn);
  return out;
}

/** Reads a little-endian unsigned integer (as a number when it fits, as user addresses do). */
export function fromLe(bytes: Uint8Array, at: number, n: number): I64 {
  let b = 0n;
  for (let i = n - 1; i >= 0; i--) b = (b << 8n) | BigInt(bytes[at + i]);
  return b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : BigInt.asIntN(64, b);
}

/**
 * Stores into user memory from kernel code with put_user_ex's semantics: a fault the handler can
 * service (a stack page not yet there) is serviced and the store goes on; one it cannot is fixed
 * up — the store is abandoned and `failed` is set — and the caller carries on with the next.
 */
export class UserStores {
  failed = false;

  constructor(private readonly k: Kernel) {}

  /** Stores bytes page by page (a __copy_to_user); false if a page could not be written. */
  *put(va: number, bytes: Uint8Array): Gen<boolean> {
    let done = 0;
    while (done < bytes.length) {
      const at = va + done;
      const n = Math.min(bytes.length - done, PAGE_SIZE - (at & (PAGE_SIZE - 1)));
      try {
        this.k.cpu.writeBytes(at, bytes.subarray(done, done + n), MODE_KERNEL);
        done += n;
      } catch (e) {
        if (!(e instanceof Trap)) throw e;
        const verdict = yield { kind: 'trap', trap: e };
        if (verdict === FAULT_FIXUP) {
          this.failed = true;
          return false;
        }
      }
    }
    return true;
  }

  /** One integer store (put_user_ex of its width). */
  *int(va: number, v: I64 | bigint, bytes: number): Gen<boolean> {
    if ((va & (PAGE_SIZE - 1)) + bytes > PAGE_SIZE || bytes === 1) return yield* this.put(va, leBytes(v, bytes));
    // The common case, a store inside one page, without building a byte array.
    const cpu = this.k.cpu;
    for (;;) {
      try {
        if (bytes === 8) cpu.w64(va, typeof v === 'bigint' ? norm64(BigInt.asIntN(64, v)) : v, MODE_KERNEL);
        else if (bytes === 4) cpu.w32(va, Number(BigInt.asUintN(32, BigInt(v))), MODE_KERNEL);
        else cpu.w16(va, Number(BigInt.asUintN(16, BigInt(v))), MODE_KERNEL);
        return true;
      } catch (e) {
        if (!(e instanceof Trap)) throw e;
        const verdict = yield { kind: 'trap', trap: e };
        if (verdict === FAULT_FIXUP) {
          this.failed = true;
          return false;
        }
      }
    }
  }
}

/** The union member a kernel si_code selects, at the arch's offsets. */
function siginfoFields(L: SigframeLayout, info: KSigInfo): { offset: number; bytes: number; value: I64 }[] {
  const u = L.siUnion;
  const w = L.wordBytes;
  const pidUid = [{ offset: u, bytes: 4, value: info.pid }, { offset: u + 4, bytes: 4, value: info.uid }];
  switch (info.code & __SI_MASK) {
    case __SI_KILL:
      return pidUid;
    case __SI_TIMER:
      return [{ offset: u, bytes: 4, value: info.tid }, { offset: u + 4, bytes: 4, value: info.overrun }, { offset: u + 8, bytes: w, value: info.value }];
    case __SI_POLL:
      return [{ offset: u, bytes: w, value: info.band }, { offset: u + w, bytes: 4, value: info.fd }];
    case __SI_FAULT:
      return [{ offset: u, bytes: w, value: info.addr }];
    case __SI_CHLD:
      return [...pidUid, { offset: u + 8, bytes: 4, value: info.status }, { offset: u + L.siUtime, bytes: w, value: info.utime }, { offset: u + L.siUtime + w, bytes: w, value: info.stime }];
    case __SI_RT:
    case __SI_MESGQ:
      return [...pidUid, { offset: u + 8, bytes: w, value: info.value }];
    default:
      return pidUid;
  }
}

/** The whole kernel siginfo as bytes (what a negative si_code copies; unused parts are 0). */
export function siginfoBytes(L: SigframeLayout, info: KSigInfo): Uint8Array {
  const out = new Uint8Array(SIGINFO_BYTES);
  const put = (offset: number, bytes: number, v: I64) => out.set(leBytes(v, bytes), offset);
  put(0, 4, info.signo);
  put(4, 4, info.errno);
  put(8, 4, info.code);
  for (const f of siginfoFields(L, info)) put(f.offset, f.bytes, f.value);
  return out;
}

/**
 * copy_siginfo_to_user: access_ok over the whole siginfo; a negative si_code (sent from user
 * space) copies everything; otherwise signo, errno, (short)code and the union member the code's
 * class selects, one store each — padding is never copied. True when every store succeeded.
 */
export function* copySiginfoToUser(k: Kernel, L: SigframeLayout, out: UserStores, to: number, info: KSigInfo): Gen<boolean> {
  if (!k.uaccess.accessOk(to, SIGINFO_BYTES)) return false;
  if (info.code < 0) return yield* out.put(to, siginfoBytes(L, info));
  let ok = yield* out.int(to, info.signo, 4);
  ok = (yield* out.int(to + 4, info.errno, 4)) && ok;
  ok = (yield* out.int(to + 8, userSiCode(info.code), 4)) && ok;
  for (const f of siginfoFields(L, info)) ok = (yield* out.int(to + f.offset, f.value, f.bytes)) && ok;
  return ok;
}

/** What __setup_rt_frame needs to know. */
export interface FrameRequest {
  sig: number;
  info: KSigInfo;
  saFlags: number;
  restorer: I64;
  /** The mask the handler's sigreturn restores (sigmask_to_save). */
  savedMask: bigint;
  regs: UserRegs;
  trap: TrapRecord;
  altStack: { sp: number; sizeBytes: number };
  /** Where pretcode points without SA_RESTORER (i386's vDSO sigreturn); undefined: none. */
  defaultRestorer: number | undefined;
}

/** on_sig_stack(): the stack grows down, so the top byte of the area belongs to it. */
export function onSigStack(sp: number, alt: { sp: number; sizeBytes: number }): boolean {
  return sp > alt.sp && sp - alt.sp <= alt.sizeBytes;
}

/** sas_ss_flags(): what uc_stack.ss_flags and sigaltstack's old flags report. */
export function sasSsFlags(sp: number, alt: { sp: number; sizeBytes: number }): number {
  if (alt.sizeBytes === 0) return SS_DISABLE;
  return onSigStack(sp, alt) ? SS_ONSTACK : 0;
}

/**
 * get_sigframe: below the red zone (x86_64), on the alternate stack if the handler asked for it
 * and the task is not already there, aligned as the ABI wants the handler's stack on entry. A
 * frame that would overflow the alternate stack gets an address that can never be written.
 */
export function getSigframe(L: SigframeLayout, req: FrameRequest): number {
  let sp = req.regs.sp;
  const onStack = onSigStack(sp, req.altStack);
  sp -= L.redZoneBytes;
  if (!onStack && req.saFlags & SA_ONSTACK && req.altStack.sizeBytes !== 0) sp = req.altStack.sp + req.altStack.sizeBytes;
  sp = L.align(sp - L.frameBytes);
  if (onStack && !onSigStack(sp, req.altStack)) return -1;
  return sp;
}

function sigcontextValues(L: SigframeLayout, req: FrameRequest): Record<string, I64> {
  return {
    ...L.selectors,
    sp: req.regs.sp,
    sp_at_signal: req.regs.sp,
    ip: req.regs.ip,
    flags: USER_EFLAGS,
    trapno: req.trap.trapNr,
    err: req.trap.errorCode,
    cr2: req.trap.cr2,
    oldmask: Number(req.savedMask & (L.wordBytes === 8 ? 0xffffffffffffffffn : 0xffffffffn)),
  };
}

function* setupSigcontext(L: SigframeLayout, out: UserStores, sc: number, req: FrameRequest): Gen<void> {
  const values = sigcontextValues(L, req);
  for (const f of L.sigcontext) yield* out.int(sc + f.offset, values[f.name] ?? 0, f.bytes);
}

/**
 * __setup_rt_frame for the running arch. Returns the frame's address, or -EFAULT-like -1 when
 * the frame could not be written (the caller then forces SIGSEGV).
 */
export function* setupRtFrame(k: Kernel, L: SigframeLayout, req: FrameRequest): Gen<number> {
  const frame = getSigframe(L, req);
  if (!k.uaccess.accessOk(frame, L.frameBytes)) return -1;
  const out = new UserStores(k);
  const w = L.wordBytes;
  const uc = frame + L.uc;
  const ucontextHead = function* (): Gen<void> {
    yield* out.int(uc + L.ucFlags, 0, w);
    yield* out.int(uc + L.ucLink, 0, w);
    yield* out.int(uc + L.ucStack, req.altStack.sp, w);
    yield* out.int(uc + L.ucStack + L.stackFlags, sasSsFlags(req.regs.sp, req.altStack), 4);
    yield* out.int(uc + L.ucStack + L.stackSize, req.altStack.sizeBytes, w);
  };
  const restorer = req.saFlags & SA_RESTORER ? req.restorer : req.defaultRestorer;
  if (w === 8) {
    if (req.saFlags & SA_SIGINFO && !(yield* copySiginfoToUser(k, L, out, frame + L.info, req.info))) return -1;
    yield* ucontextHead();
    yield* setupSigcontext(L, out, uc + L.mcontext, req);
    yield* out.int(uc + L.sigmask, req.savedMask, SIGSET_BYTES);
    // x86_64 has no vDSO trampoline for this: without SA_RESTORER the frame is refused.
    if (req.saFlags & SA_RESTORER) yield* out.int(frame + L.pretcode, req.restorer, w);
    else out.failed = true;
  } else {
    yield* out.int(frame + L.sig!, req.sig, 4);
    yield* out.int(frame + L.pinfo!, frame + L.info, 4);
    yield* out.int(frame + L.puc!, uc, 4);
    yield* ucontextHead();
    if (restorer === undefined) out.failed = true;
    else yield* out.int(frame + L.pretcode, restorer, 4);
    yield* out.put(frame + L.retcode!, I386_RT_RETCODE);
    if (!(yield* copySiginfoToUser(k, L, out, frame + L.info, req.info))) out.failed = true;
    yield* setupSigcontext(L, out, uc + L.mcontext, req);
    yield* out.int(uc + L.sigmask, req.savedMask, SIGSET_BYTES);
  }
  return out.failed ? -1 : frame;
}

/** What rt_sigreturn reads back from a frame. */
export interface FrameContents {
  mask: bigint;
  ip: I64;
  sp: I64;
  ax: I64;
  stack: { sp: I64; flags: number; sizeBytes: I64 };
}

/** Reads user bytes from kernel code; undefined if a fault was fixed up (__copy_from_user). */
function* readUser(k: Kernel, va: number, n: number): Gen<Uint8Array | undefined> {
  return yield* k.uaccess.readUser(va, n);
}

/**
 * The reads of sys_rt_sigreturn: the frame sits one word below sp (the handler's ret popped
 * pretcode). Undefined for a bad frame.
 */
export function* readRtFrame(k: Kernel, L: SigframeLayout, frame: number): Gen<FrameContents | undefined> {
  if (!k.uaccess.accessOk(frame, L.frameBytes)) return undefined;
  const uc = frame + L.uc;
  const mask = yield* readUser(k, uc + L.sigmask, SIGSET_BYTES);
  if (!mask) return undefined;
  const sc = yield* readUser(k, uc + L.mcontext, L.sigcontextBytes);
  if (!sc) return undefined;
  const st = yield* readUser(k, uc + L.ucStack, L.stackBytes);
  if (!st) return undefined;
  const field = (name: string) => {
    const f = L.sigcontext.find((x) => x.name === name)!;
    return fromLe(sc, f.offset, f.bytes);
  };
  return {
    mask: BigInt(fromLe(mask, 0, SIGSET_BYTES)) & 0xffffffffffffffffn,
    ip: field('ip'),
    sp: field('sp'),
    ax: field('ax'),
    stack: { sp: fromLe(st, 0, L.wordBytes), flags: Number(fromLe(st, L.stackFlags, 4)), sizeBytes: fromLe(st, L.stackSize, L.wordBytes) },
  };
}

/** The handler's three arguments: sig, &frame->info, &frame->uc (registers or i386 stack words). */
export function handlerArgs(L: SigframeLayout, sig: number, frame: number): Value[] {
  return [sig, add64(frame, L.info), add64(frame, L.uc)];
}
