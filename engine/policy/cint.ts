/**
 * C integer conversions the 2006 kernels applied to a /dev/mem offset, and
 * number formatting for verdict reasons. Every edge in FACTS §D that is not a
 * comparison operator is one of these conversions.
 */

/** `(u_int)x` or a 32-bit `paddr_t`/`u_long`: keep the low 32 bits. */
export function toUint32(x: bigint): bigint {
  return BigInt.asUintN(32, x);
}

/** A 64-bit `u_long`/`paddr_t` (alpha, amd64): two's complement reinterpretation. */
export function toUint64(x: bigint): bigint {
  return BigInt.asUintN(64, x);
}

/** `off_t` is a signed 64-bit integer on every one of these ports. */
export function toOffT(x: bigint): bigint {
  return BigInt.asIntN(64, x);
}

export interface CtobResult {
  /** The value the kernel computes: an `int`, so it wraps at 2^31. */
  value: bigint;
  /** The mathematically true byte count. */
  trueBytes: bigint;
  wrapped: boolean;
}

/**
 * `ctob(physmem)` from sys/param.h is `(physmem) << PGSHIFT` on an `int`, so
 * the result is an `int` too: 2 GiB and more of RAM overflows (undefined in C,
 * two's complement wrap-around on these compilers).
 */
export function ctobInt(physmemPages: number, pageSizeBytes: number): CtobResult {
  const trueBytes = BigInt(physmemPages) * BigInt(pageSizeBytes);
  const value = BigInt.asIntN(32, trueBytes);
  return { value, trueBytes, wrapped: value !== trueBytes };
}

export function hex(x: bigint): string {
  return x < 0n ? `-0x${(-x).toString(16)}` : `0x${x.toString(16)}`;
}

const SIZE_UNITS: ReadonlyArray<[bigint, string]> = [
  [1n << 30n, 'GiB'],
  [1n << 20n, 'MiB'],
  [1n << 10n, 'KiB'],
];

/** "0x10000000 (256 MiB)"; the unit part only when it is exact. */
export function hexWithSize(bytes: bigint): string {
  for (const [unit, name] of SIZE_UNITS) {
    if (bytes > 0n && bytes % unit === 0n) return `${hex(bytes)} (${bytes / unit} ${name})`;
  }
  return hex(bytes);
}

/** How ctob(physmem) is shown in a reason: the int the kernel compares, and the truth when they differ. */
export function describeCtob(c: CtobResult, physmemPages: number): string {
  const base = `ctob(physmem) = ${physmemPages} << PGSHIFT = ${hex(c.value)}`;
  if (!c.wrapped) return base;
  return `${base} (int overflow: the true ${hexWithSize(c.trueBytes)} wrapped to int ${c.value})`;
}
