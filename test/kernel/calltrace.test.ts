/** Call traces name the line of each caller's call, not the statement after it. */
import assert from 'node:assert/strict';
import { dmesgText, run } from '../helpers/run';

describe('call traces', () => {
  it('show each caller at the line of its call (dump_stack from a WARN two calls deep)', () => {
    const drv = `#include <linux/module.h>
#include <linux/bug.h>
static int depth2(int x)
{
	WARN_ON(x > 1);
	return x;
}
static int depth1(int x)
{
	int y = depth2(x + 1);
	return y + 1;
}
static int __init a_init(void)
{
	int r = depth1(1);
	return r - 3;
}
static void __exit a_exit(void) { }
module_init(a_init);
module_exit(a_exit);
MODULE_LICENSE("GPL");
`;
    const d = dmesgText(run({ drivers: { 'a.c': drv } }));
    const trace = d.split('\n').filter((l) => /\(t\/a\.c:\d+\)$/.test(l)).map((l) => l.replace(/^.*\] (\w+)\+.*\((t\/a\.c:\d+)\)$/, '$1 $2'));
    assert.deepEqual(trace.slice(0, 3), ['depth2 t/a.c:5', 'depth1 t/a.c:10', 'a_init t/a.c:15'], d);
  });
});
