/**
 * Mutexes and spinlocks with the checks of CONFIG_DEBUG_MUTEXES / CONFIG_DEBUG_SPINLOCK: the lock
 * state is in the lock's own memory (mutex.count and .owner, spinlock.slock and .owner), and a
 * double lock, an unlock of a lock that is not held, or a lock with bad magic is reported the way
 * Linux reports it. A spinlock raises the preempt count, so sleeping under it is caught too.
 */
import type { I64 } from '../util/int64';
import type { Kernel } from './kernel';
import type { Task } from './task';

const SPINLOCK_MAGIC = 0xdead4ead;

export class Locks {
  constructor(private readonly k: Kernel) {
    const r = k.routines;
    r.define('__mutex_init', ['lock', 'name'], (a) => this.mutexInit(a[0] as number, a[1] as number));
    r.define('mutex_lock', ['lock'], (a) => this.mutexLock(a[0] as number, 'mutex_lock'));
    r.define('mutex_lock_interruptible', ['lock'], (a) => this.mutexLock(a[0] as number, 'mutex_lock_interruptible'));
    r.define('mutex_lock_killable', ['lock'], (a) => this.mutexLock(a[0] as number, 'mutex_lock_killable'));
    r.define('mutex_trylock', ['lock'], (a) => {
      const M = this.k.structs.get('mutex');
      if (M.num(a[0] as number, 'count') !== 1) return 0;
      this.mutexLock(a[0] as number, 'mutex_trylock');
      return 1;
    });
    r.define('mutex_unlock', ['lock'], (a) => this.mutexUnlock(a[0] as number));
    r.define('mutex_is_locked', ['lock'], (a) => (this.k.structs.get('mutex').num(a[0] as number, 'count') !== 1 ? 1 : 0));
    r.define('mutex_destroy', ['lock'], () => 0);
    r.define('__kmemlab_spin_lock_init', ['lock', 'name'], (a) => this.spinInit(a[0] as number));
    for (const name of ['spin_lock', 'spin_lock_bh', 'spin_lock_irq']) r.define(name, ['lock'], (a) => this.spinLock(a[0] as number, name));
    for (const name of ['spin_unlock', 'spin_unlock_bh', 'spin_unlock_irq']) r.define(name, ['lock'], (a) => this.spinUnlock(a[0] as number));
    r.define('__kmemlab_spin_lock_irqsave', ['lock'], (a) => {
      this.spinLock(a[0] as number, 'spin_lock_irqsave');
      return 0x246;
    });
    r.define('spin_unlock_irqrestore', ['lock', 'flags'], (a) => this.spinUnlock(a[0] as number));
    r.define('spin_trylock', ['lock'], (a) => {
      if (this.k.structs.get('spinlock').num(a[0] as number, 'slock') !== 0) return 0;
      this.spinLock(a[0] as number, 'spin_trylock');
      return 1;
    });
    r.define('spin_is_locked', ['lock'], (a) => (this.k.structs.get('spinlock').num(a[0] as number, 'slock') !== 0 ? 1 : 0));
    r.define('__kmemlab_local_irq_save', [], () => 0x246);
    r.define('__kmemlab_local_irq_restore', ['flags'], () => 0);
    r.define('local_irq_disable', [], () => 0);
    r.define('local_irq_enable', [], () => 0);
    r.define('preempt_disable', [], () => {
      this.k.current.preemptCount++;
      return 0;
    });
    r.define('preempt_enable', [], () => {
      this.k.current.preemptCount = Math.max(0, this.k.current.preemptCount - 1);
      return 0;
    });
    for (const name of ['down_read', 'down_write']) r.define(name, ['sem'], () => 0);
    for (const name of ['up_read', 'up_write']) r.define(name, ['sem'], () => 0);
    r.define('sema_init', ['sem', 'val'], (a) => {
      this.k.structs.get('semaphore').set(a[0] as number, 'count', Number(a[1]));
      return 0;
    });
    for (const name of ['down', 'down_interruptible']) {
      r.define(name, ['sem'], (a) => {
        const S = this.k.structs.get('semaphore');
        const n = S.num(a[0] as number, 'count');
        if (n > 0) S.set(a[0] as number, 'count', n - 1);
        else this.report(this.k.current, `INFO: task ${this.k.current.comm}:${this.k.current.pid} would block forever on a semaphore with count 0`);
        return 0;
      });
    }
    r.define('down_trylock', ['sem'], (a) => {
      const S = this.k.structs.get('semaphore');
      const n = S.num(a[0] as number, 'count');
      if (n <= 0) return 1;
      S.set(a[0] as number, 'count', n - 1);
      return 0;
    });
    r.define('up', ['sem'], (a) => {
      const S = this.k.structs.get('semaphore');
      S.set(a[0] as number, 'count', S.num(a[0] as number, 'count') + 1);
      return 0;
    });
  }

  private nameOf(nameVa: I64, lock: number): string {
    return nameVa ? this.k.km.readCString(nameVa, 64) : `lock@${BigInt.asUintN(64, BigInt(lock)).toString(16)}`;
  }

  private report(task: Task, headline: string, more: string[] = []): void {
    const out = ['', '=============================================', `[ ${headline} ]`, '3.7.10-kmemlab', '---------------------------------------------', ...more];
    for (const l of out) this.k.printk(`\x014${l}\n`);
    this.k.oops.dumpStack(task, '');
    this.k.emit({ kind: 'lock', pid: task.pid, text: headline });
  }

  private mutexInit(lock: number, nameVa: I64): number {
    const M = this.k.structs.get('mutex');
    M.set(lock, 'count', 1);
    M.set(lock, 'owner', 0);
    M.set(lock, 'name', nameVa);
    M.set(lock, 'magic', lock);
    const wl = M.addr(lock, 'wait_list');
    this.k.km.wptr(wl, wl);
    this.k.km.wptr(wl + this.k.arch.abi.ptrBytes, wl);
    this.spinInit(M.addr(lock, 'wait_lock'));
    return 0;
  }

  private mutexLock(lock: number, how: string): number {
    const M = this.k.structs.get('mutex');
    const t = this.k.current;
    this.k.sched.mightSleep('kernel/mutex.c', 0);
    const name = this.nameOf(M.get(lock, 'name'), lock);
    if (M.num(lock, 'count') !== 1) {
      const owner = M.num(lock, 'owner');
      if (owner === t.va) {
        this.report(t, 'INFO: possible recursive locking detected', [
          `${t.comm}/${t.pid} is trying to acquire lock:`, ` (${name}){+.+...}, at: ${how}`, '', 'but task is already holding lock:', ` (${name}){+.+...}`,
          '', '*** DEADLOCK ***',
        ]);
        return 0;
      }
      this.report(t, `INFO: task ${t.comm}:${t.pid} blocked on mutex ${name} held by another task`);
      return 0;
    }
    M.set(lock, 'count', 0);
    M.set(lock, 'owner', t.va);
    t.heldLocks.push({ va: lock, kind: how, name });
    return 0;
  }

  private mutexUnlock(lock: number): number {
    const M = this.k.structs.get('mutex');
    const t = this.k.current;
    const name = this.nameOf(M.get(lock, 'name'), lock);
    if (M.num(lock, 'count') === 1) {
      this.report(t, `BUG: unlocking mutex ${name} that is not locked`, ['DEBUG_LOCKS_WARN_ON(!mutex_is_locked(lock))']);
      return 0;
    }
    if (M.num(lock, 'owner') !== t.va) this.report(t, `BUG: mutex ${name} unlocked by a task that does not own it`, ['DEBUG_LOCKS_WARN_ON(lock->owner != current)']);
    M.set(lock, 'count', 1);
    M.set(lock, 'owner', 0);
    this.dropHeld(t, lock);
    return 0;
  }

  private dropHeld(t: Task, lock: number): void {
    const i = t.heldLocks.findIndex((l) => l.va === lock);
    if (i >= 0) t.heldLocks.splice(i, 1);
  }

  private spinInit(lock: number): number {
    const S = this.k.structs.get('spinlock');
    S.set(lock, 'slock', 0);
    S.set(lock, 'magic', SPINLOCK_MAGIC);
    S.set(lock, 'owner_cpu', 0xffffffff);
    S.set(lock, 'owner', -1);
    return 0;
  }

  private spinBug(lock: number, msg: string): void {
    const t = this.k.current;
    const S = this.k.structs.get('spinlock');
    this.k.printk(`\x013BUG: spinlock ${msg} on CPU#0, ${t.comm}/${t.pid}\n`);
    this.k.printk(`\x013 lock: ${this.k.oops.fmtPtr(lock)}, .magic: ${S.num(lock, 'magic').toString(16).padStart(8, '0')}, .owner: <none>/-1, .owner_cpu: ${S.num(lock, 'owner_cpu') | 0}\n`);
    this.k.oops.dumpStack(t, '');
    this.k.emit({ kind: 'lock', pid: t.pid, text: `spinlock ${msg}` });
  }

  private spinLock(lock: number, how: string): number {
    const S = this.k.structs.get('spinlock');
    const t = this.k.current;
    if (S.num(lock, 'magic') !== SPINLOCK_MAGIC) this.spinBug(lock, 'bad magic');
    else if (S.num(lock, 'slock') !== 0) {
      this.spinBug(lock, S.num(lock, 'owner') === t.va ? 'recursion' : 'lockup suspected');
      return 0;
    }
    S.set(lock, 'slock', 1);
    S.set(lock, 'owner', t.va);
    S.set(lock, 'owner_cpu', 0);
    t.preemptCount++;
    t.heldLocks.push({ va: lock, kind: how, name: `spinlock@${this.k.oops.fmtPtr(lock)}` });
    return 0;
  }

  private spinUnlock(lock: number): number {
    const S = this.k.structs.get('spinlock');
    const t = this.k.current;
    if (S.num(lock, 'magic') !== SPINLOCK_MAGIC) this.spinBug(lock, 'bad magic');
    else if (S.num(lock, 'slock') === 0) {
      this.spinBug(lock, 'already unlocked');
      return 0;
    } else if (S.num(lock, 'owner') !== t.va) this.spinBug(lock, 'wrong owner');
    S.set(lock, 'slock', 0);
    S.set(lock, 'owner', -1);
    S.set(lock, 'owner_cpu', 0xffffffff);
    t.preemptCount = Math.max(0, t.preemptCount - 1);
    this.dropHeld(t, lock);
    return 0;
  }
}
