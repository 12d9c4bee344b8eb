/** Kernel header macros in the forms drivers of different eras write them. */
import assert from 'node:assert/strict';
import { dmesgText, run } from '../helpers/run';

describe('linux/list.h', () => {
  it("hlist_for_each_entry takes 3.7's four arguments and 3.9's three", () => {
    const drv = `#include <linux/module.h>
#include <linux/list.h>
struct item { int v; struct hlist_node node; };
static HLIST_HEAD(head);
static struct item a = { .v = 1 }, b = { .v = 2 };
static int __init a_init(void)
{
	struct item *it;
	struct hlist_node *pos;
	int sum3 = 0, sum4 = 0;
	hlist_add_head(&a.node, &head);
	hlist_add_head(&b.node, &head);
	hlist_for_each_entry(it, pos, &head, node) sum4 += it->v;
	hlist_for_each_entry(it, &head, node) sum3 += it->v * 10;
	pr_info("sum4=%d sum3=%d\\n", sum4, sum3);
	return 0;
}
static void __exit a_exit(void) { }
module_init(a_init);
module_exit(a_exit);
MODULE_LICENSE("GPL");
`;
    assert.match(dmesgText(run({ drivers: { 'a.c': drv } })), /sum4=3 sum3=30/);
  });
});
