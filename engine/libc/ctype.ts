/**
 * ctype.h in the C locale. The classifiers return glibc's table bits (isalpha('a') is 1024, not 1:
 * glibc's macros and functions both hand back `table[c] & _ISalpha`), so a program that prints
 * the result prints what it would on Linux. tolower/toupper map a signed char's negative value
 * to its unsigned one, as glibc's tables do, and leave EOF and out-of-range values alone.
 */
import type { DefineRoutine } from './routine';

const IS_UPPER = 1 << 8;
const IS_LOWER = 1 << 9;
const IS_ALPHA = 1 << 10;
const IS_DIGIT = 1 << 11;
const IS_XDIGIT = 1 << 12;
const IS_SPACE = 1 << 13;
const IS_PRINT = 1 << 14;
const IS_GRAPH = 1 << 15;
const IS_BLANK = 1 << 0;
const IS_CNTRL = 1 << 1;
const IS_PUNCT = 1 << 2;
const IS_ALNUM = 1 << 3;

/** The C locale's class bits of an ASCII character. */
function classBits(c: number): number {
  if (c < 0 || c > 0x7f) return 0;
  let bits = 0;
  const upper = c >= 0x41 && c <= 0x5a;
  const lower = c >= 0x61 && c <= 0x7a;
  const digit = c >= 0x30 && c <= 0x39;
  if (upper) bits |= IS_UPPER | IS_ALPHA | IS_ALNUM | IS_PRINT | IS_GRAPH;
  if (lower) bits |= IS_LOWER | IS_ALPHA | IS_ALNUM | IS_PRINT | IS_GRAPH;
  if (digit) bits |= IS_DIGIT | IS_ALNUM | IS_PRINT | IS_GRAPH;
  if (digit || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)) bits |= IS_XDIGIT;
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) bits |= IS_SPACE;
  if (c === 0x20 || c === 0x09) bits |= IS_BLANK;
  if (c < 0x20 || c === 0x7f) bits |= IS_CNTRL;
  if (c === 0x20) bits |= IS_PRINT;
  if (c > 0x20 && c < 0x7f && !upper && !lower && !digit) bits |= IS_PUNCT | IS_PRINT | IS_GRAPH;
  return bits;
}

const CLASS_BITS = Uint16Array.from({ length: 128 }, (_, c) => classBits(c));

export function ctypeBits(c: number): number {
  return c >= 0 && c < 128 ? CLASS_BITS[c] : 0;
}

function mapCase(c: number, from: number, delta: number): number {
  if (c >= from && c < from + 26) return c + delta;
  if (c >= -128 && c <= -2) return c + 256;
  return c;
}

export function toLower(c: number): number {
  return mapCase(c, 0x41, 0x20);
}

export function toUpper(c: number): number {
  return mapCase(c, 0x61, -0x20);
}

export function defineCtype(def: DefineRoutine): void {
  const classifiers: [string, number][] = [
    ['isalnum', IS_ALNUM], ['isalpha', IS_ALPHA], ['iscntrl', IS_CNTRL], ['isdigit', IS_DIGIT],
    ['isgraph', IS_GRAPH], ['islower', IS_LOWER], ['isprint', IS_PRINT], ['ispunct', IS_PUNCT],
    ['isspace', IS_SPACE], ['isupper', IS_UPPER], ['isxdigit', IS_XDIGIT], ['isblank', IS_BLANK],
  ];
  for (const [name, bit] of classifiers) def(`${name}(c)`, (p, a) => ctypeBits(p.abi.int(a[0])) & bit);
  def('isascii(c)', (p, a) => ((p.abi.int(a[0]) & ~0x7f) === 0 ? 1 : 0));
  def('toascii(c)', (p, a) => p.abi.int(a[0]) & 0x7f);
  def('tolower(c)', (p, a) => toLower(p.abi.int(a[0])));
  def('toupper(c)', (p, a) => toUpper(p.abi.int(a[0])));
}
