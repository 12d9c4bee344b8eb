// How a variadic argument is read back by a conversion: the emulator hands over promoted C
// values (integers ≤ 32 bits as numbers, 64-bit ones as the signed interpretation in a number
// when safe or a bigint, doubles as numbers), and each conversion reinterprets the register the
// way the x86 callee would — %d of a 64-bit value keeps its low 32 bits, %u of -1 is 4294967295.

import { bitsOfDouble, doubleFromBits } from './float';

export interface PrintfArg {
  value: number | bigint;
  isDouble?: boolean;
}

/** An integer read from an argument: its sign and magnitude, in whichever JS type holds it exactly. */
export interface IntValue {
  negative: boolean;
  magnitude: number | bigint;
}

const ZERO_ARG: PrintfArg = { value: 0 };

/** Sequential reader over the argument list; missing arguments read as 0 (C UB, never a throw). */
export class ArgCursor {
  private next = 0;
  /** Highest argument slot touched, 1-based (positional %n$ may skip slots). */
  used = 0;

  constructor(private readonly args: readonly PrintfArg[]) {}

  take(): PrintfArg {
    return this.at(++this.next);
  }

  /** 1-based positional access (%3$d). */
  at(position: number): PrintfArg {
    if (position > this.used) this.used = position;
    return this.args[position - 1] ?? ZERO_ARG;
  }
}

/** The argument's 64 register bits as a signed bigint (a double passed where an int was expected gives its IEEE bits). */
function argBits64(arg: PrintfArg): bigint {
  const v = arg.value;
  if (typeof v === 'bigint') return BigInt.asIntN(64, v);
  if (arg.isDouble) return bitsOfDouble(v);
  return BigInt.asIntN(64, BigInt(Number.isFinite(v) ? Math.trunc(v) : 0));
}

/** Low 32 bits, unsigned, on the fast path for plain numbers. */
export function argLow32(arg: PrintfArg): number {
  const v = arg.value;
  if (typeof v === 'number' && !arg.isDouble) return v >>> 0;
  return Number(BigInt.asUintN(32, argBits64(arg)));
}

/**
 * The argument narrowed to `bits` and extended back the way C does it: `signed` sign-extends,
 * otherwise zero-extends. Results up to 2^53 stay numbers so the common case never touches BigInt.
 */
export function argInteger(arg: PrintfArg, bits: 8 | 16 | 32 | 64, signed: boolean): IntValue {
  if (bits <= 32) {
    const low = argLow32(arg);
    let n: number;
    if (bits === 32) n = signed ? low | 0 : low;
    else if (bits === 16) n = signed ? (low << 16) >> 16 : low & 0xffff;
    else n = signed ? (low << 24) >> 24 : low & 0xff;
    return n < 0 ? { negative: true, magnitude: -n } : { negative: false, magnitude: n };
  }
  const v = arg.value;
  if (typeof v === 'number' && !arg.isDouble && Number.isSafeInteger(v)) {
    if (v >= 0) return { negative: false, magnitude: v };
    if (signed) return { negative: true, magnitude: -v };
  }
  const b64 = argBits64(arg);
  if (signed && b64 < 0n) return { negative: true, magnitude: -b64 };
  return { negative: false, magnitude: BigInt.asUintN(64, b64) };
}

/** A 64-bit integer value given as sign + magnitude, re-read as the other signedness (kernel number()). */
export function reinterpret64(value: IntValue, signed: boolean): IntValue {
  if (!value.negative && (typeof value.magnitude === 'number' || value.magnitude < 1n << 63n)) return value;
  const bits = value.negative ? -BigInt(value.magnitude) : BigInt(value.magnitude);
  return argInteger({ value: BigInt.asIntN(64, bits) }, 64, signed);
}

/** The double a float conversion reads; an integer passed instead is taken as raw IEEE bits. */
export function argDouble(arg: PrintfArg): number {
  const v = arg.value;
  if (typeof v === 'number' && (arg.isDouble || !Number.isInteger(v))) return v;
  return doubleFromBits(typeof v === 'bigint' ? v : BigInt(v));
}

/**
 * A pointer argument in the emulator's value convention, as handed to the host's memory readers:
 * 64-bit pointers as their signed interpretation (a number when safe, so 0xffff880000000000 is
 * -131941395333120), 32-bit pointers as an unsigned number.
 */
export function argAddress(arg: PrintfArg, ptrBits: 32 | 64): number | bigint {
  if (ptrBits === 32) return argLow32(arg);
  const { negative, magnitude } = argInteger(arg, 64, true);
  if (typeof magnitude === 'number') return negative ? -magnitude : magnitude;
  const signedValue = negative ? -magnitude : magnitude;
  return signedValue >= BigInt(Number.MIN_SAFE_INTEGER) && signedValue <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(signedValue)
    : signedValue;
}

/** The pointer's unsigned value, for comparisons like "below PAGE_SIZE" and for printing. */
export function argPointerValue(arg: PrintfArg, ptrBits: 32 | 64): IntValue {
  return argInteger(arg, ptrBits, false);
}

/** Address arithmetic in the emulator's convention (used for %pB's "address - 1"). */
export function addressPlus(addr: number | bigint, delta: number, ptrBits: 32 | 64): number | bigint {
  if (ptrBits === 32) return (Number(addr) + delta) >>> 0;
  const sum = BigInt.asIntN(64, BigInt(addr) + BigInt(delta));
  return sum >= BigInt(Number.MIN_SAFE_INTEGER) && sum <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(sum) : sum;
}

export function isZeroInt(value: IntValue): boolean {
  return value.magnitude === 0 || value.magnitude === 0n;
}
