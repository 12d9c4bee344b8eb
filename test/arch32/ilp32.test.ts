/**
 * The ILP32 C ABI on i386, for drivers (the kernel headers' structures) and for programs (the
 * C library), and the kernel paths that used to assume 8-byte longs and pointers.
 */
import assert from 'node:assert/strict';
import type { ArchName } from '../../engine/machine/arch/types';
import { dmesgText, run, USER_PRELUDE } from '../helpers/run';

const layoutProbe = `
struct mixed { char c; long long ll; double d; long l; void *p; };
#define OFF(t, f) ((unsigned long)&((t *)0)->f)
`;

const ARCHES: ArchName[] = ['i386', 'i386-pae'];

describe('ILP32 sizes and struct layout', () => {
  for (const arch of ARCHES) {
    it(`holds in drivers on ${arch}`, () => {
      const drv = `#include <linux/module.h>
#include <linux/mm.h>
${layoutProbe}
static int __init t_init(void)
{
	pr_info("long %zu ptr %zu llong %zu size_t %zu | ll@%lu d@%lu l@%lu p@%lu size %zu | pte_t %zu phys_addr_t %zu\\n", sizeof(long), sizeof(void *),
		sizeof(long long), sizeof(size_t), OFF(struct mixed, ll), OFF(struct mixed, d), OFF(struct mixed, l), OFF(struct mixed, p), sizeof(struct mixed),
		sizeof(pte_t), sizeof(phys_addr_t));
	return 0;
}
module_init(t_init);
MODULE_LICENSE("GPL");
`;
      const pae = arch === 'i386-pae';
      const d = dmesgText(run({ drivers: { 't.c': drv }, tweak: (lab) => (lab.arch = arch) }));
      assert.match(d, new RegExp(`long 4 ptr 4 llong 8 size_t 4 \\| ll@4 d@12 l@20 p@24 size 28 \\| pte_t ${pae ? 8 : 4} phys_addr_t ${pae ? 8 : 4}`));
    });

    it(`holds in programs on ${arch}`, () => {
      const prog = `${USER_PRELUDE}
${layoutProbe}
int main(void)
{
	printf("long %zu ptr %zu | ll@%lu d@%lu l@%lu p@%lu size %zu\\n", sizeof(long), sizeof(void *), OFF(struct mixed, ll), OFF(struct mixed, d),
		OFF(struct mixed, l), OFF(struct mixed, p), sizeof(struct mixed));
	printf("%ld %lu %lld %p\\n", -5L, (unsigned long)-1, 1LL << 40, (void *)0xc0000000UL);
	return 0;
}
`;
      const r = run({ programs: { 'p.c': prog }, tweak: (lab) => (lab.arch = arch) });
      assert.equal(r.programs[0].stdout, 'long 4 ptr 4 | ll@4 d@12 l@20 p@24 size 28\n-5 4294967295 1099511627776 0xc0000000\n');
    });
  }
});

describe('kernel paths with long- and pointer-sized data', () => {
  it('fills struct stat without writing past it, and sleeps with a 32-bit timespec', () => {
    const prog = `${USER_PRELUDE}
#include <sys/stat.h>
#include <time.h>
int main(void)
{
	struct { struct stat st; unsigned canary; } s;
	struct timespec ts = { 0, 5000000 };
	s.canary = 0x5a5a5a5a;
	if (fstat(1, &s.st) != 0) return 2;
	printf("mode %o canary %x sleep %d\\n", s.st.st_mode & 0170000, s.canary, nanosleep(&ts, NULL));
	return 0;
}
`;
    for (const arch of ['x86_64', ...ARCHES] as ArchName[]) {
      const r = run({ programs: { 'p.c': prog }, tweak: (lab) => (lab.arch = arch) });
      assert.match(r.programs[0].stdout, /canary 5a5a5a5a sleep 0/, arch);
    }
  });

  it('parses numbers into 32-bit longs and stores end pointers of 4 bytes', () => {
    const drv = `#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/mm.h>
static int __init t_init(void)
{
	const char *s = "4294967295 rest";
	char *end = (char *)0x11111111;
	unsigned long guard = 0x22222222;
	unsigned long v = simple_strtoul(s, &end, 10);
	unsigned long big;
	int r = kstrtoul("4294967296", 10, &big);
	pr_info("v %lu end+%d guard %lx kstrtoul %d\\n", v, (int)(end - s), guard, r);
	pr_info("pa %lx va %p\\n", __pa((void *)0xc0123000), __va(0x123000));
	return 0;
}
module_init(t_init);
MODULE_LICENSE("GPL");
`;
    for (const arch of ARCHES) {
      const d = dmesgText(run({ drivers: { 't.c': drv }, tweak: (lab) => (lab.arch = arch) }));
      assert.match(d, /v 4294967295 end\+10 guard 22222222 kstrtoul -34/, arch);
      assert.match(d, /pa 123000 va c0123000/, arch);
    }
  });
});
