/**
 * Number parsing shared by strtol/strtoul/strtod and scanf, with glibc's rules: leading white
 * space, an optional sign, base prefixes ("0x" alone parses as "0" and stops at the 'x'), overflow
 * saturating with ERANGE, strtoul accepting a minus sign and negating, and for strtod "inf",
 * "infinity", "nan(...)", hexadecimal floats, and correct rounding. Pure functions over bytes.
 */

export function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

/** Value of c as a digit in base (up to 36), or -1. */
export function digitValue(c: number, base: number): number {
  let d = -1;
  if (c >= 0x30 && c <= 0x39) d = c - 0x30;
  else if (c >= 0x61 && c <= 0x7a) d = c - 0x61 + 10;
  else if (c >= 0x41 && c <= 0x5a) d = c - 0x41 + 10;
  return d >= 0 && d < base ? d : -1;
}

export interface ParsedInteger {
  /** Index just past what was converted; the start of the string when nothing was. */
  end: number;
  negative: boolean;
  magnitude: bigint;
  /** Some digits were converted. */
  converted: boolean;
}

/** glibc's strtol scanner, before range checks. `base` is 0 or 2..36 (the caller rejected others). */
export function scanInteger(s: Uint8Array, start: number, base: number): ParsedInteger {
  let i = start;
  while (i < s.length && isSpace(s[i])) i++;
  let negative = false;
  if (s[i] === 0x2d || s[i] === 0x2b) {
    negative = s[i] === 0x2d;
    i++;
  }
  if (s[i] === 0x30 && (base === 0 || base === 16) && lower(s[i + 1] ?? 0) === 0x78) {
    i += 2;
    base = 16;
  } else if (base === 0) base = s[i] === 0x30 ? 8 : 10;
  const digitsAt = i;
  // Digits accumulate in a number while that is exact, then in a bigint.
  let small = 0;
  let magnitude: bigint | undefined;
  const bigBase = BigInt(base);
  while (i < s.length) {
    const d = digitValue(s[i], base);
    if (d < 0) break;
    if (magnitude === undefined && small < 2 ** 45) small = small * base + d;
    else magnitude = (magnitude ?? BigInt(small)) * bigBase + BigInt(d);
    i++;
  }
  if (i === digitsAt) {
    // No digits: "0x" followed by no hex digit converts the "0" and ends at the 'x'.
    const hexPrefix = digitsAt - start >= 2 && lower(s[digitsAt - 1]) === 0x78 && s[digitsAt - 2] === 0x30;
    return { end: hexPrefix ? digitsAt - 1 : start, negative: false, magnitude: 0n, converted: hexPrefix };
  }
  return { end: i, negative, magnitude: magnitude ?? BigInt(small), converted: true };
}

export interface RangedInteger {
  value: bigint;
  overflow: boolean;
}

/** strtol's saturation for a signed type of `bits`. */
export function toSigned(p: ParsedInteger, bits: number): RangedInteger {
  const limit = 1n << BigInt(bits - 1);
  if (p.negative) return p.magnitude > limit ? { value: -limit, overflow: true } : { value: -p.magnitude, overflow: false };
  return p.magnitude > limit - 1n ? { value: limit - 1n, overflow: true } : { value: p.magnitude, overflow: false };
}

/** strtoul's: out of range saturates to the maximum even with a minus sign; otherwise a minus negates modulo 2^bits. */
export function toUnsigned(p: ParsedInteger, bits: number): RangedInteger {
  const max = (1n << BigInt(bits)) - 1n;
  if (p.magnitude > max) return { value: max, overflow: true };
  return { value: p.negative && p.magnitude !== 0n ? max + 1n - p.magnitude : p.magnitude, overflow: false };
}

export interface ParsedDouble {
  end: number;
  value: number;
  /** Overflow to infinity, or a non-zero value that came out zero or subnormal. */
  range: boolean;
}

const DBL_MIN = 2.2250738585072014e-308;

function matchWord(s: Uint8Array, i: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (lower(s[i + k] ?? 0) !== word.charCodeAt(k)) return false;
  return true;
}

/** glibc's strtod scanner and conversion. */
export function scanDouble(s: Uint8Array, start: number): ParsedDouble {
  let i = start;
  while (i < s.length && isSpace(s[i])) i++;
  let sign = 1;
  if (s[i] === 0x2d || s[i] === 0x2b) {
    if (s[i] === 0x2d) sign = -1;
    i++;
  }
  const none: ParsedDouble = { end: start, value: 0, range: false };
  if (matchWord(s, i, 'inf')) {
    const end = matchWord(s, i, 'infinity') ? i + 8 : i + 3;
    return { end, value: sign * Infinity, range: false };
  }
  if (matchWord(s, i, 'nan')) {
    let end = i + 3;
    if (s[end] === 0x28) {
      let k = end + 1;
      while (k < s.length && (digitValue(s[k], 36) >= 0 || s[k] === 0x5f)) k++;
      if (s[k] === 0x29) end = k + 1;
    }
    return { end, value: sign < 0 ? -NaN : NaN, range: false };
  }
  if (s[i] === 0x30 && lower(s[i + 1] ?? 0) === 0x78) {
    const hex = scanHexFloat(s, i + 2, sign);
    if (hex !== undefined) return hex;
    return { end: i + 1, value: sign * 0, range: false };
  }
  return scanDecimalFloat(s, i, sign) ?? none;
}

function scanDecimalFloat(s: Uint8Array, i: number, sign: number): ParsedDouble | undefined {
  let text = '';
  let digits = 0;
  let nonZero = false;
  while (i < s.length && s[i] >= 0x30 && s[i] <= 0x39) {
    if (s[i] !== 0x30) nonZero = true;
    text += String.fromCharCode(s[i++]);
    digits++;
  }
  if (s[i] === 0x2e) {
    let frac = '';
    let k = i + 1;
    while (k < s.length && s[k] >= 0x30 && s[k] <= 0x39) {
      if (s[k] !== 0x30) nonZero = true;
      frac += String.fromCharCode(s[k++]);
    }
    if (digits > 0 || frac.length > 0) {
      text += '.' + frac;
      digits += frac.length;
      i = k;
    }
  }
  if (digits === 0) return undefined;
  if (lower(s[i] ?? 0) === 0x65) {
    let k = i + 1;
    let exp = 'e';
    if (s[k] === 0x2d || s[k] === 0x2b) exp += String.fromCharCode(s[k++]);
    const expStart = k;
    while (k < s.length && s[k] >= 0x30 && s[k] <= 0x39) exp += String.fromCharCode(s[k++]);
    if (k > expStart) {
      text += exp;
      i = k;
    }
  }
  const magnitude = Number(text);
  return { end: i, value: sign * magnitude, range: rangeError(magnitude, nonZero) };
}

function rangeError(magnitude: number, nonZero: boolean): boolean {
  return magnitude === Infinity || (nonZero && magnitude < DBL_MIN);
}

/** After "0x": hex digits, an optional fraction and an optional binary exponent. */
function scanHexFloat(s: Uint8Array, i: number, sign: number): ParsedDouble | undefined {
  let mantissa = 0n;
  let exp = 0;
  let digits = 0;
  while (i < s.length && digitValue(s[i], 16) >= 0) {
    mantissa = mantissa * 16n + BigInt(digitValue(s[i++], 16));
    digits++;
  }
  if (s[i] === 0x2e) {
    let k = i + 1;
    let frac = 0;
    while (k < s.length && digitValue(s[k], 16) >= 0) {
      mantissa = mantissa * 16n + BigInt(digitValue(s[k++], 16));
      frac++;
    }
    if (digits > 0 || frac > 0) {
      digits += frac;
      exp -= 4 * frac;
      i = k;
    }
  }
  if (digits === 0) return undefined;
  if (lower(s[i] ?? 0) === 0x70) {
    let k = i + 1;
    let neg = false;
    if (s[k] === 0x2d || s[k] === 0x2b) neg = s[k++] === 0x2d;
    const expStart = k;
    let e = 0;
    while (k < s.length && s[k] >= 0x30 && s[k] <= 0x39) {
      if (e < 1e9) e = e * 10 + (s[k] - 0x30);
      k++;
    }
    if (k > expStart) {
      exp += neg ? -e : e;
      i = k;
    }
  }
  const r = binaryToDouble(mantissa, exp);
  // glibc reports underflow only when rounding lost something: an exact subnormal is fine.
  const range = r.value === Infinity || (r.inexact && r.value < DBL_MIN);
  return { end: i, value: sign * r.value, range };
}

/** mantissa * 2^exp rounded to nearest-even, subnormals and overflow included. */
export function binaryToDouble(mantissa: bigint, exp: number): { value: number; inexact: boolean } {
  if (mantissa === 0n) return { value: 0, inexact: false };
  const bits = mantissa.toString(2).length;
  const top = bits - 1 + exp;
  if (top > 1023) return { value: Infinity, inexact: true };
  // The weight of the last bit the result can keep: 2^-1074 at least.
  const keepFrom = Math.max(top - 52, -1074);
  const shift = keepFrom - exp;
  if (shift <= 0) return { value: Number(mantissa) * 2 ** exp, inexact: false };
  if (shift > bits + 1) return { value: 0, inexact: true };
  const big = BigInt(shift);
  let q = mantissa >> big;
  const rem = mantissa - (q << big);
  const half = 1n << (big - 1n);
  if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  return { value: Number(q) * 2 ** keepFrom, inexact: rem !== 0n };
}
