/**
 * The mmap path and the routines drivers map memory with, against FACTS §C: do_mmap_pgoff's
 * errors and flags, remap_pfn_range, vm_insert_page and remap_vmalloc_range with their error
 * codes and BUGs.
 */
import assert from 'node:assert/strict';
import { dmesgText, miscDriver, run, USER_PRELUDE } from '../helpers/run';

/** A driver whose mmap prints the VMA as it arrives and applies `body` (which returns an int). */
function vmaDriver(body: string, extra = ''): string {
  return miscDriver(
    'tdev',
    `${extra}
static int tdev_mmap(struct file *f, struct vm_area_struct *vma) {
  int ret;
  pr_info("in: flags=%#lx prot=%#lx pgoff=%lu\\n", vma->vm_flags, (unsigned long)pgprot_val(vma->vm_page_prot), vma->vm_pgoff);
  ret = ({ ${body} });
  pr_info("out: ret=%d flags=%#lx pgoff=%#lx\\n", ret, vma->vm_flags, vma->vm_pgoff);
  return ret;
}`,
    '.mmap = tdev_mmap,',
  );
}

function program(body: string): string {
  return `${USER_PRELUDE}
int main(void) {
  ${body}
  return 0;
}`;
}

describe('mmap: do_mmap_pgoff (FACTS §C)', () => {
  it('gives the documented vm_flags and page protections for shared and private RW mappings', () => {
    const r = run({
      drivers: { 'tdev.c': vmaDriver('0;') },
      programs: {
        'p.c': program(`int fd = open("/dev/tdev", O_RDWR);
          mmap(0, 4096, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0);
          mmap(0, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE, fd, 0);
          int ro = open("/dev/tdev", O_RDONLY);
          mmap(0, 4096, PROT_READ, MAP_SHARED, ro, 0);`),
      },
    });
    const d = dmesgText(r);
    assert.match(d, /in: flags=0xfb prot=0x8000000000000027 pgoff=0/);
    assert.match(d, /in: flags=0x73 prot=0x8000000000000025 pgoff=0/);
    // A read-only fd drops VM_MAYWRITE and VM_SHARED but keeps VM_MAYSHARE.
    assert.match(d, /in: flags=0xd1 prot=0x8000000000000025/);
    assert.equal(r.programs[0].exitCode, 0);
  });

  it('returns EINVAL, EACCES and ENODEV where Linux does', () => {
    const noMmap = miscDriver('nom', '', '.llseek = no_llseek,');
    const r = run({
      drivers: { 'tdev.c': vmaDriver('0;'), 'nom.c': noMmap },
      programs: {
        'p.c': program(`int fd = open("/dev/tdev", O_RDWR), ro = open("/dev/tdev", O_RDONLY), wo = open("/dev/tdev", O_WRONLY);
          #define TRY(what) do { errno = 0; void *a = what; printf("%s -> %s\\n", #what, a == MAP_FAILED ? strerror(errno) : "ok"); } while (0)
          TRY(mmap(0, 0, PROT_READ, MAP_SHARED, fd, 0));
          TRY(mmap(0, 4096, PROT_READ|PROT_WRITE, MAP_SHARED, ro, 0));
          TRY(mmap(0, 4096, PROT_READ, MAP_PRIVATE, wo, 0));
          TRY(mmap(0, 4096, PROT_READ, 0, fd, 0));
          TRY(mmap(0, 4096, PROT_READ, MAP_SHARED, open("/dev/nom", O_RDWR), 0));
          TRY(mmap(0, 4096, PROT_READ, MAP_SHARED, fd, 123));
          TRY(mmap(0, 4096, PROT_READ, MAP_SHARED, 77, 0));`),
      },
    });
    const out = r.programs[0].stdout;
    assert.match(out, /mmap\(0, 0, .*\) -> Invalid argument/);
    assert.match(out, /MAP_SHARED, ro, 0\) -> Permission denied/);
    assert.match(out, /MAP_PRIVATE, wo, 0\) -> Permission denied/);
    assert.match(out, /PROT_READ, 0, fd, 0\) -> Invalid argument/);
    assert.match(out, /"\/dev\/nom", O_RDWR\), 0\) -> No such device/);
    assert.match(out, /fd, 123\) -> Invalid argument/);
    assert.match(out, /77, 0\) -> Bad file descriptor/);
  });

  it("hands the driver's error back to the program and leaves no VMA behind", () => {
    const r = run({
      drivers: { 'tdev.c': vmaDriver('-ENOMEM;') },
      programs: {
        'p.c': program(`int fd = open("/dev/tdev", O_RDWR);
          void *a = mmap(0, 8192, PROT_READ, MAP_SHARED, fd, 0);
          printf("%s\\n", a == MAP_FAILED ? strerror(errno) : "mapped");
          char buf[4096]; int m = open("/proc/self/maps", O_RDONLY); int n = read(m, buf, sizeof buf - 1); buf[n > 0 ? n : 0] = 0;
          printf("%s", strstr(buf, "/dev/tdev") ? "VMA still there\\n" : "no VMA\\n");`),
      },
    });
    assert.equal(r.programs[0].stdout, 'Cannot allocate memory\nno VMA\n');
  });
});

describe('remap_pfn_range (FACTS §C)', () => {
  const remap = `unsigned long pfn = virt_to_phys(buf) >> PAGE_SHIFT; remap_pfn_range(vma, vma->vm_start + off, pfn, len, vma->vm_page_prot);`;
  const extra = `static char *buf; static unsigned long off, len;`;
  const drv = miscDriver(
    'rp',
    `${extra}
static int rp_mmap(struct file *f, struct vm_area_struct *vma) {
  int ret;
  len = vma->vm_end - vma->vm_start; off = 0;
  if (vma->vm_pgoff == 1) len = PAGE_SIZE;             /* a partial remap */
  if (vma->vm_pgoff == 2) { ${remap} }                  /* the same range twice */
  ret = ({ ${remap} });
  pr_info("rp: pgoff-in=%lu ret=%d flags=%#lx vm_pgoff=%#lx pfn=%#lx\\n", len == PAGE_SIZE ? 1UL : 0UL, ret, vma->vm_flags, vma->vm_pgoff, virt_to_phys(buf) >> PAGE_SHIFT);
  return ret;
}`,
    '.mmap = rp_mmap,',
    'buf = (char *)__get_free_pages(GFP_KERNEL, 1); strcpy(buf, "rp buffer");',
  );

  it('adds VM_IO|VM_PFNMAP|VM_DONTEXPAND|VM_DONTDUMP and maps the frames', () => {
    const r = run({
      drivers: { 'rp.c': drv },
      programs: { 'p.c': program(`int fd = open("/dev/rp", O_RDWR); char *p = mmap(0, 8192, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0); printf("%s\\n", p);`) },
    });
    assert.equal(r.programs[0].stdout, 'rp buffer\n');
    assert.match(dmesgText(r), /rp: pgoff-in=0 ret=0 flags=0x40444fb vm_pgoff=0x0/);
  });

  it('requires a copy-on-write mapping to be remapped whole, and then sets vm_pgoff to the pfn', () => {
    const r = run({
      drivers: { 'rp.c': drv },
      programs: {
        'p.c': program(`int fd = open("/dev/rp", O_RDWR);
          char *whole = mmap(0, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE, fd, 0);
          char *part = mmap(0, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE, fd, 4096);
          printf("%s / %s\\n", whole == MAP_FAILED ? strerror(errno) : whole, part == MAP_FAILED ? strerror(errno) : "mapped");`),
      },
    });
    assert.equal(r.programs[0].stdout, 'rp buffer / Invalid argument\n');
    const d = dmesgText(r);
    const m = /rp: pgoff-in=0 ret=0 flags=0x4044473 vm_pgoff=(0x[0-9a-f]+) pfn=(0x[0-9a-f]+)/.exec(d);
    assert.ok(m, d);
    assert.equal(m[1], m[2]);
    assert.match(d, /rp: pgoff-in=1 ret=-22/);
  });

  it('is a kernel BUG when a PTE in the range is already present', () => {
    const r = run({
      drivers: { 'rp.c': drv },
      programs: { 'p.c': program(`int fd = open("/dev/rp", O_RDWR); mmap(0, 8192, PROT_READ, MAP_SHARED, fd, 8192); printf("survived\\n");`) },
    });
    assert.equal(r.programs[0].stdout, '');
    assert.equal(r.programs[0].signal, 'SIGKILL');
    assert.equal(r.oops.length, 1);
    assert.match(r.oops[0].text, /kernel BUG at mm\/memory\.c:\d+!/);
    assert.match(r.oops[0].text, /invalid opcode: 0000 \[#1\] SMP/);
    assert.match(r.oops[0].text, /rp_mmap\+0x[0-9a-f]+\/0x[0-9a-f]+ \[rp\]/);
    assert.match(r.oops[0].text, /mmap_region/);
    assert.equal(r.exitCode, 1);
  });
});

describe('vm_insert_page (FACTS §C)', () => {
  const drv = miscDriver(
    'vi',
    `static struct page *pg, *freed;
static int vi_mmap(struct file *f, struct vm_area_struct *vma) {
  int before = page_count(pg), r1, r2, r3, r4;
  r1 = vm_insert_page(vma, vma->vm_end, pg);                 /* outside: -EFAULT */
  freed = alloc_page(GFP_KERNEL); __free_page(freed);
  r2 = vm_insert_page(vma, vma->vm_start, freed);            /* a free page: -EINVAL */
  r3 = vm_insert_page(vma, vma->vm_start, pg);                /* ok */
  r4 = vm_insert_page(vma, vma->vm_start, pg);                /* already there: -EBUSY */
  pr_info("vi: %d %d %d %d count %d->%d mixed=%d\\n", r1, r2, r3, r4, before, page_count(pg), !!(vma->vm_flags & VM_MIXEDMAP));
  if (vma->vm_pgoff == 1) { vma->vm_flags |= VM_PFNMAP; vma->vm_flags &= ~VM_MIXEDMAP; vm_insert_page(vma, vma->vm_start + PAGE_SIZE, pg); }
  return 0;
}`,
    '.mmap = vi_mmap,',
    'pg = alloc_page(GFP_KERNEL); strcpy(page_address(pg), "inserted page");',
  );

  it('checks the address, the refcount and the PTE, and takes a reference', () => {
    const r = run({
      drivers: { 'vi.c': drv },
      programs: { 'p.c': program(`int fd = open("/dev/vi", O_RDWR); char *p = mmap(0, 8192, PROT_READ, MAP_SHARED, fd, 0); printf("%s\\n", p);`) },
    });
    assert.match(dmesgText(r), /vi: -14 -22 0 -16 count 1->2 mixed=1/);
    assert.equal(r.programs[0].stdout, 'inserted page\n');
  });

  it('is a kernel BUG on a VM_PFNMAP VMA', () => {
    const r = run({
      drivers: { 'vi.c': drv },
      programs: { 'p.c': program(`int fd = open("/dev/vi", O_RDWR); mmap(0, 8192, PROT_READ, MAP_SHARED, fd, 4096);`) },
    });
    assert.equal(r.oops.length, 1);
    assert.match(r.oops[0].text, /kernel BUG at mm\/memory\.c/);
    assert.match(r.oops[0].text, /vm_insert_page on a VM_PFNMAP vma/);
  });
});

describe('remap_vmalloc_range (FACTS §C)', () => {
  const drv = miscDriver(
    'rv',
    `static char *user, *plain, *km;
static int rv_mmap(struct file *f, struct vm_area_struct *vma) {
  int a = remap_vmalloc_range(vma, user + 1, 0);     /* unaligned */
  int b = remap_vmalloc_range(vma, km, 0);           /* not a vmalloc area */
  int c = remap_vmalloc_range(vma, plain, 0);        /* no VM_USERMAP */
  int d = remap_vmalloc_range(vma, user, 2);         /* past the end (the guard page does not count) */
  int e = remap_vmalloc_range(vma, user, vma->vm_pgoff);
  pr_info("rv: %d %d %d %d %d flags=%#lx\\n", a, b, c, d, e, vma->vm_flags);
  return e;
}`,
    '.mmap = rv_mmap,',
    'user = vmalloc_user(2 * PAGE_SIZE); plain = vmalloc(2 * PAGE_SIZE); km = kmalloc(8192, GFP_KERNEL); strcpy(user + PAGE_SIZE, "second page");',
  );

  it('refuses bad areas with -EINVAL and never maps the guard page', () => {
    const r = run({
      drivers: { 'rv.c': drv },
      programs: {
        'p.c': program(`int fd = open("/dev/rv", O_RDWR);
          char *p = mmap(0, 4096, PROT_READ, MAP_SHARED, fd, 4096);
          printf("%s\\n", p == MAP_FAILED ? strerror(errno) : p);
          p = mmap(0, 8192, PROT_READ, MAP_SHARED, fd, 4096);
          printf("%s\\n", p == MAP_FAILED ? strerror(errno) : p);`),
      },
    });
    const d = dmesgText(r);
    assert.match(d, /rv: -22 -22 -22 -22 0 flags=0x140400f9/);
    assert.match(d, /rv: -22 -22 -22 -22 -22/);
    assert.equal(r.programs[0].stdout, 'second page\nInvalid argument\n');
  });
});
