/**
 * Kernel memory rules (FACTS §C): kmalloc's size classes, vmalloc's guard page and flags, user
 * access with fixups, and what faults do to user and kernel code.
 */
import assert from 'node:assert/strict';
import { dmesgText, miscDriver, run, USER_PRELUDE } from '../helpers/run';

function initDriver(body: string): string {
  return `#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
static int __init t_init(void) { ${body} return 0; }
module_init(t_init);
MODULE_LICENSE("GPL");
`;
}

describe('kmalloc (FACTS §C, SLUB)', () => {
  it('rounds to the kmalloc caches, with 96 and 192 for the odd sizes and pages past 8 KiB', () => {
    const sizes = [1, 8, 9, 64, 65, 96, 97, 128, 129, 192, 193, 1000, 4097, 8192, 8193, 20000];
    const r = run({ drivers: { 't.c': initDriver(`size_t s[] = { ${sizes.join(', ')} }; int i; for (i = 0; i < ${sizes.length}; i++) { void *p = kmalloc(s[i], GFP_KERNEL); pr_info("%zu->%zu\\n", s[i], ksize(p)); }`) } });
    const got = dmesgText(r).match(/^\d+->\d+$/gm);
    assert.deepEqual(got, ['1->8', '8->8', '9->16', '64->64', '65->96', '96->96', '97->128', '128->128', '129->192', '192->192', '193->256', '1000->1024', '4097->8192', '8192->8192', '8193->16384', '20000->32768']);
  });

  it('returns ZERO_SIZE_PTR for 0 bytes, and kfree of it is fine', () => {
    const r = run({ drivers: { 't.c': initDriver('void *p = kmalloc(0, GFP_KERNEL); pr_info("zero=%p\\n", p); kfree(p); kfree(NULL);') } });
    assert.match(dmesgText(r), /zero=0000000000000010/);
    assert.equal(r.oops.length, 0);
  });

  it('reports a double free the way slub_debug does, without taking the machine down', () => {
    const r = run({ drivers: { 't.c': initDriver('void *p = kmalloc(32, GFP_KERNEL); kfree(p); kfree(p); pr_info("still here\\n");') } });
    const d = dmesgText(r);
    assert.match(d, /BUG kfree: Object already free/);
    assert.match(d, /still here/);
  });
});

describe('vmalloc (FACTS §C)', () => {
  it('adds a guard page, page-aligns, fails on 0 and marks vmalloc_user areas VM_USERMAP', () => {
    const r = run({
      drivers: {
        't.c': initDriver(`char *a = vmalloc(1), *b = vmalloc_user(5000), *z = vmalloc(0);
          struct vm_struct *va = find_vm_area(a), *vb = find_vm_area(b);
          pr_info("a=%p size=%lu flags=%#lx aligned=%d\\n", a, va->size, va->flags, ((unsigned long)a & ~PAGE_MASK) == 0);
          pr_info("b size=%lu flags=%#lx zeroed=%d z=%p\\n", vb->size, vb->flags, b[4999] == 0, z);
          pr_info("inside=%d\\n", (unsigned long)a >= VMALLOC_START && (unsigned long)a < VMALLOC_END);`),
      },
    });
    const d = dmesgText(r);
    assert.match(d, /a=ffffc9000000[0-9a-f]{4} size=8192 flags=0x2 aligned=1/);
    assert.match(d, /b size=12288 flags=0xa zeroed=1 z= {10}\(null\)/);
    assert.match(d, /inside=1/);
  });

  it('does not reuse a freed range before the lazy purge', () => {
    const r = run({ drivers: { 't.c': initDriver('char *a = vmalloc(4096); vfree(a); char *b = vmalloc(4096); pr_info("%s\\n", a == b ? "reused" : "new range");') } });
    assert.match(dmesgText(r), /new range/);
  });
});

describe('uaccess (FACTS §C)', () => {
  const drv = miscDriver(
    'ua',
    `struct req { char *kernel_ptr; char *user_ptr; unsigned long n; };
static long ua_ioctl(struct file *f, unsigned int cmd, unsigned long arg) {
  char kbuf[16];
  char __user *u = (char __user *)arg;
  unsigned long left;
  int err, v = 7;
  switch (cmd) {
  case 1: return copy_to_user(u, "0123456789abcdef", 16);
  case 2: memset(kbuf, 'K', sizeof kbuf); left = copy_from_user(kbuf, u, 16);
          pr_info("ua: copy_from_user left %lu, kbuf %.8s|%d|%d\\n", left, kbuf, kbuf[8], kbuf[15]); return left;
  case 3: err = put_user(42, (int __user *)u); return err;
  case 4: v = 7; err = get_user(v, (int __user *)u); pr_info("ua: get_user %d v=%d\\n", err, v); return err;
  case 5: return access_ok(VERIFY_WRITE, u, 16);
  case 6: return clear_user(u, 16);
  case 7: return copy_to_user(u, (void *)0, 16);   /* a bad kernel source is fixed up too */
  }
  return -ENOTTY;
}`,
    '.unlocked_ioctl = ua_ioctl,',
  );
  it('returns bytes not copied, zero-fills, and turns faults into -EFAULT', () => {
    const r = run({
      drivers: { 'ua.c': drv },
      programs: {
        'p.c': `${USER_PRELUDE}
int main(void) {
  int fd = open("/dev/ua", O_RDWR);
  char *two = mmap(0, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
  munmap(two + 4096, 4096);                 /* the second page is gone */
  char *edge = two + 4096 - 8;              /* 8 good bytes, then a hole */
  memcpy(edge, "ABCDEFGH", 8);
  long r;
  r = ioctl(fd, 1, edge);          printf("copy_to_user edge: %ld left, got %.8s\\n", r, edge);
  r = ioctl(fd, 1, 0xffff880000000000UL); printf("copy_to_user kernel address: %ld left\\n", r);
  r = ioctl(fd, 2, edge);          printf("copy_from_user edge: %ld left\\n", r);
  r = ioctl(fd, 3, two);           printf("put_user: %ld, %d\\n", r, *(int *)two);
  r = ioctl(fd, 3, two + 4096);    printf("put_user hole: %s\\n", r == -1 && errno == EFAULT ? "EFAULT" : "?");
  r = ioctl(fd, 4, two + 4096);    printf("get_user hole: %s\\n", r == -1 && errno == EFAULT ? "EFAULT" : "?");
  r = ioctl(fd, 5, 0x7ffffffff000UL - 16); printf("access_ok at the top: %ld\\n", r);
  r = ioctl(fd, 5, 0x7ffffffff000UL - 15); printf("access_ok past the top: %ld\\n", r);
  r = ioctl(fd, 6, edge);          printf("clear_user edge: %ld left\\n", r);
  r = ioctl(fd, 7, two);           printf("bad kernel source: %ld left\\n", r);
  return 0;
}`,
      },
    });
    assert.equal(
      r.programs[0].stdout,
      [
        'copy_to_user edge: 8 left, got 01234567',
        'copy_to_user kernel address: 16 left',
        'copy_from_user edge: 8 left',
        'put_user: 0, 42',
        'put_user hole: EFAULT',
        'get_user hole: EFAULT',
        'access_ok at the top: 1',
        'access_ok past the top: 0',
        'clear_user edge: 8 left',
        'bad kernel source: 16 left',
        '',
      ].join('\n'),
    );
    const d = dmesgText(r);
    assert.match(d, /ua: copy_from_user left 8, kbuf 01234567\|0\|0/);
    assert.match(d, /ua: get_user -14 v=0/);
    assert.equal(r.oops.length, 0);
  });
});

describe('page faults (FACTS §C)', () => {
  it('kills a user NULL dereference with SIGSEGV and prints the segfault line', () => {
    const r = run({ programs: { 'p.c': `int main(void) { int *p = 0; *p = 1; return 0; }` } });
    assert.equal(r.programs[0].signal, 'SIGSEGV');
    assert.match(dmesgText(r), /p\[\d+\]: segfault at 0 ip [0-9a-f]{16} sp [0-9a-f]{16} error 6 in p\[400000\+1000\]/);
  });

  it('gives SEGV_ACCERR semantics (error 7) for a write to a read-only mapping', () => {
    const r = run({ programs: { 'p.c': `${USER_PRELUDE} int main(void) { char *p = mmap(0, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0); char c = p[0]; p[0] = c + 1; return 0; }` } });
    assert.equal(r.programs[0].signal, 'SIGSEGV');
    assert.match(dmesgText(r), /segfault at 7ffff7[0-9a-f]+ ip .* error 7/);
  });

  it('turns VM_FAULT_SIGBUS into SIGBUS', () => {
    const drv = miscDriver(
      'sb',
      `static int sb_fault(struct vm_area_struct *v, struct vm_fault *f) { return VM_FAULT_SIGBUS; }
static const struct vm_operations_struct sb_ops = { .fault = sb_fault };
static int sb_mmap(struct file *f, struct vm_area_struct *v) { v->vm_ops = &sb_ops; return 0; }`,
      '.mmap = sb_mmap,',
    );
    const r = run({ drivers: { 'sb.c': drv }, programs: { 'p.c': `${USER_PRELUDE} int main(void) { char *p = mmap(0, 4096, PROT_READ, MAP_SHARED, open("/dev/sb", O_RDWR), 0); return p[0]; }` } });
    assert.equal(r.programs[0].signal, 'SIGBUS');
  });

  it('grows the stack down into its VM_GROWSDOWN VMA', () => {
    const r = run({ programs: { 'p.c': `#include <stdio.h>\nint deep(int n) { char pad[4000]; pad[0] = n; return n ? deep(n - 1) + pad[0] : 0; }\nint main(void) { printf("%d\\n", deep(100)); return 0; }` } });
    assert.equal(r.programs[0].stdout, '5050\n');
  });
});

describe('oops', () => {
  it('reports a kernel NULL dereference with a call trace, kills the task, and the machine goes on', () => {
    const r = run({
      drivers: { 'bad.c': initDriver('int *p = NULL; pr_info("about to\\n"); *p = 1;') },
      programs: { 'p.c': '#include <stdio.h>\nint main(void) { printf("after the oops\\n"); return 0; }' },
    });
    assert.equal(r.oops.length, 1);
    const t = r.oops[0].text;
    assert.match(t, /^BUG: unable to handle kernel NULL pointer dereference at 0000000000000000\nIP: \[<ffffffffa0[0-9a-f]+>\] t_init\+0x[0-9a-f]+\/0x[0-9a-f]+ \[bad\]/);
    assert.match(t, /Oops: 0002 \[#1\] SMP/);
    assert.match(t, /Modules linked in: bad\(O\)/);
    assert.match(t, /Pid: \d+, comm: insmod/);
    assert.match(t, /Call Trace:\n \[<ffffffff81[0-9a-f]+>\] do_one_initcall\+0x1c\/0x80\n \[<ffffffff81[0-9a-f]+>\] sys_init_module/);
    assert.equal(r.oops[0].line, 5);
    assert.equal(r.drivers[0].loaded, false);
    assert.equal(r.programs[0].stdout, 'after the oops\n');
    assert.equal(r.exitCode, 1);
  });
});
