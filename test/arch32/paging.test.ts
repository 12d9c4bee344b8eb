/**
 * Page tables on the three formats as the machine and the kernel build them: the direct map of
 * lowmem in large pages, PDPTEs with only the present bit, no NX on 2-level entries, the C
 * page-table API stepping through folded levels, the oops page-table line, and where a user
 * program's pieces land.
 */
import assert from 'node:assert/strict';
import type { ArchName } from '../../engine/machine/arch/types';
import { walk, isWalkFault } from '../../engine/machine/mmu';
import { dmesgText, makeSession, run, USER_PRELUDE } from '../helpers/run';

const idle = `#include <linux/module.h>
static int __init t_init(void) { return 0; }
module_init(t_init);
MODULE_LICENSE("GPL");
`;

function boot(arch: ArchName, ramMiB = 128) {
  return makeSession({ drivers: { 't.c': idle }, ramMiB, tweak: (lab) => (lab.arch = arch) }).kernel;
}

function initDriver(body: string): string {
  return `#include <linux/module.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
${body}
MODULE_LICENSE("GPL");
`;
}

describe('the direct map at boot', () => {
  const cases: [ArchName, number, number][] = [['i386', 22, 4], ['i386-pae', 21, 8], ['x86_64', 21, 8]];
  for (const [arch, shift, eb] of cases) {
    it(`maps lowmem with ${2 ** (shift - 20)} MiB pages on ${arch}`, () => {
      const k = boot(arch);
      const va = (k.arch.layout.pageOffset as number) + 0x1234567;
      const t = walk(k.mem, k.arch, k.swapperPgdPa, va, { write: false, user: false, fetch: false }, false);
      assert.ok(!isWalkFault(t));
      assert.equal(t.pageShift, shift);
      assert.equal(t.pfn, 0x1234);
      assert.equal(t.user, false);
      assert.equal(k.arch.pteBytes, eb);
    });
  }

  it('ends the direct map at high_memory: on i386 with 1 GiB, 0xf77fe000 is not mapped, the byte below is', () => {
    const k = boot('i386', 1024);
    const probe = (va: number) => !isWalkFault(walk(k.mem, k.arch, k.swapperPgdPa, va, { write: false, user: false, fetch: false }, false));
    assert.equal(probe(0xf77fdfff), true);
    assert.equal(probe(0xf77fe000), false);
  });
});

describe('entries the formats cannot hold', () => {
  it('PAE top-level entries carry only the present bit, and the walk sets no accessed bit in them', () => {
    const k = boot('i386-pae');
    const e = k.pt.read(k.swapperPgdPa + 3 * 8);
    assert.equal(e & 0xfffn, 1n);
    k.cpu.loadCr3(k.swapperPgdPa);
    k.cpu.r8(0xc0100000, 1);
    assert.notEqual(k.pt.lookup(k.swapperPgdPa, 0xc0100000)!.value & 0x20n, 0n);
    assert.equal(k.pt.read(k.swapperPgdPa + 3 * 8) & 0xfffn, 1n);
  });

  it('2-level entries have no NX bit: PAGE_KERNEL is stored without it', () => {
    const k = boot('i386');
    const leaf = k.pt.lookup(k.swapperPgdPa, 0xc0400000)!;
    assert.equal(leaf.value >> 32n, 0n);
    assert.equal(leaf.value & 0x1e3n, 0x1e3n);
    const pae = boot('i386-pae');
    assert.equal(pae.pt.lookup(pae.swapperPgdPa, 0xc0400000)!.value >> 63n, 1n);
  });
});

describe('the C page-table API folds like pgtable-nopud.h / pgtable-nopmd.h', () => {
  const walker = initDriver(`
static int __init t_init(void)
{
	char *buf = kmalloc(64, GFP_KERNEL);
	unsigned long va = (unsigned long)buf;
	pgd_t *pgd = pgd_offset(current->mm, va);
	pud_t *pud = pud_offset(pgd, va);
	pmd_t *pmd = pmd_offset(pud, va);
	pr_info("pud==pgd %d pmd==pud %d none %d%d%d present %d%d large %d pfn-ok %d\\n", (void *)pud == (void *)pgd, (void *)pmd == (void *)pud,
		pgd_none(*pgd), pud_none(*pud), pmd_none(*pmd), pgd_present(*pgd), pud_present(*pud), pmd_large(*pmd),
		(pmd_val(*pmd) & PTE_PFN_MASK & PMD_MASK) == (__pa(buf) & PMD_MASK));
	kfree(buf);
	return 0;
}
module_init(t_init);`);
  const expect: Record<ArchName, string> = {
    x86_64: 'pud==pgd 0 pmd==pud 0 none 000 present 11 large 1 pfn-ok 1',
    'i386-pae': 'pud==pgd 1 pmd==pud 0 none 000 present 11 large 1 pfn-ok 1',
    i386: 'pud==pgd 1 pmd==pud 1 none 000 present 11 large 1 pfn-ok 1',
  };
  for (const arch of ['x86_64', 'i386-pae', 'i386'] as ArchName[]) {
    it(`walks a direct-map address to its large page on ${arch}`, () => {
      const r = run({ drivers: { 't.c': walker }, tweak: (lab) => (lab.arch = arch) });
      assert.equal(r.oops.length, 0, r.oops.map((o) => o.text).join('\n'));
      assert.match(dmesgText(r), new RegExp(expect[arch]));
    });
  }

  it('reaches the same frame through the pte level as the MMU does for a vmalloc address', () => {
    const drv = initDriver(`#include <linux/vmalloc.h>
static int __init t_init(void)
{
	char *v = vmalloc(8192);
	unsigned long va = (unsigned long)v + 4096;
	pmd_t *pmd = pmd_offset(pud_offset(pgd_offset(current->mm, va), va), va);
	pte_t *pte = pte_offset_kernel(pmd, va);
	pr_info("walk %lu vmalloc_to_pfn %lu\\n", pte_pfn(*pte), vmalloc_to_pfn(v + 4096));
	return 0;
}
module_init(t_init);`);
    for (const arch of ['i386', 'i386-pae'] as ArchName[]) {
      const d = dmesgText(run({ drivers: { 't.c': drv }, tweak: (lab) => (lab.arch = arch) }));
      const m = /walk (\d+) vmalloc_to_pfn (\d+)/.exec(d)!;
      assert.equal(m[1], m[2], arch);
    }
  });
});

describe('an oops shows the page-table entries the way each arch prints them', () => {
  const oopser = initDriver(`static int __init t_init(void) { *(volatile int *)0x0dead000 = 1; return 0; }
module_init(t_init);`);
  const expect: Record<ArchName, RegExp> = {
    x86_64: /^PGD 0$/m,
    i386: /^\*pde = 00000000$/m,
    'i386-pae': /^\*pdpt = 0000000000000000$/m,
  };
  for (const arch of ['x86_64', 'i386', 'i386-pae'] as ArchName[]) {
    it(`on ${arch}`, () => {
      const r = run({ drivers: { 't.c': oopser }, tweak: (lab) => (lab.arch = arch) });
      assert.equal(r.oops.length, 1);
      assert.match(r.oops[0].text, expect[arch]);
      assert.match(r.oops[0].text, arch === 'x86_64' ? /at 000000000dead000/ : /at 0dead000\n/);
      assert.match(r.oops[0].text, arch === 'x86_64' ? /^RIP: /m : /^EIP: /m);
    });
  }
});

describe('a user program on i386', () => {
  const prog = `${USER_PRELUDE}
int global = 1;
int main(void)
{
	int local = 2;
	char *heap = malloc(16);
	char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("main %p global %p local %p heap %p mmap %p\\n", (void *)main, (void *)&global, (void *)&local, heap, m);
	return local + global == 3 ? 0 : 1;
}
`;
  for (const arch of ['i386', 'i386-pae'] as ArchName[]) {
    it(`lays out text at 0x08048000, the stack under 0xc0000000 and mmap under 0xb8000000 on ${arch}`, () => {
      const r = run({ programs: { 'p.c': prog }, tweak: (lab) => (lab.arch = arch) });
      assert.equal(r.programs[0].exitCode, 0);
      const m = /main 0x([0-9a-f]+) global 0x([0-9a-f]+) local 0x([0-9a-f]+) heap 0x([0-9a-f]+) mmap 0x([0-9a-f]+)/.exec(r.programs[0].stdout)!;
      const [main, global, local, heap, mm] = m.slice(1).map((x) => parseInt(x, 16));
      assert.ok(main >= 0x08048000 && main < 0x08049000);
      assert.ok(global > main && heap > global && heap < 0x10000000);
      assert.ok(local > 0xbf000000 && local < 0xc0000000);
      assert.ok(mm < 0xb8000000 && mm > 0xb7000000);
    });
  }
});
