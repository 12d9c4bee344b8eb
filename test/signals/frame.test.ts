/**
 * The rt_sigframe on the user stack (FACTS §F), read back from user memory by the handler on
 * both arches: where get_sigframe put it, the offsets of pretcode, sig/pinfo/puc (i386), info,
 * uc and retcode, the total size, what the ucontext holds, and the parts of the siginfo that
 * copy_siginfo_to_user leaves alone.
 */
import assert from 'node:assert/strict';
import { ARCH_PAIR, PRELUDE, fields, lineStarting, runProgram } from './run';

const FRAME_PROGRAM = `${PRELUDE}
#ifdef __x86_64__
#define UC_OFF 8
#define INFO_OFF 312
#define FRAME_BYTES 440
#define RED_ZONE 128
#define SP(uc) ((unsigned long)(uc)->uc_mcontext.gregs[REG_RSP])
#define IP(uc) ((unsigned long)(uc)->uc_mcontext.gregs[REG_RIP])
#define FP(uc) ((unsigned long)(uc)->uc_mcontext.fpregs)
#define ALIGNED(sp) ((((sp) - RED_ZONE - FRAME_BYTES) & ~15UL) - 8)
#else
#define UC_OFF 144
#define INFO_OFF 16
#define FRAME_BYTES 268
#define RED_ZONE 0
#define SP(uc) ((unsigned long)(uc)->uc_mcontext.gregs[REG_ESP])
#define IP(uc) ((unsigned long)(uc)->uc_mcontext.gregs[REG_EIP])
#define FP(uc) ((unsigned long)(uc)->uc_mcontext.fpregs)
#define ALIGNED(sp) ((((sp) - FRAME_BYTES + 4) & ~15UL) - 4)
#endif
static struct sigaction installed;
static unsigned long blocked_in_handler;

static unsigned long blocked_now(void) {
	sigset_t s;
	sigprocmask(SIG_BLOCK, NULL, &s);
	return s.__val[0];
}

static void handler(int sig, siginfo_t *si, void *ucv) {
	ucontext_t *uc = ucv;
	unsigned char *frame = (unsigned char *)uc - UC_OFF;
	printf("offsets info=%ld uc=%ld infomem=%d ucmem=%d\\n", (long)((unsigned char *)si - frame), (long)((unsigned char *)uc - frame),
	       *(int *)(frame + INFO_OFF) == sig, *(unsigned long *)(frame + UC_OFF + 4 * sizeof(long) + 3 * sizeof(long) + 15 * sizeof(long)) != 0);
	printf("place aligned=%d gap=%ld mod16=%lu\\n", (unsigned long)frame == ALIGNED(SP(uc)), (long)(SP(uc) - RED_ZONE - (unsigned long)(frame + FRAME_BYTES)), (unsigned long)frame % 16);
	printf("pretcode restorer=%d\\n", *(void **)frame == (void *)installed.sa_restorer);
#ifndef __x86_64__
	printf("args sig=%d pinfo=%d puc=%d retcode=%02x%02x%02x%02x%02x%02x%02x%02x\\n", *(int *)(frame + 4), *(void **)(frame + 8) == (void *)si, *(void **)(frame + 12) == ucv,
	       frame[260], frame[261], frame[262], frame[263], frame[264], frame[265], frame[266], frame[267]);
#endif
	printf("uc flags=%lu link=%d ss_sp=%d ss_flags=%d ss_size=%lu fpregs=%lu\\n", uc->uc_flags, uc->uc_link != 0, uc->uc_stack.ss_sp != 0, uc->uc_stack.ss_flags, (unsigned long)uc->uc_stack.ss_size, FP(uc));
	printf("mask uc=%lx oldmask=%lx\\n", uc->uc_sigmask.__val[0], (unsigned long)uc->uc_mcontext.oldmask_or_greg);
	printf("ip fromkill=%ld\\n", (long)(IP(uc) - (unsigned long)kill));
	printf("info signo=%d errno=%d code=%d pid=%d uid=%d\\n", si->si_signo, si->si_errno, si->si_code, si->si_pid == getpid(), (int)si->si_uid);
	blocked_in_handler = blocked_now();
}

int main(void) {
	sigset_t usr2;
	memset(&installed, 0, sizeof installed);
	installed.sa_sigaction = handler;
	installed.sa_flags = SA_SIGINFO;
	sigemptyset(&installed.sa_mask);
	sigaddset(&installed.sa_mask, SIGTERM);
	sigaction(SIGUSR1, &installed, NULL);
	sigaction(SIGUSR1, NULL, &installed);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigprocmask(SIG_BLOCK, &usr2, NULL);
	kill(getpid(), SIGUSR1);
	printf("blocked handler=%lx after=%lx\\n", blocked_in_handler, blocked_now());
	return 0;
}
`;

function frameProgram(arch: 'x86_64' | 'i386'): string {
  // oldmask is a named field on i386 and gregs[REG_OLDMASK] on x86_64.
  return FRAME_PROGRAM.replace('uc->uc_mcontext.oldmask_or_greg', arch === 'x86_64' ? 'uc->uc_mcontext.gregs[REG_OLDMASK]' : 'uc->uc_mcontext.oldmask');
}

describe('signals: the rt_sigframe in user memory', () => {
  for (const arch of ARCH_PAIR) {
    describe(arch, () => {
      const r = runProgram(frameProgram(arch as 'x86_64' | 'i386'), arch);
      const line = (p: string) => fields(lineStarting(r.stdout, p));

      it('runs the handler and returns through sigreturn to the code it interrupted', () => {
        assert.equal(r.exitCode, 0, r.stdout + r.dmesg);
      });

      it('puts info and uc at the arch offsets (FACTS §F), as the stored fields show', () => {
        const o = line('offsets');
        assert.deepEqual([o.info, o.uc], arch === 'x86_64' ? ['312', '8'] : ['16', '144']);
        assert.equal(o.infomem, '1', 'si_signo is in memory at the info offset');
        assert.equal(o.ucmem, '1', 'the saved sp is in memory inside uc_mcontext');
      });

      it('places the frame as get_sigframe does: below the red zone (x86_64), aligned for the handler\'s entry', () => {
        const p = line('place');
        assert.equal(p.aligned, '1');
        // round_down(sp, 16) - 8 leaves 8 to 23 bytes; ((sp + 4) & -16) - 4 leaves 0 to 15.
        const [lo, hi] = arch === 'x86_64' ? [8, 24] : [0, 16];
        assert.ok(Number(p.gap) >= lo && Number(p.gap) < hi, `gap ${p.gap}`);
        assert.equal(p.mod16, arch === 'x86_64' ? '8' : '12');
      });

      it('stores sa_restorer (glibc\'s __restore_rt) in pretcode at offset 0', () => {
        assert.equal(line('pretcode').restorer, '1');
      });

      if (arch === 'i386') {
        it('stores sig, pinfo and puc as the handler\'s stack arguments, and the retcode marker at 260', () => {
          assert.deepEqual(line('args'), { sig: '10', pinfo: '1', puc: '1', retcode: 'b8ad000000cd8000' });
        });
      }

      it('fills the ucontext: no xsave flags, no link, the alternate stack disabled, no FPU state', () => {
        assert.deepEqual(line('uc'), { flags: '0', link: '0', ss_sp: '0', ss_flags: '2', ss_size: '0', fpregs: '0' });
      });

      it('saves the mask from before delivery in uc_sigmask and oldmask', () => {
        assert.deepEqual(line('mask'), { uc: '800', oldmask: '800' });
      });

      it('blocks the signal and sa_mask while the handler runs; sigreturn restores the old mask', () => {
        assert.deepEqual(line('blocked'), { handler: '4a00', after: '800' });
      });

      it('saves the interrupted ip: the kill wrapper the signal was delivered on the way out of', () => {
        assert.equal(line('ip').fromkill, '28');
      });

      it("copies kill's siginfo: SI_USER with the sender's pid and uid", () => {
        assert.deepEqual(line('info'), { signo: '10', errno: '0', code: '0', pid: '1', uid: '0' });
      });
    });
  }
});

const PADDING_PROGRAM = `${PRELUDE}
static void handler(int sig, siginfo_t *si, void *uc) {
	unsigned char *b = (unsigned char *)si;
	int i, untouched = 0;
	for (i = 0; i < 128; i++) untouched += b[i] == 0xaa;
	printf("sig=%d code=%d untouched=%d\\n", sig, si->si_code, untouched);
}
static void scribble(void) {
	volatile unsigned char junk[8192];
	memset((void *)junk, 0xaa, sizeof junk);
}
int main(int argc, char **argv) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = argc > 1 ? 0 : SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	scribble();
	kill(getpid(), SIGUSR1);
	scribble();
	syscall(SYS_TGKILL, getpid(), getpid(), SIGUSR1);
	return 0;
}
`;

describe('signals: copy_siginfo_to_user never copies padding', () => {
  for (const arch of ARCH_PAIR) {
    it(`${arch}: kill copies signo, errno, code, pid and uid only; tgkill (si_code < 0) copies all 128 bytes`, () => {
      const src = PADDING_PROGRAM.replace('SYS_TGKILL', arch === 'x86_64' ? '234' : '270');
      const r = runProgram(src, arch);
      const lines = r.stdout.trim().split('\n');
      // 20 bytes written: three ints and _kill's two (at 16 on x86_64, leaving 12..15 alone; at 12 on i386).
      assert.deepEqual(lines, ['sig=10 code=0 untouched=108', 'sig=10 code=-6 untouched=0'], r.dmesg);
    });
  }

  it('x86_64: without SA_SIGINFO the siginfo slot is not written at all', () => {
    const r = runProgram(PADDING_PROGRAM.replace('SYS_TGKILL', '234').replace('argc > 1 ? 0 : SA_SIGINFO', '0'), 'x86_64');
    assert.deepEqual(r.stdout.trim().split('\n'), ['sig=10 code=-1431655766 untouched=128', 'sig=10 code=-1431655766 untouched=128']);
  });
});
