import type { Mode } from '../machine/cpu';
import { MODE_KERNEL } from '../machine/tlb';
import type { Frame, Value } from './types';

export type ThreadState = 'runnable' | 'blocked' | 'dead';

/**
 * An execution context: the stack of C and native frames of one task, with its user and kernel
 * stack pointers. C frames allocate their memory locals on the stack of their mode.
 */
export class Thread {
  readonly frames: Frame[] = [];
  state: ThreadState = 'runnable';
  /** Why the thread is blocked, for the debugger. */
  blockedOn = '';
  /** User stack pointer (0 for kernel threads). */
  usp = 0;
  /** Kernel stack pointer and the bounds of the kernel stack. */
  ksp = 0;
  kstackLo = 0;
  kstackHi = 0;
  exitValue: Value | undefined;

  constructor(
    readonly id: number,
    readonly name: string,
    /** The kernel's task this thread belongs to (opaque to the executor). */
    readonly owner: unknown,
  ) {}

  get top(): Frame | undefined {
    return this.frames[this.frames.length - 1];
  }

  /** The mode of the code running on top: C frames carry their function's, natives their own. */
  get mode(): Mode {
    const t = this.top;
    if (!t) return MODE_KERNEL;
    return t.kind === 'c' ? t.fn.mode : t.mode;
  }
}
