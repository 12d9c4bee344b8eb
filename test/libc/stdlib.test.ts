import assert from 'node:assert/strict';
import { runC } from './gcc';
import { BRK_START, DATA_VA, SIGABRT, SIGFPE, TestMachine } from './machine';

/** An int array in user memory. */
function ints(m: TestMachine, values: number[]): number {
  const va = m.reserve(4 * values.length, 4);
  const bytes = new Uint8Array(4 * values.length);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setInt32(4 * i, v, true));
  m.poke(va, bytes);
  return va;
}

function readInts(m: TestMachine, va: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => m.i32(va + 4 * i));
}

describe('libc qsort and bsearch (C callbacks)', () => {
  it('calls the comparator through the executor, in glibc\'s merge order, and sorts stably', function () {
    const values = [5, 1, 4, 1, 5, 9, 2, 6, 5, 3];
    const m = new TestMachine();
    const base = ints(m, values);
    const calls: string[] = [];
    const cmp = m.cFunction('cmp', ([a, b]) => {
      const x = m.i32(Number(a));
      const y = m.i32(Number(b));
      calls.push(`${(Number(a) - base) / 4}:${x}/${(Number(b) - base) / 4}:${y}`);
      return x - y;
    });
    m.v('qsort', [base, values.length, 4, cmp]);
    assert.deepEqual(readInts(m, base, values.length), [...values].sort((a, b) => a - b));
    const c = runC(`#include <stdio.h>
#include <stdlib.h>
static int v[] = {${values.join(',')}};
static int cmp(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  printf("%ld:%d/%ld:%d\\n", (long)((const int *)a - v), x, (long)((const int *)b - v), y);
  return x - y;
}
int main(void) { qsort(v, ${values.length}, sizeof v[0], cmp); return 0; }`);
    if (c === undefined) this.skip();
    assert.deepEqual(calls, c!.stdout.trim().split('\n'));
  });

  it('sorts big elements indirectly: the comparator sees their original places', () => {
    const m = new TestMachine();
    const size = 40;
    const n = 5;
    const base = m.reserve(size * n, 8);
    const keys = [3, 1, 2, 1, 0];
    const bytes = new Uint8Array(size * n);
    keys.forEach((k, i) => {
      bytes[i * size] = k;
      bytes[i * size + 39] = i;
    });
    m.poke(base, bytes);
    const seen = new Set<number>();
    const cmp = m.cFunction('cmp', ([a, b]) => {
      seen.add((Number(a) - base) / size);
      seen.add((Number(b) - base) / size);
      return m.peek(Number(a), 1)[0] - m.peek(Number(b), 1)[0];
    });
    m.v('qsort', [base, n, size, cmp]);
    const out = m.peek(base, size * n);
    assert.deepEqual(Array.from({ length: n }, (_, i) => [out[i * size], out[i * size + 39]]), [[0, 4], [1, 1], [1, 3], [2, 2], [3, 0]]);
    assert.ok([...seen].every((i) => Number.isInteger(i) && i >= 0 && i < n));
  });

  it('mallocs its temporary array from 1024 bytes on, like glibc, and frees it', () => {
    const m = new TestMachine();
    const cmp = m.cFunction('cmp', ([a, b]) => m.i32(Number(a)) - m.i32(Number(b)));
    const small = ints(m, Array.from({ length: 255 }, (_, i) => 255 - i));
    m.v('qsort', [small, 255, 4, cmp]);
    assert.equal(m.brk, BRK_START, 'under 1024 bytes: no heap');
    const big = ints(m, Array.from({ length: 256 }, (_, i) => 256 - i));
    m.v('qsort', [big, 256, 4, cmp]);
    assert.equal(m.brk - BRK_START, 0x21000);
    assert.equal(m.v('malloc', [1024]), BRK_START + 0x2a0, 'the 1024-byte temporary went back to the tcache');
  });

  it('bsearch probes the middle and returns the match or NULL', () => {
    const m = new TestMachine();
    const base = ints(m, [1, 3, 5, 7, 9, 11]);
    const key = ints(m, [7]);
    const probes: number[] = [];
    const cmp = m.cFunction('cmp', ([k, e]) => {
      probes.push((Number(e) - base) / 4);
      return m.i32(Number(k)) - m.i32(Number(e));
    });
    assert.equal(m.v('bsearch', [key, base, 6, 4, cmp]), base + 12);
    assert.deepEqual(probes, [3]);
    const missing = ints(m, [4]);
    assert.equal(m.v('bsearch', [missing, base, 6, 4, cmp]), 0);
  });
});

describe('libc stdlib', () => {
  it('rand starts as srand(1) and follows glibc\'s TYPE_3 generator', () => {
    const m = new TestMachine();
    assert.deepEqual([m.v('rand'), m.v('rand'), m.v('rand')], [1804289383, 846930886, 1681692777]);
    m.v('srand', [0]);
    assert.equal(m.v('rand'), 1804289383);
    m.v('srand', [-1 >>> 0]);
    assert.equal(m.v('rand'), 254925627);
    m.v('srand', [2147483648]);
    assert.deepEqual([m.v('rand'), m.v('rand')], [1336741213, 1210407648]);
  });

  it('div and ldiv return their structs; division by zero and INT_MIN / -1 raise SIGFPE', () => {
    const m = new TestMachine();
    assert.deepEqual([...(m.v('div', [-7, 2]) as Uint8Array)], [0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const l = m.v('ldiv', [2 ** 40 + 5, 2 ** 20]) as Uint8Array;
    assert.equal(l.length, 16);
    const view = new DataView(l.buffer);
    assert.equal(view.getBigInt64(0, true), 1n << 20n);
    assert.equal(view.getBigInt64(8, true), 5n);
    assert.equal(m.call('div', [1, 0]).signal, SIGFPE);
    assert.equal(new TestMachine().call('div', [-2147483648, -1]).signal, SIGFPE);
  });

  it('abs wraps INT_MIN; strtoul negates', () => {
    const m = new TestMachine();
    assert.equal(m.v('abs', [-2147483648]), -2147483648);
    assert.equal(m.v('labs', [-5]), 5);
    assert.equal(m.v('strtoul', [m.str('-1'), 0, 10]), -1, 'ULONG_MAX in its signed representation');
  });

  it('strtol sets *endptr and errno like glibc', () => {
    const m = new TestMachine();
    const end = m.reserve(8, 8);
    const s = m.str('  0x7fffffffffffffff0 rest');
    assert.equal(m.v('strtol', [s, end, 0]), 9223372036854775807n);
    assert.equal(m.word(end) - s, 21);
    assert.equal(m.i32(DATA_VA), 34);
    m.poke(end, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(m.v('strtol', [s, end, 37]), 0);
    assert.equal(m.i32(DATA_VA), 22);
    assert.deepEqual([...m.peek(end, 8)], [1, 2, 3, 4, 5, 6, 7, 8], 'an invalid base leaves *endptr alone');
  });

  it('abort raises SIGABRT without flushing stdout', () => {
    const m = new TestMachine();
    m.v('printf', [m.str('unflushed')]);
    assert.equal(m.call('abort').signal, SIGABRT);
    assert.equal(m.output(1), '');
  });

  it('a failed assert prints glibc\'s message with the program\'s base name and aborts', () => {
    const m = new TestMachine({ programName: '/lab/mytest' });
    const r = m.call('__assert_fail', [m.str('x == 3'), m.str('mytest.c'), 12, m.str('main')]);
    assert.equal(r.signal, SIGABRT);
    assert.equal(m.output(2), "mytest: mytest.c:12: main: Assertion `x == 3' failed.\n");
    const d = new TestMachine();
    d.call('__assert_fail', [d.str('p'), d.str('f.c'), 1, 0]);
    assert.equal(d.output(2), "a.out: f.c:1: Assertion `p' failed.\n");
  });

  it('getenv finds nothing; system has no shell', () => {
    const m = new TestMachine();
    assert.equal(m.v('getenv', [m.str('HOME')]), 0);
    assert.equal(m.v('system', [0]), 0);
    assert.equal(m.v('system', [m.str('ls')]), -1);
  });
});
