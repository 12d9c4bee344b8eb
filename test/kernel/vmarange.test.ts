/** mincore, madvise, msync, mlock/munlock (3.7 mm/), and the small calls of kernel/sys.c. */
import assert from 'node:assert/strict';
import { dmesgText, miscDriver, run, USER_PRELUDE } from '../helpers/run';

const PRELUDE = `${USER_PRELUDE}
#include <sys/utsname.h>
#include <time.h>
#include <sched.h>
static void residency(const char *tag, void *p, int pages)
{
	unsigned char v[16];
	int i, r = mincore(p, pages * 4096, v);
	printf("%s: %d", tag, r);
	for (i = 0; r == 0 && i < pages; i++)
		printf(" %d", v[i] & 1);
	printf("\\n");
}
`;

describe('mincore', () => {
  it('reports which pages have a PTE, and -ENOMEM at a hole after filling in the part before it', () => {
    const prog = `${PRELUDE}
int main(void)
{
	char *p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char v[4] = { 9, 9, 9, 9 };
	residency("fresh", p, 4);
	p[0] = 1;
	p[2 * 4096] = 1;
	(void)*(volatile char *)(p + 3 * 4096);
	residency("touched", p, 4);
	munmap(p + 2 * 4096, 4096);
	printf("hole: %d/%d, first two %d %d, third %d\\n", mincore(p, 4 * 4096, v), errno, v[0], v[1], v[2]);
	printf("unaligned: %d/%d\\n", mincore(p + 1, 4096, v), errno);
	printf("bad vector: %d/%d\\n", mincore(p, 4096, (unsigned char *)8), errno);
	return 0;
}`;
    const r = run({ programs: { 'p.c': prog } });
    // A read of an untouched anonymous page maps the zero page: resident too.
    assert.equal(r.programs[0].stdout, 'fresh: 0 0 0 0 0\ntouched: 0 1 0 1 1\nhole: -1/12, first two 1 0, third 9\nunaligned: -1/22\nbad vector: -1/14\n', dmesgText(r));
  });
});

describe('madvise', () => {
  it('MADV_DONTNEED drops anonymous pages (they come back as zeroes) and is refused on VM_PFNMAP and VM_LOCKED', () => {
    const drv = miscDriver(
      'pf',
      `static char *buf;
static int pf_mmap(struct file *f, struct vm_area_struct *vma)
{
	return remap_pfn_range(vma, vma->vm_start, virt_to_phys(buf) >> PAGE_SHIFT, PAGE_SIZE, vma->vm_page_prot);
}`,
      '.mmap = pf_mmap,',
      'buf = (char *)get_zeroed_page(GFP_KERNEL);',
      'free_page((unsigned long)buf);',
    );
    const prog = `${PRELUDE}
int main(void)
{
	int fd = open("/dev/pf", O_RDWR);
	char *io = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[0] = 'x';
	p[4096] = 'y';
	printf("dontneed: %d\\n", madvise(p, 4096, MADV_DONTNEED));
	residency("after", p, 2);
	printf("p[0] %d p[4096] %c\\n", p[0], p[4096]);
	printf("pfnmap: %d/%d\\n", madvise(io, 4096, MADV_DONTNEED), errno);
	mlock(p + 4096, 4096);
	printf("locked: %d/%d\\n", madvise(p, 2 * 4096, MADV_DONTNEED), errno);
	printf("willneed anon: %d/%d\\n", madvise(p, 4096, MADV_WILLNEED), errno);
	printf("bad advice: %d/%d\\n", madvise(p, 4096, 5), errno);
	printf("sequential: %d\\n", madvise(p, 4096, MADV_SEQUENTIAL));
	return 0;
}`;
    const r = run({ drivers: { 'pf.c': drv }, programs: { 'p.c': prog } });
    assert.equal(
      r.programs[0].stdout,
      'dontneed: 0\nafter: 0 0 1\np[0] 0 p[4096] y\npfnmap: -1/22\nlocked: -1/22\nwillneed anon: -1/9\nbad advice: -1/22\nsequential: 0\n',
      dmesgText(r),
    );
  });

  it('splits the VMA for flags: MADV_SEQUENTIAL shows as its own VMA in /proc/self/maps', () => {
    const prog = `${PRELUDE}
int main(void)
{
	char line[256];
	char *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long a = (unsigned long)p;
	FILE *f;
	madvise(p + 4096, 4096, MADV_SEQUENTIAL);
	f = fopen("/proc/self/maps", "r");
	while (fgets(line, sizeof line, f)) {
		unsigned long s = strtoul(line, NULL, 16);
		if (s >= a && s < a + 3 * 4096) printf("+%lx\\n", s - a);
	}
	return 0;
}`;
    assert.equal(run({ programs: { 'p.c': prog } }).programs[0].stdout, '+0\n+1000\n+2000\n');
  });
});

describe('msync and mlock', () => {
  it('msync checks its flags and the range; mlock faults pages in and counts them, munlock undoes it', () => {
    const prog = `${PRELUDE}
static long vmlck(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "VmLck:", 6)) kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}
int main(void)
{
	char *p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("msync: %d, both: %d/%d, unaligned: %d/%d\\n", msync(p, 4096, MS_SYNC), msync(p, 4096, MS_SYNC | MS_ASYNC), errno, msync(p + 1, 1, MS_ASYNC), errno);
	printf("mlock: %d\\n", mlock(p + 100, 2 * 4096));
	residency("locked", p, 4);
	printf("VmLck %ld kB\\n", vmlck());
	printf("invalidate locked: %d/%d\\n", msync(p, 4 * 4096, MS_INVALIDATE), errno);
	printf("munlock: %d, VmLck %ld kB\\n", munlock(p, 4 * 4096), vmlck());
	munmap(p + 3 * 4096, 4096);
	printf("hole: %d/%d\\n", mlock(p, 5 * 4096), errno);
	return 0;
}`;
    const r = run({ programs: { 'p.c': prog } });
    assert.equal(r.programs[0].stdout, 'msync: 0, both: -1/22, unaligned: -1/22\nmlock: 0\nlocked: 0 1 1 1 0\nVmLck 12 kB\ninvalidate locked: -1/16\nmunlock: 0, VmLck 0 kB\nhole: -1/12\n', dmesgText(r));
  });

  it('lets an ordinary user lock 64 KiB and no more', () => {
    const prog = `${PRELUDE}
int main(void)
{
	char *p = mmap(NULL, 32 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("%d ", mlock(p, 16 * 4096));
	printf("%d/%d\\n", mlock(p + 16 * 4096, 4096), errno);
	return 0;
}`;
    const r = run({
      programs: { 'p.c': prog },
      tweak: (lab) => {
        lab.programs[0].uid = 1000;
        lab.programs[0].gid = 1000;
      },
    });
    assert.equal(r.programs[0].stdout, '0 -1/12\n');
  });
});

describe('uname, time, getcwd, setuid, sched_yield', () => {
  it('answer from the emulated machine', () => {
    const prog = `${PRELUDE}
int main(void)
{
	struct utsname u;
	char cwd[8];
	time_t t = 0;
	uname(&u);
	printf("%s %s %s %s\\n", u.sysname, u.release, u.version, u.machine);
	printf("time %ld %ld\\n", (long)time(&t), (long)t);
	printf("cwd %s, small %p/%d\\n", getcwd(cwd, sizeof cwd), (void *)getcwd(cwd, 1), errno);
	printf("yield %d\\n", sched_yield());
	printf("setuid %d: uid %d euid %d\\n", setuid(1000), (int)getuid(), (int)geteuid());
	printf("back to root: %d/%d\\n", setuid(0), errno);
	return 0;
}`;
    const r = run({ programs: { 'p.c': prog } });
    assert.equal(r.programs[0].stdout, 'Linux 3.7.10-kmemlab #1 SMP x86_64\ntime 1356998400 1356998400\ncwd /, small (nil)/34\nyield 0\nsetuid 0: uid 1000 euid 1000\nback to root: -1/1\n', dmesgText(r));
    const r32 = run({
      programs: { 'p.c': prog },
      tweak: (lab) => {
        lab.arch = 'i386';
      },
    });
    assert.match(r32.programs[0].stdout, /^Linux 3\.7\.10-kmemlab #1 SMP i686\n/);
  });
});

describe('/proc/PID/status', () => {
  it("prints 3.7's task_state and task_mem lines", () => {
    const prog = `${PRELUDE}
int main(void)
{
	char buf[2048];
	int fd = open("/proc/self/status", O_RDONLY);
	long n = read(fd, buf, sizeof buf - 1);
	buf[n < 0 ? 0 : n] = 0;
	fputs(buf, stdout);
	return 0;
}`;
    const out = run({ programs: { 'p.c': prog } }).programs[0].stdout;
    assert.match(out, /^Name:\tp\nState:\tR \(running\)\nTgid:\t(\d+)\nPid:\t\1\nPPid:\t0\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\nGroups:\t\n/);
    for (const f of ['VmPeak', 'VmSize', 'VmLck', 'VmPin', 'VmHWM', 'VmRSS', 'VmData', 'VmStk', 'VmExe', 'VmLib', 'VmPTE', 'VmSwap']) assert.match(out, new RegExp(`\\n${f}:\\t {0,7}\\d+ kB\\n`), f);
    const rss = Number(/VmRSS:\s+(\d+)/.exec(out)![1]);
    const size = Number(/VmSize:\s+(\d+)/.exec(out)![1]);
    assert.ok(rss > 0 && rss < size, `rss ${rss} size ${size}`);
    assert.match(out, /\nThreads:\t1\n$/);
  });
});
