/** The debugger's view of values: bitfields, including those of packed structs. */
import assert from 'node:assert/strict';
import { labFromFiles } from '../../engine/session/lab';
import { DebugRuntime, type DebugEvents } from '../../engine/session/debug';

/** Runs `src` under the debugger to the line containing `marker`, then evaluates each expression. */
function evaluateAt(src: string, marker: string, exprs: string[], context = 'watch'): string[] {
  const files = new Map([['t/p.c', src]]);
  const lab = labFromFiles(['t/p.c'], [src]);
  let stoppedThread: number | undefined;
  const events: DebugEvents = {
    stopped: (e) => (stoppedThread = e.threadId),
    output: () => undefined,
    changed: () => undefined,
    threadStarted: () => undefined,
    threadExited: () => undefined,
    exited: () => undefined,
    terminated: () => undefined,
  };
  const pending: (() => void)[] = [];
  const rt = new DebugRuntime(lab, { readFile: (p) => files.get(p) }, events, { defer: (fn) => pending.push(fn) });
  const line = src.split('\n').findIndex((l) => l.includes(marker)) + 1;
  rt.setBreakpoints('t/p.c', [{ line }]);
  rt.start();
  while (stoppedThread === undefined && pending.length > 0) pending.shift()!();
  assert.ok(stoppedThread !== undefined, 'never stopped');
  const top = rt.stack(stoppedThread).frames[0];
  return exprs.map((e) => rt.evaluate(e, top.id, e.includes(' = ') ? 'repl' : context).result);
}

describe('debugger values', () => {
  it('reads bitfields of plain and packed structs as gcc lays them out', () => {
    const src = `#include <stdio.h>
struct plain { unsigned a : 3; int b : 5; unsigned c : 20; };
#pragma pack(1)
struct packed { char x; unsigned y : 12; int z : 9; };
#pragma pack()
int main(void)
{
	struct plain p = { 5, -7, 123456 };
	struct packed q = { 'k', 4000, -200 };
	printf("%d %d\\n", p.b, q.z); /* here */
	return 0;
}
`;
    assert.deepEqual(evaluateAt(src, '/* here */', ['p.a', 'p.b', 'p.c', 'q.y', 'q.z', 'sizeof(q)']), ['5', '-7', '123456', '4000', '-200', '4']);
    // The console assigns a bitfield without touching its neighbours.
    assert.deepEqual(evaluateAt(src, '/* here */', ['q.z = -3', 'q.z', 'q.y', 'q.x', 'p.b = 9', 'p.a', 'p.b', 'p.c']), ['-3', '-3', '4000', "107 'k'", '9', '5', '9', '123456']);
  });
});
