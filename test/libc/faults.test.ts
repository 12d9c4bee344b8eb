// The trap protocol: libc touches user memory whose page is not present, hands each fault to the
// kernel (here the test machine, which maps an owned page back or kills with SIGSEGV), and
// retries the access.

import assert from 'node:assert/strict';
import { PAGE, SIGSEGV, TestMachine } from './machine';

const enc = new TextEncoder();

/** Puts bytes at a fresh place straddling a page boundary, then takes both pages out of the page tables. */
function evictedAcrossPages(m: TestMachine, bytes: Uint8Array | number[], beforeBoundary = 3): number {
  const va = m.reserve(2 * PAGE + bytes.length, PAGE) + PAGE - beforeBoundary;
  m.poke(va, bytes);
  for (let p = va - (va % PAGE); p < va + bytes.length; p += PAGE) m.evict(p);
  return va;
}

describe('libc: page faults inside routines', () => {
  it('strlen reads a string across two absent pages: two faults, right length', () => {
    const m = new TestMachine();
    const s = evictedAcrossPages(m, [...enc.encode('hello'), 0]);
    const before = m.faults;
    assert.equal(m.v('strlen', [s]), 5);
    assert.equal(m.faults - before, 2);
  });

  it('a string that ends just before an absent page does not touch it', () => {
    const m = new TestMachine();
    const s = m.reserve(2 * PAGE, PAGE) + PAGE - 4;
    m.poke(s, [...enc.encode('abc'), 0]);
    m.evict(s + 4);
    const before = m.faults;
    assert.equal(m.v('strlen', [s]), 3);
    assert.equal(m.faults, before);
  });

  it('memcpy between absent pages: the data arrives intact', () => {
    const m = new TestMachine();
    const data = Uint8Array.from({ length: 2 * PAGE + 500 }, (_, i) => (i * 7) & 0xff);
    const src = evictedAcrossPages(m, data, 50);
    const dst = evictedAcrossPages(m, new Uint8Array(data.length), 100);
    const before = m.faults;
    assert.equal(m.v('memcpy', [dst, src, data.length]), dst);
    assert.ok(m.faults - before >= 6, `${m.faults - before} faults`);
    assert.deepEqual(m.peek(dst, data.length), data);
  });

  it('memmove handles overlap in both directions', () => {
    const m = new TestMachine();
    const buf = m.str('0123456789');
    m.v('memmove', [buf + 2, buf, 6]);
    assert.equal(m.cstr(buf), '0101234589');
    m.v('memmove', [buf, buf + 3, 5]);
    assert.equal(m.cstr(buf), '1234534589');
  });

  it('printf("%s") of a string on an absent page: the fault is fixed, the output is right', () => {
    const m = new TestMachine();
    const s = evictedAcrossPages(m, [...enc.encode('paged in'), 0]);
    const fmt = evictedAcrossPages(m, [...enc.encode('[%s] %d\n'), 0]);
    assert.equal(m.v('printf', [fmt, s, 7]), 13);
    assert.equal(m.output(1), '[paged in] 7\n');
  });

  it('sscanf stores through pointers into absent pages', () => {
    const m = new TestMachine();
    const out = evictedAcrossPages(m, new Uint8Array(8), 2);
    assert.equal(m.v('sscanf', [m.str('-5 6'), m.str('%d %d'), out, out + 4]), 2);
    assert.equal(m.i32(out), -5);
    assert.equal(m.i32(out + 4), 6);
  });

  it('a bad pointer kills the process with SIGSEGV and nothing of the call is written', () => {
    const m = new TestMachine();
    const r = m.call('printf', [m.str('before %s after\n'), 0x1234]);
    assert.equal(r.signal, SIGSEGV);
    assert.equal(m.output(1), '');
    const m2 = new TestMachine();
    assert.equal(m2.call('strlen', [0]).signal, SIGSEGV);
    const m3 = new TestMachine();
    assert.equal(m3.call('memset', [-0x100000000000, 0, 8]).signal, SIGSEGV, 'a kernel address from user mode');
  });

  it('heap pages are demand paged: malloc and memset fault them in one by one', () => {
    const m = new TestMachine();
    const p = Number(m.v('malloc', [100000]));
    const before = m.faults;
    m.v('memset', [p, 7, 100000]);
    const pages = Math.floor((p + 100000 - 1) / PAGE) - Math.floor(p / PAGE) + 1;
    assert.equal(m.faults - before, pages - 2, 'all but two: malloc wrote the chunk header and the new top header');
  });

  it('a wild length walks off mapped memory into SIGSEGV, not a host error', () => {
    const m = new TestMachine();
    const a = m.str('abc');
    assert.equal(m.call('memcpy', [m.reserve(16), a, -1]).signal, SIGSEGV);
    const m2 = new TestMachine();
    assert.equal(m2.call('strncpy', [m2.reserve(16), m2.str('x'), -1]).signal, SIGSEGV);
  });

  it('memcmp stops at the first difference and never touches the bytes after it', () => {
    const m = new TestMachine();
    const a = m.reserve(2 * PAGE, PAGE) + PAGE - 4;
    const b = m.reserve(2 * PAGE, PAGE) + PAGE - 4;
    m.poke(a, [1, 2, 3, 4]);
    m.poke(b, [1, 2, 9, 4]);
    assert.equal(m.v('memcmp', [a, b, 1000]), -6);
    assert.equal(m.isMapped(a + 4), false, 'the next page of a was never faulted in');
    assert.equal(m.isMapped(b + 4), false);
  });
});
