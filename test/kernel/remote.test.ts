/**
 * Remote access (issue 5 item 7): get_user_pages with 3.7's rules (faulting pages in, VM_IO /
 * VM_PFNMAP refused, a reference per page, FOLL_FORCE), __access_remote_vm a page at a time
 * through kmap, and the two /proc files built on it: /proc/PID/cmdline (with the setproctitle
 * fallback) and /proc/PID/mem (ptrace-style permission, short counts at holes). The 32-bit runs
 * use 1 GiB of RAM so user pages are highmem and the copies need a pkmap slot.
 */
import assert from 'node:assert/strict';
import { dmesgText, makeSession, miscDriver, run, USER_PRELUDE, type Sources } from '../helpers/run';
import type { LabSpec } from '../../engine/session/lab';

const ARCHES = ['x86_64', 'i386', 'i386-pae'] as const;

function on(arch: (typeof ARCHES)[number], tweak?: (lab: LabSpec) => void): Sources['tweak'] {
  return (lab) => {
    lab.arch = arch;
    if (arch !== 'x86_64') lab.ramMiB = 1024;
    tweak?.(lab);
  };
}

const GUP_DRIVER = miscDriver(
  'gup',
  `#include <linux/highmem.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
static struct page *pages[3];
static char *shared;
static long gup_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	int i, n;
	switch (cmd) {
	case 1:	/* pin three pages for writing, tag each through a kmap, release them */
		n = get_user_pages(current, current->mm, arg, 3, 1, 0, pages, NULL);
		pr_info("gup write: %d\\n", n);
		for (i = 0; i < n; i++) {
			char *k = kmap(pages[i]);
			k[0] = 'A' + i;
			pr_info("page %d: count=%d mapcount=%d highmem=%d kmap-in-pkmap=%d\\n", i, page_count(pages[i]), page_mapcount(pages[i]), PageHighMem(pages[i]) ? 1 : 0, page_address(pages[i]) != (void *)__va(page_to_phys(pages[i])) ? 1 : 0);
			kunmap(pages[i]);
			page_cache_release(pages[i]);
			pr_info("page %d after release: count=%d\\n", i, page_count(pages[i]));
		}
		return n;
	case 2:	/* one page, read */
		n = get_user_pages(current, current->mm, arg, 1, 0, 0, pages, NULL);
		if (n == 1) {
			pr_info("gup read: 1 count=%d\\n", page_count(pages[0]));
			page_cache_release(pages[0]);
		}
		return n;
	case 3:	/* one page, write, not forced */
	case 4:	/* one page, write, forced */
		n = get_user_pages(current, current->mm, arg, 1, 1, cmd == 4, pages, NULL);
		if (n == 1) {
			char *k = kmap(pages[0]);
			k[0] = 'F';
			kunmap(pages[0]);
			page_cache_release(pages[0]);
		}
		return n;
	}
	return -ENOTTY;
}
static int gup_mmap(struct file *f, struct vm_area_struct *vma)
{
	return remap_pfn_range(vma, vma->vm_start, virt_to_phys(shared) >> PAGE_SHIFT, PAGE_SIZE, vma->vm_page_prot);
}`,
  '.unlocked_ioctl = gup_ioctl, .mmap = gup_mmap,',
  'shared = (char *)get_zeroed_page(GFP_KERNEL);',
  'free_page((unsigned long)shared);',
);

describe('get_user_pages (3.7 rules)', () => {
  for (const arch of ARCHES) {
    it(`faults untouched pages in, takes one reference each, and page_cache_release gives it back (${arch})`, () => {
      const prog = `${USER_PRELUDE}
int main(void) {
  int fd = open("/dev/gup", O_RDWR);
  char *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  long n = ioctl(fd, 1, p);
  printf("ioctl %ld: %c%c%c\\n", n, p[0], p[4096], p[8192]);
  return 0;
}`;
      const r = run({ drivers: { 'gup.c': GUP_DRIVER }, programs: { 'p.c': prog }, tweak: on(arch) });
      const d = dmesgText(r);
      assert.equal(r.programs[0].stdout, 'ioctl 3: ABC\n', d);
      const high = arch === 'x86_64' ? 0 : 1;
      for (let i = 0; i < 3; i++) {
        assert.match(d, new RegExp(`page ${i}: count=2 mapcount=1 highmem=${high} kmap-in-pkmap=${high}`));
        assert.match(d, new RegExp(`page ${i} after release: count=1`));
      }
    });
  }

  it('refuses VM_PFNMAP and VM_IO areas with -EFAULT, and a write to a read-only area unless forced', () => {
    const prog = `${USER_PRELUDE}
int main(void) {
  int fd = open("/dev/gup", O_RDWR);
  char *io = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *zero = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  long a = ioctl(fd, 2, io), b = ioctl(fd, 3, ro), c = ioctl(fd, 4, ro), z;
  printf("pfnmap %ld/%d, ro write %ld/%d, forced %ld, data %c\\n", a, a < 0 ? errno : 0, b, b < 0 ? errno : 0, c, ro[0]);
  z = ioctl(fd, 2, zero);
  printf("untouched read %ld, sees %d\\n", z, zero[0]);
  return 0;
}`;
    const r = run({ drivers: { 'gup.c': GUP_DRIVER }, programs: { 'p.c': prog } });
    assert.equal(r.programs[0].stdout, 'pfnmap -1/14, ro write -1/14, forced 1, data F\nuntouched read 1, sees 0\n', dmesgText(r));
    // A read of an untouched page maps the shared zero page, which is reserved: its count goes 1 → 2 → 1.
    assert.match(dmesgText(r), /gup read: 1 count=2/);
  });

  it('gives a forced write its private copy but leaves the mapping read-only (maybe_mkwrite)', () => {
    const prog = `${USER_PRELUDE}
int main(void) {
  int fd = open("/dev/gup", O_RDWR);
  char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("forced %ld, data %c\\n", (long)ioctl(fd, 4, ro), ro[0]);
  fflush(stdout);
  ro[0] = 'U';
  printf("the user wrote to a read-only mapping\\n");
  return 0;
}`;
    const r = run({ drivers: { 'gup.c': GUP_DRIVER }, programs: { 'p.c': prog } });
    assert.equal(r.programs[0].stdout, 'forced 1, data F\n', dmesgText(r));
    assert.equal(r.programs[0].signal, 'SIGSEGV');
  });

  it('leaves page counts as they were once every page is released', () => {
    const prog = `${USER_PRELUDE}
int main(void) {
  int fd = open("/dev/gup", O_RDWR), i;
  char *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  p[0] = 1; p[4096] = 1; p[8192] = 1;
  for (i = 0; i < 3; i++) ioctl(fd, 1, p);
  return 0;
}`;
    const s = makeSession({ drivers: { 'gup.c': GUP_DRIVER }, programs: { 'p.c': prog } });
    const r = s.runToEnd();
    const counts = dmesgText(r).match(/page \d: count=\d/g);
    assert.deepEqual(counts, Array(3).fill(['page 0: count=2', 'page 1: count=2', 'page 2: count=2']).flat());
    assert.equal((dmesgText(r).match(/after release: count=1/g) ?? []).length, 9);
  });

  it('is exported, but access_process_vm and access_remote_vm are not (a module must use get_user_pages and kmap)', () => {
    for (const name of ['access_process_vm', 'access_remote_vm']) {
      const drv = `#include <linux/module.h>
#include <linux/mm.h>
#include <linux/sched.h>
static int __init t_init(void) { char b[4]; return ${name}(${name === 'access_process_vm' ? 'current' : 'current->mm'}, 0, b, 4, 0) < 0; }
module_init(t_init);
MODULE_LICENSE("GPL");
`;
      let message = '';
      try {
        const r = run({ drivers: { 't.c': drv } });
        message = dmesgText(r);
      } catch (e) {
        message = (e as Error).message;
      }
      assert.match(message, new RegExp(`'${name}' is not exported to modules \\(Unknown symbol ${name}\\)`));
    }
  });
});

describe('/proc/PID/cmdline through access_process_vm', () => {
  const prog = `${USER_PRELUDE}
static void show(void) {
  char buf[256]; int i, n, fd = open("/proc/self/cmdline", O_RDONLY);
  n = read(fd, buf, sizeof buf); close(fd);
  printf("%d:", n); for (i = 0; i < n; i++) putchar(buf[i] ? buf[i] : '|'); putchar('\\n');
}
int main(int argc, char **argv) {
  char *end = argv[argc - 1] + strlen(argv[argc - 1]);
  show();
  *end = '+';			/* the NUL after the last argument is gone: cut at the first NUL */
  show();
  memset(argv[0], '=', end + 1 - argv[0]);	/* no NUL left at all: the environment follows */
  show();
  return 0;
}`;
  for (const arch of ARCHES) {
    it(`reads arg_start..arg_end, and falls back as 3.7 does when the final NUL is overwritten (${arch})`, () => {
      const r = run({ programs: { 'p.c': prog }, tweak: on(arch, (lab) => (lab.programs[0].args = ['one', 'two'])) });
      assert.equal(r.programs[0].stdout, `15:/lab/p|one|two|\n6:/lab/p\n25:${'='.repeat(15)}HOME=/root\n`, dmesgText(r));
    });
  }

  it('copies through a kmap of the highmem stack page on i386 with 1 GiB', () => {
    const s = makeSession({ programs: { 'p.c': prog }, tweak: on('i386') });
    s.runToEnd();
    // kunmap leaves the slot at count 1 with its PTE (nothing else here kmaps a page).
    const used = s.kernel.highmem.slots().filter((slot) => slot.count === 1);
    assert.ok(used.length >= 1);
    for (const slot of used) assert.ok(slot.pfn !== undefined && s.kernel.pages.isHighmem(slot.pfn), `slot ${slot.nr} maps pfn ${slot.pfn}`);
  });
});

/** One source in two roles, so the two concurrent programs share their code addresses. */
const MEM_PROG = `${USER_PRELUDE}
char secret[32] = "initial";
static int find(const char *role) {
  char path[64], buf[128]; int pid, fd, n;
  for (pid = 1; pid < getpid(); pid++) {
    sprintf(path, "/proc/%d/cmdline", pid);
    if ((fd = open(path, O_RDONLY)) < 0) continue;
    n = read(fd, buf, sizeof buf - 1); close(fd);
    if (n > 0 && (buf[n] = 0, n > (int)strlen(buf) + 1) && strcmp(buf + strlen(buf) + 1, role) == 0) return pid;
  }
  return -1;
}
int main(int argc, char **argv) {
  char path[64], got[32]; int pid, fd; long n;
  if (strcmp(argv[1], "target") == 0) {
    strcpy(secret, "the target's own text");
    sleep(1);
    printf("target sees: %s\\n", secret);
    return 0;
  }
  usleep(50000);
  pid = find("target");
  sprintf(path, "/proc/%d/mem", pid);
  fd = open(path, O_RDWR);
  if (fd < 0) { printf("open mem of %d: %s\\n", pid, strerror(errno)); return 0; }
  n = pread(fd, got, sizeof got, (long)secret);
  printf("read %ld at the same address: %s\\n", n, got);
  n = pwrite(fd, "written by the reader", 22, (long)secret);
  printf("wrote %ld\\n", n);
  return 0;
}`;

function memRun(arch: (typeof ARCHES)[number], targetUid: number, readerUid: number) {
  return run({
    programs: { 'm.c': MEM_PROG },
    tweak: on(arch, (lab) => {
      lab.concurrent = true;
      lab.programs = [
        { ...lab.programs[0], args: ['target'], uid: targetUid, gid: targetUid },
        { ...lab.programs[0], args: ['reader'], uid: readerUid, gid: readerUid },
      ];
    }),
  });
}

describe('/proc/PID/mem', () => {
  for (const arch of ARCHES) {
    it(`lets the same uid read and write another process's memory (${arch})`, () => {
      const r = memRun(arch, 1000, 1000);
      assert.equal(r.programs[1].stdout, "read 32 at the same address: the target's own text\nwrote 22\n", dmesgText(r));
      assert.equal(r.programs[0].stdout, 'target sees: written by the reader\n');
    });
  }

  it('refuses another uid (EACCES) and lets root in', () => {
    assert.match(memRun('x86_64', 0, 1000).programs[1].stdout, /^open mem of \d+: Permission denied\n$/);
    assert.equal(memRun('x86_64', 1000, 0).programs[1].stdout, "read 32 at the same address: the target's own text\nwrote 22\n");
  });

  it('stops short at a hole, returns EIO when nothing could be read, and copies across page boundaries', () => {
    // lseek, not pread: on i386 these addresses are negative as an off_t, which pread refuses
    // but mem_lseek takes (mem_read reads the position back as an unsigned long).
    const prog = `${USER_PRELUDE}
static long peek(int fd, char *buf, long n, char *at) { lseek(fd, (long)at, SEEK_SET); return read(fd, buf, n); }
int main(void) {
  char buf[16]; long n; int fd = open("/proc/self/mem", O_RDONLY);
  char *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(p + 8192, 4096);
  memset(p, 'a', 4096); memset(p + 4096, 'b', 4096);
  n = peek(fd, buf, 12, p + 4090); printf("across %ld %.12s\\n", n, buf);
  n = peek(fd, buf, 12, p + 8187); printf("into the hole %ld %.5s\\n", n, buf);
  n = peek(fd, buf, 12, p + 8192); printf("in the hole %ld %s\\n", n, n < 0 ? strerror(errno) : "");
  lseek(fd, (long)(p + 100), SEEK_SET); n = read(fd, buf, 4); printf("lseek+read %ld, now at +%ld\\n", n, (long)lseek(fd, 0, SEEK_CUR) - (long)p);
  return 0;
}`;
    for (const arch of ARCHES) {
      const r = run({ programs: { 'p.c': prog }, tweak: on(arch) });
      assert.equal(r.programs[0].stdout, 'across 12 aaaaaabbbbbb\ninto the hole 5 bbbbb\nin the hole -1 Input/output error\nlseek+read 4, now at +104\n', `${arch}: ${dmesgText(r)}`);
    }
  });
});
