/**
 * The signal system calls: rt_sigaction's act/oact copies (EFAULT on a bad pointer, the old
 * handler coming back), i386's old sigaction copied field by field, SIG_IGN, blocked signals
 * staying pending, SA_NODEFER / SA_RESETHAND, SIGKILL and SIGSTOP that cannot be caught, kill
 * and tgkill, sigaltstack, and default actions. The x86_64 runs are compared with gcc on the host
 * where the program's output does not depend on the kernel version.
 */
import assert from 'node:assert/strict';
import { runC } from '../libc/gcc';
import { ARCH_PAIR, PRELUDE, runProgram } from './run';

const ACTIONS_PROGRAM = `${PRELUDE}
static void one(int sig) { }
static void two(int sig) { }
/* errno is read after the call returned (argument order is unspecified). */
static void result(const char *what, int r) { printf("%s: %d %d\\n", what, r, errno); errno = 0; }
int main(void) {
	struct sigaction sa, old;
	int r;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = one;
	sa.sa_flags = SA_RESTART;
	sigaddset(&sa.sa_mask, SIGTERM);
	printf("set one: %d\\n", sigaction(SIGUSR1, &sa, NULL));
	sa.sa_handler = two;
	memset(&old, 0x55, sizeof old);
	printf("set two: %d\\n", sigaction(SIGUSR1, &sa, &old));
	printf("old is one: %d restart: %d restorer set: %d mask: %lx\\n", old.sa_handler == one, (old.sa_flags & SA_RESTART) != 0, old.sa_restorer != 0,
	       old.sa_mask.__val[0]);
	sigaction(SIGUSR1, NULL, &old);
	printf("now two: %d\\n", old.sa_handler == two);
	errno = 0;
	result("SIGKILL", sigaction(SIGKILL, &sa, NULL));
	result("SIGSTOP", sigaction(SIGSTOP, &sa, NULL));
	r = sigaction(SIGKILL, NULL, &old);
	printf("query SIGKILL: %d dfl: %d\\n", r, old.sa_handler == SIG_DFL);
	result("signal 0", sigaction(0, &sa, NULL));
	result("signal 65", sigaction(65, &sa, NULL));
	printf("signal() returns the old handler: %d\\n", signal(SIGUSR1, one) == two);
	printf("then SIG_ERR for SIGKILL: %d\\n", signal(SIGKILL, one) == SIG_ERR);
	return 0;
}
`;

const ACTIONS_OUTPUT = [
  'set one: 0',
  'set two: 0',
  'old is one: 1 restart: 1 restorer set: 1 mask: 4000',
  'now two: 1',
  'SIGKILL: -1 22',
  'SIGSTOP: -1 22',
  'query SIGKILL: 0 dfl: 1',
  'signal 0: -1 22',
  'signal 65: -1 22',
  'signal() returns the old handler: 1',
  'then SIG_ERR for SIGKILL: 1',
  '',
].join('\n');

/** rt_sigaction called directly, so that the kernel's own copies meet the bad pointers. */
const RAW_PROGRAM = `${PRELUDE}
#ifdef __x86_64__
#define NR_RT_SIGACTION 13
#define KSA_BYTES 32
#else
#define NR_RT_SIGACTION 174
#define KSA_BYTES 20
#endif
static void one(int sig) { }
int main(void) {
	unsigned long act[4] = { (unsigned long)one, 0, 0, 0 }, oact[4];
	char *ro = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long r;
	errno = 0;
	r = syscall(NR_RT_SIGACTION, SIGUSR1, (void *)16, NULL, 8);
	/* r and errno are both set by now: the call came first. */
	printf("bad act: %ld %d\\n", r, errno);
	errno = 0;
	r = syscall(NR_RT_SIGACTION, SIGUSR1, act, ro, 8);
	printf("read-only oact: %ld %d\\n", r, errno);
	r = syscall(NR_RT_SIGACTION, SIGUSR1, NULL, oact, 8);
	printf("the act went in anyway: %d\\n", oact[0] == (unsigned long)one);
	errno = 0;
	r = syscall(NR_RT_SIGACTION, SIGUSR1, act, NULL, 16);
	printf("sigsetsize 16: %ld %d\\n", r, errno);
	return 0;
}
`;

describe('signals: sigaction', () => {
  for (const arch of ARCH_PAIR) {
    it(`${arch}: the new action goes in, the old one comes back; SIGKILL and SIGSTOP are refused`, () => {
      const r = runProgram(ACTIONS_PROGRAM, arch);
      // i386's unsigned long is 4 bytes: the untouched second word is 0x55555555 there.
      assert.equal(r.stdout, ACTIONS_OUTPUT, r.dmesg);
    });

    it(`${arch}: rt_sigaction copies act in and oact out through the uaccess routines: EFAULT, not a crash`, () => {
      const r = runProgram(RAW_PROGRAM, arch);
      assert.equal(r.stdout, 'bad act: -1 14\nread-only oact: -1 14\nthe act went in anyway: 1\nsigsetsize 16: -1 22\n', r.dmesg);
      assert.equal(r.exitCode, 0);
    });
  }

  it('x86_64: gcc on the host agrees', function () {
    const host = runC(ACTIONS_PROGRAM);
    if (!host) this.skip();
    assert.equal(host!.stdout, ACTIONS_OUTPUT);
    assert.equal(runC(RAW_PROGRAM)!.stdout, 'bad act: -1 14\nread-only oact: -1 14\nthe act went in anyway: 1\nsigsetsize 16: -1 22\n');
  });

  it('i386: the old sigaction system call copies struct old_sigaction field by field', () => {
    const src = `${PRELUDE}
static void one(int sig) { printf("one %d\\n", sig); }
int main(void) {
	unsigned long act[4] = { (unsigned long)one, 1UL << (SIGTERM - 1), 0, 0 }, old[4] = { 9, 9, 9, 9 };
	errno = 0;
	printf("bad: %ld %d\\n", syscall(67, SIGUSR1, (void *)16, NULL), errno);
	printf("set: %ld\\n", syscall(67, SIGUSR1, act, NULL));
	printf("get: %ld handler=%d mask=%lx flags=%lx\\n", syscall(67, SIGUSR1, NULL, old), old[0] == (unsigned long)one, old[1], old[2]);
	raise(SIGUSR1);
	return 0;
}
`;
    const r = runProgram(src, 'i386');
    assert.equal(r.stdout, 'bad: -1 14\nset: 0\nget: 0 handler=1 mask=4000 flags=0\none 10\n', r.dmesg);
  });
});

const MASK_PROGRAM = `${PRELUDE}
static int got;
static void handler(int sig) { got++; printf("handler %d (got %d)\\n", sig, got); }
static unsigned long word(sigset_t *s) { return s->__val[0]; }
int main(void) {
	sigset_t block, pending, old;
	signal(SIGUSR1, handler);
	signal(SIGUSR2, handler);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, &old);
	raise(SIGUSR2);
	raise(SIGUSR1);
	raise(SIGUSR1);
	sigpending(&pending);
	printf("blocked: got %d, pending %lx, old mask %lx\\n", got, word(&pending), word(&old));
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	sigpending(&pending);
	printf("unblocked: got %d, pending %lx\\n", got, word(&pending));
	signal(SIGUSR1, SIG_IGN);
	raise(SIGUSR1);
	printf("ignored: got %d\\n", got);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR2);
	signal(SIGUSR2, SIG_IGN);
	sigpending(&pending);
	printf("ignoring discards what is pending: %lx\\n", word(&pending));
	signal(SIGCHLD, SIG_DFL);
	raise(SIGCHLD);
	printf("SIGCHLD's default is to ignore: still here\\n");
	sigprocmask(SIG_SETMASK, NULL, &old);
	sigfillset(&block);
	sigprocmask(SIG_SETMASK, &block, &old);
	sigprocmask(SIG_SETMASK, &old, &block);
	printf("SIGKILL and SIGSTOP cannot be blocked: %lx\\n", word(&block));
	return 0;
}
`;

const MASK_OUTPUT = [
  'blocked: got 0, pending a00, old mask 0',
  // SIGUSR1 is dequeued first, and SIGUSR2 is delivered on top of its frame before its handler starts.
  'handler 12 (got 1)',
  'handler 10 (got 2)',
  'unblocked: got 2, pending 0',
  'ignored: got 2',
  'ignoring discards what is pending: 0',
  "SIGCHLD's default is to ignore: still here",
  'SIGKILL and SIGSTOP cannot be blocked: fffffffe7ffbfeff',
  '',
].join('\n');

describe('signals: masks and pending signals', () => {
  for (const arch of ARCH_PAIR) {
    it(`${arch}: blocked signals wait (one of each kind), the lowest comes first when unblocked, SIG_IGN drops them`, () => {
      const r = runProgram(MASK_PROGRAM, arch);
      const want = arch === 'x86_64' ? MASK_OUTPUT : MASK_OUTPUT.replace('fffffffe7ffbfeff', '7ffbfeff');
      assert.equal(r.stdout, want, r.dmesg);
    });
  }

  it('x86_64: gcc on the host agrees', function () {
    const host = runC(MASK_PROGRAM);
    if (!host) this.skip();
    assert.equal(host!.stdout, MASK_OUTPUT);
  });

  it('SA_NODEFER lets the handler be interrupted by its own signal; SA_RESETHAND runs it once, the next one kills', () => {
    const src = `${PRELUDE}
static int depth, calls;
static void handler(int sig) {
	calls++;
	depth++;
	printf("depth %d\\n", depth);
	if (depth < 3) raise(sig);
	depth--;
}
int main(int argc, char **argv) {
	struct sigaction sa;
	setvbuf(stdout, NULL, _IONBF, 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGUSR2, &sa, NULL);
	depth = 0;
	raise(SIGUSR2);
	printf("calls %d\\n", calls);
	sigaction(SIGUSR2, NULL, &sa);
	printf("reset to SIG_DFL: %d\\n", sa.sa_handler == SIG_DFL);
	raise(SIGUSR2);
	printf("not reached\\n");
	return 0;
}
`;
    // Without SA_NODEFER the raise inside the one-shot handler waits, blocked, and meets SIG_DFL.
    const want = 'depth 1\ndepth 2\ndepth 3\ndepth 1\n';
    for (const arch of ARCH_PAIR) {
      const r = runProgram(src, arch);
      assert.equal(r.stdout, want, r.dmesg);
      assert.equal(r.signal, 'SIGUSR2');
    }
    const host = runC(src);
    if (host) assert.equal(host.stdout, want);
  });

  it('a signal raised inside a handler for another one nests on top of its frame', () => {
    const src = `${PRELUDE}
static void inner(int sig, siginfo_t *si, void *uc) { printf("inner uc %p\\n", uc); }
static void outer(int sig, siginfo_t *si, void *uc) {
	printf("outer\\n");
	raise(SIGUSR2);
	printf("outer again, inner frame below: %d\\n", 1);
}
int main(void) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_flags = SA_SIGINFO;
	sa.sa_sigaction = outer;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_sigaction = inner;
	sigaction(SIGUSR2, &sa, NULL);
	raise(SIGUSR1);
	printf("back\\n");
	return 0;
}
`;
    const r = runProgram(src);
    assert.match(r.stdout, /^outer\ninner uc 0x[0-9a-f]+\nouter again, inner frame below: 1\nback\n$/);
  });
});

describe('signals: sending', () => {
  it('kill and tgkill: ESRCH, EINVAL; signal 0 only checks', () => {
    const src = `${PRELUDE}
static void result(const char *what, int r) { printf("%s: %d %d\\n", what, r, errno); errno = 0; }
int main(void) {
	errno = 0;
	result("no such pid", kill(4000, SIGUSR1));
	result("signal 99", kill(getpid(), 99));
	result("signal 0", kill(getpid(), 0));
	result("tgkill tid 0", syscall(234, getpid(), 0, SIGUSR1));
	result("tgkill wrong tgid", syscall(234, getpid() + 1, getpid(), SIGUSR1));
	return 0;
}
`;
    const r = runProgram(src);
    assert.equal(r.stdout, 'no such pid: -1 3\nsignal 99: -1 22\nsignal 0: 0 0\ntgkill tid 0: -1 22\ntgkill wrong tgid: -1 3\n');
  });

  it('SIGKILL cannot be caught, blocked or ignored', () => {
    const src = `${PRELUDE}
int main(void) {
	sigset_t all;
	signal(SIGKILL, SIG_IGN);
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	printf("about to die\\n");
	fflush(stdout);
	kill(getpid(), SIGKILL);
	printf("not reached\\n");
	return 0;
}
`;
    for (const arch of ARCH_PAIR) {
      const r = runProgram(src, arch);
      assert.equal(r.stdout, 'about to die\n');
      assert.equal(r.signal, 'SIGKILL');
      assert.equal(r.exitCode, null);
    }
  });

  it('default actions: SIGTERM and SIGUSR1 terminate, SIGABRT from abort() too; SIGCONT and SIGWINCH are ignored', () => {
    const prog = (sig: string) => `${PRELUDE}
int main(void) { raise(${sig}); printf("survived\\n"); return 0; }
`;
    assert.equal(runProgram(prog('SIGTERM')).signal, 'SIGTERM');
    assert.equal(runProgram(prog('SIGUSR1')).signal, 'SIGUSR1');
    assert.equal(runProgram(prog('SIGCONT')).stdout, 'survived\n');
    assert.equal(runProgram(prog('SIGWINCH')).stdout, 'survived\n');
    assert.equal(runProgram(`${PRELUDE}
static void h(int sig) { printf("caught %d\\n", sig); }
int main(void) { signal(SIGABRT, h); abort(); return 0; }
`).stdout, 'caught 6\n');
  });
});

describe('signals: the alternate signal stack', () => {
  const src = `${PRELUDE}
static char *alt;
static void result(const char *what, int r) { printf("%s: %d %d\\n", what, r, errno); errno = 0; }
static void handler(int sig, siginfo_t *si, void *ucv) {
	ucontext_t *uc = ucv;
	stack_t now;
	char here;
	sigaltstack(NULL, &now);
	printf("on it: %d flags %d saved flags %d\\n", &here > alt && &here < alt + 16384, now.ss_flags, uc->uc_stack.ss_flags);
	stack_t other = { .ss_sp = alt, .ss_size = 16384, .ss_flags = 0 };
	errno = 0;
	result("change while on it", sigaltstack(&other, NULL));
}
int main(void) {
	struct sigaction sa;
	stack_t ss, old;
	alt = malloc(16384);
	ss.ss_sp = alt;
	ss.ss_size = 1024;
	ss.ss_flags = 0;
	errno = 0;
	result("too small", sigaltstack(&ss, NULL));
	ss.ss_size = 16384;
	ss.ss_flags = 7;
	result("bad flags", sigaltstack(&ss, NULL));
	ss.ss_flags = 0;
	printf("set: %d\\n", sigaltstack(&ss, &old));
	printf("old: flags %d size %d\\n", old.ss_flags, (int)old.ss_size);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	sigaltstack(NULL, &old);
	printf("after: flags %d\\n", old.ss_flags);
	return 0;
}
`;
  const want = 'too small: -1 12\nbad flags: -1 22\nset: 0\nold: flags 2 size 0\non it: 1 flags 1 saved flags 0\nchange while on it: -1 1\nafter: flags 0\n';

  for (const arch of ARCH_PAIR) {
    it(`${arch}: SA_ONSTACK runs the handler there; ENOMEM, EINVAL, EPERM while on it`, () => {
      const r = runProgram(src, arch);
      assert.equal(r.stdout, want, r.dmesg);
    });
  }

  it('x86_64: gcc on the host agrees', function () {
    const host = runC(src);
    if (!host) this.skip();
    assert.equal(host!.stdout, want);
  });
});
