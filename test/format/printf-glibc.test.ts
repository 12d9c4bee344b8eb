// Differential test of the libc flavour against the machine's glibc: a C program prints every
// case with gcc's printf, and each output line must equal formatPrintf's bytes for the same
// format and arguments. Skipped (with a message) where gcc is missing.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatPrintf, type PrintfArg, type PrintfHost, type RoundingMode } from '../../engine/format/printf';

const GCC = '/usr/bin/gcc';

/** One argument, written both as a C expression and as the value kmemlab's executor would pass. */
interface CArg {
  c: string;
  arg: PrintfArg;
}

const STRING_BASE = 0x10000;
const strings = new Map<number, string>();

function hex64(bits: bigint): string {
  return '0x' + BigInt.asUintN(64, bits).toString(16) + 'ULL';
}

function signed64(bits: bigint): number | bigint {
  const v = BigInt.asIntN(64, bits);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

const int = (n: number): CArg => ({ c: n === -2147483648 ? '(-2147483647-1)' : `(int)${n}`, arg: { value: n } });
const uint = (n: number): CArg => ({ c: `${n >>> 0}u`, arg: { value: n >>> 0 } });
const long = (n: bigint): CArg => ({ c: `(long)${hex64(n)}`, arg: { value: signed64(n) } });
const llong = (n: bigint): CArg => ({ c: `(long long)${hex64(n)}`, arg: { value: signed64(n) } });
const ptr = (n: bigint): CArg => ({ c: `(void *)${hex64(n)}`, arg: { value: signed64(n) } });

const f64 = new DataView(new ArrayBuffer(8));
function dblBits(bits: bigint): CArg {
  f64.setBigUint64(0, BigInt.asUintN(64, bits));
  return { c: `dbl(${hex64(bits)})`, arg: { value: f64.getFloat64(0), isDouble: true } };
}
function dbl(x: number): CArg {
  f64.setFloat64(0, x);
  return dblBits(f64.getBigUint64(0));
}

let nextString = STRING_BASE;
function str(s: string): CArg {
  const addr = nextString;
  nextString += s.length + 16;
  strings.set(addr, s);
  return { c: JSON.stringify(s), arg: { value: addr } };
}
const nullStr: CArg = { c: '(char *)0', arg: { value: 0 } };

interface Case {
  fmt: string;
  args: CArg[];
  mode: RoundingMode;
}

const cases: Case[] = [];
function add(fmt: string, ...args: CArg[]): void {
  cases.push({ fmt, args, mode: 'nearest' });
}

// ---- integers: limits × flag combinations × width/precision ----
const intValues = [int(0), int(1), int(-1), int(42), int(-2147483648), int(2147483647)];
const intFlags = ['', '-', '+', ' ', '#', '0', '-0', '+0', ' 0', '#0', '-#', '+ ', "'", '-+ #0'];
const shapes = ['', '8', '1', '.0', '.3', '8.3', '08.3', '-8.3', '.12'];
for (const conv of ['d', 'i', 'u', 'x', 'X', 'o', 'b']) {
  for (const v of intValues) {
    for (const f of intFlags) add(`[%${f}${conv}]`, v);
    for (const s of shapes) add(`[%${s}${conv}]`, v);
    add(`[%#8.3${conv}|%#.0${conv}|%-#8${conv}|%#08${conv}]`, v, v, v, v);
  }
}
for (const len of ['hh', 'h', '']) {
  for (const n of [0, 127, 128, 255, 256, 300, 32767, 32768, 65535, 70000, -1, -129, -32769]) {
    add(`[%${len}d|%${len}u|%${len}x|%${len}o|%#${len}X]`, int(n), int(n), int(n), int(n), int(n));
  }
}
for (const n of [0x80000000, 0xffffffff, 0x7fffffff]) add('[%u|%d|%x|%hhu]', uint(n), uint(n), uint(n), uint(n));
const int64Values = [0n, 1n, -1n, 1n << 63n, (1n << 63n) - 1n, 0xffff880000000000n, 0x123456789abcdefn, 1n << 53n, (1n << 53n) + 1n];
for (const n of int64Values) {
  for (const len of ['l', 'll', 'j', 'z', 't', 'q', 'L']) add(`[%${len}d|%${len}u|%${len}x|%#${len}o|%+${len}i]`, long(n), long(n), long(n), long(n), long(n));
  add('[%d|%u|%x]', llong(n), llong(n), llong(n)); // 64-bit value read by a 32-bit conversion
  add('[%25lld|%-25llu|%025llx|%.22lld]', llong(n), llong(n), llong(n), llong(n));
}
add('[%*d|%*d|%-*d|%.*d|%.*d|%*.*d]', int(5), int(1), int(-5), int(2), int(5), int(3), int(3), int(4), int(-3), int(5), int(8), int(4), int(7));
add('[%2$d %1$d %2$x]', int(1), int(255));
add('[%1$*2$d|%1$-*3$d|%1$.*2$d]', int(7), int(5), int(-6));
add('[%3$s %1$s %2$s]', str('a'), str('b'), str('c'));

// ---- characters and strings ----
for (const f of ['', '5', '-5', '05', '.0', '-05.2']) add(`[%${f}c]`, int(0x41));
add('[%c%c%c|%hhc|%lc]', int(0x61), int(0x162), int(-191), int(0x42), int(0x43));
for (const f of ['', '10', '-10', '010', '.2', '.0', '10.3', '-10.3', '.10', '1', '.5', '.6', '.7']) {
  add(`[%${f}s]`, str('hello'));
  add(`[%${f}s]`, nullStr);
  add(`[%${f}s]`, str(''));
}
add('[%.*s|%.*s|%*s]', int(2), str('abcdef'), int(-1), str('abcdef'), int(-8), str('xy'));
add('[%hs|%Ls|%qs]', str('ab'), str('cd'), str('ef'));

// ---- pointers ----
for (const p of [0n, 0x1234n, 0xffff880000000000n, 0x7ffff7fff000n, -1n]) {
  for (const f of ['', '20', '-20', '020', '.20', '+', ' ', '#', '.3', '-.3']) add(`[%${f}p]`, ptr(p));
}

// ---- percent, unknown conversions, flags echoed back ----
add('[%%|%5%|%-5%|%05%|%.3%|%5.3%]');
add('[%y|%5y|%-5.3y|%hhy|%ly|%Ly|%zy|%#+ 0-5.2y|%0-5y|%-05y]');
add("[%'5.2y|%I3y|% y|%+ y|%#w|%0$d]", int(1));
add('[%*y|%0*y|%.*y|%*.*y|%d]', int(5), int(-5), int(3), int(-4), int(-2), int(99));

// ---- floating point ----
const specialBits: [string, bigint][] = [
  ['nan', 0x7ff8000000000000n],
  ['-nan', 0xfff8000000000000n],
  ['nan-payload', 0x7ff0000000000001n],
  ['-0', 0x8000000000000000n],
  ['min-sub', 0x1n],
  ['max-sub', 0x000fffffffffffffn],
  ['max', 0x7fefffffffffffffn],
];
const floatValues: CArg[] = [
  dbl(0),
  dbl(1),
  dbl(-1),
  dbl(0.1),
  dbl(0.5),
  dbl(1.5),
  dbl(2.5),
  dbl(0.125),
  dbl(0.375),
  dbl(-2.5),
  dbl(1 / 3),
  dbl(2 / 3),
  dbl(123456.789),
  dbl(999999.5),
  dbl(9.5),
  dbl(0.0001),
  dbl(0.00001),
  dbl(9.9999e-5),
  dbl(1e21),
  dbl(1e22),
  dbl(1e300),
  dbl(-1e-300),
  dbl(5e-324),
  dbl(2.2250738585072014e-308),
  dbl(1.7976931348623157e308),
  dbl(Math.PI),
  dbl(Infinity),
  dbl(-Infinity),
  dbl(4503599627370497.5),
  dbl(9007199254740993),
  ...specialBits.map(([, bits]) => dblBits(bits)),
];
const floatShapes = ['', '.0', '.1', '.2', '.3', '.17', '.25', '#', '#.0', '+', ' ', '-14', '014', '+014.3', '-#14.0', '014.0'];
for (const conv of ['f', 'e', 'g', 'a', 'F', 'E', 'G', 'A']) {
  for (const v of floatValues) {
    for (const s of floatShapes) add(`[%${s}${conv}]`, v);
  }
}
for (const v of floatValues) add('[%lf|%le|%lg|%la]', v, v, v, v);
add('[%.60f|%.60e|%.70g]', dbl(0.1), dbl(0.1), dbl(0.1));
add('[%.1100f]', dbl(5e-324));
add('[%.330f]', dbl(-2.2250738585072014e-308));
add('[%f]', dbl(1.7976931348623157e308));
add('[%.40a|%.13a|%.12a|%.1a|%.0a|%#.0a]', dbl(0.1), dbl(0.1), dbl(0.1), dbl(0.1), dbl(0.1), dbl(0.1));
add('[%.0a|%.0a|%.0a|%.1a|%.1a|%.3a]', dbl(1.5), dbl(2.5), dbl(3.5), dbl(1.96875), dbl(1.03125), dbl(1.99999));
add('[%.0a|%.1a|%.0a|%a|%.2a]', dbl(1.1125369292536007e-308), dbl(2.2250738585072009e-308), dbl(3e-323), dbl(1e-320), dbl(1e-320));
// %g style thresholds: exponent -5/-4 and P-1/P.
for (const x of [0.0001, 0.000099999, 0.00009999995, 0.0000999999, 123456, 1234567, 999999.4, 999999.6, 99999.95, 9.9999995, 1e15, 1e16, 1e17, 100, 10]) {
  add('[%g|%.1g|%.2g|%.3g|%.10g|%#g|%#.3g|%.0g]', dbl(x), dbl(x), dbl(x), dbl(x), dbl(x), dbl(x), dbl(x), dbl(x));
}
// Exact ties at the printed digit: round half to even.
for (const [x, fmt] of [
  [0.125, '%.2f'],
  [0.375, '%.2f'],
  [2.5, '%.0f'],
  [3.5, '%.0f'],
  [-0.5, '%.0f'],
  [0.5, '%.0f'],
  [1.5, '%.0e'],
  [2.5, '%.0e'],
  [12.5, '%.1e'],
  [2.5, '%.1g'],
  [0.0625, '%.3f'],
  [1e23, '%.0f'],
  [8.5, '%.0f'],
  [9.5, '%.0f'],
] as [number, string][]) {
  add(`[${fmt}]`, dbl(x));
}

// ---- rounding modes (fesetround) ----
const roundingCases: [string, number][] = [
  ['%.2f', 0.125],
  ['%.2f', -0.125],
  ['%.0f', 2.5],
  ['%.0f', -2.5],
  ['%.1f', 0.25],
  ['%.3e', Math.PI],
  ['%.3e', -Math.PI],
  ['%g', 1 / 3],
  ['%g', -2 / 3],
  ['%.1a', 0.1],
  ['%.1a', -0.1],
  ['%.0a', 1.5],
  ['%f', 1e-7],
  ['%f', -1e-7],
  ['%.5f', 123.456],
];
const modes: [RoundingMode, string][] = [
  ['upward', 'FE_UPWARD'],
  ['downward', 'FE_DOWNWARD'],
  ['towardzero', 'FE_TOWARDZERO'],
  ['nearest', 'FE_TONEAREST'],
];
const modeSwitches = new Map<number, string>();
for (const [mode, macro] of modes) {
  modeSwitches.set(cases.length, macro);
  for (const [fmt, x] of roundingCases) cases.push({ fmt: `[${fmt}]`, args: [dbl(x)], mode });
}

function cProgram(): string {
  const lines = [
    '#include <stdio.h>',
    '#include <string.h>',
    '#include <stdint.h>',
    '#include <fenv.h>',
    'static double dbl(uint64_t b) { double d; memcpy(&d, &b, sizeof d); return d; }',
    'int main(void) {',
  ];
  cases.forEach((k, i) => {
    const macro = modeSwitches.get(i);
    if (macro) lines.push(`  fesetround(${macro});`);
    const fmt = JSON.stringify(k.fmt + '\n');
    lines.push(`  printf(${[fmt, ...k.args.map((a) => a.c)].join(', ')});`);
  });
  lines.push('  return 0;', '}');
  return lines.join('\n');
}

function hostFor(mode: RoundingMode): PrintfHost {
  const encoder = new TextEncoder();
  return {
    longBits: 64,
    ptrBits: 64,
    roundingMode: mode,
    readCString(addr, maxBytes) {
      const s = strings.get(Number(addr));
      return s === undefined ? null : encoder.encode(s).subarray(0, maxBytes);
    },
    readBytes() {
      return null;
    },
  };
}

describe('printf libc flavour against glibc (gcc differential)', function () {
  this.timeout(120000);

  it(`matches glibc on ${cases.length} formats, line by line`, function () {
    if (!existsSync(GCC)) {
      console.log(`      (skipped: ${GCC} not found, no glibc to compare with)`);
      this.skip();
    }
    const dir = mkdtempSync(join(tmpdir(), 'kmemlab-printf-'));
    try {
      writeFileSync(join(dir, 'cases.c'), cProgram());
      // -fno-builtin keeps gcc from turning printf into puts/putchar, which treat NULL differently.
      const cc = spawnSync(GCC, ['-O0', '-w', '-fno-builtin', '-o', join(dir, 'cases'), join(dir, 'cases.c'), '-lm'], { encoding: 'utf8' });
      assert.equal(cc.status, 0, cc.stderr);
      const run = spawnSync(join(dir, 'cases'), [], { maxBuffer: 64 * 1024 * 1024 });
      assert.equal(run.status, 0, String(run.stderr));
      const expected = splitLines(run.stdout as Buffer);
      assert.equal(expected.length, cases.length, 'one output line per case');
      const mismatches: string[] = [];
      cases.forEach((k, i) => {
        const result = formatPrintf(new TextEncoder().encode(k.fmt), k.args.map((a) => a.arg), hostFor(k.mode), 'libc');
        const got = Buffer.from(result.bytes).toString('latin1');
        if (got !== expected[i]) mismatches.push(`${JSON.stringify(k.fmt)} (${k.mode}) args ${k.args.map((a) => a.c).join(', ')}\n   glibc: ${JSON.stringify(expected[i])}\n   ours:  ${JSON.stringify(got)}`);
        if (result.argsUsed !== k.args.length && !k.fmt.includes('$')) mismatches.push(`${JSON.stringify(k.fmt)}: argsUsed ${result.argsUsed}, expected ${k.args.length}`);
      });
      assert.equal(mismatches.length, 0, `${mismatches.length} mismatches:\n` + mismatches.slice(0, 40).join('\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function splitLines(out: Buffer): string[] {
  const text = out.toString('latin1');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
