// The two primitives of Linux 3.7's lib/vsprintf.c that every kernel conversion ends in:
// number() and string(). They differ from glibc in ways a driver author can see — precision
// does not cancel '0', "%#x" of 0 is "0x0", "%.0d" of 0 is "0" — and their field width and
// precision live in s16 fields of struct printf_spec, so every store wraps like an s16.

import { isZeroInt, type IntValue } from './args';
import type { ByteSink } from './sink';

export const ZEROPAD = 1;
export const SIGN = 2;
export const PLUS = 4;
export const SPACE = 8;
export const LEFT = 16;
export const SMALL = 32;
export const SPECIAL = 64;

/** struct printf_spec of 3.7 (type and qualifier are kept by the caller). */
export interface KernelSpec {
  flags: number;
  base: 8 | 10 | 16;
  /** s16; -1 when absent. */
  fieldWidth: number;
  /** s16; -1 when absent. */
  precision: number;
}

export function s16(n: number): number {
  return (n << 16) >> 16;
}

/**
 * `while (--width >= 0) emit;` on an s16: how many bytes it emits and the width it leaves
 * behind (-32768 wraps to 32767 on the first decrement, as gcc's code does).
 */
function drainWidth(width: number): { count: number; width: number } {
  const next = s16(width - 1);
  return next < 0 ? { count: 0, width: next } : { count: next + 1, width: -1 };
}

/** number(): num is the 64-bit value, already sign- or zero-extended by the caller. */
export function kernelNumber(sink: ByteSink, num: IntValue, spec: KernelSpec): void {
  let flags = spec.flags;
  let width = spec.fieldWidth;
  const base = spec.base;
  const small = (flags & SMALL) !== 0;
  const needPrefix = (flags & SPECIAL) !== 0 && base !== 10;
  const zero = isZeroInt(num);
  if (flags & LEFT) flags &= ~ZEROPAD;

  let sign = 0;
  if (flags & SIGN) {
    if (num.negative) sign = 0x2d;
    else if (flags & PLUS) sign = 0x2b;
    else if (flags & SPACE) sign = 0x20;
    if (sign) width = s16(width - 1);
  }
  if (needPrefix) {
    if (base === 16) width = s16(width - 2);
    else if (!zero) width = s16(width - 1);
  }

  let digits = num.magnitude.toString(base);
  if (base === 16 && !small) digits = digits.toUpperCase();
  const precision = Math.max(spec.precision, digits.length);
  width = s16(width - precision);

  if (!(flags & (ZEROPAD | LEFT))) {
    const lead = drainWidth(width);
    sink.repeat(0x20, lead.count);
    width = lead.width;
  }
  if (sign) sink.byte(sign);
  if (needPrefix) {
    if (base === 16 || !zero) sink.byte(0x30);
    if (base === 16) sink.byte(small ? 0x78 : 0x58);
  }
  if (!(flags & LEFT)) {
    const pad = drainWidth(width);
    sink.repeat(flags & ZEROPAD ? 0x30 : 0x20, pad.count);
    width = pad.width;
  }
  sink.repeat(0x30, precision - digits.length);
  sink.ascii(digits);
  sink.repeat(0x20, drainWidth(width).count);
}

/** `while (len < width--) emit;` on an s16. */
function padToWidth(len: number, width: number): { count: number; width: number } {
  if (len < width) return { count: width - len, width: s16(len - 1) };
  return { count: 0, width: s16(width - 1) };
}

/** string(): bytes already cut to strnlen(s, precision) by the caller. */
export function kernelString(sink: ByteSink, bytes: Uint8Array, spec: KernelSpec): void {
  const len = bytes.length;
  let width = spec.fieldWidth;
  if (!(spec.flags & LEFT)) {
    const lead = padToWidth(len, width);
    sink.repeat(0x20, lead.count);
    width = lead.width;
  }
  sink.bytes(bytes);
  sink.repeat(0x20, padToWidth(len, width).count);
}

/** string() of a constant such as "(null)", honouring the precision as strnlen would. */
export function kernelText(sink: ByteSink, text: string, spec: KernelSpec): void {
  const n = spec.precision >= 0 && spec.precision < text.length ? spec.precision : text.length;
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  kernelString(sink, bytes, spec);
}
