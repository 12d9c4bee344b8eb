/**
 * Tasks, time and contexts (issue 5 item 4): concurrent programs under the deterministic
 * scheduler, kernel threads, timer_list in softirq context, sleeping primitives and the
 * atomic-context reports.
 */
import assert from 'node:assert/strict';
import { dmesgText, miscDriver, run, USER_PRELUDE } from '../helpers/run';

const TIMER_DRIVER = `
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/timer.h>
#include <linux/sched.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
static struct timer_list t;
static int fired;
static unsigned long armed_at;
static void tick(unsigned long data)
{
	fired++;
	pr_info("tick %d data=%lu in_atomic=%d in_interrupt=%d comm=%s after=%lu\\n", fired, data, in_atomic() ? 1 : 0, in_interrupt() ? 1 : 0, current->comm, jiffies - armed_at);
	if (fired < 3)
		mod_timer(&t, jiffies + HZ / 10);
}
static int __init tm_init(void)
{
	setup_timer(&t, tick, 42);
	armed_at = jiffies;
	mod_timer(&t, jiffies + HZ / 10);
	pr_info("armed pending=%d\\n", timer_pending(&t));
	msleep(1000);
	pr_info("woke fired=%d after=%lu\\n", fired, jiffies - armed_at);
	return 0;
}
static void __exit tm_exit(void) { pr_info("del=%d\\n", del_timer_sync(&t)); }
module_init(tm_init);
module_exit(tm_exit);
MODULE_LICENSE("GPL");
`;

describe('timers fire in softirq context', () => {
  it('runs a timer_list three times, 25 jiffies apart, on top of the idle task while insmod sleeps', () => {
    const r = run({ drivers: { 'tm.c': TIMER_DRIVER } });
    const d = dmesgText(r);
    assert.equal(r.oops.length, 0, d);
    assert.match(d, /armed pending=1/);
    assert.match(d, /tick 1 data=42 in_atomic=1 in_interrupt=1 comm=swapper\/0 after=25/);
    assert.match(d, /tick 2 data=42 in_atomic=1 in_interrupt=1 comm=swapper\/0 after=50/);
    assert.match(d, /tick 3 data=42 in_atomic=1 in_interrupt=1 comm=swapper\/0 after=75/);
    assert.match(d, /woke fired=3 after=250/);
    assert.match(d, /del=0/);
  });

  it('interrupts the running task: current is whoever was on the CPU', () => {
    const drv = miscDriver(
      'tt',
      `#include <linux/timer.h>
#include <linux/sched.h>
static struct timer_list t;
static void tick(unsigned long d) { pr_info("timer on %s (pid %d) atomic=%d\\n", current->comm, current->pid, in_atomic() ? 1 : 0); }`,
      '',
      'setup_timer(&t, tick, 0); mod_timer(&t, jiffies + 2);',
      'del_timer_sync(&t);',
    );
    const prog = `${USER_PRELUDE}
int main(void) { volatile unsigned long i, s = 0; for (i = 0; i < 3000000; i++) s += i; printf("%lu\\n", (unsigned long)s); return 0; }`;
    const r = run({ drivers: { 'tt.c': drv }, programs: { 'spin.c': prog } });
    const d = dmesgText(r);
    assert.equal(r.programs[0].exitCode, 0);
    assert.match(d, /timer on spin \(pid \d+\) atomic=1/);
  });

  it('reports sleeping in a timer as scheduling while atomic, and the timer still returns', () => {
    const drv = `
#include <linux/module.h>
#include <linux/timer.h>
#include <linux/delay.h>
static struct timer_list t;
static void tick(unsigned long d) { msleep(10); pr_info("after msleep\\n"); }
static int __init a_init(void) { setup_timer(&t, tick, 0); mod_timer(&t, jiffies + 1); msleep(100); return 0; }
static void __exit a_exit(void) { del_timer_sync(&t); }
module_init(a_init);
module_exit(a_exit);
MODULE_LICENSE("GPL");
`;
    const d = dmesgText(run({ drivers: { 'a.c': drv } }));
    assert.match(d, /BUG: scheduling while atomic: swapper\/0\/0\/0x00000101/);
    assert.match(d, /after msleep/);
  });
});

describe('the scheduler', () => {
  it('runs concurrent programs round robin, one jiffy each, the same way every time', () => {
    const prog = (tag: string) => `${USER_PRELUDE}
int main(void) { int k; for (k = 0; k < 4; k++) { volatile long i; for (i = 0; i < 100000; i++) ; write(1, "${tag}", 1); } return 0; }`;
    const once = () =>
      run({
        programs: { 'a.c': prog('a'), 'b.c': prog('b') },
        tweak: (lab) => {
          lab.concurrent = true;
        },
      });
    const r = once();
    assert.deepEqual(r.programs.map((p) => p.exitCode), [0, 0]);
    // Both were alive at once: the second started before the first ended.
    assert.ok(r.programs[0].pid! < r.programs[1].pid!);
    const again = once();
    assert.deepEqual(again.dmesg, r.dmesg);
    assert.equal(again.steps, r.steps);
    const seq = run({ programs: { 'a.c': prog('a'), 'b.c': prog('b') } });
    assert.equal(seq.programs[0].stdout, 'aaaa');
  });

  it("runs each concurrent program's own code, though all are linked at the same addresses", () => {
    const a = `${USER_PRELUDE}
static int twice(int x) { return 2 * x; }
int main(void) { int k, s = 0; for (k = 0; k < 200000; k++) s += twice(1); printf("a %d\\n", s); return 0; }`;
    const b = `${USER_PRELUDE}
static const char *name(int x) { return x ? "bee" : "b"; }
static int other(int x) { return x + 1000; }
int main(void) { int k, s = 0; for (k = 0; k < 200000; k++) s = other(k); printf("%s %d\\n", name(1), s); return 0; }`;
    const r = run({
      programs: { 'a.c': a, 'b.c': b },
      tweak: (lab) => {
        lab.concurrent = true;
      },
    });
    assert.deepEqual(r.programs.map((p) => p.stdout), ['a 400000\n', 'bee 200999\n']);
  });

  it('interleaves the output of concurrent programs that sleep', () => {
    const prog = (tag: string, ms: number) => `${USER_PRELUDE}
#include <time.h>
int main(void) { int k; struct timespec ts = { 0, ${ms} * 1000000L }; for (k = 0; k < 3; k++) { printf("${tag}%d\\n", k); fflush(stdout); nanosleep(&ts, 0); } return 0; }`;
    const drv = miscDriver(
      'log',
      `static ssize_t log_write(struct file *f, const char __user *b, size_t n, loff_t *o) { char c[16] = {0}; if (copy_from_user(c, b, n < 15 ? n : 15)) return -EFAULT; pr_info("%s", c); return n; }`,
      '.write = log_write,',
    );
    void drv;
    const r = run({
      programs: { 'a.c': prog('a', 10), 'b.c': prog('b', 15) },
      tweak: (lab) => {
        lab.concurrent = true;
      },
    });
    assert.deepEqual(r.programs.map((p) => p.stdout), ['a0\na1\na2\n', 'b0\nb1\nb2\n']);
    assert.deepEqual(r.programs.map((p) => p.exitCode), [0, 0]);
  });

  it('runs a kernel thread until kthread_stop, sleeping between rounds', () => {
    const drv = `
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/delay.h>
static struct task_struct *th;
static int rounds;
static int worker(void *data)
{
	while (!kthread_should_stop()) {
		rounds++;
		msleep(20);
	}
	pr_info("worker %s stops after %d rounds, data=%s\\n", current->comm, rounds, (char *)data);
	return 7;
}
static int __init k_init(void) { th = kthread_run(worker, "hello", "kml-worker"); msleep(100); return 0; }
static void __exit k_exit(void) { int r = kthread_stop(th); pr_info("kthread_stop returned %d\\n", r); }
module_init(k_init);
module_exit(k_exit);
MODULE_LICENSE("GPL");
`;
    const r = run({ drivers: { 'k.c': drv } });
    const d = dmesgText(r);
    assert.equal(r.oops.length, 0, d);
    assert.match(d, /worker kml-worker stops after [56] rounds, data=hello/);
    assert.match(d, /kthread_stop returned 7/);
  });

  it('wakes a task sleeping in wait_event when a timer calls wake_up', () => {
    const drv = miscDriver(
      'ev',
      `#include <linux/wait.h>
#include <linux/timer.h>
static DECLARE_WAIT_QUEUE_HEAD(wq);
static int ready;
static struct timer_list t;
static void tick(unsigned long d) { ready = 1; wake_up_interruptible(&wq); }
static ssize_t ev_read(struct file *f, char __user *b, size_t n, loff_t *o)
{
	unsigned long start = jiffies;
	setup_timer(&t, tick, 0);
	mod_timer(&t, jiffies + 5);
	wait_event_interruptible(wq, ready);
	return put_user((char)(jiffies - start), b) ? -EFAULT : 1;
}`,
      '.read = ev_read,',
    );
    const prog = `${USER_PRELUDE}
int main(void) { unsigned char c = 0; int fd = open("/dev/ev", O_RDONLY); if (fd < 0) return 1; if (read(fd, &c, 1) != 1) return 2; printf("waited %d jiffies\\n", c); return 0; }`;
    const r = run({ drivers: { 'ev.c': drv }, programs: { 'p.c': prog } });
    assert.equal(r.programs[0].stdout, 'waited 5 jiffies\n', dmesgText(r));
  });

  it('kills a task that waits for an event nothing can send, and says so', () => {
    const drv = miscDriver(
      'dl',
      `#include <linux/wait.h>
static DECLARE_WAIT_QUEUE_HEAD(wq);
static ssize_t dl_read(struct file *f, char __user *b, size_t n, loff_t *o) { wait_event(wq, 0); return 0; }`,
      '.read = dl_read,',
    );
    const prog = `${USER_PRELUDE}
int main(void) { char c; int fd = open("/dev/dl", O_RDONLY); read(fd, &c, 1); return 0; }`;
    const r = run({ drivers: { 'dl.c': drv }, programs: { 'p.c': prog } });
    assert.equal(r.programs[0].signal, 'SIGKILL');
    assert.match(dmesgText(r), /kmemlab: p\[\d+\] is blocked \(wait_event on [0-9a-f]+\) and nothing can wake it; killing it/);
  });

  it('stops at the emulated time limit when a task sleeps forever in a loop', () => {
    const prog = `${USER_PRELUDE}
int main(void) { for (;;) sleep(100); }`;
    const r = run({
      programs: { 'p.c': prog },
      tweak: (lab) => {
        lab.maxSeconds = 1000;
      },
    });
    assert.match(r.programs[0].note ?? '', /stopped at the time limit \(1000 s\)/);
    assert.match(dmesgText(r), /time limit of 1000 emulated seconds reached/);
    assert.equal(r.exitCode, 1);
  });

  it('reports sleeping with a spinlock held', () => {
    const drv = `
#include <linux/module.h>
#include <linux/spinlock.h>
#include <linux/delay.h>
static DEFINE_SPINLOCK(l);
static int __init s_init(void) { spin_lock(&l); msleep(1); spin_unlock(&l); return 0; }
static void __exit s_exit(void) { }
module_init(s_init);
module_exit(s_exit);
MODULE_LICENSE("GPL");
`;
    const d = dmesgText(run({ drivers: { 's.c': drv } }));
    assert.match(d, /BUG: sleeping function called from invalid context/);
    assert.match(d, /BUG: scheduling while atomic: insmod\/\d+\/0x00000002/);
  });
});
