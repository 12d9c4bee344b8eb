/**
 * 64-bit integers as the emulator carries them.
 *
 * A 64-bit C value (long on LP64, long long, a pointer on x86_64) is held as the two's-complement
 * SIGNED interpretation of its 64 bits: a JS number whenever that is a safe integer, a bigint
 * otherwise. Canonical x86_64 addresses (sign-extended from bit 47) therefore always stay numbers
 * — 0xffff880000000000 is -0x780000000000 — so the hot path of pointer arithmetic never touches
 * bigint. Because the representation is unique (a safe value is never a bigint), `===` compares.
 */
export type I64 = number | bigint;

const TWO32 = 4294967296;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MIN_SAFE_BIG = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/** Normalizes any bigint to the 64-bit representation (wraps, then demotes if safe). */
export function norm64(b: bigint): I64 {
  b = BigInt.asIntN(64, b);
  return b >= MIN_SAFE_BIG && b <= MAX_SAFE_BIG ? Number(b) : b;
}

export function toBig(v: I64): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

/** The 64 bits as an unsigned bigint (for printing, unsigned division). */
export function toUnsignedBig(v: I64): bigint {
  return BigInt.asUintN(64, toBig(v));
}

/** Builds a value from its signed high and unsigned low 32-bit halves. */
export function fromHiLo(hi: number, lo: number): I64 {
  hi |= 0;
  if (hi >= -0x200000 && hi < 0x200000) return hi * TWO32 + (lo >>> 0);
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}

export function lo32(v: I64): number {
  if (typeof v === 'number') return v >>> 0;
  return Number(BigInt.asUintN(32, v));
}

export function hi32(v: I64): number {
  if (typeof v === 'number') return Math.floor(v / TWO32) | 0;
  return Number(BigInt.asIntN(32, v >> 32n));
}

export function add64(a: I64, b: I64): I64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (r >= -MAX_SAFE && r <= MAX_SAFE) return r;
  }
  return norm64(toBig(a) + toBig(b));
}

export function sub64(a: I64, b: I64): I64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (r >= -MAX_SAFE && r <= MAX_SAFE) return r;
  }
  return norm64(toBig(a) - toBig(b));
}

export function mul64(a: I64, b: I64): I64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    if (r >= -MAX_SAFE && r <= MAX_SAFE) return r === 0 ? 0 : r;
  }
  return norm64(toBig(a) * toBig(b));
}

export function neg64(a: I64): I64 {
  if (typeof a === 'number') return a === 0 ? 0 : -a;
  return norm64(-a);
}

/** Signed division truncating toward zero; the caller has checked b != 0. */
export function divS64(a: I64, b: I64): I64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const q = Math.trunc(a / b);
    return q === 0 ? 0 : q;
  }
  return norm64(toBig(a) / toBig(b));
}

export function remS64(a: I64, b: I64): I64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a % b;
    return r === 0 ? 0 : r;
  }
  return norm64(toBig(a) % toBig(b));
}

export function divU64(a: I64, b: I64): I64 {
  if (typeof a === 'number' && typeof b === 'number' && a >= 0 && b > 0) return Math.floor(a / b);
  return norm64(toUnsignedBig(a) / toUnsignedBig(b));
}

export function remU64(a: I64, b: I64): I64 {
  if (typeof a === 'number' && typeof b === 'number' && a >= 0 && b > 0) return a % b;
  return norm64(toUnsignedBig(a) % toUnsignedBig(b));
}

function isInt32(v: I64): v is number {
  return typeof v === 'number' && (v | 0) === v;
}

export function and64(a: I64, b: I64): I64 {
  if (isInt32(a) && isInt32(b)) return a & b;
  return fromHiLo(hi32(a) & hi32(b), (lo32(a) & lo32(b)) >>> 0);
}

export function or64(a: I64, b: I64): I64 {
  if (isInt32(a) && isInt32(b)) return a | b;
  return fromHiLo(hi32(a) | hi32(b), (lo32(a) | lo32(b)) >>> 0);
}

export function xor64(a: I64, b: I64): I64 {
  if (isInt32(a) && isInt32(b)) return a ^ b;
  return fromHiLo(hi32(a) ^ hi32(b), (lo32(a) ^ lo32(b)) >>> 0);
}

export function not64(a: I64): I64 {
  if (typeof a === 'number') return -a - 1;
  return norm64(~a);
}

/** Shift counts are masked to 6 bits, as x86 does for 64-bit shifts. */
export function shl64(a: I64, n: number): I64 {
  n &= 63;
  if (typeof a === 'number') {
    const r = a * 2 ** n;
    if (r >= -MAX_SAFE && r <= MAX_SAFE) return r;
  }
  return norm64(toBig(a) << BigInt(n));
}

export function sar64(a: I64, n: number): I64 {
  n &= 63;
  if (typeof a === 'number') return Math.floor(a / 2 ** n);
  return norm64(a >> BigInt(n));
}

export function shr64(a: I64, n: number): I64 {
  n &= 63;
  if (typeof a === 'number' && a >= 0) return Math.floor(a / 2 ** n);
  return norm64(toUnsignedBig(a) >> BigInt(n));
}

/** Unsigned a < b. Mixed number/bigint comparison is exact in JS. */
export function ltU64(a: I64, b: I64): boolean {
  const an = a < 0;
  const bn = b < 0;
  return an === bn ? a < b : bn;
}

export function leU64(a: I64, b: I64): boolean {
  return a === b || ltU64(a, b);
}

/** C conversion of a double to a signed 64-bit integer (x86's "integer indefinite" when out of range). */
export function fromDoubleS64(d: number): I64 {
  if (!(d > -9223372036854775808 - 1025 && d < 9223372036854775808)) return -(2n ** 63n);
  const t = Math.trunc(d);
  return Number.isSafeInteger(t) ? (t === 0 ? 0 : t) : norm64(BigInt(t));
}

/** C conversion of a double to an unsigned 64-bit integer, as gcc's x86_64 code does it. */
export function fromDoubleU64(d: number): I64 {
  if (d >= 9223372036854775808 && d < 18446744073709551616) return norm64(BigInt(Math.trunc(d)));
  return fromDoubleS64(d);
}

export function toDoubleS64(v: I64): number {
  return typeof v === 'number' ? v : Number(v);
}

export function toDoubleU64(v: I64): number {
  if (typeof v === 'number' && v >= 0) return v;
  return Number(toUnsignedBig(v));
}

/** Sign-extends the low `bits` bits of an I64 (bits <= 32) to a JS number. */
export function truncS(v: I64, bits: number): number {
  const lo = typeof v === 'number' ? v : Number(BigInt.asIntN(32, v));
  return bits === 32 ? lo | 0 : (lo << (32 - bits)) >> (32 - bits);
}

/** The low `bits` bits of an I64 (bits <= 32) as an unsigned JS number. */
export function truncU(v: I64, bits: number): number {
  const lo = lo32(v);
  return bits === 32 ? lo : lo & ((1 << bits) - 1);
}

export function hex64(v: I64): string {
  return '0x' + toUnsignedBig(v).toString(16);
}
