// Exact binary-double → text conversion for printf's %f %e %g %a.
//
// glibc prints the exact decimal expansion of the double, rounded once at the requested digit
// according to the current rounding mode (ties to even under round-to-nearest). JS's toFixed /
// toExponential / toPrecision round ties away from zero and stop at 100 digits, so they cannot
// be used; every conversion here works on the exact value mant·2^exp2 with BigInt arithmetic.
// The functions return the magnitude only: sign, flags and padding belong to the caller.

export type RoundingMode = 'nearest' | 'upward' | 'downward' | 'towardzero';

/** A finite double as mant·2^exp2 (mant < 2^53, an integer). */
export interface FiniteDouble {
  negative: boolean;
  /** The 52 stored fraction bits with the implicit leading 1 added for normals. */
  mant: number;
  exp2: number;
  /** Raw biased exponent field: 0 for zero and subnormals. */
  biasedExp: number;
}

const scratch = new DataView(new ArrayBuffer(8));

/** Sign bit as stored, so -0.0 and a NaN with its sign bit set both read as negative. */
export function signBitOf(x: number): boolean {
  scratch.setFloat64(0, x);
  return (scratch.getUint32(0) >>> 31) === 1;
}

export function decomposeDouble(x: number): FiniteDouble {
  scratch.setFloat64(0, x);
  const hi = scratch.getUint32(0);
  const lo = scratch.getUint32(4);
  const biasedExp = (hi >>> 20) & 0x7ff;
  const fraction = (hi & 0xfffff) * 0x100000000 + lo;
  const negative = (hi >>> 31) === 1;
  if (biasedExp === 0) return { negative, mant: fraction, exp2: -1074, biasedExp };
  return { negative, mant: fraction + 2 ** 52, exp2: biasedExp - 1075, biasedExp };
}

/** The double whose IEEE-754 bits are the low 64 bits of `bits` (for a mismatched %f argument). */
export function doubleFromBits(bits: bigint): number {
  scratch.setBigUint64(0, BigInt.asUintN(64, bits));
  return scratch.getFloat64(0);
}

/** The IEEE-754 bits of a double, as a signed 64-bit integer (for a mismatched %d argument). */
export function bitsOfDouble(x: number): bigint {
  scratch.setFloat64(0, x);
  return scratch.getBigInt64(0);
}

const pow10Cache: bigint[] = [1n];
function pow10(n: number): bigint {
  if (n < 400) {
    for (let i = pow10Cache.length; i <= n; i++) pow10Cache.push(pow10Cache[i - 1] * 10n);
    return pow10Cache[n];
  }
  return 10n ** BigInt(n);
}

/**
 * Whether the truncated quotient q (remainder r over den, r ≥ 0) must be bumped by one unit of
 * magnitude. Directed modes act on the signed value, so "upward" grows positives only.
 */
function roundsAway(q: bigint, r: bigint, den: bigint, negative: boolean, mode: RoundingMode): boolean {
  if (r === 0n) return false;
  switch (mode) {
    case 'nearest': {
      const twice = r * 2n;
      return twice > den || (twice === den && (q & 1n) === 1n);
    }
    case 'upward':
      return !negative;
    case 'downward':
      return negative;
    case 'towardzero':
      return false;
  }
}

function roundedQuotient(num: bigint, den: bigint, negative: boolean, mode: RoundingMode): bigint {
  const q = num / den;
  return roundsAway(q, num - q * den, den, negative, mode) ? q + 1n : q;
}

/** Splits |x| into an exact fraction num/den with den a power of two. */
function exactFraction(d: FiniteDouble): { num: bigint; den: bigint } {
  let mant = d.mant;
  let exp2 = d.exp2;
  // Dropping trailing zero bits keeps the BigInts small for ordinary values like 0.5 or 3.0.
  while (mant !== 0 && mant % 2 === 0) {
    mant /= 2;
    exp2++;
  }
  if (exp2 >= 0) return { num: BigInt(mant) << BigInt(exp2), den: 1n };
  return { num: BigInt(mant), den: 1n << BigInt(-exp2) };
}

/** %f body: |x| with `precision` digits after the point (no point when precision is 0). */
export function fixedDigits(x: number, precision: number, mode: RoundingMode): { intPart: string; fracPart: string } {
  const d = decomposeDouble(x);
  const { num, den } = exactFraction(d);
  const scaled = roundedQuotient(num * pow10(precision), den, d.negative, mode);
  let digits = scaled.toString();
  if (digits.length <= precision) digits = '0'.repeat(precision + 1 - digits.length) + digits;
  const split = digits.length - precision;
  return { intPart: digits.slice(0, split), fracPart: digits.slice(split) };
}

/**
 * The first precision+1 significant digits of |x|, rounded once, and the decimal exponent of the
 * first one (the exponent %e prints). Zero gives all zeros and exponent 0.
 */
export function scientificDigits(
  x: number,
  precision: number,
  mode: RoundingMode,
): { digits: string; exp10: number; carried: boolean } {
  if (x === 0) return { digits: '0'.repeat(precision + 1), exp10: 0, carried: false };
  const d = decomposeDouble(x);
  const { num: baseNum, den: baseDen } = exactFraction(d);
  const low = pow10(precision);
  const high = pow10(precision + 1);
  let exp10 = Math.floor(Math.log10(Math.abs(x)));
  // log10 can be off by one near powers of ten; the exact bounds check settles it.
  for (;;) {
    const shift = exp10 - precision;
    const num = shift >= 0 ? baseNum : baseNum * pow10(-shift);
    const den = shift >= 0 ? baseDen * pow10(shift) : baseDen;
    const q = num / den;
    if (q >= high) {
      exp10++;
      continue;
    }
    if (q < low) {
      exp10--;
      continue;
    }
    const rounded = roundsAway(q, num - q * den, den, d.negative, mode) ? q + 1n : q;
    if (rounded === high) return { digits: low.toString(), exp10: exp10 + 1, carried: true };
    return { digits: rounded.toString(), exp10, carried: false };
  }
}

function exponentText(exp: number, letter: string, minDigits: number): string {
  const magnitude = String(Math.abs(exp));
  return letter + (exp < 0 ? '-' : '+') + (magnitude.length < minDigits ? '0'.repeat(minDigits - magnitude.length) : '') + magnitude;
}

/** %f / %F magnitude text. */
export function formatFixed(x: number, precision: number, alt: boolean, mode: RoundingMode): string {
  const { intPart, fracPart } = fixedDigits(x, precision, mode);
  return precision > 0 || alt ? intPart + '.' + fracPart : intPart;
}

/** %e / %E magnitude text. */
export function formatScientific(x: number, precision: number, alt: boolean, upper: boolean, mode: RoundingMode): string {
  const { digits, exp10 } = scientificDigits(x, precision, mode);
  const mantissa = precision > 0 || alt ? digits[0] + '.' + digits.slice(1) : digits;
  return mantissa + exponentText(exp10, upper ? 'E' : 'e', 2);
}

/** %g / %G magnitude text (C11 7.21.6.1: style chosen from the exponent after rounding). */
export function formatGeneral(x: number, precision: number, alt: boolean, upper: boolean, mode: RoundingMode): string {
  const significant = precision < 0 ? 6 : precision === 0 ? 1 : precision;
  const { digits, exp10, carried } = scientificDigits(x, significant - 1, mode);
  let intPart: string;
  let fracPart: string;
  let exponent = '';
  if (significant > exp10 && exp10 >= -4) {
    // Same rounding position as %f with precision significant-1-exp10, so the digits carry over.
    if (exp10 >= 0) {
      intPart = digits.slice(0, exp10 + 1);
      fracPart = digits.slice(exp10 + 1);
    } else {
      intPart = '0';
      fracPart = '0'.repeat(-exp10 - 1) + digits;
    }
  } else {
    intPart = digits[0];
    // glibc quirk: when rounding carries a value that chose the fixed style (999999.5 at six
    // digits) into the exponent style, it keeps the fixed style's zero fraction digits, so
    // "%#g" prints "1.e+06" rather than "1.00000e+06".
    fracPart = carried && exp10 === significant ? '' : digits.slice(1);
    exponent = exponentText(exp10, upper ? 'E' : 'e', 2);
  }
  if (!alt) {
    let end = fracPart.length;
    while (end > 0 && fracPart.charCodeAt(end - 1) === 0x30) end--;
    fracPart = fracPart.slice(0, end);
  }
  return (fracPart.length > 0 || alt ? intPart + '.' + fracPart : intPart) + exponent;
}

/**
 * %a / %A magnitude text the way glibc prints a double: "0x1.8p+1", subnormals as "0x0.…p-1022",
 * no renormalisation after rounding (so 0x1.f8 at one digit is "0x2.0"). `precision` < 0 means
 * "as many hex digits as needed".
 */
export function formatHexFloat(x: number, precision: number, alt: boolean, upper: boolean, mode: RoundingMode): string {
  const d = decomposeDouble(x);
  let lead: number;
  let fraction: bigint;
  let exp: number;
  if (d.mant === 0) {
    lead = 0;
    fraction = 0n;
    exp = 0;
  } else if (d.biasedExp === 0) {
    lead = 0;
    fraction = BigInt(d.mant);
    exp = -1022;
  } else {
    lead = 1;
    fraction = BigInt(d.mant - 2 ** 52);
    exp = d.biasedExp - 1023;
  }
  let fracDigits: string;
  if (precision < 0) {
    fracDigits = fraction.toString(16).padStart(13, '0').replace(/0+$/, '');
  } else if (precision < 13) {
    const shift = BigInt(52 - 4 * precision);
    const whole = (BigInt(lead) << 52n) | fraction;
    const den = 1n << shift;
    const q = whole >> shift;
    const rounded = roundsAway(q, whole & (den - 1n), den, d.negative, mode) ? q + 1n : q;
    const fracMask = (1n << BigInt(4 * precision)) - 1n;
    lead = Number(rounded >> BigInt(4 * precision));
    fracDigits = precision === 0 ? '' : (rounded & fracMask).toString(16).padStart(precision, '0');
  } else {
    fracDigits = fraction.toString(16).padStart(13, '0') + '0'.repeat(precision - 13);
  }
  const body =
    '0x' + lead.toString(16) + (fracDigits.length > 0 || alt ? '.' + fracDigits : '') + exponentText(exp, 'p', 1);
  return upper ? body.toUpperCase() : body;
}
