/**
 * Tasks: task_struct, its kernel stack with thread_info at the bottom (THREAD_SIZE, as on 3.7
 * x86), credentials, the fd table, and the executor thread that runs the task's frames.
 */
import { Thread } from '../exec/thread';
import type { I64 } from '../util/int64';
import type { Kernel } from './kernel';
import type { Mm } from './mm';

export const TASK_RUNNING = 0;
export const TASK_INTERRUPTIBLE = 1;
export const TASK_UNINTERRUPTIBLE = 2;
export const EXIT_ZOMBIE = 16;
export const EXIT_DEAD = 32;
export const PF_KTHREAD = 0x00200000;

export interface Credentials {
  uid: number;
  gid: number;
  euid: number;
  egid: number;
  /** The saved set-user-ID (setuid may go back to it); the real uid when not given. */
  suid?: number;
}

/** What a user program wrote, and how it ended, for the CLI and the checks. */
export interface ProgramRecord {
  path: string;
  args: string[];
  stdout: number[];
  stderr: number[];
  exitCode: number | undefined;
  signal: number | undefined;
}

export class Task {
  readonly thread: Thread;
  /** The task_struct in kernel memory. */
  readonly va: number;
  /** Base of the kernel stack (thread_info lives here). */
  readonly stackVa: number;
  mm: Mm | undefined;
  activeMm: Mm | undefined;
  /** File descriptors → struct file addresses. */
  readonly fds = new Map<number, number>();
  exitCode: number | undefined;
  termSignal: number | undefined;
  exited = false;
  program: ProgramRecord | undefined;
  /** Signals pending delivery (issue: signals). */
  pendingSignals: { signo: number; code: number; addr: I64 }[] = [];
  /** Preemption/softirq nesting (in_atomic()). */
  preemptCount = 0;
  /** Softirq nesting (in_softirq(), in_interrupt()): a timer is running on top of this task. */
  inSoftirq = 0;
  /** A sleeping task wakes when emulated time reaches this. */
  wakeAtNs: number | undefined;
  /** kthread_stop() asked this kernel thread to finish. */
  kthreadShouldStop = false;
  /** Locks held, for the lock checker. */
  readonly heldLocks: { va: number; kind: string; name: string }[] = [];
  /** Why the task waits, when it does. */
  waitReason = '';

  constructor(
    readonly k: Kernel,
    readonly pid: number,
    readonly comm: string,
    readonly kind: 'user' | 'kernel',
    readonly cred: Credentials,
    readonly parent: Task | undefined,
  ) {
    this.thread = new Thread(pid, comm, this);
    const s = k.structs;
    const TS = s.get('task_struct');
    this.va = k.slab.kmallocNoTrack(TS.sizeBytes, 'task_struct');
    TS.zero(this.va);
    const stackPfn = k.pages.alloc(1, 0, 'kstack');
    if (stackPfn === undefined) throw new Error('out of memory for a kernel stack');
    this.stackVa = k.directMapVa(stackPfn * 4096);
    const TI = s.get('thread_info');
    TI.zero(this.stackVa);
    TI.set(this.stackVa, 'task', this.va);
    TI.set(this.stackVa, 'addr_limit.seg', kind === 'kernel' ? -1 : k.arch.layout.taskSize);
    const threadBytes = k.arch.layout.threadSizeBytes;
    this.thread.kstackLo = this.stackVa + TI.sizeBytes;
    this.thread.kstackHi = this.stackVa + threadBytes;
    this.thread.ksp = this.thread.kstackHi;
    TS.set(this.va, 'state', TASK_RUNNING);
    TS.set(this.va, 'stack', this.stackVa);
    TS.set(this.va, 'usage', 2);
    TS.set(this.va, 'flags', kind === 'kernel' ? PF_KTHREAD : 0);
    TS.set(this.va, 'prio', 120);
    TS.set(this.va, 'static_prio', 120);
    TS.set(this.va, 'normal_prio', 120);
    TS.set(this.va, 'pid', pid);
    TS.set(this.va, 'tgid', pid);
    TS.set(this.va, 'real_parent', parent?.va ?? this.va);
    TS.set(this.va, 'parent', parent?.va ?? this.va);
    TS.set(this.va, 'group_leader', this.va);
    k.km.fill(TS.addr(this.va, 'children'), 0, 0);
    const list = (field: string) => {
      const a = TS.addr(this.va, field);
      k.km.wptr(a, a);
      k.km.wptr(a + k.arch.abi.ptrBytes, a);
    };
    list('children');
    list('sibling');
    list('tasks');
    const CR = s.get('cred');
    const credVa = k.slab.kmallocNoTrack(CR.sizeBytes, 'cred');
    CR.zero(credVa);
    CR.set(credVa, 'usage', 1);
    TS.set(this.va, 'real_cred', credVa);
    TS.set(this.va, 'cred', credVa);
    this.writeCred();
    k.km.writeCString(TS.addr(this.va, 'comm'), comm.slice(0, 15));
  }

  /** preempt_count() as Linux packs it: preemption depth in the low byte, softirqs at 0x100 each. */
  get preemptCountWord(): number {
    return this.preemptCount - this.inSoftirq + this.inSoftirq * 0x100;
  }

  /**
   * Writes `cred` into the task's struct cred (what drivers read through current_cred()): the
   * saved and file-system ids follow the effective ones, and capabilities are all or nothing by
   * euid, as for root and ordinary users.
   */
  writeCred(): void {
    const CR = this.k.structs.get('cred');
    const credVa = this.k.structs.get('task_struct').num(this.va, 'cred');
    const c = this.cred;
    const suid = c.suid ?? c.uid;
    for (const [f, v] of [['uid', c.uid], ['gid', c.gid], ['suid', suid], ['sgid', c.gid], ['euid', c.euid], ['egid', c.egid], ['fsuid', c.euid], ['fsgid', c.egid]] as const) {
      CR.set(credVa, f, v);
    }
    const caps = c.euid === 0 ? 0xffffffff : 0;
    for (const f of ['cap_permitted.cap', 'cap_effective.cap', 'cap_bset.cap']) {
      CR.set(credVa, f, caps);
      this.k.km.w32(CR.addr(credVa, f) + 4, c.euid === 0 ? 0x3f : 0);
    }
  }

  get threadInfoVa(): number {
    return this.stackVa;
  }

  /** current_thread_info()->addr_limit.seg: what access_ok checks against. */
  get addrLimit(): I64 {
    return this.k.structs.get('thread_info').get(this.stackVa, 'addr_limit.seg');
  }

  set addrLimit(v: I64) {
    this.k.structs.get('thread_info').set(this.stackVa, 'addr_limit.seg', v);
  }

  setState(state: number): void {
    this.k.structs.get('task_struct').set(this.va, 'state', state);
  }

  get state(): number {
    return this.k.structs.get('task_struct').num(this.va, 'state');
  }

  setMm(mm: Mm | undefined, active: Mm | undefined): void {
    this.mm = mm;
    this.activeMm = active;
    const TS = this.k.structs.get('task_struct');
    TS.set(this.va, 'mm', mm?.va ?? 0);
    TS.set(this.va, 'active_mm', active?.va ?? 0);
  }
}
