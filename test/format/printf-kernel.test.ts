// Kernel flavour: Linux 3.7 lib/vsprintf.c.
// kernel-3.7-vsnprintf.cases.json holds ~600 formats with the exact text that 3.7.2's own
// vsnprintf() produced for them on x86_64 (its kallsyms answering for the two symbols the host
// below knows); every one must come out byte for byte. The hand-written cases after it cover what
// that run could not: i386 sizes, %pa from later kernels, %n, unreadable memory.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { formatPrintf, type PrintfArg, type PrintfHost } from '../../engine/format/printf';

type FixtureArg = ['int', number] | ['long' | 'ptr', string] | ['str', string] | ['bytes', number[]];
interface FixtureCase {
  fmt: string;
  args: FixtureArg[];
  out: string;
}

function findFixture(name: string): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'test', 'format', name);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`fixture ${name} not found above ${__dirname}`);
  }
}

function signed64(hex: string): number | bigint {
  const v = BigInt.asIntN(64, BigInt(hex));
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Emulated memory for the tests: byte blocks at addresses, and two kallsyms symbols. */
class FakeKernel implements PrintfHost {
  longBits: 32 | 64 = 64;
  ptrBits: 32 | 64 = 64;
  physAddrBits?: 32 | 64;
  private next = 0x100000;
  private readonly blocks = new Map<number, Uint8Array>();
  readonly stores: { addr: number | bigint; count: number; bits: number }[] = [];

  constructor(init?: Partial<Pick<FakeKernel, 'longBits' | 'ptrBits' | 'physAddrBits'>>) {
    Object.assign(this, init);
  }

  place(bytes: ArrayLike<number>): number {
    const addr = this.next;
    this.next += bytes.length + 64;
    this.blocks.set(addr, Uint8Array.from(bytes));
    return addr;
  }

  placeString(s: string): number {
    return this.place([...Buffer.from(s, 'latin1')]);
  }

  private locate(addr: number | bigint): { bytes: Uint8Array; offset: number } | null {
    const a = Number(addr);
    for (const [base, bytes] of this.blocks) if (a >= base && a <= base + bytes.length) return { bytes, offset: a - base };
    return null;
  }

  readCString(addr: number | bigint, maxBytes: number): Uint8Array | null {
    const found = this.locate(addr);
    if (!found) return null;
    let end = found.offset;
    while (end < found.bytes.length && found.bytes[end] !== 0 && end - found.offset < maxBytes) end++;
    return found.bytes.slice(found.offset, end);
  }

  readBytes(addr: number | bigint, n: number): Uint8Array | null {
    const found = this.locate(addr);
    if (!found || found.offset + n > found.bytes.length) return null;
    return found.bytes.slice(found.offset, found.offset + n);
  }

  lookupSymbol(addr: number | bigint): { name: string; offset: number; sizeBytes: number; module?: string } | undefined {
    const a = BigInt.asUintN(64, BigInt(addr));
    if (a >= 0x5000n && a < 0x5040n) return { name: 'my_fault', offset: Number(a - 0x5000n), sizeBytes: 0x40, module: 'drv' };
    if (a >= 0xffffffff81000000n && a < 0xffffffff81000100n) return { name: 'start_kernel', offset: Number(a - 0xffffffff81000000n), sizeBytes: 0x100 };
    return undefined;
  }

  storeCount(addr: number | bigint, count: number, bits: 8 | 16 | 32 | 64): void {
    this.stores.push({ addr, count, bits });
  }
}

function argOf(host: FakeKernel, a: FixtureArg): PrintfArg {
  switch (a[0]) {
    case 'int':
      return { value: a[1] };
    case 'long':
    case 'ptr':
      return { value: signed64(a[1]) };
    case 'str':
      return { value: host.placeString(a[1]) };
    case 'bytes':
      return { value: host.place(a[1]) };
  }
}

function kprintf(host: PrintfHost, fmt: string, ...args: (number | bigint | PrintfArg)[]): string {
  const wrapped = args.map((a) => (typeof a === 'object' ? a : { value: a }));
  return Buffer.from(formatPrintf(Buffer.from(fmt, 'latin1'), wrapped, host, 'kernel').bytes).toString('latin1');
}

describe('printf kernel flavour (Linux 3.7 vsnprintf)', () => {
  const fixture: FixtureCase[] = JSON.parse(readFileSync(findFixture('kernel-3.7-vsnprintf.cases.json'), 'utf8'));

  it(`reproduces 3.7.2's own output on ${fixture.length} x86_64 formats`, () => {
    const mismatches: string[] = [];
    for (const c of fixture) {
      const host = new FakeKernel();
      const result = formatPrintf(Buffer.from(c.fmt, 'latin1'), c.args.map((a) => argOf(host, a)), host, 'kernel');
      const got = Buffer.from(result.bytes).toString('latin1');
      if (got !== c.out) mismatches.push(`${JSON.stringify(c.fmt)}\n   3.7:  ${JSON.stringify(c.out)}\n   ours: ${JSON.stringify(got)}`);
      // A few cases pass more arguments than the (partly invalid) format consumes.
      if (result.argsUsed > c.args.length) mismatches.push(`${JSON.stringify(c.fmt)}: argsUsed ${result.argsUsed} of ${c.args.length}`);
    }
    assert.equal(mismatches.length, 0, mismatches.slice(0, 20).join('\n'));
  });

  it('does not consume arguments for conversions 3.7 rejects, floats included', () => {
    const host = new FakeKernel();
    const r = formatPrintf(Buffer.from('%f %d %.2e %jd'), [{ value: 1.5, isDouble: true }, { value: 7 }], host, 'kernel');
    // %f and %e are "invalid": '%' is printed and the letter follows as text. Arguments are one
    // sequential list here, so %d then reads the double's slot (the low half of its bits).
    assert.equal(Buffer.from(r.bytes).toString(), '%f 0 %e %jd');
    assert.equal(r.argsUsed, 1);
  });

  it('uses i386 sizes: 8-digit %p, 32-bit long, size_t unsigned even for %zd, ptrdiff_t sign-extended', () => {
    const host = new FakeKernel({ longBits: 32, ptrBits: 32 });
    assert.equal(kprintf(host, '[%p|%p|%#p|%pK]', 0xc0001000, 0, 0x1234, 0), '[c0001000|  (null)|0x00001234|00000000]');
    assert.equal(kprintf(host, '[%ld|%lu|%lx|%lld]', -1, -1, 0x1_0000_0005, -1), '[-1|4294967295|5|-1]');
    assert.equal(kprintf(host, '[%zd|%zu|%zx|%Zd]', -1, -1, -1, -2), '[4294967295|4294967295|ffffffff|4294967294]');
    assert.equal(kprintf(host, '[%td|%tu|%tx]', -1, -1, -1), '[-1|18446744073709551615|ffffffffffffffff]');
    assert.equal(kprintf(host, '[%pS|%pB|%ps]', 0x5010, 0x5000, 0x7777), '[my_fault+0x10/0x40 [drv]|0x4fff|0x7777]');
  });

  it('on x86_64 %zd is signed in effect: the 64-bit size_t viewed as long long', () => {
    const host = new FakeKernel();
    assert.equal(kprintf(host, '[%zd|%zu|%zx]', -1, -1, -1), '[-1|18446744073709551615|ffffffffffffffff]');
  });

  it('prints %pa/%pap/%pad as later kernels do, sized by physAddrBits', () => {
    const pae = new FakeKernel({ longBits: 32, ptrBits: 32, physAddrBits: 64 });
    const phys = pae.place([0x00, 0x30, 0x12, 0x00, 0x01, 0x00, 0x00, 0x00]);
    assert.equal(kprintf(pae, '[%pa|%pap|%pad|%-30pa|%pa]', phys, phys, phys, phys, 0), '[0x0000000100123000|0x0000000100123000|0x0000000100123000|0x100123000       |  (null)]');
    const i386 = new FakeKernel({ longBits: 32, ptrBits: 32 });
    assert.equal(kprintf(i386, '[%pa]', i386.place([0x00, 0x30, 0x12, 0x00])), '[0x00123000]');
    const x86_64 = new FakeKernel();
    assert.equal(kprintf(x86_64, '[%pa]', x86_64.place([0x00, 0xf0, 0xff, 0xff, 0, 0, 0, 0])), '[0x00000000fffff000]');
  });

  it('stores %n counts at the width of its qualifier', () => {
    const host = new FakeKernel();
    const r = formatPrintf(Buffer.from('abc%n%5d%ln%zn%hhn'), [{ value: 0x9000 }, { value: 1 }, { value: 0x9008 }, { value: 0x9010 }, { value: 0x9018 }], host, 'kernel');
    assert.equal(Buffer.from(r.bytes).toString(), 'abc    1');
    assert.deepEqual(host.stores, [
      { addr: 0x9000, count: 3, bits: 32 },
      { addr: 0x9008, count: 8, bits: 64 },
      { addr: 0x9010, count: 8, bits: 64 },
      { addr: 0x9018, count: 8, bits: 32 },
    ]);
  });

  it('reports an unreadable pointer as a fault and prints "(efault)" in its place', () => {
    const host = new FakeKernel();
    const r = formatPrintf(Buffer.from('[%s|%pM|%10s|%d]'), [{ value: 0xdead0000 }, { value: 0xbeef0000 }, { value: 0x5000 }, { value: 4 }], host, 'kernel');
    assert.equal(Buffer.from(r.bytes).toString(), '[(efault)|(efault)|  (efault)|4]');
    assert.deepEqual(r.fault, { addr: 0xdead0000 });
    assert.equal(r.argsUsed, 4);
  });

  it('hands the host kernel addresses in the emulator convention (signed 64-bit)', () => {
    const seen: (number | bigint)[] = [];
    const host: PrintfHost = {
      longBits: 64,
      ptrBits: 64,
      readCString: (addr) => (seen.push(addr), Buffer.from('ok')),
      readBytes: () => null,
    };
    assert.equal(kprintf(host, '%s %s', -131941395333120, -(2n ** 63n)), 'ok ok');
    assert.deepEqual(seen, [-131941395333120, -(2n ** 63n)]);
  });

  it('treats missing arguments as 0 and never throws', () => {
    const host = new FakeKernel();
    const r = formatPrintf(Buffer.from('%d %s %p %pS %*ph|'), [], host, 'kernel');
    // %*ph with a 0 width and a NULL pointer: pointer()'s NULL check comes first, at width 0.
    assert.equal(Buffer.from(r.bytes).toString(), '0 (null)           (null)           (null) (null)|');
    assert.equal(r.argsUsed, 6);
  });
});
