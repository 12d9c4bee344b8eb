/**
 * Values of C literal tokens, with gcc's x86 semantics (plain char is signed, wchar_t is a
 * 32-bit int). Malformed literals throw LiteralError; the caller knows the token and turns it
 * into a positioned diagnostic.
 */

export class LiteralError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LiteralError';
  }
}

export interface IntLiteral {
  value: bigint;
  unsigned: boolean;
  longs: 0 | 1 | 2;
  /** Written in base 10 (the type ladder of C 6.4.4.1 differs for decimal constants). */
  decimal: boolean;
}

export interface FloatLiteral {
  value: number;
  suffix: '' | 'f' | 'l';
}

export type CharPrefix = '' | 'L' | 'u' | 'U';
export type StringPrefix = '' | 'u8' | 'L' | 'u' | 'U';

export interface CharLiteral {
  value: number;
  prefix: CharPrefix;
  /** gcc warns but accepts: multi-character constants, unknown escapes. */
  warning?: string;
}

export interface StringLiteral {
  /** UTF-8 bytes for '' and u8, UTF-16 code units for u, code points for L and U; no NUL. */
  bytes: number[];
  prefix: StringPrefix;
  warning?: string;
}

const INT_SUFFIXES = buildIntSuffixes();

function buildIntSuffixes(): Map<string, { unsigned: boolean; longs: 0 | 1 | 2 }> {
  const table = new Map<string, { unsigned: boolean; longs: 0 | 1 | 2 }>();
  const longForms: [string, 0 | 1 | 2][] = [['', 0], ['l', 1], ['L', 1], ['ll', 2], ['LL', 2]];
  for (const [long, longs] of longForms) {
    table.set(long, { unsigned: false, longs });
    for (const u of ['u', 'U']) {
      table.set(u + long, { unsigned: true, longs });
      table.set(long + u, { unsigned: true, longs });
    }
  }
  return table;
}

function isDigitOfBase(c: string, base: number): boolean {
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48 < base;
  if (base !== 16) return false;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102;
}

/** An integer constant (decimal, octal, hex, GNU 0b binary) with its suffix; undefined if invalid. */
export function parseIntLiteral(text: string): IntLiteral | undefined {
  let base = 10;
  let start = 0;
  if (/^0[xX]/.test(text)) {
    base = 16;
    start = 2;
  } else if (/^0[bB]/.test(text)) {
    base = 2;
    start = 2;
  } else if (text.startsWith('0')) {
    base = 8;
  } else if (!/^[0-9]/.test(text)) {
    return undefined;
  }
  let end = start;
  while (end < text.length && isDigitOfBase(text[end], base)) end++;
  if (end === start) return undefined;
  const suffix = INT_SUFFIXES.get(text.slice(end));
  if (!suffix) return undefined;
  const digits = text.slice(start, end);
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
  return { value: BigInt(prefix + digits), ...suffix, decimal: base === 10 };
}

const DECIMAL_FLOAT = /^(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?([fFlL]?)$/;
const HEX_FLOAT = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)([fFlL]?)$/;

/** A floating constant; undefined if `text` is not one (integers are not floats). */
export function parseFloatLiteral(text: string): FloatLiteral | undefined {
  const dec = DECIMAL_FLOAT.exec(text);
  if (dec) {
    if (!dec[1].includes('.') && dec[2] === undefined) return undefined;
    const suffix = floatSuffix(dec[3]);
    const value = Number(dec[1] + (dec[2] ?? ''));
    return { value: suffix === 'f' ? Math.fround(value) : value, suffix };
  }
  const hex = HEX_FLOAT.exec(text);
  if (hex) {
    const whole = hex[1];
    const fraction = hex[2] ?? '';
    if (whole === '' && fraction === '') return undefined;
    const mantissa = BigInt('0x' + (whole + fraction || '0'));
    const exponent = Number(hex[3]) - 4 * fraction.length;
    const suffix = floatSuffix(hex[4]);
    const value = scaleByPowerOfTwo(Number(mantissa), exponent);
    return { value: suffix === 'f' ? Math.fround(value) : value, suffix };
  }
  return undefined;
}

function floatSuffix(s: string): '' | 'f' | 'l' {
  return s === '' ? '' : s === 'f' || s === 'F' ? 'f' : 'l';
}

/** value * 2^exponent in steps, so that huge exponents neither overflow 2**e nor lose subnormals early. */
function scaleByPowerOfTwo(value: number, exponent: number): number {
  let result = value;
  let e = exponent;
  while (e > 1000 && result !== 0 && Number.isFinite(result)) {
    result *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000 && result !== 0) {
    result *= 2 ** -1000;
    e += 1000;
  }
  return result * 2 ** e;
}

/** Width in bits of one code unit of each literal kind (x86 Linux: wchar_t is 32 bits). */
function unitBits(prefix: StringPrefix): 8 | 16 | 32 {
  if (prefix === 'u') return 16;
  if (prefix === 'L' || prefix === 'U') return 32;
  return 8;
}

const SIMPLE_ESCAPES: Record<string, number> = {
  n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, e: 27, E: 27,
  '\\': 92, "'": 39, '"': 34, '?': 63,
};

interface Decoded {
  units: number[];
  /** How many source characters/escapes produced the units (for multi-char constants). */
  chars: number;
  warning?: string;
}

/** The code units of a literal's body (the text between the quotes). */
function decodeBody(body: string, bits: 8 | 16 | 32): Decoded {
  const units: number[] = [];
  let chars = 0;
  let warning: string | undefined;
  let i = 0;
  while (i < body.length) {
    chars++;
    const cp = body.codePointAt(i)!;
    if (cp !== 92) {
      pushCodePoint(units, cp, bits);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const esc = body[i + 1];
    if (esc === undefined) throw new LiteralError('stray \\ at end of literal');
    if (esc in SIMPLE_ESCAPES) {
      units.push(SIMPLE_ESCAPES[esc]);
      i += 2;
    } else if (esc >= '0' && esc <= '7') {
      let j = i + 1;
      let value = 0;
      while (j < body.length && j < i + 4 && body[j] >= '0' && body[j] <= '7') value = value * 8 + Number(body[j++]);
      units.push(checkEscapeRange(value, bits, 'octal'));
      i = j;
    } else if (esc === 'x') {
      let j = i + 2;
      while (j < body.length && isDigitOfBase(body[j], 16)) j++;
      if (j === i + 2) throw new LiteralError('\\x used with no following hex digits');
      const value = BigInt('0x' + body.slice(i + 2, j));
      if (value >= 1n << BigInt(bits)) throw new LiteralError('hex escape sequence out of range');
      units.push(Number(value));
      i = j;
    } else if (esc === 'u' || esc === 'U') {
      const length = esc === 'u' ? 4 : 8;
      const digits = body.slice(i + 2, i + 2 + length);
      if (digits.length !== length || ![...digits].every((d) => isDigitOfBase(d, 16))) {
        throw new LiteralError(`incomplete universal character name \\${esc}${digits}`);
      }
      pushCodePoint(units, checkUniversalChar(parseInt(digits, 16), body.slice(i, i + 2 + length)), bits);
      i += 2 + length;
    } else {
      warning ??= `unknown escape sequence: '\\${esc}'`;
      const escaped = body.codePointAt(i + 1)!;
      pushCodePoint(units, escaped, bits);
      i += escaped > 0xffff ? 3 : 2;
    }
  }
  return { units, chars, warning };
}

function checkEscapeRange(value: number, bits: number, kind: string): number {
  if (bits < 32 && value >= 2 ** bits) throw new LiteralError(`${kind} escape sequence out of range`);
  return value;
}

function checkUniversalChar(cp: number, spelling: string): number {
  const basicAllowed = cp === 0x24 || cp === 0x40 || cp === 0x60;
  if ((cp < 0xa0 && !basicAllowed) || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
    throw new LiteralError(`${spelling} is not a valid universal character`);
  }
  return cp;
}

function pushCodePoint(units: number[], cp: number, bits: 8 | 16 | 32): void {
  if (bits === 32) {
    units.push(cp);
  } else if (bits === 16) {
    if (cp <= 0xffff) units.push(cp);
    else units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
  } else if (cp < 0x80) {
    units.push(cp);
  } else if (cp < 0x800) {
    units.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    units.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  } else {
    units.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
}

function splitPrefix(text: string, quote: string): { prefix: string; body: string } {
  const open = text.indexOf(quote);
  if (open < 0 || text.length < open + 2 || !text.endsWith(quote)) {
    throw new LiteralError(`malformed literal ${text}`);
  }
  return { prefix: text.slice(0, open), body: text.slice(open + 1, -1) };
}

/**
 * A character constant as gcc on x86 evaluates it: plain char is signed ('\xff' is -1), a
 * multi-character constant packs its last four bytes big-endian into an int, wide constants
 * take their last code unit.
 */
export function parseCharLiteral(text: string): CharLiteral {
  const { prefix, body } = splitPrefix(text, "'");
  if (prefix !== '' && prefix !== 'L' && prefix !== 'u' && prefix !== 'U') {
    throw new LiteralError(`unsupported character constant prefix ${prefix}`);
  }
  const bits = unitBits(prefix);
  const decoded = decodeBody(body, bits);
  const units = decoded.units;
  if (units.length === 0) throw new LiteralError('empty character constant');
  let warning = decoded.warning;
  if (bits === 8) {
    if (units.length === 1) return withWarning({ value: (units[0] << 24) >> 24, prefix }, warning);
    warning ??= units.length > 4 ? 'character constant too long for its type' : 'multi-character character constant';
    let value = 0;
    for (const unit of units) value = ((value << 8) | unit) | 0;
    return withWarning({ value, prefix }, warning);
  }
  if (bits === 16 && decoded.chars === 1 && units.length > 1) {
    throw new LiteralError('character not encodable in a single code unit');
  }
  if (units.length > 1) warning ??= 'character constant too long for its type';
  const last = units[units.length - 1];
  const value = prefix === 'L' ? last | 0 : prefix === 'U' ? last >>> 0 : last & 0xffff;
  return withWarning({ value, prefix }, warning);
}

/** The code units of a string literal (without the terminating NUL). */
export function parseStringLiteral(text: string): StringLiteral {
  const { prefix, body } = splitPrefix(text, '"');
  if (prefix !== '' && prefix !== 'u8' && prefix !== 'L' && prefix !== 'u' && prefix !== 'U') {
    throw new LiteralError(`unsupported string literal prefix ${prefix}`);
  }
  const decoded = decodeBody(body, unitBits(prefix));
  return withWarning({ bytes: decoded.units, prefix }, decoded.warning);
}

/** Adds `warning` only when there is one, so plain results compare equal to `{ value, prefix }`. */
function withWarning<T extends object>(result: T, warning: string | undefined): T & { warning?: string } {
  return warning === undefined ? result : { ...result, warning };
}
