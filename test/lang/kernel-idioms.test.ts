// The idioms driver code is written in, run in a driver through the real session: list_head and
// hlist with container_of, the min/max family, ARRAY_SIZE, BUILD_BUG_ON, ERR_PTR, EXPORT_SYMBOL,
// module_param, printk's formats, va_list in kernel code, static locals, tables of function
// pointers, structs by value, and string literals in read-only memory.

import assert from 'node:assert/strict';
import { run, dmesgText } from '../helpers/run';
import { diagnostics, runDriver, runProgram } from './cprog';

const HEAD = `#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/list.h>
#include <linux/err.h>
#include <linux/moduleparam.h>
`;

function driver(body: string, init: string): string {
  return `${HEAD}${body}
static int __init t_init(void)
{
${init}
	return 0;
}
static void __exit t_exit(void) { }
module_init(t_init);
module_exit(t_exit);
MODULE_LICENSE("GPL");
`;
}

describe('kernel idioms in driver code', () => {
  it('list_head: list_add_tail, list_for_each_entry, list_for_each_entry_safe with list_del, list_empty', () => {
    const r = runDriver(
      driver(
        `struct item { int id; struct list_head node; };
static LIST_HEAD(items);`,
        `	struct item *it, *tmp;
	int i, sum = 0;
	for (i = 0; i < 5; i++) {
		it = kzalloc(sizeof(*it), GFP_KERNEL);
		it->id = i * i;
		list_add_tail(&it->node, &items);
	}
	list_for_each_entry(it, &items, node) sum += it->id;
	it = list_first_entry(&items, struct item, node);
	pr_info("sum %d first %d\\n", sum, it->id);
	list_for_each_entry_safe(it, tmp, &items, node) {
		if (it->id % 2 == 0) {
			list_del(&it->node);
			kfree(it);
		}
	}
	list_for_each_entry_reverse(it, &items, node) pr_info("left %d\\n", it->id);
	list_for_each_entry_safe(it, tmp, &items, node) {
		list_del(&it->node);
		kfree(it);
	}
	pr_info("empty %d\\n", list_empty(&items));`,
      ),
    );
    assert.equal(r.dmesg, 'sum 30 first 0\nleft 9\nleft 1\nempty 1');
    assert.equal(r.oops, 0);
  });

  it('hlist_add_head and hlist_for_each_entry; container_of on a member of a struct on the stack', () => {
    const r = runDriver(
      driver(
        `struct obj { char name[8]; struct hlist_node h; };
struct dev { int a; long b; struct obj o; };
static HLIST_HEAD(table);
static struct obj objs[3] = { { "a" }, { "b" }, { "c" } };`,
        `	struct obj *o;
	struct dev d = { .a = 42, .b = 7 };
	int i;
	for (i = 0; i < 3; i++) hlist_add_head(&objs[i].h, &table);
	hlist_for_each_entry(o, &table, h) pr_info("%s\\n", o->name);
	pr_info("%d %ld\\n", container_of(&d.o, struct dev, o)->a, container_of(&d.o.h, struct dev, o.h)->b);`,
      ),
    );
    assert.equal(r.dmesg, 'c\nb\na\n42 7');
  });

  it('min, max, min_t, max_t, clamp, ARRAY_SIZE, likely/unlikely, BUILD_BUG_ON that holds', () => {
    const r = runDriver(
      driver(
        'static const int tbl[] = { 4, 8, 15, 16, 23, 42 };',
        `	unsigned long big = 5000000000UL;
	BUILD_BUG_ON(sizeof(tbl) != 6 * sizeof(int));
	BUILD_BUG_ON_NOT_POWER_OF_2(64);
	pr_info("%zu %d %d %u %d %d %lu\\n", ARRAY_SIZE(tbl), min(3, 9), max(-2, -7), min_t(unsigned int, 5, -1), max_t(int, 5, -1), clamp(50, 0, 42), min(big, 6000000000UL));
	if (likely(tbl[0] == 4) && !unlikely(tbl[1] != 8)) pr_info("likely\\n");`,
      ),
    );
    assert.equal(r.dmesg, '6 3 -2 5 5 42 5000000000\nlikely');
  });

  it('BUILD_BUG_ON that fails is a compile error at its line', () => {
    const d = diagnostics(driver('', '\tBUILD_BUG_ON(sizeof(long) != 4);'), 'driver');
    assert.deepEqual(d, ['t/d.c:10:2: error: size of unnamed array is negative']);
  });

  it('ERR_PTR, IS_ERR, PTR_ERR, IS_ERR_OR_NULL', () => {
    const r = runDriver(
      driver(
        `static int value = 3;
static void *lookup(int fail) { return fail ? ERR_PTR(-ENOENT) : &value; }`,
        `	void *p = lookup(1);
	if (IS_ERR(p)) pr_info("err %ld\\n", PTR_ERR(p));
	p = lookup(0);
	pr_info("%d %d %d %d\\n", (int)IS_ERR(p), *(int *)p, (int)IS_ERR_OR_NULL(NULL), (int)IS_ERR_OR_NULL(ERR_PTR(-EINVAL)));`,
      ),
    );
    assert.equal(r.dmesg, 'err -2\n0 3 1 1');
  });

  it('module_param sets the variable before init; EXPORT_SYMBOL of a routine', () => {
    const src = driver(
      `static int count = 3;
static char *who = "nobody";
module_param(count, int, 0444);
module_param(who, charp, 0444);
MODULE_PARM_DESC(count, "how many");
int t_double(int x) { return 2 * x; }
EXPORT_SYMBOL(t_double);`,
      '\tpr_info("%d %s %d\\n", count, who, t_double(count));',
    );
    const r = run({ drivers: { 'd.c': src }, tweak: (lab) => (lab.drivers[0].params = { count: 21, who: 'me' }) });
    assert.match(dmesgText(r), /^21 me 42$/m);
  });

  it("printk's formats: %p of NULL, %pK, %px, %zu, %zd, %lx, %llx, %*ph, %pa", () => {
    const r = runDriver(
      driver(
        '',
        `	phys_addr_t pa = 0x1234000;
	pr_info("[%p] [%pK] [%px] %zu %zd %lx %llx\\n", NULL, NULL, (void *)0x1234UL, sizeof(long), (ssize_t)-5, 0xabcUL, 0xdefULL);
	pr_info("%*ph|%pa\\n", 4, "\\x01\\x02\\xab\\xcd", &pa);`,
      ),
    );
    assert.equal(r.dmesg, '[          (null)] [0000000000000000] [0000000000001234] 8 -5 abc def\n01 02 ab cd|0x0000000001234000');
  });

  it('va_list in kernel code: a variadic logging helper over vsnprintf and va_arg', () => {
    const r = runDriver(
      driver(
        `static __printf(2, 3) void note(int level, const char *fmt, ...)
{
	char buf[64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pr_info("<%d> %s\\n", level, buf);
}
static long sum(int n, ...)
{
	va_list ap;
	long s = 0;
	va_start(ap, n);
	while (n--) s += va_arg(ap, long);
	va_end(ap);
	return s;
}`,
        '\tnote(3, "%s=%d %lx", "x", 7, 255UL);\n\tpr_info("%ld\\n", sum(3, 1L, 1L << 40, -5L));',
      ),
    );
    assert.equal(r.dmesg, '<3> x=7 ff\n1099511627772');
  });

  it('static locals keep their value across calls; tables of function pointers; structs by value', () => {
    const r = runDriver(
      driver(
        `struct pt { int x, y; };
static int next_id(void) { static int id = 100; return id++; }
static int sq(int v) { return v * v; }
static int neg(int v) { return -v; }
static int (*const ops[])(int) = { sq, neg };
static struct pt flip(struct pt p) { struct pt r = { p.y, p.x }; return r; }`,
        `	struct pt a = { 1, 2 }, b;
	next_id();
	next_id();
	b = flip(a);
	pr_info("%d %d %d %d %d\\n", next_id(), ops[0](7), ops[1](7), b.x, b.y);`,
      ),
    );
    assert.equal(r.dmesg, '102 49 -7 2 1');
  });

  it('a string literal is read-only: writing one oopses in a driver and kills a program with SIGSEGV', () => {
    const d = runDriver(driver('', '\tchar *s = "const";\n\ts[0] = \'C\';\n\tpr_info("%s\\n", s);'));
    assert.equal(d.oops, 1);
    const p = runProgram('#include <stdio.h>\nint main(void)\n{\n\tchar *s = "hello";\n\ts[0] = \'H\';\n\tputs(s);\n\treturn 0;\n}\n');
    assert.equal(p.signal, 'SIGSEGV');
    assert.equal(p.stdout, '');
  });
});

describe('32-bit long on i386 (ILP32)', () => {
  it('long and pointers are 4 bytes and wrap at 32 bits; long long stays 64', () => {
    const src = `#include <stdio.h>
int main(void)
{
	long l = 2147483647L;
	unsigned long ul = 0;
	long long ll = 2147483647LL;
	l++;
	ul--;
	ll++;
	printf("%zu %zu %zu %ld %lu %lld\\n", sizeof(long), sizeof(void *), sizeof(long long), l, ul, ll);
	return 0;
}`;
    const r = run({ programs: { 'p.c': src }, tweak: (lab) => (lab.arch = 'i386') });
    assert.equal(r.programs[0].stdout, '4 4 8 -2147483648 4294967295 2147483648\n');
  });
});
