/** mprotect (3.7 mm/mprotect.c): VMA splits, present PTEs, COW, the errors. */
import assert from 'node:assert/strict';
import { dmesgText, miscDriver, run, USER_PRELUDE } from '../helpers/run';

describe('mprotect', () => {
  it('splits the VMA, changes present PTEs at once, and a write to the read-only part faults', () => {
    const prog = `${USER_PRELUDE}
int main(void)
{
	char *p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[0] = p[4096] = p[8192] = 'x';
	munmap(p + 3 * 4096, 4096);
	printf("mprotect: %d\\n", mprotect(p + 4096, 4096, PROT_READ));
	printf("unaligned: %d/%d\\n", mprotect(p + 1, 4096, PROT_READ), errno);
	/* Page 2 changes before the loop finds the hole at page 3, as in Linux. */
	printf("hole: %d/%d\\n", mprotect(p + 2 * 4096, 2 * 4096, PROT_READ), errno);
	printf("read: %c\\n", p[4096]);
	p[0] = 'y';
	printf("page 0 still writable\\n");
	fflush(stdout);
	p[4096] = 'z';
	printf("not reached\\n");
	return 0;
}`;
    const r = run({ programs: { 'p.c': prog } });
    assert.equal(r.programs[0].stdout, 'mprotect: 0\nunaligned: -1/22\nhole: -1/12\nread: x\npage 0 still writable\n', dmesgText(r));
    assert.match(dmesgText(r), /p\[\d+\]: segfault at [0-9a-f]+ ip [0-9a-f]+ sp [0-9a-f]+ error 7/);
    assert.equal(r.programs[0].signal, 'SIGSEGV');
  });

  it('lists the split as three VMAs in /proc/self/maps, and merges nothing back', () => {
    const prog = `${USER_PRELUDE}
int main(void)
{
	char line[256];
	FILE *f;
	char *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long a = (unsigned long)p;
	mprotect(p + 4096, 4096, PROT_NONE);
	f = fopen("/proc/self/maps", "r");
	while (fgets(line, sizeof line, f)) {
		unsigned long s = strtoul(line, NULL, 16);
		if (s >= a && s < a + 3 * 4096) printf("+%lx %.4s\\n", s - a, strchr(line, ' ') + 1);
	}
	return 0;
}`;
    const r = run({ programs: { 'p.c': prog } });
    assert.equal(r.programs[0].stdout, '+0 rw-p\n+1000 ---p\n+2000 rw-p\n', dmesgText(r));
  });

  it('refuses PROT_WRITE on a shared mapping of a file opened read-only (EACCES), and keeps COW on private ones', () => {
    const drv = miscDriver(
      'ro',
      `static char *buf;
static int ro_mmap(struct file *f, struct vm_area_struct *vma)
{
	return remap_pfn_range(vma, vma->vm_start, virt_to_phys(buf) >> PAGE_SHIFT, PAGE_SIZE, vma->vm_page_prot);
}`,
      '.mmap = ro_mmap,',
      'buf = (char *)get_zeroed_page(GFP_KERNEL); strcpy(buf, "driver");',
      'pr_info("ro: buffer still says %s\\n", buf); free_page((unsigned long)buf);',
    );
    const prog = `${USER_PRELUDE}
int main(void)
{
	int fd = open("/dev/ro", O_RDONLY);
	char *s = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	char *a = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("shared: %d/%d\\n", mprotect(s, 4096, PROT_READ | PROT_WRITE), errno);
	printf("anon: %d, reads %d\\n", mprotect(a, 4096, PROT_READ | PROT_WRITE), a[0]);
	a[0] = 'w';
	printf("anon now %c\\n", a[0]);
	return 0;
}`;
    const r = run({ drivers: { 'ro.c': drv }, programs: { 'p.c': prog } });
    assert.equal(r.programs[0].stdout, 'shared: -1/13\nanon: 0, reads 0\nanon now w\n', dmesgText(r));
    assert.match(dmesgText(r), /ro: buffer still says driver/);
  });
});
