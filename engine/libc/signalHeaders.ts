/**
 * <signal.h>, <sys/ucontext.h> and <ucontext.h> for user programs, with glibc's types and
 * layouts on x86_64 and i386: sigset_t of 1024 bits, siginfo_t of 128 bytes whose union starts
 * after three ints (aligned to a pointer on x86_64), struct sigaction with the handler union, and
 * the ucontext a handler's third argument points to. REG_* names need _GNU_SOURCE, as in glibc.
 */
const H: Record<string, string> = {};

H['signal.h'] = String.raw`
#ifndef _SIGNAL_H
#define _SIGNAL_H
#include <sys/types.h>
typedef int sig_atomic_t;
typedef void (*__sighandler_t)(int);
typedef __sighandler_t sighandler_t;
#define SIG_ERR ((__sighandler_t) -1)
#define SIG_DFL ((__sighandler_t) 0)
#define SIG_IGN ((__sighandler_t) 1)
#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGIOT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGSTKFLT 16
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGWINCH 28
#define SIGIO 29
#define SIGPOLL SIGIO
#define SIGPWR 30
#define SIGSYS 31
#define SIGUNUSED 31
#define _NSIG 65
#define NSIG _NSIG
#define __SIGRTMIN 32
#define __SIGRTMAX 64
#define SIGRTMIN 34
#define SIGRTMAX 64

typedef struct { unsigned long __val[1024 / (8 * sizeof(unsigned long))]; } __sigset_t;
typedef __sigset_t sigset_t;

typedef union sigval { int sival_int; void *sival_ptr; } sigval_t;

#ifdef __x86_64__
#define __SI_PAD_SIZE 28
#else
#define __SI_PAD_SIZE 29
#endif
typedef struct {
	int si_signo;
	int si_errno;
	int si_code;
	union {
		int _pad[__SI_PAD_SIZE];
		struct { pid_t si_pid; uid_t si_uid; } _kill;
		struct { int si_tid; int si_overrun; sigval_t si_sigval; } _timer;
		struct { pid_t si_pid; uid_t si_uid; sigval_t si_sigval; } _rt;
		struct { pid_t si_pid; uid_t si_uid; int si_status; clock_t si_utime; clock_t si_stime; } _sigchld;
		struct { void *si_addr; short si_addr_lsb; } _sigfault;
		struct { long si_band; int si_fd; } _sigpoll;
	} _sifields;
} siginfo_t;
#define si_pid _sifields._kill.si_pid
#define si_uid _sifields._kill.si_uid
#define si_timerid _sifields._timer.si_tid
#define si_overrun _sifields._timer.si_overrun
#define si_status _sifields._sigchld.si_status
#define si_utime _sifields._sigchld.si_utime
#define si_stime _sifields._sigchld.si_stime
#define si_value _sifields._rt.si_sigval
#define si_int _sifields._rt.si_sigval.sival_int
#define si_ptr _sifields._rt.si_sigval.sival_ptr
#define si_addr _sifields._sigfault.si_addr
#define si_addr_lsb _sifields._sigfault.si_addr_lsb
#define si_band _sifields._sigpoll.si_band
#define si_fd _sifields._sigpoll.si_fd

#define SI_ASYNCNL -60
#define SI_TKILL -6
#define SI_SIGIO -5
#define SI_ASYNCIO -4
#define SI_MESGQ -3
#define SI_TIMER -2
#define SI_QUEUE -1
#define SI_USER 0
#define SI_KERNEL 0x80
#define ILL_ILLOPC 1
#define ILL_ILLOPN 2
#define ILL_ILLADR 3
#define ILL_ILLTRP 4
#define ILL_PRVOPC 5
#define ILL_PRVREG 6
#define ILL_COPROC 7
#define ILL_BADSTK 8
#define FPE_INTDIV 1
#define FPE_INTOVF 2
#define FPE_FLTDIV 3
#define FPE_FLTOVF 4
#define FPE_FLTUND 5
#define FPE_FLTRES 6
#define FPE_FLTINV 7
#define FPE_FLTSUB 8
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRALN 1
#define BUS_ADRERR 2
#define BUS_OBJERR 3
#define TRAP_BRKPT 1
#define TRAP_TRACE 2
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3
#define CLD_TRAPPED 4
#define CLD_STOPPED 5
#define CLD_CONTINUED 6
#define POLL_IN 1
#define POLL_OUT 2
#define POLL_MSG 3
#define POLL_ERR 4
#define POLL_PRI 5
#define POLL_HUP 6

typedef void (*__sigaction_t)(int, siginfo_t *, void *);
typedef void (*__sigrestore_t)(void);
struct sigaction {
	union {
		__sighandler_t sa_handler;
		__sigaction_t sa_sigaction;
	} __sigaction_handler;
	__sigset_t sa_mask;
	int sa_flags;
	__sigrestore_t sa_restorer;
};
#define sa_handler __sigaction_handler.sa_handler
#define sa_sigaction __sigaction_handler.sa_sigaction
#define SA_NOCLDSTOP 1
#define SA_NOCLDWAIT 2
#define SA_SIGINFO 4
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_INTERRUPT 0x20000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000
#define SA_NOMASK SA_NODEFER
#define SA_ONESHOT SA_RESETHAND
#define SA_STACK SA_ONSTACK
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

typedef struct sigaltstack { void *ss_sp; int ss_flags; size_t ss_size; } stack_t;
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define MINSIGSTKSZ 2048
#define SIGSTKSZ 8192

__sighandler_t signal(int sig, __sighandler_t handler);
int kill(pid_t pid, int sig);
int raise(int sig);
int sigaction(int sig, const struct sigaction *act, struct sigaction *oact);
int sigemptyset(sigset_t *set);
int sigfillset(sigset_t *set);
int sigaddset(sigset_t *set, int signum);
int sigdelset(sigset_t *set, int signum);
int sigismember(const sigset_t *set, int signum);
int sigprocmask(int how, const sigset_t *set, sigset_t *oldset);
int sigpending(sigset_t *set);
int sigsuspend(const sigset_t *mask);
int sigaltstack(const stack_t *ss, stack_t *old_ss);
/* glibc's SA_RESTORER trampoline (a local symbol there; named here for the debugger). */
void __restore_rt(void);
#include <sys/ucontext.h>
#endif
`;

H['sys/ucontext.h'] = String.raw`
#ifndef _SYS_UCONTEXT_H
#define _SYS_UCONTEXT_H
#include <signal.h>
#ifdef __x86_64__
typedef long long greg_t;
#define NGREG 23
typedef greg_t gregset_t[NGREG];
#ifdef _GNU_SOURCE
enum { REG_R8 = 0, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15, REG_RDI, REG_RSI, REG_RBP, REG_RBX, REG_RDX, REG_RAX, REG_RCX, REG_RSP, REG_RIP, REG_EFL, REG_CSGSFS, REG_ERR, REG_TRAPNO, REG_OLDMASK, REG_CR2 };
#endif
struct _libc_fpxreg { unsigned short significand[4]; unsigned short exponent; unsigned short padding[3]; };
struct _libc_xmmreg { unsigned int element[4]; };
struct _libc_fpstate {
	unsigned short cwd;
	unsigned short swd;
	unsigned short ftw;
	unsigned short fop;
	unsigned long rip;
	unsigned long rdp;
	unsigned int mxcsr;
	unsigned int mxcr_mask;
	struct _libc_fpxreg _st[8];
	struct _libc_xmmreg _xmm[16];
	unsigned int padding[24];
};
typedef struct _libc_fpstate *fpregset_t;
typedef struct { gregset_t gregs; fpregset_t fpregs; unsigned long long __reserved1[8]; } mcontext_t;
#else
typedef int greg_t;
#define NGREG 19
typedef greg_t gregset_t[NGREG];
#ifdef _GNU_SOURCE
enum { REG_GS = 0, REG_FS, REG_ES, REG_DS, REG_EDI, REG_ESI, REG_EBP, REG_ESP, REG_EBX, REG_EDX, REG_ECX, REG_EAX, REG_TRAPNO, REG_ERR, REG_EIP, REG_CS, REG_EFL, REG_UESP, REG_SS };
#endif
struct _libc_fpreg { unsigned short significand[4]; unsigned short exponent; };
struct _libc_fpstate {
	unsigned long cw;
	unsigned long sw;
	unsigned long tag;
	unsigned long ipoff;
	unsigned long cssel;
	unsigned long dataoff;
	unsigned long datasel;
	struct _libc_fpreg _st[8];
	unsigned long status;
};
typedef struct _libc_fpstate *fpregset_t;
typedef struct { gregset_t gregs; fpregset_t fpregs; unsigned long oldmask; unsigned long cr2; } mcontext_t;
#endif
typedef struct ucontext {
	unsigned long uc_flags;
	struct ucontext *uc_link;
	stack_t uc_stack;
	mcontext_t uc_mcontext;
	__sigset_t uc_sigmask;
	struct _libc_fpstate __fpregs_mem;
} ucontext_t;
#endif
`;

H['ucontext.h'] = '#ifndef _UCONTEXT_H\n#define _UCONTEXT_H\n#include <sys/ucontext.h>\n#endif\n';

export const SIGNAL_HEADERS: Readonly<Record<string, string>> = H;
