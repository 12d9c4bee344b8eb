// libc flavour, byte-exact cases that hold without gcc at hand (the expected texts are what
// glibc 2.36 printed for them), the engine's own contract (faults, errors, %n, argument
// reinterpretation, missing arguments), and the speed figure.

import assert from 'node:assert/strict';
import { formatPrintf, type PrintfArg, type PrintfHost, type PrintfResult } from '../../engine/format/printf';

type Arg = number | bigint | PrintfArg;

const d = (x: number): PrintfArg => ({ value: x, isDouble: true });
const nanWithSign = (negative: boolean): PrintfArg => {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, negative ? 0xfff8000000000000n : 0x7ff8000000000000n);
  return d(view.getFloat64(0));
};

class FakeProcess implements PrintfHost {
  longBits: 32 | 64 = 64;
  ptrBits: 32 | 64 = 64;
  roundingMode?: PrintfHost['roundingMode'];
  private readonly memory = new Map<number, Uint8Array>();
  readonly stores: { addr: number | bigint; count: number; bits: number }[] = [];
  errnoText?: () => string;

  constructor(init?: Partial<Pick<FakeProcess, 'longBits' | 'ptrBits' | 'roundingMode'>>) {
    Object.assign(this, init);
  }

  map(addr: number, bytes: ArrayLike<number>): number {
    this.memory.set(addr, Uint8Array.from(bytes));
    return addr;
  }

  private find(addr: number | bigint): { bytes: Uint8Array; offset: number } | null {
    const a = Number(addr);
    for (const [base, bytes] of this.memory) if (a >= base && a <= base + bytes.length) return { bytes, offset: a - base };
    return null;
  }

  readCString(addr: number | bigint, maxBytes: number): Uint8Array | null {
    const found = this.find(addr);
    if (!found) return null;
    let end = found.offset;
    while (end < found.bytes.length && found.bytes[end] !== 0 && end - found.offset < maxBytes) end++;
    return found.bytes.slice(found.offset, end);
  }

  readBytes(addr: number | bigint, n: number): Uint8Array | null {
    const found = this.find(addr);
    return found && found.offset + n <= found.bytes.length ? found.bytes.slice(found.offset, found.offset + n) : null;
  }

  storeCount(addr: number | bigint, count: number, bits: 8 | 16 | 32 | 64): void {
    this.stores.push({ addr, count, bits });
  }
}

const HELLO = 0x601000;

function run(host: PrintfHost, fmt: string, ...args: Arg[]): PrintfResult {
  const wrapped = args.map((a) => (typeof a === 'object' ? a : { value: a }));
  return formatPrintf(Buffer.from(fmt, 'latin1'), wrapped, host, 'libc');
}

function printf(host: PrintfHost, fmt: string, ...args: Arg[]): string {
  return Buffer.from(run(host, fmt, ...args).bytes).toString('latin1');
}

function process64(): FakeProcess {
  const p = new FakeProcess();
  p.map(HELLO, Buffer.from('hello\0'));
  return p;
}

describe('printf libc flavour (glibc)', () => {
  const byteExact: [string, Arg[], string][] = [
    ['%.60f', [d(0.1)], '0.100000000000000005551115123125782702118158340454101562500000'],
    [
      '%f',
      [d(1e300)],
      '1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160.000000',
    ],
    ['%.0f|%.0f|%.0f|%.0f|%.2f|%.1f', [d(0.5), d(1.5), d(2.5), d(3.5), d(0.125), d(0.25)], '0|2|2|4|0.12|0.2'],
    ['%e|%E|%.0e|%#.0e|%e', [d(5e-324), d(1e300), d(25), d(3), d(0)], '4.940656e-324|1.000000E+300|2e+01|3.e+00|0.000000e+00'],
    ['%g|%g|%g|%g|%G|%#g|%#g|%.0g|%#.0g', [d(100000), d(1e6), d(0.0001), d(1e-5), d(1e-10), d(1), d(999999.5), d(0.5), d(1)], '100000|1e+06|0.0001|1e-05|1E-10|1.00000|1.e+06|0.5|1.'],
    ['%a|%a|%a|%a|%.0a|%.1a|%A|%#.0a|%010a', [d(1), d(0.1), d(5e-324), d(-0), d(1.5), d(1.96875), d(255), d(1), d(1)], '0x1p+0|0x1.999999999999ap-4|0x0.0000000000001p-1022|-0x0p+0|0x2p+0|0x2.0p+0|0X1.FEP+7|0x1.p+0|0x00001p+0'],
    ['%f|%F|%e|%g|%a|%A', [nanWithSign(true), nanWithSign(false), d(-Infinity), d(Infinity), nanWithSign(false), d(-Infinity)], '-nan|NAN|-inf|inf|nan|-INF'],
    ['[%010f|%-10f|%+f|% f|%010.3e]', [d(Infinity), nanWithSign(false), nanWithSign(false), d(Infinity), d(-Infinity)], '[       inf|nan       |+nan| inf|      -inf]'],
    ['%Lf|%llf|%lf', [d(1.5), d(2.5), d(3.5)], '1.500000|2.500000|3.500000'],
    ['[%.0d|%.0x|%#.0o|%#.0x|%+.0d|% .0d|%5.0d]', [0, 0, 0, 0, 0, 0, 0], '[||0||+| |     ]'],
    ['[%#o|%#x|%#X|%#5o|%#05x|%#b]', [0, 0, 0, 8, 1, 5], '[0|0|0|  010|0x001|0b101]'],
    ['[%010.3d|%-010d|%+05d|% 05d|%-+8.3d]', [5, 5, 5, 5, 5], '[       005|5         |+0005| 0005|+005    ]'],
    ['[%hhd|%hhu|%hd|%hu|%d|%u|%ld|%lu]', [300, -1, 70000, -1, -1, -1, -1, -1], '[44|255|4464|65535|-1|4294967295|-1|18446744073709551615]'],
    ['[%lld|%llx|%llo|%jd|%zu]', [-(2n ** 63n), -1, -1, -5, -1], '[-9223372036854775808|ffffffffffffffff|1777777777777777777777|-5|18446744073709551615]'],
    ['[%d|%x|%lx]', [-131941395333120, 0xffff880000000000n - (1n << 64n), -131941395333120], '[0|0|ffff880000000000]'],
    ['[%p|%10p|%-10p|%p|%+p|% p|%020p|%.20p]', [0, 0, 0, 0x1234, 0x1234, 0x1234, 0x1234, 0x1234], '[(nil)|     (nil)|(nil)     |0x1234|+0x1234| 0x1234|0x000000000000001234|0x00000000000000001234]'],
    ['[%c|%5c|%-5c|%05c|%c]', [0x61, 0x62, 0x63, 0x64, 0x141], '[a|    b|c    |    d|A]'],
    ['[%s|%.2s|%5.1s|%-7s|%05s|%.0s]', [HELLO, HELLO, HELLO, HELLO, HELLO, 0xdead], '[hello|he|    h|hello  |hello|]'],
    ['[%s|%.3s|%10s|%-10.5s|%.6s]', [0, 0, 0, 0, 0], '[(null)||    (null)|          |(null)]'],
    ['[%5y|%-5.3y|%hhy|%ly|%d]', [7], '[%5y|%-5.3y|%y|%y|7]'],
    ['[%0*y|%-05y|%#+ -0I12.4y|%]', [-5], '[%-05y|%-5y|%#+-I12.4y|%]'],
    ['[%%|%5%|%-5%]', [], '[%|%|%]'],
    ['[%*d|%*d|%.*d|%.*d]', [-5, 1, 5, 2, -3, 3, 3, 4], '[1    |    2|3|004]'],
    ['[%2$d %1$d|%1$*2$d]', [1, 2], '[2 1| 1]'],
  ];
  for (const [fmt, args, expected] of byteExact) {
    it(`${fmt} → ${expected.length > 60 ? expected.slice(0, 57) + '...' : expected}`, () => {
      assert.equal(printf(process64(), fmt, ...args), expected);
    });
  }

  it('honours the rounding mode in every float conversion', () => {
    const up = new FakeProcess({ roundingMode: 'upward' });
    const down = new FakeProcess({ roundingMode: 'downward' });
    const zero = new FakeProcess({ roundingMode: 'towardzero' });
    assert.equal(printf(up, '%.2f|%.2f|%.0e|%.1a|%g', d(0.125), d(-0.125), d(2.5), d(0.1), d(1 / 3)), '0.13|-0.12|3e+00|0x1.ap-4|0.333334');
    assert.equal(printf(down, '%.2f|%.2f|%f', d(0.125), d(-0.125), d(-1e-7)), '0.12|-0.13|-0.000001');
    assert.equal(printf(zero, '%.2f|%.2f|%.0f', d(0.129), d(-0.129), d(-2.9)), '0.12|-0.12|-2');
  });

  it('uses i386 sizes: 32-bit long and pointers', () => {
    const p = new FakeProcess({ longBits: 32, ptrBits: 32 });
    assert.equal(printf(p, '[%ld|%lu|%lx|%lld|%p|%p|%zd|%zu]', 0x1_0000_0005, -1, -1, -1, 0xc0001000, -1, -1, -1), '[5|4294967295|ffffffff|-1|0xc0001000|0xffffffff|-1|4294967295]');
  });

  it('stops at an unreadable %s and reports where, keeping the text before it', () => {
    const r = run(process64(), 'abc %d %s tail %d', 1, 0x7000, 2);
    assert.equal(Buffer.from(r.bytes).toString(), 'abc 1 ');
    assert.deepEqual(r.fault, { addr: 0x7000 });
    assert.equal(r.error, undefined);
  });

  it('passes the precision to readCString so glibc never reads past it', () => {
    const asked: number[] = [];
    const host: PrintfHost = { longBits: 64, ptrBits: 64, readCString: (_a, max) => (asked.push(max), Buffer.from('xyz').subarray(0, max)), readBytes: () => null };
    assert.equal(printf(host, '%.2s|%s|%.0s', 0x1000, 0x1000, 0x1000), 'xy|xyz|');
    assert.deepEqual(asked, [2, 0x7fffffff]);
  });

  it("returns glibc's -1 cases as errors with the text written so far", () => {
    assert.deepEqual(run(process64(), '[%'), { bytes: Uint8Array.of(0x5b), argsUsed: 0, error: 'EINVAL' });
    assert.equal(run(process64(), 'a%5').error, 'EINVAL');
    assert.equal(run(process64(), 'a%ll').error, 'EINVAL');
    const wide = run(process64(), 'x%lcy%lc', 0x41, 0xe9);
    assert.equal(Buffer.from(wide.bytes).toString(), 'xAy');
    assert.equal(wide.error, 'EILSEQ');
    assert.equal(run(process64(), '%2147483648d', 1).error, 'EOVERFLOW');
  });

  it('prints ASCII wide strings for %ls / %S (4-byte wchar_t)', () => {
    const p = process64();
    const wide = p.map(0x602000, [...'wide'].flatMap((ch) => [ch.charCodeAt(0), 0, 0, 0]).concat([0, 0, 0, 0]));
    assert.equal(printf(p, '[%ls|%S|%.2ls|%6ls|%ls]', wide, wide, wide, wide, 0), '[wide|wide|wi|  wide|(null)]');
  });

  it('prints %m from the host errno text, or echoes it when there is none', () => {
    const p = process64();
    assert.equal(printf(p, '[%m]'), '[%m]');
    p.errnoText = () => 'No such file or directory';
    assert.equal(printf(p, '[%m|%10.3m]'), '[No such file or directory|       No ]');
  });

  it('stores %n counts at the width of its length modifier', () => {
    const p = process64();
    printf(p, 'ab%hhn%hn%n%ln%lln%zn%jn', 1, 2, 3, 4, 5, 6, 7);
    assert.deepEqual(
      p.stores.map((s) => [s.addr, s.count, s.bits]),
      [[1, 2, 8], [2, 2, 16], [3, 2, 32], [4, 2, 64], [5, 2, 64], [6, 2, 64], [7, 2, 64]],
    );
  });

  it('reinterprets mismatched arguments as raw register bits (C UB, deterministic here)', () => {
    // A double read by %d yields the low 32 bits of its IEEE pattern; an integer read by %f is
    // taken as the IEEE pattern of a double (1 → 4.9e-324).
    assert.equal(printf(process64(), '%d|%x|%f|%e', d(1.5), d(0.1), 1, 1), '0|9999999a|0.000000|4.940656e-324');
  });

  it('treats missing arguments as 0 and never throws', () => {
    const r = run(process64(), '%d %s %f %p %c|');
    assert.equal(Buffer.from(r.bytes).toString('latin1'), '0 (null) 0.000000 (nil) \0|');
    assert.equal(r.argsUsed, 5);
  });

  it('survives a host callback that formats while a format is in progress', () => {
    const host: PrintfHost = {
      longBits: 64,
      ptrBits: 64,
      readCString: () => formatPrintf(Buffer.from('inner %d'), [{ value: 7 }], host, 'libc').bytes,
      readBytes: () => null,
    };
    assert.equal(printf(host, '<%s|%s>', 1, 2), '<inner 7|inner 7>');
    assert.equal(printf(host, 'after %x', 255), 'after ff');
  });

  it('reports the highest slot for positional arguments', () => {
    assert.equal(run(process64(), '%3$d', 1, 2, 3).argsUsed, 3);
  });

  it('formats "%d %s %08lx\\n" 1e5 times (speed figure, not asserted)', function () {
    this.timeout(60000);
    const host = process64();
    const fmt = Buffer.from('%d %s %08lx\n');
    const args: PrintfArg[] = [{ value: -12345 }, { value: HELLO }, { value: 0xdeadbeef }];
    let bytes = 0;
    const start = performance.now();
    for (let i = 0; i < 100000; i++) {
      args[0] = { value: i };
      bytes += formatPrintf(fmt, args, host, 'libc').bytes.length;
    }
    const libcMs = performance.now() - start;
    const kstart = performance.now();
    for (let i = 0; i < 100000; i++) formatPrintf(fmt, args, host, 'kernel');
    const kernelMs = performance.now() - kstart;
    const fstart = performance.now();
    const ffmt = Buffer.from('%f %.3e %g\n');
    for (let i = 0; i < 100000; i++) formatPrintf(ffmt, [d(i * 1.37), d(i / 7), d(i * 0.001)], host, 'libc');
    const floatMs = performance.now() - fstart;
    console.log(
      `      speed: "%d %s %08lx\\n" x1e5: libc ${libcMs.toFixed(0)} ms (${(1e5 / (libcMs / 1000)).toExponential(2)}/s), ` +
        `kernel ${kernelMs.toFixed(0)} ms; "%f %.3e %g\\n" x1e5: ${floatMs.toFixed(0)} ms`,
    );
    assert.ok(bytes > 0);
  });
});
