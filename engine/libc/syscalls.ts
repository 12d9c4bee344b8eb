/**
 * The thin wrappers over system calls (unistd.h, fcntl.h, sys/mman.h, sys/ioctl.h, sys/stat.h,
 * time.h; signal.h's are in signal.ts): arguments passed through as registers would carry them, a raw result in
 * -4095..-1 turned into errno and -1 (MAP_FAILED for mmap), as glibc does. syscall() maps the
 * x86_64 (or i386) number to the kernel's routine by name.
 */
import type { Value } from '../exec/types';
import { ENOSYS, EINTR, EINVAL, isSyscallError } from './errno';
import { TIMESPEC_OFFSET } from './layout';
import type { LibcProcess } from './process';
import type { DefineRoutine } from './routine';
import { toAddress, type Step } from './usermem';

const O_CREAT = 0o100;
const O_WRONLY = 1;
const O_TRUNC = 0o1000;
const O_TMPFILE = 0o20200000;
const PAGE_SIZE = 4096;
const SC_CLK_TCK = 2;
const SC_OPEN_MAX = 4;
const SC_PAGESIZE = 30;
const SC_NPROCESSORS_CONF = 83;
const SC_NPROCESSORS_ONLN = 84;

/**
 * time(NULL) without a kernel clock: 2013-01-01 00:00:00 UTC, a moment when Linux 3.7 was
 * current. Fixed, so runs are reproducible.
 */
export const FIXED_EPOCH_SECONDS = 1356998400;

const X86_64_SYSCALLS: Record<number, string> = {
  0: 'read', 1: 'write', 2: 'open', 3: 'close', 4: 'stat', 5: 'fstat', 8: 'lseek', 9: 'mmap', 10: 'mprotect',
  11: 'munmap', 12: 'brk', 13: 'rt_sigaction', 14: 'rt_sigprocmask', 15: 'rt_sigreturn', 16: 'ioctl', 17: 'pread64', 18: 'pwrite64',
  21: 'access', 22: 'pipe', 24: 'sched_yield', 25: 'mremap', 26: 'msync', 27: 'mincore', 28: 'madvise', 32: 'dup',
  33: 'dup2', 34: 'pause', 35: 'nanosleep', 37: 'alarm', 39: 'getpid', 60: 'exit', 62: 'kill', 63: 'uname', 72: 'fcntl', 79: 'getcwd',
  85: 'creat', 87: 'unlink', 102: 'getuid', 104: 'getgid', 105: 'setuid', 107: 'geteuid', 108: 'getegid',
  110: 'getppid', 127: 'rt_sigpending', 130: 'rt_sigsuspend', 131: 'sigaltstack', 149: 'mlock', 150: 'munlock', 186: 'gettid',
  200: 'tkill', 201: 'time', 219: 'restart_syscall', 231: 'exit_group', 234: 'tgkill',
};

const I386_SYSCALLS: Record<number, string> = {
  0: 'restart_syscall', 1: 'exit', 3: 'read', 4: 'write', 5: 'open', 6: 'close', 8: 'creat', 10: 'unlink', 13: 'time', 19: 'lseek', 20: 'getpid',
  23: 'setuid', 24: 'getuid', 27: 'alarm', 29: 'pause', 33: 'access', 37: 'kill', 41: 'dup', 42: 'pipe', 45: 'brk', 47: 'getgid',
  49: 'geteuid', 50: 'getegid', 54: 'ioctl', 55: 'fcntl', 63: 'dup2', 64: 'getppid', 67: 'sigaction', 91: 'munmap', 106: 'stat',
  108: 'fstat', 122: 'uname', 125: 'mprotect', 144: 'msync', 150: 'mlock', 151: 'munlock', 158: 'sched_yield',
  162: 'nanosleep', 163: 'mremap', 173: 'rt_sigreturn', 174: 'rt_sigaction', 175: 'rt_sigprocmask', 176: 'rt_sigpending',
  179: 'rt_sigsuspend', 180: 'pread64', 181: 'pwrite64', 183: 'getcwd', 186: 'sigaltstack', 192: 'mmap2', 218: 'mincore',
  219: 'madvise', 221: 'fcntl', 224: 'gettid', 238: 'tkill', 252: 'exit_group', 270: 'tgkill',
};

export function syscallName(number: number, ptrBytes: 4 | 8): string | undefined {
  return (ptrBytes === 8 ? X86_64_SYSCALLS : I386_SYSCALLS)[number];
}

/** A wrapper whose C result is int. */
function intCall(name: string, argc: number) {
  return (p: LibcProcess, a: Value[]) => p.syscall(name, a.slice(0, argc));
}

/** A wrapper whose C result is long, ssize_t or off_t. */
function longCall(name: string, argc: number) {
  return function* (p: LibcProcess, a: Value[]): Step<Value> {
    return p.abi.retLong(yield* p.syscall(name, a.slice(0, argc)));
  };
}

/** Writes a struct timespec into libc's scratch and returns its address. */
function* timespec(p: LibcProcess, seconds: number, nanoseconds: number, slot: 0 | 1): Step<number> {
  const va = p.dataVa + TIMESPEC_OFFSET + 16 * slot;
  if (p.host.longBytes === 8) {
    yield* p.mem.w64(va, seconds);
    yield* p.mem.w64(va + 8, nanoseconds);
  } else {
    yield* p.mem.w32(va, seconds);
    yield* p.mem.w32(va + 4, nanoseconds);
  }
  return va;
}

function* sleepSeconds(p: LibcProcess, seconds: number): Step<number> {
  const req = yield* timespec(p, seconds, 0, 0);
  const rem = req + 16;
  const r = yield* p.syscallRaw('nanosleep', [req, rem]);
  if (r === -EINTR) {
    const left = p.host.longBytes === 8 ? yield* p.mem.i64(rem) : yield* p.mem.i32(rem);
    const nsec = p.host.longBytes === 8 ? yield* p.mem.i64(rem + 8) : yield* p.mem.i32(rem + 4);
    return Number(left) + (Number(nsec) >= 500000000 ? 1 : 0);
  }
  return isSyscallError(r) ? seconds : 0;
}

/** (void *)-1 under the ABI. */
function mapFailed(p: LibcProcess): number {
  return p.host.ptrBytes === 8 ? -1 : 0xffffffff;
}

function* mmap(p: LibcProcess, a: Value[]): Step<Value> {
  const r = yield* p.syscall('mmap', a.slice(0, 6));
  if (r === -1) return mapFailed(p);
  return p.host.ptrBytes === 4 ? r >>> 0 : r;
}

/** mremap's fifth argument (the new address) is read only with MREMAP_FIXED, as glibc does. */
function* mremap(p: LibcProcess, a: Value[]): Step<Value> {
  const fixed = (Number(a[3]) & 2) !== 0;
  const r = yield* p.syscall('mremap', [a[0], a[1], a[2], a[3], fixed ? (a[4] ?? 0) : 0]);
  if (r === -1) return mapFailed(p);
  return p.host.ptrBytes === 4 ? r >>> 0 : r;
}

function* anySyscall(p: LibcProcess, a: Value[]): Step<Value> {
  const number = Number(p.abi.long(a[0]));
  let name = syscallName(number, p.host.ptrBytes);
  let args = a.slice(1, 7);
  if (name === 'mmap2') {
    // i386's mmap2 counts the offset in pages; the kernel's mmap takes bytes.
    name = 'mmap';
    args = [...args.slice(0, 5), Number(p.abi.long(args[5] ?? 0)) * PAGE_SIZE];
  }
  if (name === 'exit' && p.host.syscall('exit') === undefined) name = 'exit_group';
  if (name === undefined || p.host.syscall(name) === undefined) {
    yield* p.setErrno(ENOSYS);
    return p.abi.retLong(-1);
  }
  return p.abi.retLong(yield* p.syscall(name, args));
}

export function defineSyscalls(def: DefineRoutine): void {
  def('read(fd, buf, count)', longCall('read', 3));
  def('write(fd, buf, count)', longCall('write', 3));
  def('pread(fd, buf, count, offset)', longCall('pread64', 4));
  def('pwrite(fd, buf, count, offset)', longCall('pwrite64', 4));
  def('close(fd)', intCall('close', 1));
  def('lseek(fd, offset, whence)', longCall('lseek', 3));
  def('getpid()', intCall('getpid', 0));
  def('getppid()', intCall('getppid', 0));
  def('getuid()', function* (p) {
    return (yield* p.syscall('getuid', [])) >>> 0;
  });
  def('geteuid()', function* (p) {
    return (yield* p.syscall('geteuid', [])) >>> 0;
  });
  def('getgid()', function* (p) {
    return (yield* p.syscall('getgid', [])) >>> 0;
  });
  def('setuid(uid)', intCall('setuid', 1));
  def('brk(addr)', (p, a) => p.brk(toAddress(a[0])));
  def('sbrk(increment)', function* (p, a) {
    const old = yield* p.sbrk(Number(p.abi.long(a[0])));
    return old === -1 ? mapFailed(p) : old;
  });
  def('getpagesize()', () => PAGE_SIZE);
  def('sysconf(name)', function* (p, a) {
    switch (p.abi.int(a[0])) {
      case SC_PAGESIZE: return PAGE_SIZE;
      case SC_CLK_TCK: return 100;
      case SC_OPEN_MAX: return 1024;
      case SC_NPROCESSORS_CONF:
      case SC_NPROCESSORS_ONLN: return 1;
      default:
        yield* p.setErrno(EINVAL);
        return p.abi.retLong(-1);
    }
  });
  def('sleep(seconds)', (p, a) => sleepSeconds(p, p.abi.int(a[0]) >>> 0));
  def('usleep(usec)', function* (p, a) {
    const us = p.abi.int(a[0]) >>> 0;
    const req = yield* timespec(p, Math.floor(us / 1e6), (us % 1e6) * 1000, 0);
    return yield* p.syscall('nanosleep', [req, 0]);
  });
  def('nanosleep(req, rem)', intCall('nanosleep', 2));
  def('pause()', intCall('pause', 0));
  def('dup(oldfd)', intCall('dup', 1));
  def('dup2(oldfd, newfd)', intCall('dup2', 2));
  def('unlink(path)', intCall('unlink', 1));
  def('access(path, mode)', intCall('access', 2));
  def('syscall(number, ...)', anySyscall);

  def('open(path, flags, ...)', (p, a) => {
    const flags = p.abi.int(a[1]);
    const wantsMode = (flags & O_CREAT) !== 0 || (flags & O_TMPFILE) === O_TMPFILE;
    return p.syscall('open', [a[0], flags, wantsMode ? p.abi.int(a[2] ?? 0) >>> 0 : 0]);
  });
  def('creat(path, mode)', (p, a) => p.syscall('open', [a[0], O_CREAT | O_WRONLY | O_TRUNC, a[1]]));
  def('fcntl(fd, cmd, ...)', (p, a) => p.syscall('fcntl', [a[0], a[1], a[2] ?? 0]));
  def('ioctl(fd, request, ...)', (p, a) => p.syscall('ioctl', [a[0], a[1], a[2] ?? 0]));
  def('stat(path, buf)', intCall('stat', 2));
  def('fstat(fd, buf)', intCall('fstat', 2));

  def('mmap(addr, length, prot, flags, fd, offset)', mmap);
  def('munmap(addr, length)', intCall('munmap', 2));
  def('mprotect(addr, len, prot)', intCall('mprotect', 3));
  def('msync(addr, length, flags)', intCall('msync', 3));
  def('mlock(addr, len)', intCall('mlock', 2));
  def('munlock(addr, len)', intCall('munlock', 2));
  def('mremap(old_address, old_size, new_size, flags, ...)', mremap);


  def('time(tloc)', function* (p, a) {
    const tloc = toAddress(a[0]);
    let now = FIXED_EPOCH_SECONDS;
    if (p.host.syscall('time') !== undefined) {
      const r = yield* p.syscall('time', [0]);
      if (r !== -1) now = r;
    }
    if (tloc !== 0) {
      if (p.host.longBytes === 8) yield* p.mem.w64(tloc, now);
      else yield* p.mem.w32(tloc, now);
    }
    return p.abi.retLong(now);
  });
  def('getegid()', function* (p) {
    return (yield* p.syscall('getegid', [])) >>> 0;
  });
  def('sched_yield()', intCall('sched_yield', 0));
  def('uname(buf)', intCall('uname', 1));
  def('mincore(addr, length, vec)', intCall('mincore', 3));
  def('madvise(addr, length, advice)', intCall('madvise', 3));
  // The system call returns the length; getcwd returns the buffer, or NULL with errno.
  def('getcwd(buf, size)', function* (p, a) {
    const r = yield* p.syscall('getcwd', a.slice(0, 2));
    return r < 0 ? 0 : a[0];
  });
}
