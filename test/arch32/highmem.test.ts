/**
 * High memory (FACTS §B, §C kmap): the HighMem zone above lowmem, page_address of highmem
 * frames, the pkmap_count protocol (0 free, 1 flush owed, n = n-1 users), the wrap that runs
 * flush_all_zero_pkmaps with one TLB flush, a kmap with no free slot sleeping until a kunmap
 * wakes it, kmap_atomic's fixmap slots, and x86_64's kmap that is just page_address.
 */
import assert from 'node:assert/strict';
import type { ArchName } from '../../engine/machine/arch/types';
import type { NativeGen } from '../../engine/exec/types';
import type { Kernel } from '../../engine/kernel/kernel';
import { GFP_HIGHMEM } from '../../engine/kernel/page_alloc';
import { TASK_RUNNING, TASK_UNINTERRUPTIBLE } from '../../engine/kernel/task';
import { dmesgText, makeSession, run } from '../helpers/run';

const idle = `#include <linux/module.h>
static int __init t_init(void) { return 0; }
module_init(t_init);
MODULE_LICENSE("GPL");
`;

function boot(arch: ArchName, ramMiB = 1024): Kernel {
  return makeSession({ drivers: { 't.c': idle }, ramMiB, tweak: (lab) => (lab.arch = arch) }).kernel;
}

/** Runs a kmap generator that must not block; returns the address. */
function finish(g: NativeGen): number {
  const r = g.next();
  assert.equal(r.done, true, 'kmap blocked');
  return r.value as number;
}

function highPage(k: Kernel): number {
  const pfn = k.pages.alloc(0, GFP_HIGHMEM, 'page')!;
  assert.ok(k.pages.isHighmem(pfn));
  return pfn;
}

describe('the HighMem zone', () => {
  it('starts where lowmem ends when RAM is larger than the direct map', () => {
    const k = boot('i386');
    assert.deepEqual(k.pages.zones.map((z) => [z.name, z.startPfn, z.endPfn]), [['DMA', 0, 0x1000], ['Normal', 0x1000, 0x377fe], ['HighMem', 0x377fe, 0x40000]]);
    const pae = boot('i386-pae');
    assert.equal(pae.pages.zones[2].startPfn, 0x37bfe);
  });

  it('is absent (and so is DMA32) when all RAM fits the direct map', () => {
    assert.deepEqual(boot('i386', 128).pages.zones.map((z) => z.name), ['DMA', 'Normal']);
  });

  it('says so at boot, with the virtual layout', () => {
    const d = dmesgText(run({ drivers: { 't.c': idle }, ramMiB: 1024, tweak: (lab) => (lab.arch = 'i386') }));
    assert.match(d, /136MB HIGHMEM available\.\n.*887MB LOWMEM available\./);
    assert.match(d, / {4}pkmap {3}: 0xff800000 - 0xffc00000 {3}\(4096 kB\)/);
    assert.match(d, / {4}lowmem {2}: 0xc0000000 - 0xf77fe000 {3}\( 887 MB\)/);
  });

  it('gives __GFP_HIGHMEM allocations frames without an address, also to vmalloc', () => {
    const drv = `#include <linux/module.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
static int __init t_init(void)
{
	struct page *hp = alloc_page(GFP_HIGHUSER);
	struct page *lp = alloc_page(GFP_KERNEL);
	char *v = vmalloc(4096);
	pr_info("high %d %p low %d %d vmalloc %d\\n", PageHighMem(hp), page_address(hp), PageHighMem(lp), page_address(lp) != NULL, PageHighMem(vmalloc_to_page(v)));
	strcpy(v, "through vmalloc");
	pr_info("%s\\n", v);
	return 0;
}
module_init(t_init);
MODULE_LICENSE("GPL");
`;
    const d = dmesgText(run({ drivers: { 't.c': drv }, ramMiB: 1024, tweak: (lab) => (lab.arch = 'i386') }));
    assert.match(d, /high 1 +\(null\) low 0 1 vmalloc 1\n.*through vmalloc/);
  });
});

describe('kmap and the pkmap_count protocol', () => {
  for (const arch of ['i386', 'i386-pae'] as ArchName[]) {
    it(`counts users, keeps the PTE after kunmap and reuses the slot on ${arch}`, () => {
      const k = boot(arch);
      const hm = k.highmem;
      const pfn = highPage(k);
      assert.equal(hm.pageAddress(pfn), 0);
      const va = finish(hm.kmap(pfn));
      const nr = (va - hm.pkmapBase) / 4096;
      assert.equal(nr, 1, 'the search starts after last_pkmap_nr 0');
      assert.equal(hm.count(nr), 2);
      assert.equal(finish(hm.kmap(pfn)), va);
      assert.equal(hm.count(nr), 3);
      hm.kunmap(pfn);
      hm.kunmap(pfn);
      assert.equal(hm.count(nr), 1, 'unused, flush owed');
      assert.equal(hm.pageAddress(pfn), va);
      assert.equal(k.pt.translate(k.swapperPgdPa, va), pfn);
      k.km.w32(va, 0x1234abcd);
      assert.equal(k.mem.read32(pfn * 4096), 0x1234abcd);
    });
  }

  it('runs flush_all_zero_pkmaps when the search wraps: count-1 slots are cleared, one TLB flush for all', () => {
    const k = boot('i386-pae');
    const hm = k.highmem;
    const pfns = Array.from({ length: hm.lastPkmap }, () => highPage(k));
    const vas = pfns.map((p) => finish(hm.kmap(p)));
    pfns.forEach((p) => hm.kunmap(p));
    assert.ok(hm.slots().every((s) => s.count === 1), 'all unused, all owing a flush');
    assert.equal(vas[hm.lastPkmap - 1], hm.pkmapAddr(0), 'the last one wrapped to slot 0');
    const before = { flushes: hm.flushes, tlb: k.cpu.tlb.stats.flushes };
    // A new page: no slot is 0, so the search goes round to slot 0, wraps and reclaims them all.
    const extra = highPage(k);
    assert.equal(finish(hm.kmap(extra)), hm.pkmapAddr(0));
    assert.equal(hm.flushes, before.flushes + 1);
    assert.equal(k.cpu.tlb.stats.flushes, before.tlb + 1);
    assert.equal(hm.pageAddress(pfns[1]), 0);
    assert.equal(k.pt.translate(k.swapperPgdPa, vas[1]), undefined);
  });

  it('sleeps on pkmap_map_wait when every slot is in use, and a kunmap wakes the sleeper', () => {
    const k = boot('i386-pae');
    const hm = k.highmem;
    const task = k.current;
    const pfns = Array.from({ length: hm.lastPkmap }, () => highPage(k));
    pfns.forEach((p) => finish(hm.kmap(p)));
    assert.ok(hm.slots().every((s) => s.count === 2));
    const one = highPage(k);
    const g = hm.kmap(one);
    const req = g.next();
    assert.equal(req.done, false);
    assert.deepEqual(req.value, { kind: 'block', reason: 'kmap: all 512 pkmap slots are in use, sleeping on pkmap_map_wait' });
    assert.equal(task.state, TASK_UNINTERRUPTIBLE);
    assert.ok(hm.waiters.has(task));
    task.thread.state = 'blocked';
    // Another user drops its kmap: the slot goes to 1 (not 0) and the sleeper wakes.
    hm.kunmap(pfns[7]);
    assert.equal(task.thread.state, 'runnable');
    assert.equal(task.state, TASK_RUNNING);
    // Its retry must wrap and flush before the count-1 slot can be used.
    const flushes = hm.flushes;
    const va = g.next();
    assert.equal(va.done, true);
    assert.equal(hm.flushes, flushes + 1);
    assert.equal(hm.pageAddress(one), va.value);
    assert.equal(hm.pageAddress(pfns[7]), 0);
    assert.equal(hm.waiters.size, 0);
  });

  it('is a BUG to kunmap a page that is not kmapped', () => {
    const k = boot('i386');
    assert.throws(() => k.highmem.kunmap(highPage(k)), (e: Error & { why?: string }) => /kunmap_high of a page that is not kmapped/.test(e.why ?? ''));
  });

  it('leaves the blocked task to the session, which reports it blocked forever (one task at a time)', () => {
    const drv = `#include <linux/module.h>
#include <linux/highmem.h>
static int __init t_init(void)
{
	int i;
	for (i = 0; i <= LAST_PKMAP; i++)
		kmap(alloc_page(GFP_HIGHUSER));
	pr_info("not reached\\n");
	return 0;
}
module_init(t_init);
MODULE_LICENSE("GPL");
`;
    const r = run({ drivers: { 't.c': drv }, ramMiB: 1024, tweak: (lab) => (lab.arch = 'i386') });
    const d = dmesgText(r);
    assert.match(d, /kmap: all 1024 pkmap slots are in use, sleeping on pkmap_map_wait/);
    assert.doesNotMatch(d, /not reached/);
  });
});

describe('kmap_atomic', () => {
  it('uses the fixmap slot of its nesting level, is atomic, and clears and flushes on kunmap_atomic', () => {
    const k = boot('i386');
    const hm = k.highmem;
    const [a, b] = [highPage(k), highPage(k)];
    const t = k.current;
    const va = hm.kmapAtomic(a);
    assert.equal(va, 0xfffba000, '__fix_to_virt(FIX_KMAP_BEGIN)');
    const vb = hm.kmapAtomic(b);
    assert.equal(vb, 0xfffb9000, 'the next type, one page down');
    assert.equal(t.preemptCount, 2);
    assert.equal(k.pt.translate(k.swapperPgdPa, vb), b);
    k.cpu.loadCr3(k.swapperPgdPa);
    k.cpu.w8(vb, 0x42, 1);
    hm.kunmapAtomic(vb);
    hm.kunmapAtomic(va);
    assert.equal(t.preemptCount, 0);
    assert.equal(k.mem.read8(b * 4096), 0x42);
    assert.equal(k.pt.translate(k.swapperPgdPa, vb), undefined);
    assert.equal(k.cpu.peekTranslate(vb), undefined);
  });

  it('returns page_address for lowmem pages, still disabling page faults', () => {
    const k = boot('i386');
    const pfn = k.pages.alloc(0, 0, 'page')!;
    assert.equal(k.highmem.kmapAtomic(pfn), 0xc0000000 + pfn * 4096);
    assert.equal(k.current.preemptCount, 1);
    k.highmem.kunmapAtomic(0xc0000000 + pfn * 4096);
    assert.equal(k.current.preemptCount, 0);
  });
});

describe('kmap on x86_64', () => {
  it('is page_address: every frame is in the direct map', () => {
    const drv = `#include <linux/module.h>
#include <linux/highmem.h>
static int __init t_init(void)
{
	struct page *p = alloc_page(GFP_HIGHUSER);
	void *a = kmap(p), *b = kmap_atomic(p);
	pr_info("same %d %d highmem %d\\n", a == page_address(p), b == page_address(p), PageHighMem(p));
	kunmap_atomic(b);
	kunmap(p);
	return 0;
}
module_init(t_init);
MODULE_LICENSE("GPL");
`;
    const r = run({ drivers: { 't.c': drv }, ramMiB: 1024 });
    assert.match(dmesgText(r), /same 1 1 highmem 0/);
    assert.equal(r.oops.length, 0);
  });
});
