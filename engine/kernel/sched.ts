/**
 * Task lifecycle and time: running a task, signals and their default actions, exit (files are
 * closed and the address space torn down, so drivers' ->release and ->close run), sleeping
 * primitives, current/credentials, and the process system calls.
 */
import type { NativeGen, NativeRequest, NativeRoutine, Value } from '../exec/types';
import type { RunOutcome } from '../exec/executor';
import type { I64 } from '../util/int64';
import { EINVAL, EPERM, ESRCH } from './errno';
import { SIGKILL } from './fault';
import { HZ, NS_PER_STEP, type Kernel } from './kernel';
import { TASK_RUNNING, EXIT_DEAD, type Task } from './task';

type Gen<T> = Generator<NativeRequest, T, Value | undefined>;

const SIGNAL_NAMES: Record<number, string> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL', 10: 'SIGUSR1', 11: 'SIGSEGV',
  12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM', 17: 'SIGCHLD', 18: 'SIGCONT', 19: 'SIGSTOP', 20: 'SIGTSTP', 23: 'SIGURG', 28: 'SIGWINCH',
};

export function signalName(n: number): string {
  return SIGNAL_NAMES[n] ?? `signal ${n}`;
}

/** Signals whose default action is to do nothing. */
const IGNORED_BY_DEFAULT = new Set([17, 18, 23, 28]);

export class Sched {
  private readonly notifyResume: NativeRoutine;
  private readonly exitRoutine: NativeRoutine;

  constructor(private readonly k: Kernel) {
    const r = k.routines;
    this.notifyResume = r.define('do_notify_resume', [], () => this.doNotifyResume(), { exported: false });
    this.exitRoutine = r.define('do_exit', ['code'], (a) => this.doExit(this.k.current, Number(a[0]) >> 8, undefined), { exported: false });
    r.define('sys_exit_group', ['error_code'], (a) => this.doExit(this.k.current, Number(a[0]) & 0xff, undefined), { exported: false });
    r.define('sys_getpid', [], () => this.k.current.pid, { exported: false });
    r.define('sys_getppid', [], () => this.k.current.parent?.pid ?? 0, { exported: false });
    r.define('sys_getuid', [], () => this.k.current.cred.uid, { exported: false });
    r.define('sys_geteuid', [], () => this.k.current.cred.euid, { exported: false });
    r.define('sys_getgid', [], () => this.k.current.cred.gid, { exported: false });
    r.define('sys_kill', ['pid', 'sig'], (a) => this.sysKill(Number(a[0]), Number(a[1])), { exported: false });
    r.define('sys_nanosleep', ['rqtp', 'rmtp'], (a) => this.sysNanosleep(a[0] as I64), { exported: false });
    r.define('get_current', [], () => this.k.current.va);
    r.define('current_thread_info', [], () => this.k.current.threadInfoVa);
    r.define('capable', ['cap'], () => (this.k.current.cred.euid === 0 ? 1 : 0));
    r.define('__kmemlab_in_atomic', [], () => (this.k.current.preemptCount > 0 ? 1 : 0));
    r.define('__kmemlab_in_interrupt', [], () => 0);
    r.define('__might_sleep', ['file', 'line'], (a) => {
      this.mightSleep(this.k.km.readCString(a[0] as number, 256), Number(a[1]));
      return 0;
    });
    r.define('schedule', [], () => 0);
    r.define('set_current_state', ['state'], (a) => {
      this.k.current.setState(Number(a[0]));
      return 0;
    });
    r.define('signal_pending', ['p'], () => (this.k.current.pendingSignals.length > 0 ? 1 : 0));
    r.define('fatal_signal_pending', ['p'], () => (this.k.current.pendingSignals.some((s) => s.signo === SIGKILL) ? 1 : 0));
    for (const name of ['msleep', 'ssleep', 'msleep_interruptible', 'udelay', 'mdelay', 'ndelay', 'usleep_range']) {
      const unit = { msleep: 1e6, msleep_interruptible: 1e6, ssleep: 1e9, udelay: 1e3, mdelay: 1e6, ndelay: 1, usleep_range: 1e3 }[name]!;
      const sleeps = name.includes('sleep');
      r.define(name, ['t'], (a) => {
        if (sleeps) this.mightSleep('kernel/timer.c', 0);
        this.k.idleNs += Number(a[0]) * unit;
        this.k.syncJiffies();
        return 0;
      });
    }
    for (const name of ['schedule_timeout', 'schedule_timeout_interruptible', 'schedule_timeout_uninterruptible']) {
      r.define(name, ['timeout'], (a) => {
        this.mightSleep('kernel/timer.c', 0);
        this.k.idleNs += (Number(a[0]) * 1e9) / HZ;
        this.k.syncJiffies();
        return 0;
      });
    }
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
    r.define('send_sig', ['sig', 'p', 'priv'], (a) => {
      const t = [...this.k.tasks.values()].find((x) => x.va === a[1]);
      if (!t) return -ESRCH;
      this.forceSignal(t, Number(a[0]), 0, 0);
      return 0;
    });
    r.define('try_module_get', ['module'], () => 1);
    r.define('module_put', ['module'], () => 0);
  }

  /** Runs a task for at most `budget` ops; timers and jiffies advance between slices. */
  run(task: Task, budget: number): RunOutcome {
    this.k.switchTo(task);
    this.k.syncJiffies();
    return this.k.exec.run(task.thread, budget);
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

  // ---- signals -------------------------------------------------------------------------------

  /** force_sig_info: queue a signal; it is acted on when the task next returns to user mode. */
  forceSignal(task: Task, signo: number, code: number, addr: I64): void {
    if (task.pendingSignals.some((s) => s.signo === signo)) return;
    task.pendingSignals.push({ signo, code, addr });
    this.k.emit({ kind: 'signal', pid: task.pid, signo, code, addr });
  }

  /** On the way back to user mode: deliver what is pending. */
  returnToUser(task: Task): void {
    if (task.pendingSignals.length > 0 && !task.exited) this.k.exec.pushNative(task.thread, this.notifyResume, []);
  }

  private *doNotifyResume(): NativeGen {
    const task = this.k.current;
    while (task.pendingSignals.length > 0) {
      const s = task.pendingSignals.shift()!;
      if (IGNORED_BY_DEFAULT.has(s.signo)) continue;
      return yield* this.killTask(task, s.signo);
    }
    return 0;
  }

  *killTask(task: Task, signo: number): NativeGen {
    return yield* this.doExit(task, 0, signo);
  }

  private *sysKill(pid: number, sig: number): NativeGen {
    const self = this.k.current;
    const target = pid === 0 || pid === -1 ? self : this.k.tasks.get(pid);
    if (!target || target.exited) return -ESRCH;
    if (sig < 0 || sig > 64) return -EINVAL;
    if (self.cred.euid !== 0 && self.cred.uid !== target.cred.uid) return -EPERM;
    if (sig === 0) return 0;
    this.forceSignal(target, sig, 0, 0);
    return 0;
  }

  private *sysNanosleep(rqtp: I64): NativeGen {
    // struct timespec is two longs: 8 bytes each on x86_64, 4 on i386.
    const longBytes = this.k.arch.abi.longBytes;
    const ts = yield* this.k.uaccess.readUser(rqtp, 2 * longBytes);
    if (!ts) return -14;
    const d = new DataView(ts.buffer);
    const long = (at: number) => (longBytes === 8 ? Number(d.getBigInt64(at, true)) : d.getInt32(at, true));
    const ns = long(0) * 1e9 + long(longBytes);
    this.k.idleNs += Math.max(0, ns);
    this.k.syncJiffies();
    return 0;
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
