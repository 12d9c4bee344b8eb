/**
 * Execution can stop at any statement, also inside a driver callback called from a kernel
 * routine: here the .fault handler reached from a user program's store, with the store still
 * pending. Resuming finishes the store and the program sees the right result.
 */
import assert from 'node:assert/strict';
import { makeSession, miscDriver, USER_PRELUDE } from '../helpers/run';

const driver = miscDriver(
  'lz',
  `static char *buf;
static int lz_fault(struct vm_area_struct *vma, struct vm_fault *vmf)
{
	struct page *page = vmalloc_to_page(buf + (vmf->pgoff << PAGE_SHIFT));
	get_page(page);
	vmf->page = page;
	return 0;
}
static const struct vm_operations_struct lz_ops = { .fault = lz_fault };
static int lz_mmap(struct file *f, struct vm_area_struct *vma) { vma->vm_ops = &lz_ops; return 0; }`,
  '.mmap = lz_mmap,',
  'buf = vmalloc_user(4 * PAGE_SIZE); strcpy(buf + PAGE_SIZE, "from the driver");',
);

const program = `${USER_PRELUDE}
int main(void)
{
	int fd = open("/dev/lz", O_RDWR);
	char *p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	p[4096] = 'F';
	printf("%s\\n", p + 4096);
	return 0;
}`;

describe('suspension inside a driver callback', () => {
  it('stops in .fault reached from a user store, shows the whole path, and resumes to the right result', () => {
    const s = makeSession({ drivers: { 'lz.c': driver }, programs: { 'user.c': program } });
    const [bp] = s.setLineBreakpoints('t/lz.c', [{ line: 14 }]);
    assert.equal(bp.verified, true);
    assert.equal(bp.actualLine, 14);
    let outcome = s.run(1e7);
    assert.equal(outcome, 'stopped');
    const task = s.currentTask!;
    assert.equal(task.comm, 'user');
    const frames = task.thread.frames.map((f) => (f.kind === 'c' ? `C:${f.fn.name}:${f.fn.locs[f.pc].line}` : `K:${f.routine.name}`));
    const storeLine = program.split('\n').findIndex((l) => l.includes("p[4096] = 'F'")) + 1;
    assert.deepEqual(frames, ['K:__libc_start_main', `C:main:${storeLine}`, 'K:do_page_fault', 'K:handle_mm_fault', 'K:__do_fault', 'C:lz_fault:14']);
    // The store has not happened: the page is not mapped yet.
    const k = s.kernel;
    const mm = task.mm!;
    const va = k.mmSub.mmAt(mm.va).vmas().map((v) => mm.vmaStart(v)).find((a) => a < 0x7ffff7ff0000 && a > 0x400000)!;
    assert.equal(k.pt.lookup(mm.pgdPa, va + 4096), undefined);
    s.setLineBreakpoints('t/lz.c', []);
    outcome = s.run(1e8);
    assert.equal(outcome, 'done');
    const r = s.result();
    assert.equal(r.programs[0].stdout, 'From the driver\n');
    assert.equal(r.programs[0].exitCode, 0);
  });
});
