/**
 * Task lifecycle and time: running a task, exit (files are closed and the address space torn
 * down, so drivers' ->release and ->close run), sleeping primitives (interruptible ones end early
 * when a signal arrives: signal.ts wakes them), current/credentials, and the process system calls.
 */
import type { NativeGen, NativeRequest, NativeRoutine, Value } from '../exec/types';
import type { RunOutcome } from '../exec/executor';
import type { I64 } from '../util/int64';
import { EFAULT, EINVAL, ERESTARTSYS, ESRCH } from './errno';
import { HZ, NS_PER_STEP, type Kernel } from './kernel';
import { call } from './routines';
import { ERESTART_RESTARTBLOCK } from './signal';
import { TASK_RUNNING, TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE, EXIT_DEAD, type Task } from './task';

export { signalName } from './signal';

type Gen<T> = Generator<NativeRequest, T, Value | undefined>;

/** A function, not a constant: kernel.ts (where HZ lives) imports this module. */
const nsPerJiffy = () => 1e9 / HZ;

export class Sched {
  private readonly exitRoutine: NativeRoutine;

  constructor(private readonly k: Kernel) {
    const r = k.routines;
    this.exitRoutine = r.define('do_exit', ['code'], (a) => this.doExit(this.k.current, Number(a[0]) >> 8, undefined), { exported: false });
    r.define('sys_exit_group', ['error_code'], (a) => this.doExit(this.k.current, Number(a[0]) & 0xff, undefined), { exported: false });
    r.define('sys_getpid', [], () => this.k.current.pid, { exported: false });
    r.define('sys_getppid', [], () => this.k.current.parent?.pid ?? 0, { exported: false });
    r.define('sys_getuid', [], () => this.k.current.cred.uid, { exported: false });
    r.define('sys_geteuid', [], () => this.k.current.cred.euid, { exported: false });
    r.define('sys_getgid', [], () => this.k.current.cred.gid, { exported: false });
    r.define('sys_gettid', [], () => this.k.current.pid, { exported: false });
    r.define('sys_nanosleep', ['rqtp', 'rmtp'], (a) => this.sysNanosleep(a[0] as I64, a[1] as I64), { exported: false, fixup: true });
    r.define('get_current', [], () => this.k.current.va);
    r.define('current_thread_info', [], () => this.k.current.threadInfoVa);
    r.define('capable', ['cap'], () => (this.k.current.cred.euid === 0 ? 1 : 0));
    r.define('__kmemlab_in_atomic', [], () => (this.k.current.preemptCount > 0 ? 1 : 0));
    r.define('__kmemlab_in_interrupt', [], () => (this.k.current.inSoftirq > 0 ? 1 : 0));
    r.define('__might_sleep', ['file', 'line'], (a) => {
      this.mightSleep(this.k.km.readCString(a[0] as number, 256), Number(a[1]));
      return 0;
    });
    r.define('schedule', [], () => this.schedule());
    r.define('set_current_state', ['state'], (a) => {
      this.k.current.setState(Number(a[0]));
      return 0;
    });
    // Sleeping gives the CPU away until the time has passed; delaying spins (time passes, the
    // task keeps the CPU), which is what udelay/mdelay do.
    for (const [name, unit] of [['msleep', 1e6], ['ssleep', 1e9], ['usleep_range', 1e3]] as const) {
      r.define(name, ['t'], (a) => this.sleepReturning(Number(a[0]) * unit, name, TASK_UNINTERRUPTIBLE, () => 0));
    }
    // A signal ends it early: what is left, in (jiffy-rounded) milliseconds.
    r.define('msleep_interruptible', ['msecs'], (a) => this.sleepReturning(Number(a[0]) * 1e6, 'msleep_interruptible', TASK_INTERRUPTIBLE, (left) => (Math.ceil(left / nsPerJiffy()) * 1000) / HZ));
    for (const [name, unit] of [['udelay', 1e3], ['mdelay', 1e6], ['ndelay', 1]] as const) {
      r.define(name, ['t'], (a) => {
        this.k.idleNs += Number(a[0]) * unit;
        this.k.syncJiffies();
        return 0;
      });
    }
    // schedule_timeout sleeps in whatever state the caller set; all return the jiffies left.
    for (const [name, state] of [['schedule_timeout', undefined], ['schedule_timeout_interruptible', TASK_INTERRUPTIBLE], ['schedule_timeout_uninterruptible', TASK_UNINTERRUPTIBLE]] as const) {
      r.define(name, ['timeout'], (a) => {
        const s = state ?? (this.k.current.state === TASK_INTERRUPTIBLE ? TASK_INTERRUPTIBLE : TASK_UNINTERRUPTIBLE);
        return this.sleepReturning(Number(a[0]) * nsPerJiffy(), name, s, (left) => Math.ceil(left / nsPerJiffy()));
      });
    }
    r.define('__kmemlab_wait_event', ['wq'], (a) => this.waitEvent(a[0] as number, TASK_UNINTERRUPTIBLE));
    r.define('__kmemlab_wait_event_interruptible', ['wq'], (a) => this.waitEvent(a[0] as number, TASK_INTERRUPTIBLE));
    r.define('__init_waitqueue_head', ['q', 'name'], (a) => {
      const W = this.k.structs.get('__wait_queue_head');
      const l = W.addr(a[0] as number, 'task_list');
      this.k.km.wptr(l, l);
      this.k.km.wptr(l + this.k.arch.abi.ptrBytes, l);
      return 0;
    });
    for (const name of ['wake_up', 'wake_up_interruptible', 'wake_up_all']) r.define(name, ['q'], (a) => this.wakeQueue(a[0] as number));
    r.define('wake_up_process', ['tsk'], (a) => {
      const t = this.taskAt(a[0] as number);
      if (!t || t.exited) return 0;
      return this.wake(t) ? 1 : 0;
    });
    r.define('__kmemlab_kthread_run', ['threadfn', 'data', 'name'], (a) => this.kthreadCreate(a[0] as I64, a[1] as I64, this.k.km.readCString(a[2] as number, 16), true));
    r.define('kthread_create_on_node', ['threadfn', 'data', 'node', 'namefmt'], (a) => this.kthreadCreate(a[0] as I64, a[1] as I64, this.k.lib.formatKernel(a[3] as I64, a.slice(4)).slice(0, 15), false));
    r.define('kthread_should_stop', [], () => (this.k.current.kthreadShouldStop ? 1 : 0));
    r.define('kthread_stop', ['k'], (a) => this.kthreadStop(a[0] as number));
    r.define('kthread', ['threadfn', 'data'], (a) => this.kthreadMain(a[0] as I64, a[1] as I64), { exported: false });
    r.define('msecs_to_jiffies', ['m'], (a) => Math.ceil((Number(a[0]) * HZ) / 1000));
    r.define('usecs_to_jiffies', ['u'], (a) => Math.ceil((Number(a[0]) * HZ) / 1e6));
    r.define('jiffies_to_msecs', ['j'], (a) => Math.floor((Number(a[0]) * 1000) / HZ));
    r.define('jiffies_to_usecs', ['j'], (a) => Math.floor((Number(a[0]) * 1e6) / HZ));
    r.define('find_task_by_vpid', ['nr'], (a) => this.k.tasks.get(Number(a[0]))?.va ?? 0);
    r.define('get_task_struct', ['t'], () => 0);
    r.define('put_task_struct', ['t'], () => 0);
    r.define('get_task_mm', ['task'], (a) => {
      const t = [...this.k.tasks.values()].find((x) => x.va === a[0]);
      return t?.mm?.va ?? 0;
    });
    r.define('mmput', ['mm'], () => 0);
    r.define('try_module_get', ['module'], () => 1);
    r.define('module_put', ['module'], () => 0);
  }

  // ---- scheduling ---------------------------------------------------------------------------------

  private readonly waitQueues = new Map<number, Task[]>();
  private rrCursor = 0;

  taskAt(va: number): Task | undefined {
    for (const t of this.k.tasks.values()) if (t.va === va) return t;
    return undefined;
  }

  /** Makes a blocked task runnable again (it leaves any wait queue it was on). */
  wake(t: Task): boolean {
    if (t.thread.state !== 'blocked') return false;
    t.thread.state = 'runnable';
    t.thread.blockedOn = '';
    t.wakeAtNs = undefined;
    t.setState(TASK_RUNNING);
    for (const [wq, list] of this.waitQueues) {
      const i = list.indexOf(t);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.waitQueues.delete(wq);
    }
    return true;
  }

  /** Wakes the sleepers whose time has come. */
  wakeSleepers(): void {
    const now = this.k.nowNs();
    for (const t of this.k.tasks.values()) if (!t.exited && t.thread.state === 'blocked' && t.wakeAtNs !== undefined && t.wakeAtNs <= now) this.wake(t);
  }

  /** The next time a sleeper or a timer needs the CPU (undefined: nothing will ever happen). */
  nextEventNs(): number | undefined {
    let best = this.k.timers.nextExpiryNs();
    for (const t of this.k.tasks.values()) {
      if (!t.exited && t.thread.state === 'blocked' && t.wakeAtNs !== undefined) best = best === undefined ? t.wakeAtNs : Math.min(best, t.wakeAtNs);
    }
    return best;
  }

  /** Tasks that can run now, in pid order. */
  runnable(): Task[] {
    return [...this.k.tasks.values()].filter((t) => !t.exited && t.thread.state === 'runnable' && t.thread.frames.length > 0).sort((a, b) => a.pid - b.pid);
  }

  /**
   * Round robin: the task after the one that ran last. `keep` continues the current task when
   * it is still runnable (its slice is not over).
   */
  pickNext(keep: boolean): Task | undefined {
    const ready = this.runnable();
    if (ready.length === 0) return undefined;
    const cur = this.k.current;
    if (keep && ready.includes(cur)) return cur;
    const after = ready.find((t) => t.pid > this.rrCursor);
    const next = after ?? ready[0];
    this.rrCursor = next.pid;
    return next;
  }

  /**
   * Blocks the current task until `wake` (or the time, if given). An interruptible sleep with a
   * signal already pending does not sleep at all, as __schedule leaves such a task running.
   */
  /** sched_yield: the next runnable task gets the CPU; this one is runnable again at once. */
  *yieldCpu(): NativeGen {
    yield* this.block('sched_yield', this.k.nowNs());
    return 0;
  }

  *block(reason: string, wakeAtNs?: number, state: number = TASK_UNINTERRUPTIBLE): Gen<void> {
    const t = this.k.current;
    if (state === TASK_INTERRUPTIBLE && this.k.signals.signalPending(t)) return;
    t.wakeAtNs = wakeAtNs;
    t.setState(state);
    yield { kind: 'block', reason };
  }

  /**
   * msleep and friends: report sleeping in atomic context, else give the CPU away. Returns the
   * nanoseconds still to go (more than 0 only when a signal ended an interruptible sleep).
   */
  private *sleepFor(ns: number, what: string, state: number): Gen<number> {
    const t = this.k.current;
    if (t.preemptCount > 0) {
      this.mightSleep('kernel/timer.c', 1509);
      this.schedulingWhileAtomic(t);
      return 0;
    }
    const deadline = this.k.nowNs() + Math.max(0, ns);
    yield* this.block(what, deadline, state);
    return Math.max(0, deadline - this.k.nowNs());
  }

  private *sleepReturning(ns: number, what: string, state: number, result: (leftNs: number) => number): NativeGen {
    return result(yield* this.sleepFor(ns, what, state));
  }

  /** schedule(): sleep if the task set itself non-running, else let others run. */
  private *schedule(): NativeGen {
    const t = this.k.current;
    if (t.preemptCount > 0) {
      this.schedulingWhileAtomic(t);
      return 0;
    }
    if (t.state !== TASK_RUNNING) yield* this.block('schedule', undefined, t.state);
    else yield* this.block('schedule (yield)', this.k.nowNs());
    return 0;
  }

  /**
   * One sleep of wait_event's loop. The interruptible kind gives up with -ERESTARTSYS when a
   * signal is pending, before sleeping or after being woken by it.
   */
  private *waitEvent(wq: number, state: number): NativeGen {
    const t = this.k.current;
    if (t.preemptCount > 0) {
      this.mightSleep('include/linux/wait.h', 0);
      return 0;
    }
    const interruptible = state === TASK_INTERRUPTIBLE;
    if (interruptible && this.k.signals.signalPending(t)) return -ERESTARTSYS;
    let list = this.waitQueues.get(wq);
    if (!list) {
      list = [];
      this.waitQueues.set(wq, list);
    }
    list.push(t);
    yield* this.block(`wait_event on ${this.k.oops.fmtPtr(wq)}`, undefined, state);
    return interruptible && this.k.signals.signalPending(t) ? -ERESTARTSYS : 0;
  }

  private wakeQueue(wq: number): number {
    const list = this.waitQueues.get(wq) ?? [];
    this.waitQueues.delete(wq);
    for (const t of list) if (!t.exited) this.wake(t);
    return 0;
  }

  private kthreadCreate(fn: I64, data: I64, name: string, run: boolean): number {
    const k = this.k;
    const t = k.newTask(name, 'kernel', { uid: 0, gid: 0, euid: 0, egid: 0 }, k.idle);
    t.setMm(undefined, k.initMm);
    k.exec.start(t.thread, k.routines.must('kthread'), [fn, data]);
    k.switchTo(k.current);
    if (!run) {
      t.thread.state = 'blocked';
      t.thread.blockedOn = 'created, not yet woken';
      t.setState(2);
    }
    return t.va;
  }

  private *kthreadMain(fn: I64, data: I64): NativeGen {
    const ret = (yield* call(fn, data)) as number;
    return yield* this.doExit(this.k.current, ret, undefined);
  }

  private *kthreadStop(va: number): NativeGen {
    const t = this.taskAt(va);
    if (!t) return -ESRCH;
    t.kthreadShouldStop = true;
    this.wake(t);
    const me = this.k.current;
    while (!t.exited) {
      me.wakeAtNs = undefined;
      yield* this.block(`kthread_stop(${t.comm})`, this.k.nowNs() + 1e6);
    }
    return t.exitCode ?? 0;
  }

  /** Runs a task for at most `budget` ops; timers and jiffies advance between slices. */
  run(task: Task, budget: number): RunOutcome {
    this.k.switchTo(task);
    this.k.syncJiffies();
    this.k.signals.beforeRun(task);
    return this.k.exec.run(task.thread, budget);
  }

  /**
   * __schedule's schedule_debug: the count it prints includes __schedule's own preempt_disable.
   * The task does not sleep (it would never be woken from a softirq).
   */
  private schedulingWhileAtomic(t: Task): void {
    this.k.printk(`\x013BUG: scheduling while atomic: ${t.comm}/${t.pid}/0x${(t.preemptCountWord + 1).toString(16).padStart(8, '0')}\n`);
    this.k.oops.dumpStack(t, '');
  }

  /** "BUG: sleeping function called from invalid context" in atomic context. */
  mightSleep(file: string, line: number): void {
    const t = this.k.current;
    if (t.preemptCount > 0) {
      this.k.printk(`\x013BUG: sleeping function called from invalid context at ${file}:${line}\n`);
      this.k.printk(`\x013in_atomic(): 1, irqs_disabled(): 0, pid: ${t.pid}, name: ${t.comm}\n`);
      this.k.oops.dumpStack(t, '');
    }
  }

  /** A signal's default action that ends the task. */
  *killTask(task: Task, signo: number): NativeGen {
    return yield* this.doExit(task, 0, signo);
  }

  private *sysNanosleep(rqtp: I64, rmtp: I64): NativeGen {
    // struct timespec is two longs: 8 bytes each on x86_64, 4 on i386.
    const longBytes = this.k.arch.abi.longBytes;
    const ts = yield* this.k.uaccess.readUser(rqtp, 2 * longBytes);
    if (!ts) return -EFAULT;
    const d = new DataView(ts.buffer);
    const long = (at: number) => (longBytes === 8 ? Number(d.getBigInt64(at, true)) : d.getInt32(at, true));
    const ns = long(0) * 1e9 + long(longBytes);
    if (long(longBytes) < 0 || long(longBytes) >= 1e9 || long(0) < 0) return -EINVAL;
    return yield* this.nanosleepUntil(this.k.nowNs() + ns, rmtp);
  }

  /**
   * do_nanosleep: an interruptible sleep to an absolute time. Interrupted, it stores what is left
   * in *rmtp and asks to be restarted through restart_syscall, which sleeps to the same time.
   */
  private *nanosleepUntil(deadline: number, rmtp: I64): NativeGen {
    const t = this.k.current;
    const left = yield* this.sleepFor(deadline - this.k.nowNs(), 'nanosleep', TASK_INTERRUPTIBLE);
    if (left <= 0) return 0;
    if (rmtp !== 0) {
      const longBytes = this.k.arch.abi.longBytes;
      const rem = new Uint8Array(2 * longBytes);
      const v = new DataView(rem.buffer);
      const sec = Math.floor(left / 1e9);
      const nsec = Math.floor(left % 1e9);
      if (longBytes === 8) {
        v.setBigInt64(0, BigInt(sec), true);
        v.setBigInt64(8, BigInt(nsec), true);
      } else {
        v.setInt32(0, sec, true);
        v.setInt32(4, nsec, true);
      }
      if (!(yield* this.k.uaccess.writeUser(rmtp, rem))) return -EFAULT;
    }
    this.k.signals.setRestartBlock(t, () => this.nanosleepUntil(deadline, rmtp));
    return -ERESTART_RESTARTBLOCK;
  }

  // ---- exit --------------------------------------------------------------------------------------

  /**
   * do_exit: close every file (->release), drop the address space (->close of every VMA), record
   * how the task ended, and end its thread.
   */
  *doExit(task: Task, code: number, signo: number | undefined): Gen<number> {
    if (task.exited) {
      yield { kind: 'exit' };
      return 0;
    }
    task.exited = true;
    task.exitCode = signo === undefined ? code & 0xff : undefined;
    task.termSignal = signo;
    this.k.signals.exitTask(task);
    for (const l of task.heldLocks.splice(0)) {
      this.k.printk(`\x014\n\x014=====================================\n`);
      this.k.printk(`\x014[ BUG: lock held at task exit time! ]\n`);
      this.k.printk(`\x014${task.comm}/${task.pid} is exiting with locks still held!\n`);
      this.k.printk(`\x014 #0:  (${l.name}){+.+...}, at ${l.kind}\n`);
    }
    yield* this.k.vfs.closeAll(task);
    if (task.mm) {
      const mm = task.mm;
      yield* this.k.mmSub.exitMmap(mm);
      task.setMm(undefined, this.k.initMm);
      this.k.switchTo(task);
      this.k.cpu.loadCr3(this.k.swapperPgdPa);
    }
    task.setState(EXIT_DEAD);
    if (task.program) {
      task.program.exitCode = task.exitCode;
      task.program.signal = task.termSignal;
    }
    yield { kind: 'exit' };
    return 0;
  }

  /** The outermost frame returned without an exit: tidy up what needs no C callbacks. */
  reap(task: Task, value: number, signo: number | undefined): void {
    if (task.exited) return;
    task.exited = true;
    // A task ended by a signal has no exit status, as in doExit.
    task.exitCode = signo === undefined ? value & 0xff : undefined;
    task.termSignal = signo;
    task.setState(EXIT_DEAD);
    if (task.program) {
      task.program.exitCode = task.exitCode;
      task.program.signal = signo;
    }
  }

  get exitRoutineForTests(): NativeRoutine {
    return this.exitRoutine;
  }

  isRunning(task: Task): boolean {
    return !task.exited && task.state === TASK_RUNNING;
  }

  /** Steps elapsed per jiffy, for the run loop's slicing. */
  get stepsPerJiffy(): number {
    return Math.round(1e9 / HZ / NS_PER_STEP);
  }
}
