import { norm64, toUnsignedBig, type I64 } from '../../util/int64';

/** A 64-bit address written in hex, as the emulator holds it (signed interpretation). */
export function vaFromHex(hex: string): number {
  const v = norm64(BigInt('0x' + hex));
  if (typeof v !== 'number') throw new RangeError(`address 0x${hex} is not canonical`);
  return v;
}

/** Hex spelling of an address with the width of the arch's pointers, as the kernel prints it. */
export function formatVa(va: I64, vaBits: 32 | 64): string {
  const u = vaBits === 64 ? toUnsignedBig(va) : BigInt.asUintN(32, BigInt(va));
  return u.toString(16).padStart(vaBits / 4, '0');
}
