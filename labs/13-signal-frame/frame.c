/*
 * frame: three faults, one handler, and a look at what the kernel left on the stack.
 *
 * The handler is installed with SA_SIGINFO, so it gets (sig, &info, &uc): two pointers into the
 * rt_sigframe the kernel wrote on this program's stack just before calling it. It prints what
 * the fault was (si_code, si_addr), then walks the frame by hand, from its first byte, and
 * checks every field against what it should be. Then it repairs the mapping with mmap(MAP_FIXED)
 * and returns: the faulting instruction runs again and this time it works.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <ucontext.h>

#ifdef __x86_64__
/* struct rt_sigframe { char *pretcode; struct ucontext uc; struct siginfo info; } */
#define OFF_UC      8
#define OFF_INFO    312
#define FRAME_BYTES 440
#define RED_ZONE    128
#define SAVED_IP(uc)  ((unsigned long)(uc)->uc_mcontext.gregs[REG_RIP])
#define SAVED_SP(uc)  ((unsigned long)(uc)->uc_mcontext.gregs[REG_RSP])
#define TRAPNO(uc)    ((unsigned long)(uc)->uc_mcontext.gregs[REG_TRAPNO])
#define ERR(uc)       ((unsigned long)(uc)->uc_mcontext.gregs[REG_ERR])
#define CR2(uc)       ((unsigned long)(uc)->uc_mcontext.gregs[REG_CR2])
#else
/* struct rt_sigframe { char *pretcode; int sig; siginfo *pinfo; void *puc;
                        struct siginfo info; struct ucontext uc; char retcode[8]; } */
#define OFF_UC      144
#define OFF_INFO    16
#define FRAME_BYTES 268
#define RED_ZONE    0
#define SAVED_IP(uc)  ((unsigned long)(uc)->uc_mcontext.gregs[REG_EIP])
#define SAVED_SP(uc)  ((unsigned long)(uc)->uc_mcontext.gregs[REG_ESP])
#define TRAPNO(uc)    ((unsigned long)(uc)->uc_mcontext.gregs[REG_TRAPNO])
#define ERR(uc)       ((unsigned long)(uc)->uc_mcontext.gregs[REG_ERR])
#define CR2(uc)       ((unsigned long)(uc)->uc_mcontext.cr2)
#endif

static char *area;              /* two pages: read-only, and unmapped */
int main(void);
static struct sigaction installed;
static int faults;

static const char *code_name(int sig, int code)
{
	if (sig == SIGSEGV && code == SEGV_MAPERR)
		return "SEGV_MAPERR";
	if (sig == SIGSEGV && code == SEGV_ACCERR)
		return "SEGV_ACCERR";
	if (sig == SIGBUS && code == BUS_ADRERR)
		return "BUS_ADRERR";
	return "?";
}

static const char *yes(int ok)
{
	return ok ? "yes" : "NO";
}

static void show_frame(int sig, siginfo_t *si, ucontext_t *uc)
{
	unsigned char *frame = (unsigned char *)uc - OFF_UC;
	unsigned long sp = SAVED_SP(uc);
	int i;

	printf("  the frame is at %p, %d bytes; it ends %lu bytes below the interrupted sp (%#lx)\n",
	       (void *)frame, FRAME_BYTES, sp - (unsigned long)(frame + FRAME_BYTES), sp);
	printf("  red zone skipped: %d bytes, frame %% 16 = %lu\n", RED_ZONE, (unsigned long)frame % 16);
	printf("  +0   pretcode = %p   is sa_restorer (__restore_rt): %s\n", *(void **)frame, yes(*(void **)frame == (void *)installed.sa_restorer));
#ifndef __x86_64__
	printf("  +4   sig      = %d   +8 pinfo = %p (&info: %s)   +12 puc = %p (&uc: %s)\n", *(int *)(frame + 4),
	       *(void **)(frame + 8), yes(*(void **)(frame + 8) == (void *)si), *(void **)(frame + 12), yes(*(void **)(frame + 12) == (void *)uc));
	printf("  +260 retcode  =");
	for (i = 0; i < 8; i++)
		printf(" %02x", frame[260 + i]);
	printf("   (movl $173,%%eax; int $0x80: kept only for debuggers)\n");
#endif
	printf("  +%-3d info     (si_signo %d at +%d: %s)\n", OFF_INFO, *(int *)(frame + OFF_INFO), OFF_INFO, yes((unsigned char *)si == frame + OFF_INFO));
	printf("  +%-3d uc       (uc_sigmask %#lx: the mask before the handler)\n", OFF_UC, uc->uc_sigmask.__val[0]);
	printf("  saved ip %#lx, inside main: %s\n", SAVED_IP(uc), yes(SAVED_IP(uc) > (unsigned long)main && SAVED_IP(uc) < (unsigned long)main + 4096));
	printf("  trapno %lu, err %#lx, cr2 = si_addr: %s\n", TRAPNO(uc), ERR(uc), yes(CR2(uc) == (unsigned long)si->si_addr));
	(void)sig;
}

static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	char *page = (char *)((unsigned long)si->si_addr & ~4095UL);
	sigset_t now;

	faults++;
	sigprocmask(SIG_BLOCK, NULL, &now);
	printf("fault %d: %s si_code %d (%s), si_addr %p (offset %#lx in its page)\n", faults, sig == SIGSEGV ? "SIGSEGV" : "SIGBUS", si->si_code,
	       code_name(sig, si->si_code), si->si_addr, (unsigned long)si->si_addr & 4095);
	printf("  blocked while the handler runs: %#lx\n", now.__val[0]);
	show_frame(sig, si, uc);
	/* Repair: a fresh writable page where the access failed; returning retries the access. */
	if (mmap(page, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != page)
		_exit(9);
	printf("  mapped a writable page there; returning\n");
}

int main(void)
{
	int fd = open("/dev/holes", O_RDONLY);
	char *hole;
	int v;

	memset(&installed, 0, sizeof installed);
	installed.sa_sigaction = handler;
	installed.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &installed, NULL);
	sigaction(SIGBUS, &installed, NULL);
	/* Ask back what the kernel keeps: glibc added SA_RESTORER and its trampoline. */
	sigaction(SIGSEGV, NULL, &installed);
	printf("sa_flags %#x (SA_SIGINFO|SA_RESTORER), sa_restorer %p\n", installed.sa_flags, (void *)installed.sa_restorer);

	area = mmap(0, 2 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(area + 4096, 4096);
	v = area[0];            /* the zero page: present, read-only */
	area[0] = 'A';          /* 1: SEGV_ACCERR, a protection fault */
	printf("after fault 1: area[0] = '%c'\n", area[0]);
	area[4096 + 8] = 'B';   /* 2: SEGV_MAPERR, nothing mapped there */
	printf("after fault 2: area[4104] = '%c'\n", area[4096 + 8]);

	hole = mmap(0, 2 * 4096, PROT_READ, MAP_SHARED, fd, 0);
	v += hole[0];           /* page 0 of the device exists */
	v += hole[4096 + 16];   /* 3: BUS_ADRERR, the driver has no page 1 */
	printf("after fault 3: read %d from the repaired hole\n", v);
	printf("%d faults, all handled\n", faults);
	return 0;
}
