/**
 * libc's state for one process (glibc keeps it in its .data): errno's address, the heap, the
 * stdio streams, atexit handlers, rand's state, strtok's position, the program break. Created at
 * exec by `Libc.attach` and found again from the running thread.
 */
import type { Thread } from '../exec/thread';
import type { Value } from '../exec/types';
import { CAbi } from './abi';
import { isSyscallError, ENOSYS, ENOMEM, EINTR } from './errno';
import {
  ARENA_OFFSET, ERRNO_OFFSET, SCRATCH_BYTES, SCRATCH_OFFSET, SIGACTION_OFFSET,
} from './layout';
import { Heap, type HeapHost } from './malloc';
import type { LibcHost } from './port';
import { RandomState } from './random';
import { Stdio } from './stdio/streams';
import { UserMemory, asNumber, type Step } from './usermem';

const SIGABRT = 6;
/** The kernel's restart codes (include/linux/errno.h), which only a wrapper ever sees. */
const ERESTARTSYS = 512;
const ERESTARTNOINTR = 513;
const ERESTARTNOHAND = 514;
const ERESTART_RESTARTBLOCK = 516;
const SIG_UNBLOCK = 1;
const PROT_READ_WRITE = 3;
const MAP_PRIVATE_ANONYMOUS = 0x22;

export class LibcProcess {
  readonly mem: UserMemory;
  readonly abi: CAbi;
  readonly errnoVa: number;
  /** Where libc puts bytes of its own that a system call must read from user memory. */
  readonly scratchVa: number;
  readonly heap: Heap;
  readonly stdio: Stdio;
  readonly random = new RandomState();
  /** atexit handlers, in registration order. */
  readonly atexitHandlers: number[] = [];
  /** strtok's saved position (0: none). */
  strtokNext = 0;
  /** glibc's __curbrk: 0 until the first brk/sbrk asks the kernel. */
  curBrk = 0;

  constructor(
    readonly host: LibcHost,
    readonly thread: Thread,
    readonly dataVa: number,
    /** argv[0]'s base name, as glibc's __progname. */
    readonly programName: string,
  ) {
    this.mem = new UserMemory(host.cpu, host.ptrBytes);
    this.abi = new CAbi(host.ptrBytes, host.longBytes);
    this.errnoVa = dataVa + ERRNO_OFFSET;
    this.scratchVa = dataVa + SCRATCH_OFFSET;
    this.heap = new Heap(this.heapHost());
    this.stdio = new Stdio(this);
  }

  // ---- errno -----------------------------------------------------------------------------------

  setErrno(e: number): Step<void> {
    return this.mem.w32(this.errnoVa, e);
  }

  errno(): Step<number> {
    return this.mem.i32(this.errnoVa);
  }

  // ---- system calls ----------------------------------------------------------------------------

  /**
   * The raw result (a negative errno on failure); -ENOSYS when the kernel lacks the call. A
   * restart code means a signal interrupted the call and the kernel wants it run again (on x86
   * it moves ip back onto the syscall instruction): the same call, or restart_syscall.
   */
  *syscallRaw(name: string, args: Value[]): Step<number> {
    let target = this.host.syscall(name);
    if (target === undefined) return -ENOSYS;
    for (;;) {
      let r = asNumber(yield { kind: 'call', target, args });
      if (this.host.longBytes === 4 && r > 0x7fffffff) r |= 0;
      if (r === -ERESTARTSYS || r === -ERESTARTNOINTR || r === -ERESTARTNOHAND) continue;
      if (r !== -ERESTART_RESTARTBLOCK) return r;
      const restart = this.host.syscall('restart_syscall');
      if (restart === undefined) return -EINTR;
      target = restart;
      args = [];
    }
  }

  /** A glibc wrapper: errno set and -1 returned on failure. */
  *syscall(name: string, args: Value[]): Step<number> {
    const r = yield* this.syscallRaw(name, args);
    if (isSyscallError(r)) {
      yield* this.setErrno(-r);
      return -1;
    }
    return r;
  }

  /** Writes bytes libc generated itself to fd: through the scratch area, in pieces, retrying short writes. */
  *writeFd(fd: number, bytes: Uint8Array): Step<number> {
    const scratch = this.scratchVa;
    let done = 0;
    while (done < bytes.length) {
      const n = Math.min(SCRATCH_BYTES, bytes.length - done);
      yield* this.mem.write(scratch, bytes.subarray(done, done + n));
      let sent = 0;
      while (sent < n) {
        const r = yield* this.syscall('write', [fd, scratch + sent, n - sent]);
        if (r <= 0) return done + sent > 0 ? done + sent : -1;
        sent += r;
      }
      done += n;
    }
    return done;
  }

  // ---- the program break -----------------------------------------------------------------------

  /** glibc's __brk: asks the kernel; fails with ENOMEM when the break did not reach addr. */
  *brk(addr: number): Step<number> {
    const now = asNumber(yield* this.syscallRaw('brk', [addr]));
    this.curBrk = now;
    if (now < addr) {
      yield* this.setErrno(ENOMEM);
      return -1;
    }
    return 0;
  }

  /** glibc's __sbrk: the old break, or -1. */
  *sbrk(increment: number): Step<number> {
    if (this.curBrk === 0 && (yield* this.brk(0)) < 0) return -1;
    if (increment === 0) return this.curBrk;
    const old = this.curBrk;
    if (increment < 0 && -increment > old) {
      yield* this.setErrno(ENOMEM);
      return -1;
    }
    if ((yield* this.brk(old + increment)) < 0) return -1;
    return old;
  }

  // ---- dying -----------------------------------------------------------------------------------

  /** abort(): no flushing; SIGABRT, and if a handler returns, SIGABRT again with the default action. */
  *abort(): Step<never> {
    const scratch = this.dataVa + SIGACTION_OFFSET;
    yield* this.mem.fill(scratch, 0, 32);
    yield* this.mem.w32(scratch, 1 << (SIGABRT - 1));
    yield* this.syscallRaw('rt_sigprocmask', [SIG_UNBLOCK, scratch, 0, 8]);
    yield* this.raise(SIGABRT);
    yield* this.mem.fill(scratch, 0, 32);
    yield* this.syscallRaw('rt_sigaction', [SIGABRT, scratch, 0, 8]);
    yield* this.raise(SIGABRT);
    yield* this.syscallRaw('exit_group', [127]);
    for (;;) yield { kind: 'block', reason: 'abort' };
  }

  /** raise(): tgkill to the calling thread (si_code SI_TKILL), as NPTL's raise does. */
  *raise(sig: number): Step<number> {
    const pid = yield* this.syscallRaw('getpid', []);
    if (this.host.syscall('tgkill') === undefined) return yield* this.syscall('kill', [pid, sig]);
    const tid = this.host.syscall('gettid') ? yield* this.syscallRaw('gettid', []) : pid;
    return yield* this.syscall('tgkill', [pid, tid, sig]);
  }

  /** glibc's fatal-error path (__libc_message): the text on stderr, unbuffered, then abort. */
  *fatal(message: string): Step<never> {
    const bytes = new Uint8Array(message.length);
    for (let i = 0; i < message.length; i++) bytes[i] = message.charCodeAt(i) & 0xff;
    yield* this.writeFd(2, bytes);
    return yield* this.abort();
  }

  // ---- the allocator's view --------------------------------------------------------------------

  private heapHost(): HeapHost {
    // Generator methods cannot be arrow functions, so they reach the process through a name.
    const proc = this;
    return {
      mem: this.mem,
      binHeadVa: this.dataVa + ARENA_OFFSET,
      sbrk: (increment) => proc.sbrk(increment),
      *mmap(sizeBytes) {
        const r = yield* proc.syscall('mmap', [0, sizeBytes, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0]);
        return r === -1 ? 0 : proc.host.ptrBytes === 4 ? r >>> 0 : r;
      },
      *munmap(va, sizeBytes) {
        yield* proc.syscall('munmap', [va, sizeBytes]);
      },
      corrupted: (message) => proc.fatal(message + '\n'),
    };
  }
}

/** Finds the process of the running thread. */
export class ProcessTable {
  private readonly byThread = new WeakMap<Thread, LibcProcess>();

  add(p: LibcProcess): void {
    this.byThread.set(p.thread, p);
  }

  of(thread: Thread): LibcProcess {
    const p = this.byThread.get(thread);
    if (p === undefined) throw new Error(`libc: thread ${thread.id} (${thread.name}) runs no process libc was attached to`);
    return p;
  }
}
