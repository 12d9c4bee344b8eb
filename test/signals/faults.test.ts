/**
 * Signals a task causes itself (FACTS §C faults, §F): SIGSEGV with SEGV_MAPERR / SEGV_ACCERR and
 * SIGBUS with BUS_ADRERR carry si_addr; the sigcontext has trapno, err and cr2; a handler that
 * fixes the mapping lets the faulting access run again and succeed, one that does not loops
 * until the step limit; a fault the task cannot take (SIGSEGV blocked or ignored) kills it.
 * The x86_64 runs are compared with the same program built by gcc on the host.
 */
import assert from 'node:assert/strict';
import { miscDriver } from '../helpers/run';
import { runC } from '../libc/gcc';
import { ARCH_PAIR, PRELUDE, runProgram } from './run';

const REGS = `
#ifdef __x86_64__
#define GREG(uc, r) ((long)(uc)->uc_mcontext.gregs[REG_##r])
#define CR2(uc) ((long)(uc)->uc_mcontext.gregs[REG_CR2])
#define IP(uc) GREG(uc, RIP)
#else
#define GREG(uc, r) ((long)(uc)->uc_mcontext.gregs[REG_##r])
#define CR2(uc) ((long)(uc)->uc_mcontext.cr2)
#define IP(uc) GREG(uc, EIP)
#endif
`;

const FIX_PROGRAM = `${PRELUDE}${REGS}
static char *page;
static int n;
static void handler(int sig, siginfo_t *si, void *ucv) {
	ucontext_t *uc = ucv;
	printf("sig=%d code=%d off=%ld trapno=%ld err=%lx cr2off=%ld errno=%d\\n", sig, si->si_code, (long)((char *)si->si_addr - page),
	       GREG(uc, TRAPNO), GREG(uc, ERR), CR2(uc) - (long)page, si->si_errno);
	n++;
	if (n == 2) mmap(page, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (n == 4) mmap(page + 4096, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}
int main(void) {
	struct sigaction sa;
	int v;
	setvbuf(stdout, NULL, _IONBF, 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	page = mmap(0, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(page + 4096, 4096);
	page[100] = 7;
	printf("write went through: %d after %d signals\\n", page[100], n);
	v = page[4096 + 5];
	printf("read went through: %d after %d signals\\n", v, n);
	return 0;
}
`;

const FIX_OUTPUT = [
  'sig=11 code=2 off=100 trapno=14 err=6 cr2off=100 errno=0',
  'sig=11 code=2 off=100 trapno=14 err=6 cr2off=100 errno=0',
  'write went through: 7 after 2 signals',
  'sig=11 code=1 off=4101 trapno=14 err=4 cr2off=4101 errno=0',
  'sig=11 code=1 off=4101 trapno=14 err=4 cr2off=4101 errno=0',
  'read went through: 0 after 4 signals',
  '',
].join('\n');

const REFUSE = miscDriver(
  'refuse',
  `static int refuse_fault(struct vm_area_struct *vma, struct vm_fault *vmf) { return VM_FAULT_SIGBUS; }
static const struct vm_operations_struct refuse_vm_ops = { .fault = refuse_fault };
static int refuse_mmap(struct file *f, struct vm_area_struct *vma) { vma->vm_ops = &refuse_vm_ops; return 0; }`,
  '.mmap = refuse_mmap',
);

const SIGBUS_PROGRAM = `${PRELUDE}${REGS}
static char *map;
static void handler(int sig, siginfo_t *si, void *ucv) {
	ucontext_t *uc = ucv;
	printf("sig=%d code=%d off=%ld trapno=%ld err=%lx cr2off=%ld\\n", sig, si->si_code, (long)((char *)si->si_addr - map), GREG(uc, TRAPNO), GREG(uc, ERR), CR2(uc) - (long)map);
	_exit(3);
}
int main(void) {
	struct sigaction sa;
	int fd = open("/dev/refuse", O_RDWR);
	setvbuf(stdout, NULL, _IONBF, 0);
	map = mmap(0, 4096, PROT_READ, MAP_SHARED, fd, 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGBUS, &sa, NULL);
	printf("read %d\\n", map[5]);
	return 0;
}
`;

describe('signals: faults carry si_code and si_addr', () => {
  for (const arch of ARCH_PAIR) {
    it(`${arch}: SEGV_ACCERR then SEGV_MAPERR; the handler maps the page and the access runs again`, () => {
      const r = runProgram(FIX_PROGRAM, arch);
      assert.equal(r.stdout, FIX_OUTPUT, r.dmesg);
      assert.equal(r.exitCode, 0);
      assert.doesNotMatch(r.dmesg, /segfault at/, 'a caught SIGSEGV prints no segfault line');
    });

    it(`${arch}: a .fault that returns VM_FAULT_SIGBUS is SIGBUS with BUS_ADRERR at the address`, () => {
      const r = runProgram(SIGBUS_PROGRAM, arch, { drivers: { 'refuse.c': REFUSE } });
      assert.equal(r.stdout, 'sig=7 code=2 off=5 trapno=14 err=4 cr2off=5\n', r.dmesg);
      assert.equal(r.exitCode, 3);
    });
  }

  it('x86_64: the same program built by gcc on the host prints the same', function () {
    const host = runC(FIX_PROGRAM);
    if (!host) this.skip();
    assert.equal(host!.stdout, FIX_OUTPUT);
  });

  it('the saved ip is the faulting op, inside the function that faulted', () => {
    const src = `${PRELUDE}${REGS}
int main(void);
static void handler(int sig, siginfo_t *si, void *ucv) {
	long ip = IP((ucontext_t *)ucv);
	printf("in main: %d\\n", ip > (long)main && ip < (long)main + 4096);
	_exit(0);
}
int main(void) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	*(volatile int *)16 = 1;
	return 1;
}
`;
    for (const arch of ARCH_PAIR) assert.equal(runProgram(src, arch).stdout, 'in main: 1\n');
  });

  it('a divide error is SIGFPE with FPE_INTDIV at the faulting ip, trapno 0', () => {
    const src = `${PRELUDE}${REGS}
static void handler(int sig, siginfo_t *si, void *ucv) {
	ucontext_t *uc = ucv;
	printf("sig=%d code=%d addr_is_ip=%d trapno=%ld\\n", sig, si->si_code, (long)si->si_addr == IP(uc), GREG(uc, TRAPNO));
	_exit(0);
}
int main(int argc, char **argv) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGFPE, &sa, NULL);
	return 10 / (argc - 1);
}
`;
    for (const arch of ARCH_PAIR) assert.equal(runProgram(src, arch).stdout, 'sig=8 code=1 addr_is_ip=1 trapno=0\n');
  });
});

const LOOP_PROGRAM = `${PRELUDE}
static int n;
static void handler(int sig) { n++; }
int main(void) {
	signal(SIGSEGV, handler);
	*(volatile int *)16 = 1;
	return 0;
}
`;

describe('signals: what rt_sigreturn cannot follow', () => {
  it('a handler that moves the saved ip gets a note in dmesg; the interrupted access runs again', () => {
    const src = `${PRELUDE}${REGS}
static char *p;
static void handler(int sig, siginfo_t *si, void *ucv) {
	ucontext_t *uc = ucv;
#ifdef __x86_64__
	uc->uc_mcontext.gregs[REG_RIP] += 4;
#else
	uc->uc_mcontext.gregs[REG_EIP] += 4;
#endif
	mmap(p, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}
int main(void) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	p = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[0] = 'x';
	printf("%c\\n", p[0]);
	return 0;
}
`;
    for (const arch of ARCH_PAIR) {
      const r = runProgram(src, arch);
      assert.equal(r.stdout, 'x\n');
      assert.match(r.dmesg, /rt_sigreturn: the handler changed the saved context \(ip [0-9a-f]+ -> [0-9a-f]+, sp ([0-9a-f]+) -> \1\)/);
    }
  });
});

describe('signals: faults a task cannot take', () => {
  it('a handler that returns without fixing anything gets the fault again, until the step limit', () => {
    const r = runProgram(LOOP_PROGRAM, 'x86_64', { maxSteps: 30_000 });
    assert.equal(r.signal, 'SIGKILL');
    assert.match(r.note ?? '', /step limit/);
    assert.ok((r.dmesg.match(/segfault at/g) ?? []).length === 0);
  });

  it('a fault inside the SIGSEGV handler (SIGSEGV blocked there) kills the task, silently as Linux does', () => {
    const src = `${PRELUDE}
static void handler(int sig) { printf("handler\\n"); fflush(stdout); *(volatile int *)32 = 2; }
int main(void) {
	signal(SIGSEGV, handler);
	*(volatile int *)16 = 1;
	return 0;
}
`;
    for (const arch of ARCH_PAIR) {
      const r = runProgram(src, arch);
      assert.equal(r.stdout, 'handler\n');
      assert.equal(r.signal, 'SIGSEGV');
      assert.doesNotMatch(r.dmesg, /segfault at/);
    }
  });

  it('SIGSEGV ignored: the fault resets it to the default action; the segfault line is printed', () => {
    const src = `${PRELUDE}
int main(void) {
	signal(SIGSEGV, SIG_IGN);
	*(volatile int *)16 = 1;
	return 0;
}
`;
    const r = runProgram(src);
    assert.equal(r.signal, 'SIGSEGV');
    assert.match(r.dmesg, /p\[\d+\]: segfault at 10 ip [0-9a-f]+ sp [0-9a-f]+ error 6/);
  });

  it('SIGSEGV blocked with sigprocmask: the fault unblocks it and kills', () => {
    const src = `${PRELUDE}
static void handler(int sig) { printf("never\\n"); }
int main(void) {
	sigset_t s;
	signal(SIGSEGV, handler);
	sigemptyset(&s);
	sigaddset(&s, SIGSEGV);
	sigprocmask(SIG_BLOCK, &s, NULL);
	*(volatile int *)16 = 1;
	return 0;
}
`;
    const r = runProgram(src);
    assert.equal(r.signal, 'SIGSEGV');
    assert.equal(r.stdout, '');
  });

  it('without a handler: the segfault line and death by SIGSEGV, as before', () => {
    const src = `${PRELUDE}
int main(void) { *(volatile int *)16 = 1; return 0; }
`;
    for (const arch of ARCH_PAIR) {
      const r = runProgram(src, arch);
      assert.equal(r.signal, 'SIGSEGV');
      assert.match(r.dmesg, /segfault at 10 ip/);
    }
  });
});
