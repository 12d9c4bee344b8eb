/**
 * Signals and sleeping tasks: an interruptible sleep ends when a signal arrives (pause,
 * sigsuspend, nanosleep, a driver's wait_event_interruptible and msleep_interruptible), the
 * system call then fails with EINTR or restarts (SA_RESTART, restart_syscall for nanosleep), and
 * an uninterruptible sleep is not disturbed. alarm() is the timer that sends SIGALRM.
 */
import assert from 'node:assert/strict';
import { dmesgText, miscDriver, run } from '../helpers/run';
import { runC } from '../libc/gcc';
import { ARCH_PAIR, PRELUDE, runProgram } from './run';

const ALARM_PROGRAM = `${PRELUDE}
static volatile int rang;
static void ring(int sig, siginfo_t *si, void *ucv) {
	ucontext_t *uc = ucv;
	sigset_t now;
	sigprocmask(SIG_BLOCK, NULL, &now);
	rang++;
	printf("ring %d: code %d, saved mask %lx, mask now %lx\\n", rang, si->si_code, uc->uc_sigmask.__val[0], now.__val[0]);
}
static void result(const char *what, int r) { printf("%s: %d %s\\n", what, r, r < 0 ? strerror(errno) : ""); }
int main(void) {
	struct sigaction sa;
	sigset_t usr1, none, now;
	unsigned int left;
	setvbuf(stdout, NULL, _IONBF, 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = ring;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGALRM, &sa, NULL);
	alarm(5);
	left = alarm(1);
	printf("alarm(1) after alarm(5): %u\\n", left);
	result("pause", pause());
	alarm(1);
	left = sleep(5);
	printf("sleep(5) woken after a second: %u left\\n", left);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	sigemptyset(&none);
	alarm(1);
	result("sigsuspend", sigsuspend(&none));
	sigprocmask(SIG_BLOCK, NULL, &now);
	printf("mask after sigsuspend: %lx\\n", now.__val[0]);
	printf("alarm(0) with none pending: %u\\n", alarm(0));
	signal(SIGALRM, SIG_DFL);
	alarm(1);
	pause();
	printf("not reached\\n");
	return 0;
}
`;

const ALARM_OUTPUT = [
  'alarm(1) after alarm(5): 5',
  'ring 1: code 128, saved mask 0, mask now 2000',
  'pause: -1 Interrupted system call',
  'ring 2: code 128, saved mask 0, mask now 2000',
  'sleep(5) woken after a second: 4 left',
  'ring 3: code 128, saved mask 200, mask now 2000',
  'sigsuspend: -1 Interrupted system call',
  'mask after sigsuspend: 200',
  'alarm(0) with none pending: 0',
  '',
].join('\n');

describe('signals: sleeping and alarm', () => {
  for (const arch of ARCH_PAIR) {
    it(`${arch}: alarm wakes pause, cuts sleep short, ends sigsuspend (whose old mask the frame saves); unhandled, SIGALRM kills`, () => {
      const r = runProgram(ALARM_PROGRAM, arch);
      assert.equal(r.stdout, ALARM_OUTPUT, r.dmesg);
      assert.equal(r.signal, 'SIGALRM');
    });
  }

  it('x86_64: gcc on the host agrees', function () {
    this.timeout(20000);
    const host = runC(ALARM_PROGRAM);
    if (!host) this.skip();
    // Real time on a busy host: the alarm may come late enough to round the rest of sleep down.
    assert.equal(host!.stdout.replace(/woken after a second: 3 left/, 'woken after a second: 4 left'), ALARM_OUTPUT);
    assert.equal(host!.signal, 'SIGALRM');
  });
});

const WAITER = miscDriver(
  'waiter',
  `#include <linux/wait.h>
#include <linux/sched.h>
#include <linux/delay.h>
static DECLARE_WAIT_QUEUE_HEAD(wq);
static int ready;
static ssize_t waiter_read(struct file *f, char __user *buf, size_t n, loff_t *off)
{
	int r = wait_event_interruptible(wq, ready);
	pr_info("waiter: wait_event_interruptible returned %d, signal_pending %d\\n", r, signal_pending(current));
	if (r)
		return r;
	ready = 0;
	return 0;
}
static ssize_t waiter_write(struct file *f, const char __user *buf, size_t n, loff_t *off)
{
	ready = 1;
	wake_up_interruptible(&wq);
	return n;
}
static long waiter_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	unsigned long left = cmd == 1 ? msleep_interruptible(3000) : (msleep(1500), 0);
	pr_info("waiter: sleep %u left %lu ms\\n", cmd, left);
	return left;
}`,
  '.read = waiter_read, .write = waiter_write, .unlocked_ioctl = waiter_ioctl',
);

const READER = `${PRELUDE}
#include <sys/ioctl.h>
static int fd;
static void ring(int sig) {
	printf("ring\\n");
	write(fd, "x", 1);
}
int main(int argc, char **argv) {
	struct sigaction sa;
	long r;
	setvbuf(stdout, NULL, _IONBF, 0);
	fd = open("/dev/waiter", O_RDWR);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = ring;
	sa.sa_flags = FLAGS;
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	r = read(fd, &sa, 1);
	printf("read: %ld %s\\n", r, r < 0 ? strerror(errno) : "");
	alarm(1);
	r = ioctl(fd, 1, 0);
	printf("msleep_interruptible: %ld ms left\\n", r);
	alarm(1);
	r = ioctl(fd, 2, 0);
	printf("msleep: %ld\\n", r);
	return 0;
}
`;

describe('signals: drivers sleeping interruptibly', () => {
  it('without SA_RESTART: wait_event_interruptible gives -ERESTARTSYS and read fails with EINTR; msleep_interruptible ends early, msleep does not', () => {
    const r = run({ drivers: { 'waiter.c': WAITER }, programs: { 'p.c': READER.replace('FLAGS', '0') } });
    const d = dmesgText(r);
    assert.equal(r.programs[0].stdout, 'ring\nread: -1 Interrupted system call\nring\nmsleep_interruptible: 2004 ms left\nring\nmsleep: 0\n', d);
    assert.match(d, /waiter: wait_event_interruptible returned -512, signal_pending 1/);
    // 3000 ms is 750 jiffies, plus one; the alarm comes 250 jiffies later: 501 jiffies are left.
    assert.match(d, /waiter: sleep 1 left 2004 ms/);
  });

  it('with SA_RESTART: the read runs again after the handler and finds the data the handler made ready', () => {
    const r = run({ drivers: { 'waiter.c': WAITER }, programs: { 'p.c': READER.replace('FLAGS', 'SA_RESTART') } });
    const d = dmesgText(r);
    assert.match(r.programs[0].stdout, /^ring\nread: 0 \n/, d);
    assert.match(d, /waiter: wait_event_interruptible returned -512[^]*waiter: wait_event_interruptible returned 0, signal_pending 0/);
  });
});

describe('signals: stop, continue and restart_syscall', () => {
  it('a stopped task sleeps until SIGCONT; its nanosleep resumes through restart_syscall to the same end', () => {
    const sleeper = `${PRELUDE}
#include <time.h>
int main(void) {
	struct timespec t = { 2, 0 }, left = { 0, 0 };
	int r = nanosleep(&t, &left);
	printf("nanosleep: %d\\n", r);
	return 0;
}
`;
    const sender = `${PRELUDE}
int main(void) {
	usleep(500000);
	printf("stop: %d\\n", kill(-1, SIGSTOP));
	sleep(3);
	printf("cont: %d\\n", kill(-1, SIGCONT));
	return 0;
}
`;
    const r = run({
      programs: { 'sleeper.c': sleeper, 'sender.c': sender },
      tweak: (lab) => {
        lab.concurrent = true;
      },
    });
    assert.equal(r.programs[0].stdout, 'nanosleep: 0\n', dmesgText(r));
    assert.equal(r.programs[0].exitCode, 0);
    assert.equal(r.programs[1].stdout, 'stop: 0\ncont: 0\n');
  });
});
