/**
 * How C values of the libc interface arrive and leave under the process's ABI (LP64 on x86_64,
 * ILP32 on i386). Arguments come normalized to their C type: 32-bit integers as JS numbers
 * (unsigned ones non-negative), 64-bit ones as the signed interpretation (util/int64). Results
 * must be handed back the same way, because the executor stores them unconverted.
 */
import type { Value } from '../exec/types';
import { norm64, type I64 } from '../util/int64';

const TWO64 = 18446744073709551616;

export class CAbi {
  readonly wordBits: 32 | 64;

  constructor(readonly ptrBytes: 4 | 8, readonly longBytes: 4 | 8) {
    this.wordBits = ptrBytes === 8 ? 64 : 32;
  }

  /** A size_t argument as a non-negative JS number (huge values lose precision, which is fine: they fail). */
  size(v: Value | undefined): number {
    if (typeof v === 'bigint') return Number(BigInt.asUintN(this.wordBits, v));
    if (typeof v !== 'number') return 0;
    if (this.ptrBytes === 4) return v >>> 0;
    return v < 0 ? v + TWO64 : v;
  }

  /** A signed long argument. */
  long(v: Value | undefined): I64 {
    if (typeof v === 'bigint') return this.longBytes === 8 ? norm64(v) : Number(BigInt.asIntN(32, v));
    if (typeof v !== 'number') return 0;
    return this.longBytes === 8 ? v : v | 0;
  }

  /** An int argument (also a promoted char or short). */
  int(v: Value | undefined): number {
    if (typeof v === 'bigint') return Number(BigInt.asIntN(32, v));
    return typeof v === 'number' ? v | 0 : 0;
  }

  /** A signed long result. */
  retLong(v: bigint | number): I64 {
    const b = typeof v === 'bigint' ? v : BigInt(v);
    return this.longBytes === 8 ? norm64(b) : Number(BigInt.asIntN(32, b));
  }

  /** An unsigned long result (64-bit: the signed interpretation of its bits). */
  retULong(v: bigint | number): I64 {
    const b = typeof v === 'bigint' ? v : BigInt(v);
    return this.longBytes === 8 ? norm64(b) : Number(BigInt.asUintN(32, b));
  }

  /** A pointer or size_t result (never near 2^63, so a number). */
  retWord(v: number): I64 {
    return this.ptrBytes === 4 ? v >>> 0 : v;
  }
}

/** Unsigned 32-bit int result. */
export function retUInt(v: number): number {
  return v >>> 0;
}
