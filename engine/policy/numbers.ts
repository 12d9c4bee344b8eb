/**
 * Reading the numbers people type on the command line and in lab.json:
 * decimal or 0x hex, arbitrarily wide (offsets are 64-bit), optionally with a
 * binary size unit where a size is expected ("512MiB", "4 GiB").
 */

const UNIT_SHIFT: Record<string, bigint> = { kib: 10n, mib: 20n, gib: 30n, k: 10n, m: 20n, g: 30n };

/** A non-negative integer literal: "4096", "0x1000"; with allowUnits also "4KiB", "2 GiB". */
export function parseIntegerLiteral(text: string, allowUnits = false): bigint | undefined {
  const trimmed = text.trim();
  const unitMatch = allowUnits ? /^(.*?)\s*(kib|mib|gib|k|m|g)$/i.exec(trimmed) : null;
  const digits = unitMatch ? unitMatch[1] : trimmed;
  const shift = unitMatch ? UNIT_SHIFT[unitMatch[2].toLowerCase()] : 0n;
  let value: bigint;
  if (/^0x[0-9a-f]+$/i.test(digits)) value = BigInt(digits);
  else if (/^[0-9]+$/.test(digits)) value = BigInt(digits);
  else return undefined;
  return value << shift;
}

/** A signed decimal or hex integer ("-1", "0x10"), for securelevels and uids. */
export function parseSignedLiteral(text: string): bigint | undefined {
  const negative = text.trim().startsWith('-');
  const magnitude = parseIntegerLiteral(negative ? text.trim().slice(1) : text);
  if (magnitude === undefined) return undefined;
  return negative ? -magnitude : magnitude;
}
