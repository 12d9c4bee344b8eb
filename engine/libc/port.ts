/**
 * What the C library needs from the machine it runs on. The kernel implements it; the library
 * knows nothing else of the kernel. Like a real libc, it reaches the kernel only through system
 * calls (native routines named after Linux's sys_* entries, called with raw register values and
 * returning the raw result: a negative errno on failure).
 */
import type { Cpu } from '../machine/cpu';
import type { NativeRoutine } from '../exec/types';
import type { Thread } from '../exec/thread';

export interface LibcHost {
  readonly cpu: Cpu;
  readonly ptrBytes: 4 | 8;
  readonly longBytes: 4 | 8;
  /**
   * The kernel's routine for a system call by its Linux name: 'read', 'write', 'open', 'close',
   * 'lseek', 'ioctl', 'mmap', 'munmap', 'mprotect', 'brk', 'getpid', 'getppid', 'getuid',
   * 'geteuid', 'getgid', 'exit_group', 'kill', 'rt_sigaction', 'rt_sigprocmask', 'nanosleep',
   * 'fstat', 'unlink', 'dup', 'dup2', 'fcntl', 'access'. Undefined if the kernel lacks it (the
   * wrapper then returns -1 with errno ENOSYS).
   */
  syscall(name: string): NativeRoutine | undefined;
}

/** Where a process's libc state lives, given by the kernel at exec time. */
export interface LibcProcessInit {
  thread: Thread;
  /** Start of libc's private read-write data (errno, FILE structures...), `dataBytes` long, zeroed. */
  dataVa: number;
}
