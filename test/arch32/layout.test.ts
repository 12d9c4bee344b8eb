/**
 * The 32-bit layouts (FACTS §B): level counts and folding, entry sizes, the kernel areas derived
 * from PKMAP_BASE down, the lowmem limit, VMALLOC_START following high_memory, the kmap slot
 * counts, and the user layout. Also that the constants the driver headers spell out agree with
 * the arch data they mirror.
 */
import assert from 'node:assert/strict';
import { I386 } from '../../engine/machine/arch/i386';
import { I386_PAE } from '../../engine/machine/arch/i386pae';
import { X86_64 } from '../../engine/machine/arch/x86_64';
import { archForRam, type ArchSpec } from '../../engine/machine/arch/types';
import { fixmapIndices, KM_TYPE_NR, maxLowmemBytes, NR_CPUS } from '../../engine/machine/arch/x86_32';
import { dmesgText, run } from '../helpers/run';

const MiB = 1 << 20;
const hex = (v: unknown) => '0x' + BigInt.asUintN(64, BigInt(v as number)).toString(16);

function levelsOf(a: ArchSpec): string[] {
  return a.levels.map((l) => `${l.name} ${l.shift}/${l.entries}${l.folded ? ' folded' : ''}`);
}

describe('i386 paging formats (FACTS §B)', () => {
  it('non-PAE is 10-10-12 with 4-byte entries: the PUD and PMD fold into the PGD', () => {
    assert.deepEqual(levelsOf(I386), ['pgd 22/1024', 'pud 22/1 folded', 'pmd 22/1 folded', 'pte 12/1024']);
    assert.equal(I386.pteBytes, 4);
    assert.equal(I386.nxSupported, false);
    assert.equal(I386.vaBits, 32);
  });

  it('PAE is 2-9-9-12 with 8-byte entries: four PDPTEs with only a present bit, the PUD folds', () => {
    assert.deepEqual(levelsOf(I386_PAE), ['pgd 30/4', 'pud 30/1 folded', 'pmd 21/512', 'pte 12/512']);
    assert.equal(I386_PAE.pteBytes, 8);
    assert.equal(I386_PAE.nxSupported, true);
    assert.equal(I386_PAE.levels[0].permissionBits, false);
  });

  it('a folded level has one entry and the shift of the level above', () => {
    for (const a of [I386, I386_PAE]) {
      a.levels.forEach((l, i) => {
        if (!l.folded) return;
        assert.equal(l.entries, 1);
        assert.equal(l.shift, a.levels[i - 1].shift);
      });
    }
  });

  it('has the ILP32 C ABI: 4-byte longs and pointers, long long and double 4-aligned', () => {
    for (const a of [I386, I386_PAE]) assert.deepEqual(a.abi, { ptrBytes: 4, longBytes: 4, longAlign: 4, llongAlign: 4, doubleAlign: 4 });
  });
});

describe('i386 kernel layout (FACTS §B)', () => {
  it('puts PAGE_OFFSET and TASK_SIZE at 0xc0000000', () => {
    for (const a of [I386, I386_PAE]) {
      assert.equal(a.layout.pageOffset, 0xc0000000);
      assert.equal(a.layout.taskSize, a.layout.pageOffset);
    }
  });

  it('derives PKMAP_BASE from the fixmap and LAST_PKMAP: 0xff800000 without PAE, 0xffc00000 with', () => {
    assert.equal(hex(I386.layout.pkmapBase), '0xff800000');
    assert.equal(hex(I386_PAE.layout.pkmapBase), '0xffc00000');
    assert.equal(I386.layout.lastPkmap, 1024);
    assert.equal(I386_PAE.layout.lastPkmap, 512);
  });

  it('keeps the fixmap under __FIXADDR_TOP 0xfffff000 with KM_TYPE_NR x NR_CPUS kmap_atomic slots', () => {
    for (const a of [I386, I386_PAE]) {
      assert.equal(a.layout.fixmapTop, 0xfffff000);
      assert.equal(a.layout.kmapAtomicSlots, KM_TYPE_NR * NR_CPUS);
      assert.equal(KM_TYPE_NR, 20);
      // The permanent slots: 4 + the local APIC + 64 I/O APICs + the kmap slots + 4 = 233.
      assert.equal(hex(a.layout.fixmapStart), '0xfff16000');
      assert.equal(a.layout.fixKmapBegin, 69);
    }
    // The boot-time slots fit after the permanent ones in both formats' page tables.
    assert.deepEqual(fixmapIndices(1024), { kmapBegin: 69, endPermanent: 233, endAll: 490 });
    assert.deepEqual(fixmapIndices(512), { kmapBegin: 69, endPermanent: 233, endAll: 490 });
  });

  it('ends vmalloc two pages below PKMAP_BASE', () => {
    for (const a of [I386, I386_PAE]) assert.equal(a.layout.vmallocEnd, (a.layout.pkmapBase as number) - 2 * 4096);
  });

  it('limits lowmem to VMALLOC_END - PAGE_OFFSET - 128 MiB: lowmem ends at 0xf77fe000 (about 888 MiB)', () => {
    const i386 = maxLowmemBytes({ pmdShift: 22, ptrsPerPte: 1024, lastPkmap: 1024 });
    assert.equal(hex(i386), '0x377fe000');
    assert.equal(hex(0xc0000000 + i386), '0xf77fe000');
    assert.equal(Math.round(i386 / MiB), 888);
    assert.equal(I386.layout.directMapMaxBytes, i386);
    assert.equal(hex(I386_PAE.layout.directMapMaxBytes), '0x37bfe000');
  });

  it('starts vmalloc 8 MiB (VMALLOC_OFFSET) above high_memory, which follows the RAM size', () => {
    assert.equal(hex(archForRam(I386, 128 * MiB).layout.vmallocStart), '0xc8800000');
    assert.equal(hex(archForRam(I386, 512 * MiB).layout.vmallocStart), '0xe0800000');
    assert.equal(hex(archForRam(I386, 1024 * MiB).layout.vmallocStart), '0xf7ffe000');
    assert.equal(hex(archForRam(I386_PAE, 1024 * MiB).layout.vmallocStart), '0xf83fe000');
    assert.equal(hex(archForRam(I386, 4096 * MiB).layout.vmallocStart), '0xf7ffe000');
  });

  it('loads modules into the vmalloc area, as module_alloc does on i386', () => {
    const l = archForRam(I386, 128 * MiB).layout;
    assert.equal(l.modulesStart, l.vmallocStart);
    assert.equal(l.modulesEnd, l.vmallocEnd);
  });

  it('gives programs the i386 user layout: text at 0x08048000, stack below 0xc0000000, mmap_base 0xb8000000', () => {
    for (const a of [I386, I386_PAE]) {
      assert.equal(a.layout.userTextStart, 0x08048000);
      assert.equal(a.layout.stackTop, 0xc0000000);
      assert.equal(hex(a.layout.mmapBase), '0xb8000000');
    }
  });

  it('tells kernel addresses from user ones and accepts every 32-bit value', () => {
    assert.equal(I386.isKernelVa(0xc0000000), true);
    assert.equal(I386.isKernelVa(0xbfffffff), false);
    assert.equal(I386.isCanonical(0xffffffff), true);
    assert.equal(I386.isCanonical(0x100000000), false);
    assert.equal(I386.isCanonical(-1), false);
  });

  it('leaves the x86_64 layout alone whatever the RAM', () => {
    assert.equal(archForRam(X86_64, 128 * MiB).layout, X86_64.layout);
    assert.equal(X86_64.layout.pkmapBase, undefined);
  });
});

describe('kernel headers agree with the arch data', () => {
  const probe = `#include <linux/module.h>
#include <linux/highmem.h>
static int __init t_init(void)
{
	pr_info("levels=%d ptrs=%lu/%lu/%lu/%lu shifts=%d/%d/%d pte=%zu\\n", PAGETABLE_LEVELS, (unsigned long)PTRS_PER_PGD, (unsigned long)PTRS_PER_PUD,
		(unsigned long)PTRS_PER_PMD, (unsigned long)PTRS_PER_PTE, PGDIR_SHIFT, PUD_SHIFT, PMD_SHIFT, sizeof(pte_t));
#ifdef CONFIG_HIGHMEM
	pr_info("pkmap=%#lx last=%d fixtop=%#lx kmap0=%#lx km=%d\\n", PKMAP_BASE, LAST_PKMAP, FIXADDR_TOP, __fix_to_virt(FIX_KMAP_BEGIN), KM_TYPE_NR);
#endif
	pr_info("offset=%#lx task=%#lx vmalloc=%#lx-%#lx\\n", PAGE_OFFSET, TASK_SIZE, VMALLOC_START, VMALLOC_END);
	return 0;
}
module_init(t_init);
MODULE_LICENSE("GPL");
`;
  for (const a of [X86_64, I386, I386_PAE]) {
    it(`on ${a.name}`, () => {
      const d = dmesgText(run({ drivers: { 't.c': probe }, tweak: (lab) => (lab.arch = a.name) }));
      const real = a.levels.filter((l) => !l.folded);
      const ptrs = a.levels.map((l) => l.entries).join('/');
      const shifts = a.levels.slice(0, 3).map((l) => l.shift).join('/');
      assert.match(d, new RegExp(`levels=${real.length} ptrs=${ptrs} shifts=${shifts} pte=${a.pteBytes}`));
      const l = archForRam(a, 128 * MiB).layout;
      assert.match(d, new RegExp(`offset=${hex(l.pageOffset)} task=${hex(l.taskSize)} vmalloc=${hex(l.vmallocStart)}-${hex(l.vmallocEnd)}`));
      if (a.vaBits === 32) {
        const kmap0 = (l.fixmapTop as number) - l.fixKmapBegin * 4096;
        assert.match(d, new RegExp(`pkmap=${hex(l.pkmapBase)} last=${l.lastPkmap} fixtop=${hex(l.fixmapTop)} kmap0=${hex(kmap0)} km=${KM_TYPE_NR}`));
      } else assert.doesNotMatch(d, /pkmap=/);
    });
  }
});
