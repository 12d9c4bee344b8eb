/**
 * KASAN and kmemleak: use-after-free and out-of-bounds accesses to kmalloc and vmalloc memory,
 * double frees and leaks at module unload, each reported with the driver's own functions and
 * lines; no report on the labs, none for user mappings of the same frames, and the TLB's fast
 * path kept for frames without poison.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../engine/cli/main';
import { WATCH_POISON } from '../../engine/machine/physmem';
import { MODE_KERNEL } from '../../engine/machine/tlb';
import { dmesgText, makeSession, miscDriver, run, USER_PRELUDE } from '../helpers/run';

/** A module whose init runs `body` (one statement per line, so reports can name lines). */
function initDriver(body: string, exit = ''): string {
  return `#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/string.h>
static char *keep;
static int __init t_init(void)
{
${body}
	return 0;
}
static void __exit t_exit(void)
{
${exit}
}
module_init(t_init);
module_exit(t_exit);
MODULE_LICENSE("GPL");
`;
}

/** The line of t/t.c holding `text` (1-based). */
function lineOf(src: string, text: string): number {
  const i = src.split('\n').findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `no line with ${text}`);
  return i + 1;
}

/** The dmesg lines of the n-th KASAN report (0-based), between its rules. */
function report(d: string, n = 0): string[] {
  const lines = d.split('\n');
  const starts = lines.flatMap((l, i) => (l.startsWith('BUG: KASAN: ') ? [i] : []));
  assert.ok(starts.length > n, `only ${starts.length} KASAN reports:\n${d}`);
  const from = starts[n];
  const to = lines.indexOf('='.repeat(66), from);
  return lines.slice(from, to);
}

function kasanCount(d: string): number {
  return (d.match(/^BUG: KASAN: /gm) ?? []).length;
}

const HEX = '[0-9a-f]{16}';

describe('KASAN: use-after-free', () => {
  const src = initDriver(`	char *p = kmalloc(64, GFP_KERNEL);
	p[0] = 1;
	kfree(p);
	pr_info("read %d\\n", p[8]);
	p[9] = 5;
	pr_info("still running\\n");`);
  const d = dmesgText(run({ drivers: { 't.c': src } }));

  it('reports a read of a freed kmalloc object with the access, allocation and free traces', () => {
    const r = report(d, 0);
    assert.match(r[0], new RegExp(`^BUG: KASAN: use-after-free in t_init\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[t\\] at addr (${HEX})$`));
    const addr = /at addr (\S+)/.exec(r[0])![1];
    assert.equal(r[1], 'Read of size 1 by task insmod/1');
    assert.match(r[2], /^Pid: 1, comm: insmod Tainted: /);
    assert.equal(r[3], 'Call Trace:');
    assert.match(r[4], new RegExp(`^ \\[<${HEX}>\\] t_init\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[t\\] \\(t/t\\.c:${lineOf(src, 'p[8]')}\\)$`));
    assert.match(r[5], /do_one_initcall/);
    const alloc = r.indexOf('Allocated by task 1:');
    assert.match(r[alloc + 1], /^ \[<[0-9a-f]+>\] kmalloc\+0x1c\/0x80$/);
    assert.match(r[alloc + 2], new RegExp(`t_init\\+.* \\[t\\] \\(t/t\\.c:${lineOf(src, 'kmalloc(64')}\\)$`));
    const freed = r.indexOf('Freed by task 1:');
    assert.ok(freed > alloc);
    assert.match(r[freed + 1], /^ \[<[0-9a-f]+>\] kfree\+0x1c\/0x80$/);
    assert.match(r[freed + 2], new RegExp(`t_init\\+.* \\(t/t\\.c:${lineOf(src, 'kfree(p)')}\\)$`));
    const obj = (BigInt(`0x${addr}`) - 8n).toString(16);
    const end = (BigInt(`0x${addr}`) + 56n).toString(16);
    const at = r.indexOf(`The buggy address belongs to the object at ${obj}`);
    assert.ok(at > freed, r.join('\n'));
    assert.deepEqual(r.slice(at + 1, at + 4), [' which belongs to the cache kmalloc-64 of size 64', 'The buggy address is located 8 bytes inside of', ` freed 64-byte region [${obj}, ${end})`]);
  });

  it('shows the shadow around the address, freed granules as fb', () => {
    const r = report(d, 0);
    const row = r.findIndex((l) => l.startsWith('>'));
    assert.match(r[row], /^>[0-9a-f]{16}: fb fb fb fb fb fb fb fb( [0-9a-f]{2}){8}$/);
    assert.equal(r[row + 1].indexOf('^'), '>ffff880000000000: '.length + 3);
  });

  it('reports the write separately, and the task carries on reading the poison', () => {
    const r = report(d, 1);
    assert.match(r[0], /^BUG: KASAN: use-after-free in t_init\+/);
    assert.equal(r[1], 'Write of size 1 by task insmod/1');
    assert.match(r[4], new RegExp(`\\(t/t\\.c:${lineOf(src, 'p[9]')}\\)$`));
    assert.match(d, /read 107\n/);
    assert.match(d, /still running/);
    assert.equal(kasanCount(d), 2);
  });

  it('goes to dmesg only: the run has no oops', () => {
    const r = run({ drivers: { 't.c': src } });
    assert.deepEqual(r.oops, []);
  });

  it('reports each site once, however often it runs', () => {
    const s = initDriver(`	int i, sum = 0;
	char *p = kzalloc(32, GFP_KERNEL);
	kfree(p);
	for (i = 0; i < 32; i++)
		sum += p[i];
	for (i = 0; i < 32; i++)
		sum += p[i];
	pr_info("sum %d\\n", sum);`);
    const out = dmesgText(run({ drivers: { 't.c': s } }));
    assert.equal(kasanCount(out), 2);
    assert.match(out, new RegExp(`^sum ${64 * 0x6b}$`, 'm'));
  });
});

describe('KASAN: out-of-bounds', () => {
  it('reports an access past the request into the cache slack, once for a whole loop', () => {
    const src = initDriver(`	int i;
	char *p = kmalloc(60, GFP_KERNEL);
	for (i = 0; i < 70; i++)
		p[i] = i;
	pr_info("done %d\\n", p[59]);`);
    const d = dmesgText(run({ drivers: { 't.c': src } }));
    const r = report(d);
    assert.match(r[0], /^BUG: KASAN: slab-out-of-bounds in t_init\+0x[0-9a-f]+\/0x[0-9a-f]+ \[t\] at addr ([0-9a-f]{16})$/);
    assert.equal(r[1], 'Write of size 1 by task insmod/1');
    assert.match(r[4], new RegExp(`\\(t/t\\.c:${lineOf(src, 'p[i] = i')}\\)$`));
    const at = r.findIndex((l) => l.startsWith('The buggy address belongs to the object at '));
    assert.equal(r[at + 1], ' which belongs to the cache kmalloc-64 of size 64');
    assert.equal(r[at + 2], 'The buggy address is located 0 bytes to the right of');
    assert.match(r[at + 3], /^ allocated 60-byte region \[[0-9a-f]{16}, [0-9a-f]{16}\)$/);
    assert.match(r.find((l) => l.startsWith('>'))!, / 00 04 fc fc/);
    assert.equal(kasanCount(d), 1);
    assert.match(d, /done 59/);
  });

  it('reports reading into the next, never allocated object, described by the object it overran', () => {
    const src = initDriver(`	long *p = kmalloc(64, GFP_KERNEL);
	pr_info("%ld\\n", p[8]);`);
    const r = report(dmesgText(run({ drivers: { 't.c': src } })));
    assert.match(r[0], /^BUG: KASAN: slab-out-of-bounds in t_init/);
    assert.equal(r[1], 'Read of size 8 by task insmod/1');
    assert.ok(r.includes('The buggy address is located 0 bytes to the right of'), r.join('\n'));
    assert.ok(r.some((l) => /^ allocated 64-byte region/.test(l)));
  });

  it('reports reading into a freed neighbour as a use of that freed object', () => {
    const src = initDriver(`	char *a = kmalloc(64, GFP_KERNEL);
	char *b = kmalloc(64, GFP_KERNEL);
	kfree(b);
	pr_info("%d\\n", a[64]);`);
    const r = report(dmesgText(run({ drivers: { 't.c': src } })));
    assert.match(r[0], /^BUG: KASAN: use-after-free in t_init/);
    assert.ok(r.includes('The buggy address is located 0 bytes inside of'));
  });

  it('reports a large kmalloc (page allocator) past its request and after its free', () => {
    const src = initDriver(`	char *p = kmalloc(20000, GFP_KERNEL);
	p[20000] = 1;
	kfree(p);
	p[0] = 2;`);
    const d = dmesgText(run({ drivers: { 't.c': src } }));
    assert.match(report(d, 0)[0], /^BUG: KASAN: out-of-bounds in t_init/);
    assert.ok(report(d, 0).includes(' which belongs to the page allocator: an order-3 block of 32768 bytes'));
    assert.match(report(d, 1)[0], /^BUG: KASAN: use-after-free in t_init/);
  });

  it('reports a kernel routine reading past an object, named after the routine', () => {
    const src = initDriver(`	char buf[32];
	char *p = kmalloc(16, GFP_KERNEL);
	memcpy(buf, p, sizeof(buf));
	kfree(p);`);
    const r = report(dmesgText(run({ drivers: { 't.c': src } })));
    assert.match(r[0], /^BUG: KASAN: slab-out-of-bounds in memcpy\+0x1c\/0x80 at addr /);
    assert.equal(r[1], 'Read of size 32 by task insmod/1');
    assert.match(r[4], /^ \[<[0-9a-f]+>\] memcpy\+0x1c\/0x80$/);
    assert.match(r[5], new RegExp(`t_init\\+.* \\(t/t\\.c:${lineOf(src, 'memcpy(')}\\)$`));
  });

  it('reports copy_to_user from past the end of a kernel buffer, in the read handler', () => {
    const drv = miscDriver(
      'ob',
      `static char *msg;
static ssize_t ob_read(struct file *f, char __user *u, size_t n, loff_t *off)
{
	if (copy_to_user(u, msg, n))
		return -EFAULT;
	return n;
}`,
      '.read = ob_read,',
      'msg = kzalloc(10, GFP_KERNEL);',
      'kfree(msg);',
    );
    const prog = `${USER_PRELUDE}
int main(void) { char b[64]; int fd = open("/dev/ob", O_RDONLY); printf("%d\\n", (int)read(fd, b, sizeof b)); return 0; }`;
    const res = run({ drivers: { 'ob.c': drv }, programs: { 'p.c': prog } });
    const d = dmesgText(res);
    const r = report(d);
    assert.match(r[0], /^BUG: KASAN: slab-out-of-bounds in copy_to_user\+0x1c\/0x80 at addr /);
    assert.equal(r[1], 'Read of size 64 by task p/2');
    assert.match(r[5], /ob_read\+.* \[ob\] \(t\/ob\.c:\d+\)$/);
    assert.ok(r.some((l) => l.startsWith(' allocated 10-byte region [')), r.join('\n'));
    assert.equal(res.programs[0].stdout, '64\n');
  });

  it('lets ksize() hand the whole object over, and krealloc grow in place', () => {
    const src = initDriver(`	char *p = kmalloc(60, GFP_KERNEL);
	char *q = kmalloc(20, GFP_KERNEL);
	p[ksize(p) - 1] = 1;
	q = krealloc(q, 30, GFP_KERNEL);
	q[29] = 1;
	kfree(p);
	kfree(q);`);
    assert.equal(kasanCount(dmesgText(run({ drivers: { 't.c': src } }))), 0);
  });
});

describe('KASAN: vmalloc', () => {
  it('reports an access past the request inside the last page', () => {
    const src = initDriver(`	char *p = vmalloc(100);
	p[99] = 1;
	p[100] = 2;
	vfree(p);`);
    const r = report(dmesgText(run({ drivers: { 't.c': src } })));
    assert.match(r[0], /^BUG: KASAN: vmalloc-out-of-bounds in t_init\+.* at addr ffffc90000000064$/);
    assert.match(r[4], new RegExp(`\\(t/t\\.c:${lineOf(src, 'p[100]')}\\)$`));
    const at = r.indexOf('The buggy address belongs to the virtual mapping at');
    assert.match(r[at + 1], new RegExp(`^ \\[ffffc90000000000, ffffc90000001000\\) created by t_init\\+.* \\(t/t\\.c:${lineOf(src, 'vmalloc(100)')}\\)$`));
    assert.deepEqual(r.slice(at + 2, at + 4), ['The buggy address is located 0 bytes to the right of', ' allocated 100-byte region [ffffc90000000000, ffffc90000000064)']);
  });

  it('keeps the guard-page oops and says whose area was overrun', () => {
    const src = initDriver(`	char *p = vmalloc(4096);
	p[4096] = 1;`);
    const res = run({ drivers: { 't.c': src } });
    assert.equal(res.oops.length, 1);
    const lines = res.oops[0].text.split('\n');
    assert.equal(lines[0], 'BUG: unable to handle kernel paging request at ffffc90000001000');
    assert.match(
      lines[1],
      new RegExp(`^vmalloc out-of-bounds: ffffc90000001000 is in the guard page, 0 bytes to the right of the 4096-byte region \\[ffffc90000000000, ffffc90000001000\\) allocated by t_init\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[t\\] \\(t/t\\.c:${lineOf(src, 'vmalloc(4096)')}\\)$`),
    );
    assert.match(lines[2], /^IP: /);
  });

  it('says a fault in a vfree\'d area is a use after free, and who freed it', () => {
    const src = initDriver(`	char *p = vmalloc(4096);
	vfree(p);
	vm_unmap_aliases();
	p[10] = 1;`);
    const res = run({ drivers: { 't.c': src } });
    const second = res.oops[0].text.split('\n')[1];
    assert.match(second, new RegExp(`^vmalloc use-after-free: ffffc9000000000a is 10 bytes inside the 4096-byte region \\[ffffc90000000000, ffffc90000001000\\) allocated by t_init.*\\(t/t\\.c:${lineOf(src, 'vmalloc(')}\\), vfree'd by t_init.*\\(t/t\\.c:${lineOf(src, 'vfree(p)')}\\)$`));
  });
});

describe('KASAN: double free', () => {
  it('kfree twice: the KASAN report, then SLUB\'s BUG, and the task lives on', () => {
    const src = initDriver(`	char *p = kmalloc(32, GFP_KERNEL);
	kfree(p);
	kfree(p);
	pr_info("still here\\n");`);
    const res = run({ drivers: { 't.c': src } });
    const d = dmesgText(res);
    const r = report(d);
    const firstFree = lineOf(src, 'kfree(p)');
    assert.match(r[0], new RegExp(`^BUG: KASAN: double-free or invalid-free in t_init\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[t\\] \\(t/t\\.c:${firstFree + 1}\\)$`));
    assert.equal(r[1], '');
    assert.match(r[4], /^ \[<[0-9a-f]+>\] kfree\+0x1c\/0x80$/);
    const freed = r.indexOf('Freed by task 1:');
    assert.match(r[freed + 2], new RegExp(`\\(t/t\\.c:${firstFree}\\)$`));
    assert.ok(r.includes(' which belongs to the cache kmalloc-32 of size 32'));
    assert.ok(d.indexOf('BUG: KASAN: double-free') < d.indexOf('BUG kfree: Object already free'));
    assert.match(d, /still here/);
    assert.deepEqual(res.oops, []);
  });

  it('kfree of a pointer inside an object is an invalid free', () => {
    const src = initDriver(`	char *p = kmalloc(32, GFP_KERNEL);
	kfree(p + 8);`);
    const r = report(dmesgText(run({ drivers: { 't.c': src } })));
    assert.match(r[0], /^BUG: KASAN: double-free or invalid-free in t_init/);
    assert.ok(r.includes('The buggy address is located 8 bytes inside of'));
  });

  it('vfree twice: the KASAN report, then vmalloc\'s warning', () => {
    const src = initDriver(`	char *p = vmalloc(5000);
	vfree(p);
	vfree(p);`);
    const d = dmesgText(run({ drivers: { 't.c': src } }));
    const r = report(d);
    assert.match(r[0], /^BUG: KASAN: double-free or invalid-free in t_init/);
    assert.match(r[4], /^ \[<[0-9a-f]+>\] vfree\+0x1c\/0x80$/);
    assert.ok(r.includes(' freed 5000-byte region [ffffc90000000000, ffffc90000001388)'), r.join('\n'));
    assert.ok(d.indexOf('BUG: KASAN: double-free') < d.indexOf('Trying to vfree() nonexistent vm area'));
  });
});

describe('kmemleak at module unload', () => {
  const src = initDriver(`	keep = kmalloc(40, GFP_KERNEL);
	strcpy(keep, "hello leak");
	vmalloc(5000);
	kfree(kmalloc(8, GFP_KERNEL));`);
  const d = dmesgText(run({ drivers: { 't.c': src } }));

  it('counts the leaks the way kmemleak does', () => {
    assert.match(d, /^kmemleak: 2 new suspected memory leaks \(see \/sys\/kernel\/debug\/kmemleak\)$/m);
  });

  it('prints each object with its size, task, bytes and allocating call trace', () => {
    const lines = d.split('\n');
    const i = lines.findIndex((l) => /^kmemleak: unreferenced object 0xffff88[0-9a-f]{10} \(size 40\):$/.test(l));
    assert.ok(i >= 0, d);
    assert.match(lines[i + 1], /^kmemleak: {3}comm "insmod", pid 1, jiffies \d+ \(age \d+\.\d{3}s\)$/);
    assert.equal(lines[i + 2], 'kmemleak:   hex dump (first 32 bytes):');
    assert.equal(lines[i + 3], 'kmemleak:     68 65 6c 6c 6f 20 6c 65 61 6b 00 00 00 00 00 00  hello leak......');
    assert.equal(lines[i + 5], 'kmemleak:   backtrace:');
    assert.match(lines[i + 6], /^kmemleak: {5}\[<[0-9a-f]+>\] kmalloc\+0x1c\/0x80$/);
    assert.match(lines[i + 7], new RegExp(`^kmemleak: {5}\\[<[0-9a-f]+>\\] t_init\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[t\\] \\(t/t\\.c:${lineOf(src, 'keep = kmalloc')}\\)$`));
  });

  it('reports a vmalloc area with the size asked for and vmalloc in its trace', () => {
    const lines = d.split('\n');
    const i = lines.indexOf('kmemleak: unreferenced object 0xffffc90000000000 (size 5000):');
    assert.ok(i >= 0, d);
    const trace = lines.slice(i, i + 12).join('\n');
    assert.match(trace, /\] vmalloc\+0x1c\/0x80\n.*t_init.*\(t\/t\.c:\d+\)/);
  });
});

describe('KASAN stays out of the way', () => {
  it('does not report user accesses to a kmalloc page mapped with remap_pfn_range', () => {
    const drv = miscDriver(
      'km',
      `static char *raw;
static int km_mmap(struct file *f, struct vm_area_struct *vma)
{
	return remap_pfn_range(vma, vma->vm_start, virt_to_phys(raw) >> PAGE_SHIFT, PAGE_SIZE, vma->vm_page_prot);
}`,
      '.mmap = km_mmap,',
      'raw = kmalloc(100, GFP_KERNEL); raw[0] = 7;',
      'kfree(raw);',
    );
    const prog = `${USER_PRELUDE}
int main(void)
{
	int fd = open("/dev/km", O_RDWR), i, s = 0;
	char *m = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) return 1;
	for (i = 0; i < 4096; i++) { m[i] = (char)i; s += m[i]; }
	write(1, m + 200, 0);
	printf("touched %d\\n", s);
	return 0;
}`;
    const res = run({ drivers: { 'km.c': drv }, programs: { 'p.c': prog } });
    assert.match(res.programs[0].stdout, /touched/);
    assert.equal(kasanCount(dmesgText(res)), 0, dmesgText(res));
  });

  it('does not report user accesses to a vmalloc_user tail mapped with remap_vmalloc_range', () => {
    const drv = miscDriver(
      'vu',
      `static char *buf;
static int vu_mmap(struct file *f, struct vm_area_struct *vma)
{
	return remap_vmalloc_range(vma, buf, 0);
}`,
      '.mmap = vu_mmap,',
      'buf = vmalloc_user(100);',
      'vfree(buf);',
    );
    const prog = `${USER_PRELUDE}
int main(void)
{
	int fd = open("/dev/vu", O_RDWR), i, s = 0;
	char *m = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) return 1;
	for (i = 0; i < 4096; i++) { m[i] = 1; s += m[i]; }
	printf("touched %d\\n", s);
	return 0;
}`;
    const res = run({ drivers: { 'vu.c': drv }, programs: { 'p.c': prog } });
    assert.equal(res.programs[0].stdout, 'touched 4096\n');
    assert.equal(kasanCount(dmesgText(res)), 0, dmesgText(res));
  });

  it('keeps the fast path for kernel accesses to unpoisoned frames and for user accesses to poisoned ones', () => {
    const s = makeSession({ drivers: { 't.c': initDriver('	keep = kmalloc(100, GFP_KERNEL);', '	kfree(keep);') } });
    s.runToEnd();
    const k = s.kernel;
    const slabPfn = Math.floor(k.directMapPa(k.slab.live.keys().next().value as number)! / 4096);
    assert.notEqual(k.mem.watch[slabPfn] & WATCH_POISON, 0);
    const plainPfn = k.pages.alloc(0, 0, 'page')!;
    assert.equal(k.mem.watch[plainPfn] & WATCH_POISON, 0);
    let checked = 0;
    const hook = k.cpu.onPoisonedAccess;
    k.cpu.onPoisonedAccess = (...a) => {
      checked++;
      hook?.(...a);
    };
    k.cpu.r8(k.directMapVa(plainPfn * 4096), MODE_KERNEL);
    assert.equal(checked, 0);
    const tlbEntry = k.cpu.tlb.slot(Math.floor(k.directMapVa(plainPfn * 4096) / 4096));
    assert.notEqual(tlbEntry.readFast & MODE_KERNEL, 0);
    k.cpu.r8(k.directMapVa(slabPfn * 4096), MODE_KERNEL);
    assert.equal(checked, 1);
    const slabEntry = k.cpu.tlb.slot(Math.floor(k.directMapVa(slabPfn * 4096) / 4096));
    assert.equal(slabEntry.readFast & MODE_KERNEL, 0);
    assert.equal(slabEntry.writeFast & MODE_KERNEL, 0);
  });

  it('finds nothing in any lab, on any arch it names', () => {
    let root = __dirname;
    while (!fs.existsSync(path.join(root, 'labs', '01-kmalloc-mmap'))) root = path.dirname(root);
    const labs = fs.readdirSync(path.join(root, 'labs')).filter((l) => fs.existsSync(path.join(root, 'labs', l, 'lab.json')));
    assert.ok(labs.length >= 11);
    for (const lab of labs) {
      const spec = JSON.parse(fs.readFileSync(path.join(root, 'labs', lab, 'lab.json'), 'utf8')) as { arches?: string[]; arch?: string };
      for (const arch of spec.arches ?? [spec.arch ?? 'x86_64']) {
        let out = '';
        main(['run', `labs/${lab}`, '--arch', arch, '--format', 'json'], { stdout: (t) => (out += t), stderr: () => undefined, cwd: root });
        const dmesg = (JSON.parse(out) as { dmesg: { text: string }[] }).dmesg.map((x) => x.text).join('\n');
        assert.doesNotMatch(dmesg, /BUG: KASAN|kmemleak: unreferenced/, `${lab} on ${arch}`);
      }
    }
  });
});
