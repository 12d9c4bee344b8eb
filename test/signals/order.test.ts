/**
 * The order in which __setup_rt_frame stores the frame (FACTS §F): the alternate signal stack
 * is a device mapping whose .fault refuses every page, so each store the kernel attempts
 * faults and is fixed up (skipped, reported as a uaccess fixup with its exact address) — and the
 * next store is still attempted, as put_user_ex does. The frame cannot be written, so the task
 * gets SIGSEGV (force_sigsegv).
 */
import assert from 'node:assert/strict';
import type { KernelEvent } from '../../engine/kernel/kernel';
import { makeSession, miscDriver } from '../helpers/run';
import { PRELUDE } from './run';

const REFUSE = miscDriver(
  'refuse',
  `static int refuse_fault(struct vm_area_struct *vma, struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}
static const struct vm_operations_struct refuse_vm_ops = { .fault = refuse_fault };
static int refuse_mmap(struct file *f, struct vm_area_struct *vma)
{
	vma->vm_ops = &refuse_vm_ops;
	return 0;
}`,
  '.mmap = refuse_mmap',
);

const PROGRAM = `${PRELUDE}
static void handler(int sig) { printf("handler ran\\n"); }
int main(void) {
	int fd = open("/dev/refuse", O_RDWR);
	char *map = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	stack_t ss = { .ss_sp = map, .ss_flags = 0, .ss_size = 8192 };
	struct sigaction sa;
	printf("map=%lx sigaltstack=%d\\n", (unsigned long)map, sigaltstack(&ss, NULL));
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = SA_ONSTACK | FLAGS;
	sigaction(SIGUSR1, &sa, NULL);
	kill(getpid(), SIGUSR1);
	printf("not reached\\n");
	return 0;
}
`;

/** Offsets (from the frame) of the stores the driver saw, in order. */
function storeOffsets(flags: string, arch: 'x86_64' | 'i386'): { offsets: number[]; signal: string | null; stdout: string } {
  const s = makeSession({ programs: { 'p.c': PROGRAM.replace('FLAGS', flags) }, drivers: { 'refuse.c': REFUSE }, tweak: (lab) => (lab.arch = arch) });
  const fixups: KernelEvent[] = [];
  s.kernel.events.onEvent = (e) => {
    if (e.kind === 'uaccess-fixup') fixups.push(e);
  };
  const r = s.runToEnd().programs[0];
  const map = parseInt(/map=([0-9a-f]+)/.exec(r.stdout)![1], 16);
  // get_sigframe on the alternate stack: its top, minus the frame, aligned.
  const top = map + 8192;
  const frame = arch === 'x86_64' ? Math.floor((top - 440) / 16) * 16 - 8 : Math.floor((top - 268 + 4) / 16) * 16 - 4;
  const offsets = fixups.map((e) => (e.kind === 'uaccess-fixup' && e.routine === '__setup_rt_frame' ? Number(e.va) - frame : NaN));
  return { offsets, signal: r.signal, stdout: r.stdout };
}

describe('signals: the order __setup_rt_frame stores in', () => {
  it('i386: sig, pinfo, puc, the ucontext head, pretcode, retcode, then siginfo, sigcontext and the mask', () => {
    const r = storeOffsets('0', 'i386');
    assert.match(r.stdout, /sigaltstack=0/);
    const sigcontext = [164, 168, 172, 176, 180, 184, 188, 192, 196, 200, 204, 208, 212, 216, 220, 224, 228, 232, 236, 240, 244, 248];
    assert.deepEqual(r.offsets, [4, 8, 12, 144, 148, 152, 156, 160, 0, 260, 16, 20, 24, 28, 32, ...sigcontext, 252]);
    assert.equal(r.signal, 'SIGSEGV');
    assert.doesNotMatch(r.stdout, /handler ran|not reached/);
  });

  it('x86_64 with SA_SIGINFO: the siginfo first, and nothing more once it failed', () => {
    const r = storeOffsets('SA_SIGINFO', 'x86_64');
    assert.deepEqual(r.offsets, [312, 316, 320, 328, 332]);
    assert.equal(r.signal, 'SIGSEGV');
  });

  it('x86_64 without SA_SIGINFO: the ucontext head, setup_sigcontext\'s order, the mask, pretcode last', () => {
    const r = storeOffsets('0', 'x86_64');
    const mc = 48;
    // di si bp sp bx dx cx ax, r8..r15, trapno err ip flags cs gs fs fpstate oldmask cr2
    const sigcontext = [64, 72, 80, 120, 88, 96, 112, 104, 0, 8, 16, 24, 32, 40, 48, 56, 160, 152, 128, 136, 144, 146, 148, 184, 168, 176].map((o) => mc + o);
    assert.deepEqual(r.offsets, [8, 16, 24, 32, 40, ...sigcontext, 304, 0]);
    assert.equal(r.signal, 'SIGSEGV');
  });
});
