/**
 * The GCC bit builtins that kernel and textbook code use (`__builtin_popcount`, `clz`, `ctz`,
 * `ffs`, `parity`, `bswap16/32/64`, `abs`), as functions of one carried value: the parser folds
 * them on constants (so `BUILD_BUG_ON(__builtin_popcount(X) != 1)` works) and the code generator
 * calls them at run time.
 */
import { neg64, norm64, toUnsignedBig, type I64 } from '../util/int64';

export type BitBuiltin = 'popcount' | 'parity' | 'clz' | 'ctz' | 'ffs' | 'bswap' | 'abs';

/** The builtin named `name` (without `__builtin_`), its operand width, and whether it is one. */
export function bitBuiltin(name: string, longBits: number): { op: BitBuiltin; bits: 16 | 32 | 64 } | undefined {
  const m = /^(popcount|parity|clz|ctz|ffs)(l|ll)?$/.exec(name);
  if (m) return { op: m[1] as BitBuiltin, bits: m[2] === 'll' ? 64 : m[2] === 'l' ? (longBits as 32 | 64) : 32 };
  const b = /^bswap(16|32|64)$/.exec(name);
  if (b) return { op: 'bswap', bits: Number(b[1]) as 16 | 32 | 64 };
  if (name === 'abs') return { op: 'abs', bits: 32 };
  if (name === 'labs') return { op: 'abs', bits: longBits as 32 | 64 };
  if (name === 'llabs') return { op: 'abs', bits: 64 };
  return undefined;
}

/** The low `bits` bits of a carried integer, unsigned. */
function unsignedBits(v: I64, bits: number): bigint {
  return BigInt.asUintN(bits, typeof v === 'bigint' ? v : toUnsignedBig(v));
}

/** Computes a bit builtin on a value already converted to its operand type. */
export function evalBitBuiltin(op: BitBuiltin, bits: number, v: I64): I64 {
  if (op === 'abs') {
    if (bits === 32) return (v as number) < 0 ? -(v as number) | 0 : v;
    return v < 0 ? neg64(v) : v;
  }
  const u = unsignedBits(v, bits);
  switch (op) {
    case 'popcount':
    case 'parity': {
      let n = 0;
      for (let x = u; x !== 0n; x &= x - 1n) n++;
      return op === 'parity' ? n & 1 : n;
    }
    case 'clz':
      // Undefined for 0 in C; this is what lzcnt gives.
      return u === 0n ? bits : bits - u.toString(2).length;
    case 'ctz':
    case 'ffs': {
      if (u === 0n) return op === 'ffs' ? 0 : bits;
      let n = 0;
      for (let x = u; (x & 1n) === 0n; x >>= 1n) n++;
      return op === 'ffs' ? n + 1 : n;
    }
    case 'bswap': {
      let r = 0n;
      for (let i = 0; i < bits / 8; i++) r = (r << 8n) | ((u >> BigInt(8 * i)) & 0xffn);
      return bits === 64 ? norm64(r) : Number(r);
    }
  }
}
