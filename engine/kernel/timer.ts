/**
 * timer_list: timers a driver arms with add_timer/mod_timer and that fire in softirq context once
 * jiffies reach their expiry. The timer_list lives in the driver's memory (function, data and
 * expires are read when it fires, as Linux does); the kernel keeps the set of pending ones. A
 * firing timer runs on top of whatever task it interrupts — `current` is that task, in_atomic()
 * is true, and a user page fault is not serviced.
 */
import type { NativeGen, NativeRoutine } from '../exec/types';
import type { I64 } from '../util/int64';
import { HZ, type Kernel } from './kernel';
import { KernelBug } from './oops';
import { call } from './routines';
import type { Task } from './task';

interface Pending {
  va: number;
  expires: I64;
  seq: number;
}

/** a - b as a signed long of `bits` bits: how time_after and friends survive the wrap. */
function jiffiesDiff(a: I64, b: I64, bits: number): number {
  return Number(BigInt.asIntN(bits, BigInt(a) - BigInt(b)));
}

export class Timers {
  private pending: Pending[] = [];
  private seq = 0;
  private readonly softirq: NativeRoutine;
  /** Address that pending timers' entry.next points at (the timer wheel's list head). */
  private readonly wheelVa: number;
  /** Timers fired so far, for the views. */
  fired = 0;

  constructor(private readonly k: Kernel) {
    this.wheelVa = k.kdataAlloc(16, 16);
    const r = k.routines;
    r.define('init_timer', ['timer'], (a) => {
      this.init(a[0] as number);
      return 0;
    });
    r.define('__kmemlab_setup_timer', ['timer', 'function', 'data'], (a) => {
      const T = this.T;
      this.init(a[0] as number);
      T.set(a[0] as number, 'function', a[1] as I64);
      T.set(a[0] as number, 'data', a[2] as I64);
      return 0;
    });
    r.define('add_timer', ['timer'], (a) => {
      if (this.isPending(a[0] as number)) throw new KernelBug('kernel/timer.c', 930, 'add_timer on a timer that is already pending (BUG_ON(timer_pending(timer)))');
      this.arm(a[0] as number, this.T.get(a[0] as number, 'expires'));
      return 0;
    });
    r.define('mod_timer', ['timer', 'expires'], (a) => {
      const was = this.detach(a[0] as number);
      this.T.set(a[0] as number, 'expires', a[1] as I64);
      this.arm(a[0] as number, a[1] as I64);
      return was ? 1 : 0;
    });
    r.define('del_timer', ['timer'], (a) => (this.detach(a[0] as number) ? 1 : 0));
    r.define('del_timer_sync', ['timer'], (a) => (this.detach(a[0] as number) ? 1 : 0));
    r.define('timer_pending', ['timer'], (a) => (this.isPending(a[0] as number) ? 1 : 0));
    this.softirq = r.define('run_timer_softirq', ['h'], () => this.runDue(), { exported: false });
    r.define('call_timer_fn', ['timer', 'fn', 'data'], (a) => this.callTimerFn(a[1] as I64, a[2] as I64), { exported: false });
  }

  private get T() {
    return this.k.structs.get('timer_list');
  }

  private init(va: number): void {
    const T = this.T;
    T.set(va, 'entry.next', 0);
    T.set(va, 'entry.prev', 0);
    T.set(va, 'base', this.wheelVa);
    T.set(va, 'slack', -1);
  }

  isPending(va: number): boolean {
    return this.T.num(va, 'entry.next') !== 0;
  }

  private arm(va: number, expires: I64): void {
    const T = this.T;
    if (!T.num(va, 'function')) this.k.oops.warn(this.k.current, 'kernel/timer.c', 800, 'timer armed with no function');
    T.set(va, 'entry.next', this.wheelVa);
    T.set(va, 'entry.prev', this.wheelVa);
    this.pending = this.pending.filter((p) => p.va !== va);
    this.pending.push({ va, expires, seq: ++this.seq });
  }

  /** Takes a timer off the wheel; true if it was pending. */
  private detach(va: number): boolean {
    const was = this.isPending(va);
    this.pending = this.pending.filter((p) => p.va !== va);
    if (was) {
      this.T.set(va, 'entry.next', 0);
      this.T.set(va, 'entry.prev', 0x00200200);
    }
    return was;
  }

  /** Forgets timers that live in memory going away (a module unloaded with a timer armed). */
  forgetRange(start: number, end: number): number {
    const gone = this.pending.filter((p) => p.va >= start && p.va < end);
    this.pending = this.pending.filter((p) => !(p.va >= start && p.va < end));
    return gone.length;
  }

  private diff(a: I64, b: I64): number {
    return jiffiesDiff(a, b, this.k.arch.abi.longBytes * 8);
  }

  /** The pending timers whose expiry has come (time_after_eq(jiffies, expires)), earliest first. */
  private due(): Pending[] {
    const now = this.k.jiffies();
    return this.pending.filter((p) => this.diff(now, p.expires) >= 0).sort((a, b) => this.diff(a.expires, b.expires) || a.seq - b.seq);
  }

  hasDue(): boolean {
    return this.due().length > 0;
  }

  /** When the next timer expires, in emulated nanoseconds (undefined: none pending). */
  nextExpiryNs(): number | undefined {
    if (this.pending.length === 0) return undefined;
    const now = this.k.jiffies();
    let best = Infinity;
    for (const p of this.pending) best = Math.min(best, Math.max(0, this.diff(p.expires, now)));
    const tickNs = 1e9 / HZ;
    return (Math.floor(this.k.nowNs() / tickNs) + best) * tickNs;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** A timer interrupt: the softirq runs on top of whatever `task` was doing. */
  raise(task: Task): void {
    // Softirqs do not nest: a task already running them picks up the new ones in that pass.
    if (task.thread.frames.some((f) => f.kind === 'native' && f.routine === this.softirq)) return;
    this.k.exec.pushNative(task.thread, this.softirq, [0]);
  }

  private *runDue(): NativeGen {
    let batch: Pending[];
    while ((batch = this.due()).length > 0) for (const p of batch) {
      if (!this.detach(p.va)) continue;
      const fn = this.T.get(p.va, 'function');
      const data = this.T.get(p.va, 'data');
      this.fired++;
      yield* call(this.k.routines.must('call_timer_fn'), p.va, fn, data);
    }
    return 0;
  }

  /** Softirq context for the callback: in_atomic(), in_softirq(), no sleeping, no user faults. */
  private *callTimerFn(fn: I64, data: I64): NativeGen {
    const task = this.k.current;
    const before = task.preemptCount;
    const beforeWord = task.preemptCountWord;
    task.preemptCount++;
    task.inSoftirq++;
    try {
      yield* call(fn, data);
    } finally {
      task.inSoftirq--;
      task.preemptCount--;
    }
    if (task.preemptCount !== before) {
      this.k.printk(`\x013timer: ${this.k.kallsyms.symbolize(Number(fn)) ?? '?'} preempt leak: ${beforeWord.toString(16).padStart(8, '0')} -> ${task.preemptCountWord.toString(16).padStart(8, '0')}\n`);
      task.preemptCount = before;
    }
    return 0;
  }
}
