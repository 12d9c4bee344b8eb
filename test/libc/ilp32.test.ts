// The ILP32 (i386) side of the library: 4-byte pointers, longs and size_t, glibc's i386 chunk
// geometry (4-byte header words, 16-byte alignment, 16-byte minimum chunk). There is no 32-bit
// glibc on the test host, so these are checked against glibc's source rules, not a run.

import assert from 'node:assert/strict';
import { BRK_START, DATA_VA, TestMachine } from './machine';

describe('libc on ILP32', () => {
  it('exports 4-byte stdin/stdout/stderr pointers', () => {
    const m = new TestMachine({ ilp32: true });
    for (const o of m.libc.objects.values()) assert.equal(o.sizeBytes, 4);
    const stdout = m.word(DATA_VA + m.libc.objects.get('stdout')!.offsetInData);
    assert.equal(m.i32(stdout + 56), 1, "_fileno of i386's FILE");
  });

  it('aligns the first chunk so that user pointers are 16-byte aligned', () => {
    const m = new TestMachine({ ilp32: true });
    const a = Number(m.v('malloc', [16]));
    // tcache struct (64 uint16 counts + 64 pointers = 384 bytes: a 0x190 chunk) at brk + 8.
    assert.equal(a, BRK_START + 8 + 0x190 + 8);
    assert.equal(a % 16, 0);
    assert.equal(m.word(a - 4), 0x21, 'size 0x20 | PREV_INUSE: 16 bytes + a 4-byte header round up to 32');
    const b = Number(m.v('malloc', [12]));
    assert.equal(b - a, 0x20);
    assert.equal(Number(m.v('malloc', [13])) - b, 0x10, '12 bytes fit a minimum 16-byte chunk (they reach into the next prev_size)');
    assert.equal((m.brk - BRK_START) % 4096, 0);
  });

  it('tcache and free work with 4-byte links', () => {
    const m = new TestMachine({ ilp32: true });
    const a = Number(m.v('malloc', [40]));
    const b = Number(m.v('malloc', [40]));
    m.v('free', [a]);
    m.v('free', [b]);
    assert.equal(m.v('malloc', [40]), b);
    assert.equal(m.v('malloc', [40]), a);
    const big = Number(m.v('malloc', [300000]));
    assert.ok(big > 0x80000000, 'mmapped');
    m.v('free', [big]);
  });

  it('long is 32 bits for printf, strtol and va_list', () => {
    const m = new TestMachine({ ilp32: true });
    m.v('printf', [m.str('%ld %lu %p %zu\n'), -1, 4294967295, 0xb7700010, 4294967295]);
    assert.equal(m.output(1), '-1 4294967295 0xb7700010 4294967295\n');
    const end = m.reserve(4, 4);
    const s = m.str('99999999999');
    assert.equal(m.v('strtol', [s, end, 10]), 2147483647);
    assert.equal(m.word(end), s + 11);
    assert.equal(m.v('strtoul', [m.str('-1'), 0, 10]), 4294967295);
    const ap = m.vaList([{ v: m.str('via va_list') }, { v: 0xffffffff }]);
    const buf = m.reserve(64);
    m.v('vsprintf', [buf, m.str('%s %ld'), ap]);
    assert.equal(m.cstr(buf), 'via va_list -1');
    const out = m.reserve(8, 4);
    assert.equal(m.v('vsscanf', [m.str('77'), m.str('%ld'), m.vaList([{ v: out }])]), 1);
    assert.equal(m.i32(out), 77);
  });

  it('qsort and mmap with 32-bit addresses', () => {
    const m = new TestMachine({ ilp32: true });
    const base = m.reserve(16, 4);
    m.poke(base, [3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]);
    const cmp = m.cFunction('cmp', ([a, b]) => m.i32(Number(a)) - m.i32(Number(b)));
    m.v('qsort', [base, 4, 4, cmp]);
    assert.deepEqual([0, 1, 2, 3].map((i) => m.i32(base + 4 * i)), [0, 1, 2, 3]);
    const p = Number(m.v('mmap', [0, 4096, 3, 0x22, -1, 0]));
    assert.ok(p > 0 && p < 2 ** 32);
    assert.equal(m.v('sbrk', [1 << 30]), 0xffffffff);
  });
});
