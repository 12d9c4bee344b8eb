/**
 * stdlib.h's conversions (ato*, strto*), integer arithmetic (abs, div), rand/srand, getenv and
 * system. The parsing rules are in numparse.ts.
 */
import { Trap, MODE_USER } from '../machine/cpu';
import type { Value } from '../exec/types';
import { norm64 } from '../util/int64';
import { EINVAL, ENOSYS, ERANGE } from './errno';
import { scanDouble, scanInteger, toSigned, toUnsigned } from './numparse';
import type { LibcProcess } from './process';
import type { DefineRoutine } from './routine';
import { toAddress, type Step } from './usermem';

interface IntegerKind {
  bits: number;
  signed: boolean;
}

/** strtol and friends: the value as a bigint already saturated to the type, errno and *endptr set. */
function* strtoInteger(p: LibcProcess, a: Value[], kind: IntegerKind, base: number): Step<bigint> {
  const nptr = toAddress(a[0]);
  const endptr = toAddress(a[1]);
  if (base < 0 || base === 1 || base > 36) {
    yield* p.setErrno(EINVAL);
    return 0n;
  }
  const s = yield* p.mem.cstring(nptr);
  const parsed = scanInteger(s, 0, base);
  const r = kind.signed ? toSigned(parsed, kind.bits) : toUnsigned(parsed, kind.bits);
  if (r.overflow) yield* p.setErrno(ERANGE);
  if (endptr !== 0) yield* p.mem.wword(endptr, nptr + parsed.end);
  return r.value;
}

function* strtod(p: LibcProcess, nptr: number, endptr: number): Step<number> {
  const s = yield* p.mem.cstring(nptr);
  const r = scanDouble(s, 0);
  if (r.range) yield* p.setErrno(ERANGE);
  if (endptr !== 0) yield* p.mem.wword(endptr, nptr + r.end);
  return r.value;
}

/** A C division result as struct bytes: quot then rem, each `bytes` wide. */
function divResult(quot: bigint, rem: bigint, bytes: 4 | 8): Uint8Array {
  const out = new Uint8Array(2 * bytes);
  const view = new DataView(out.buffer);
  if (bytes === 4) {
    view.setInt32(0, Number(BigInt.asIntN(32, quot)), true);
    view.setInt32(4, Number(BigInt.asIntN(32, rem)), true);
  } else {
    view.setBigInt64(0, BigInt.asIntN(64, quot), true);
    view.setBigInt64(8, BigInt.asIntN(64, rem), true);
  }
  return out;
}

/** Division by zero, or a quotient that does not fit (INT_MIN / -1), is the CPU's #DE: SIGFPE. */
function* divide(num: bigint, den: bigint, bytes: 4 | 8): Step<Uint8Array> {
  const max = (1n << BigInt(8 * bytes - 1)) - 1n;
  while (den === 0n || num / den > max) yield { kind: 'trap', trap: new Trap('divide', 0, 0, MODE_USER, false) };
  return divResult(num / den, num % den, bytes);
}

function absolute(v: bigint, bits: number): bigint {
  return BigInt.asIntN(bits, v < 0n ? -v : v);
}

export function defineStdlib(def: DefineRoutine): void {
  const long = (p: LibcProcess): IntegerKind => ({ bits: 8 * p.host.longBytes, signed: true });
  const ulong = (p: LibcProcess): IntegerKind => ({ bits: 8 * p.host.longBytes, signed: false });
  const llong: IntegerKind = { bits: 64, signed: true };
  const ullong: IntegerKind = { bits: 64, signed: false };

  def('strtol(nptr, endptr, base)', function* (p, a) {
    return p.abi.retLong(yield* strtoInteger(p, a, long(p), p.abi.int(a[2])));
  });
  def('strtoul(nptr, endptr, base)', function* (p, a) {
    return p.abi.retULong(yield* strtoInteger(p, a, ulong(p), p.abi.int(a[2])));
  });
  def('strtoll(nptr, endptr, base)', function* (p, a) {
    return norm64(yield* strtoInteger(p, a, llong, p.abi.int(a[2])));
  });
  def('strtoull(nptr, endptr, base)', function* (p, a) {
    return norm64(yield* strtoInteger(p, a, ullong, p.abi.int(a[2])));
  });
  def('atoi(nptr)', function* (p, a) {
    return Number(BigInt.asIntN(32, yield* strtoInteger(p, [a[0], 0], long(p), 10)));
  });
  def('atol(nptr)', function* (p, a) {
    return p.abi.retLong(yield* strtoInteger(p, [a[0], 0], long(p), 10));
  });
  def('atoll(nptr)', function* (p, a) {
    return norm64(yield* strtoInteger(p, [a[0], 0], llong, 10));
  });
  def('strtod(nptr, endptr)', (p, a) => strtod(p, toAddress(a[0]), toAddress(a[1])));
  def('atof(nptr)', (p, a) => strtod(p, toAddress(a[0]), 0));

  def('abs(j)', (p, a) => Number(absolute(BigInt(p.abi.int(a[0])), 32)));
  def('labs(j)', (p, a) => p.abi.retLong(absolute(BigInt(p.abi.long(a[0])), 8 * p.host.longBytes)));
  def('llabs(j)', (p, a) => norm64(absolute(BigInt(a[0] as number | bigint), 64)));
  def('div(numer, denom)', (p, a) => divide(BigInt(p.abi.int(a[0])), BigInt(p.abi.int(a[1])), 4));
  def('ldiv(numer, denom)', (p, a) => divide(BigInt(p.abi.long(a[0])), BigInt(p.abi.long(a[1])), p.host.longBytes));
  def('lldiv(numer, denom)', (p, a) => divide(BigInt(a[0] as number | bigint), BigInt(a[1] as number | bigint), 8));

  def('rand()', (p) => p.random.next());
  def('srand(seed)', (p, a) => {
    p.random.seed(p.abi.int(a[0]) >>> 0);
    return undefined;
  });
  def('random()', (p) => p.random.next());
  def('srandom(seed)', (p, a) => {
    p.random.seed(p.abi.int(a[0]) >>> 0);
    return undefined;
  });

  // No environment is passed to emulated programs.
  def('getenv(name)', () => 0);
  // There is no shell to run a command: system(NULL) says so, system(cmd) fails like a failed fork.
  def('system(command)', function* (p, a) {
    if (toAddress(a[0]) === 0) return 0;
    yield* p.setErrno(ENOSYS);
    return -1;
  });
}
