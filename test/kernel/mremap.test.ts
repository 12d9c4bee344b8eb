/** mremap (3.7 mm/mremap.c): shrink, grow in place, move with the PTEs, MREMAP_FIXED, errors. */
import assert from 'node:assert/strict';
import { dmesgText, miscDriver, run, USER_PRELUDE } from '../helpers/run';

describe('mremap', () => {
  it('shrinks in place, grows in place when there is room, and otherwise moves the pages with their contents', () => {
    const prog = `${USER_PRELUDE}
int main(void)
{
	char *p = mmap(NULL, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *q, *r;
	/* Make room after the first 2 pages, then fill them. */
	munmap(p + 2 * 4096, 6 * 4096);
	strcpy(p, "page zero");
	strcpy(p + 4096, "page one");
	q = mremap(p, 2 * 4096, 4 * 4096, 0);
	printf("grow in place: %s, %s\\n", q == p ? "same address" : "moved", q + 4096);
	q = mremap(p, 4 * 4096, 4096, 0);
	printf("shrink: %s, page one gone: %d\\n", q == p ? "same address" : "moved", mincore(p + 4096, 4096, (unsigned char[1]){0}) == -1);
	/* Block the growth with a mapping right after it. */
	r = mmap(p + 4096, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("no room, no move: %ld/%d\\n", (long)mremap(p, 4096, 3 * 4096, 0), errno);
	q = mremap(p, 4096, 3 * 4096, MREMAP_MAYMOVE);
	printf("moved: %s, %s, old gone: %d\\n", q != p ? "new address" : "same", q, mincore(p, 4096, (unsigned char[1]){0}) == -1);
	(void)r;
	return 0;
}`;
    const r = run({ programs: { 'p.c': prog } });
    assert.equal(r.programs[0].stdout, 'grow in place: same address, page one\nshrink: same address, page one gone: 1\nno room, no move: -1/12\nmoved: new address, page zero, old gone: 1\n', dmesgText(r));
  });

  it("moves a driver's remap_pfn_range mapping with its frames, refuses to grow it, and checks its arguments", () => {
    const drv = miscDriver(
      'mv',
      `static char *buf;
static int mv_mmap(struct file *f, struct vm_area_struct *vma)
{
	return remap_pfn_range(vma, vma->vm_start, virt_to_phys(buf) >> PAGE_SHIFT, vma->vm_end - vma->vm_start, vma->vm_page_prot);
}`,
      '.mmap = mv_mmap,',
      'buf = (char *)__get_free_pages(GFP_KERNEL, 1); strcpy(buf, "driver page 0"); strcpy(buf + PAGE_SIZE, "driver page 1");',
      'free_pages((unsigned long)buf, 1);',
    );
    const prog = `${USER_PRELUDE}
int main(void)
{
	int fd = open("/dev/mv", O_RDWR);
	char *p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *t = mmap(NULL, 2 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *q;
	printf("grow pfnmap: %ld/%d\\n", (long)mremap(p, 2 * 4096, 3 * 4096, MREMAP_MAYMOVE), errno);
	q = mremap(p, 2 * 4096, 2 * 4096, MREMAP_MAYMOVE | MREMAP_FIXED, t);
	printf("fixed: %s, %s / %s\\n", q == t ? "at the target" : "elsewhere", q, q + 4096);
	printf("fixed without maymove: %ld/%d\\n", (long)mremap(q, 4096, 4096, MREMAP_FIXED, p), errno);
	printf("unaligned: %ld/%d, ", (long)mremap(q + 1, 4096, 4096, 0), errno);
	printf("zero length: %ld/%d, ", (long)mremap(q, 4096, 0, 0), errno);
	printf("unmapped: %ld/%d\\n", (long)mremap(p, 4096, 8192, 0), errno);
	return 0;
}`;
    const r = run({ drivers: { 'mv.c': drv }, programs: { 'p.c': prog } });
    assert.equal(
      r.programs[0].stdout,
      'grow pfnmap: -1/14\nfixed: at the target, driver page 0 / driver page 1\nfixed without maymove: -1/22\nunaligned: -1/22, zero length: -1/22, unmapped: -1/14\n',
      dmesgText(r),
    );
    assert.deepEqual(r.oops, []);
    assert.doesNotMatch(dmesgText(r), /Bad page state/);
  });
});
