// glibc's vfprintf (2.36, C locale) for the user libc: parse one conversion at a time, fetch its
// argument, render it. Behaviour follows what glibc prints, including its corner cases: "(nil)"
// for a NULL %p, "(null)" for a NULL %s unless the precision is under 6, "-nan", %a without
// renormalisation after rounding, unknown conversions echoed back with their flags rebuilt, and
// positional %n$ / *m$ arguments.

import {
  addressPlus,
  argAddress,
  argDouble,
  argInteger,
  ArgCursor,
  argLow32,
  isZeroInt,
  type IntValue,
  type PrintfArg,
} from './args';
import {
  formatFixed,
  formatGeneral,
  formatHexFloat,
  formatScientific,
  signBitOf,
  type RoundingMode,
} from './float';
import { ByteSink } from './sink';
import type { PrintfHost, PrintfResult } from './types';

const INT_MAX = 0x7fffffff;
/** glibc's strlen has no bound; this is the cap handed to readCString when there is no precision. */
const UNBOUNDED_STRING_BYTES = INT_MAX;
const NULL_STRING = '(null)';

type Length = '' | 'hh' | 'h' | 'l' | 'll' | 'L' | 'q' | 'j' | 'z' | 'Z' | 't';

interface LibcSpec {
  left: boolean;
  plus: boolean;
  space: boolean;
  alt: boolean;
  zeroFlag: boolean;
  /** '-' was among the flags (not from a negative '*' width): decides how an unknown conversion is echoed. */
  leftFlag: boolean;
  group: boolean;
  i18n: boolean;
  width: number;
  /** -1 when absent. */
  precision: number;
  length: Length;
  conv: number;
  /** 1-based argument position from %n$, 0 for the next sequential argument. */
  argPos: number;
}

type Stop = { error: NonNullable<PrintfResult['error']> } | { fault: { addr: number | bigint } };

const CH = {
  percent: 0x25,
  dollar: 0x24,
  star: 0x2a,
  dot: 0x2e,
  zero: 0x30,
  nine: 0x39,
} as const;

function isDigit(c: number): boolean {
  return c >= CH.zero && c <= CH.nine;
}

/** glibc's read_int: -1 once the value passes INT_MAX. */
function readInt(fmt: Uint8Array, pos: number): { value: number; next: number } {
  let value = 0;
  let i = pos;
  while (i < fmt.length && isDigit(fmt[i])) {
    if (value >= 0) {
      value = value * 10 + (fmt[i] - CH.zero);
      if (value > INT_MAX) value = -1;
    }
    i++;
  }
  return { value, next: i };
}

function byteAt(fmt: Uint8Array, i: number): number {
  return i < fmt.length ? fmt[i] : 0;
}

class LibcFormatter {
  private readonly sink = new ByteSink();
  private readonly cursor: ArgCursor;
  private readonly mode: RoundingMode;

  constructor(
    private readonly fmt: Uint8Array,
    args: readonly PrintfArg[],
    private readonly host: PrintfHost,
  ) {
    this.cursor = new ArgCursor(args);
    this.mode = host.roundingMode ?? 'nearest';
  }

  run(): PrintfResult {
    const fmt = this.fmt;
    const sink = this.sink;
    let i = 0;
    let stop: Stop | undefined;
    while (i < fmt.length && fmt[i] !== 0) {
      if (fmt[i] !== CH.percent) {
        const start = i;
        while (i < fmt.length && fmt[i] !== CH.percent && fmt[i] !== 0) i++;
        sink.bytes(fmt, start, i);
        continue;
      }
      const parsed = this.parseSpec(i + 1);
      if ('error' in parsed) {
        stop = parsed;
        break;
      }
      i = parsed.next;
      stop = this.convert(parsed.spec);
      if (stop) break;
    }
    const result: PrintfResult = { bytes: sink.result(), argsUsed: this.cursor.used };
    if (stop && 'fault' in stop) result.fault = stop.fault;
    if (stop && 'error' in stop) result.error = stop.error;
    return result;
  }

  private argFor(spec: LibcSpec): PrintfArg {
    return spec.argPos > 0 ? this.cursor.at(spec.argPos) : this.cursor.take();
  }

  /** A '*' or '*m$' operand: an int argument. */
  private starOperand(pos: number): { value: number; next: number } {
    const digits = readInt(this.fmt, pos);
    if (digits.next > pos && digits.value > 0 && byteAt(this.fmt, digits.next) === CH.dollar) {
      return { value: argLow32(this.cursor.at(digits.value)) | 0, next: digits.next + 1 };
    }
    return { value: argLow32(this.cursor.take()) | 0, next: pos };
  }

  private parseSpec(pos: number): { spec: LibcSpec; next: number } | { error: 'EINVAL' | 'EOVERFLOW' } {
    const fmt = this.fmt;
    const spec: LibcSpec = {
      left: false,
      plus: false,
      space: false,
      alt: false,
      zeroFlag: false,
      leftFlag: false,
      group: false,
      i18n: false,
      width: 0,
      precision: -1,
      length: '',
      conv: 0,
      argPos: 0,
    };
    let i = pos;

    if (isDigit(byteAt(fmt, i))) {
      const n = readInt(fmt, i);
      if (n.value > 0 && byteAt(fmt, n.next) === CH.dollar) {
        spec.argPos = n.value;
        i = n.next + 1;
      }
    }

    for (;; i++) {
      const c = byteAt(fmt, i);
      if (c === 0x2d) spec.leftFlag = true;
      else if (c === 0x2b) spec.plus = true;
      else if (c === 0x20) spec.space = true;
      else if (c === 0x23) spec.alt = true;
      else if (c === CH.zero) spec.zeroFlag = true;
      else if (c === 0x27) spec.group = true;
      else if (c === 0x49) spec.i18n = true;
      else break;
    }
    spec.left = spec.leftFlag;

    if (byteAt(fmt, i) === CH.star) {
      const star = this.starOperand(i + 1);
      i = star.next;
      if (star.value < 0) {
        spec.left = true;
        spec.width = -star.value;
      } else spec.width = star.value;
    } else if (isDigit(byteAt(fmt, i))) {
      const n = readInt(fmt, i);
      if (n.value < 0) return { error: 'EOVERFLOW' };
      spec.width = n.value;
      i = n.next;
    }

    if (byteAt(fmt, i) === CH.dot) {
      i++;
      if (byteAt(fmt, i) === CH.star) {
        const star = this.starOperand(i + 1);
        i = star.next;
        spec.precision = star.value < 0 ? -1 : star.value;
      } else {
        const n = readInt(fmt, i);
        if (n.value < 0) return { error: 'EOVERFLOW' };
        spec.precision = n.value;
        i = n.next;
      }
    }

    const c = byteAt(fmt, i);
    if (c === 0x68 /* h */) {
      if (byteAt(fmt, i + 1) === 0x68) {
        spec.length = 'hh';
        i += 2;
      } else {
        spec.length = 'h';
        i += 1;
      }
    } else if (c === 0x6c /* l */) {
      if (byteAt(fmt, i + 1) === 0x6c) {
        spec.length = 'll';
        i += 2;
      } else {
        spec.length = 'l';
        i += 1;
      }
    } else if (c === 0x4c /* L */ || c === 0x71 /* q */ || c === 0x6a /* j */ || c === 0x7a /* z */ || c === 0x5a /* Z */ || c === 0x74 /* t */) {
      spec.length = String.fromCharCode(c) as Length;
      i += 1;
    }

    spec.conv = byteAt(fmt, i);
    if (spec.conv === 0) return { error: 'EINVAL' };
    return { spec, next: i + 1 };
  }

  private convert(spec: LibcSpec): Stop | undefined {
    switch (spec.conv) {
      case 0x64: // d
      case 0x69: // i
        this.integer(spec, argInteger(this.argFor(spec), this.intBits(spec.length), true), 10);
        return undefined;
      case 0x75: // u
        this.integer(spec, this.unsignedArg(spec), 10);
        return undefined;
      case 0x6f: // o
        this.integer(spec, this.unsignedArg(spec), 8);
        return undefined;
      case 0x78: // x
      case 0x58: // X
        this.integer(spec, this.unsignedArg(spec), 16);
        return undefined;
      case 0x62: // b
      case 0x42: // B
        this.integer(spec, this.unsignedArg(spec), 2);
        return undefined;
      case 0x66: // f
      case 0x46: // F
      case 0x65: // e
      case 0x45: // E
      case 0x67: // g
      case 0x47: // G
      case 0x61: // a
      case 0x41: // A
        this.floating(spec, argDouble(this.argFor(spec)));
        return undefined;
      case 0x63: // c
        return this.isWide(spec) ? this.wideChar(spec) : this.char(spec);
      case 0x43: // C
        return this.wideChar(spec);
      case 0x73: // s
        return this.isWide(spec) ? this.wideString(spec) : this.string(spec);
      case 0x53: // S
        return this.wideString(spec);
      case 0x70: // p
        this.pointer(spec);
        return undefined;
      case 0x6e: // n
        this.storeCount(spec);
        return undefined;
      case 0x6d: // m
        if (this.host.errnoText) {
          this.padded(spec, asciiBytes(this.host.errnoText()), spec.precision);
          return undefined;
        }
        this.unknown(spec);
        return undefined;
      case CH.percent:
        this.sink.byte(CH.percent);
        return undefined;
      default:
        this.unknown(spec);
        return undefined;
    }
  }

  private intBits(length: Length): 8 | 16 | 32 | 64 {
    switch (length) {
      case 'hh':
        return 8;
      case 'h':
        return 16;
      case '':
        return 32;
      case 'l':
        return this.host.longBits;
      case 'z':
      case 'Z':
      case 't':
        return this.host.ptrBits;
      default:
        return 64; // ll, L, q, j
    }
  }

  private unsignedArg(spec: LibcSpec): IntValue {
    return argInteger(this.argFor(spec), this.intBits(spec.length), false);
  }

  /** %lc / %ls (and %lls, %C, %S); 'L' and 'q' alone leave them narrow, as in glibc. */
  private isWide(spec: LibcSpec): boolean {
    return spec.length === 'l' || spec.length === 'll';
  }

  /** Sign + prefix + body inside the field; zero padding goes between prefix and body. */
  private field(spec: LibcSpec, prefix: string, body: string, zeroPad: boolean): void {
    const sink = this.sink;
    const pad = spec.width - prefix.length - body.length;
    if (pad <= 0) {
      sink.ascii(prefix);
      sink.ascii(body);
    } else if (spec.left) {
      sink.ascii(prefix);
      sink.ascii(body);
      sink.repeat(0x20, pad);
    } else if (zeroPad) {
      sink.ascii(prefix);
      sink.repeat(CH.zero, pad);
      sink.ascii(body);
    } else {
      sink.repeat(0x20, pad);
      sink.ascii(prefix);
      sink.ascii(body);
    }
  }

  /** Bytes (a string argument, "(nil)") space-padded to the width; '0' never applies to them. */
  private padded(spec: LibcSpec, bytes: Uint8Array, precision: number): void {
    const n = precision >= 0 && precision < bytes.length ? precision : bytes.length;
    const pad = spec.width - n;
    if (pad > 0 && !spec.left) this.sink.repeat(0x20, pad);
    this.sink.bytes(bytes, 0, n);
    if (pad > 0 && spec.left) this.sink.repeat(0x20, pad);
  }

  private integer(spec: LibcSpec, value: IntValue, base: 2 | 8 | 10 | 16, keepSignFlags = false): void {
    const signedConv = base === 10 && (spec.conv === 0x64 || spec.conv === 0x69);
    const zero = isZeroInt(value);
    let body: string;
    if (spec.precision === 0 && zero) body = base === 8 && spec.alt ? '0' : '';
    else {
      body = value.magnitude.toString(base);
      if (spec.conv === 0x58) body = body.toUpperCase();
      if (spec.precision > body.length) body = '0'.repeat(spec.precision - body.length) + body;
      else if (base === 8 && spec.alt && body.charCodeAt(0) !== CH.zero) body = '0' + body;
    }
    let prefix = '';
    if (value.negative) prefix = '-';
    else if (signedConv || keepSignFlags) prefix = spec.plus ? '+' : spec.space ? ' ' : '';
    if (spec.alt && !zero) {
      if (base === 16) prefix += spec.conv === 0x58 ? '0X' : '0x';
      else if (base === 2) prefix += spec.conv === 0x42 ? '0B' : '0b';
    }
    this.field(spec, prefix, body, spec.zeroFlag && !spec.left && spec.precision < 0);
  }

  private pointer(spec: LibcSpec): void {
    const value = argInteger(this.argFor(spec), this.host.ptrBits, false);
    if (isZeroInt(value)) {
      // glibc prints "(nil)" as a string whose precision is raised to at least 5.
      this.padded(spec, asciiBytes('(nil)'), -1);
      return;
    }
    // Non-NULL pointers are %#lx that still honours '+' and ' '.
    this.integer({ ...spec, alt: true, conv: 0x78 }, value, 16, true);
  }

  private floating(spec: LibcSpec, x: number): void {
    const conv = spec.conv;
    const upper = conv === 0x46 || conv === 0x45 || conv === 0x47 || conv === 0x41;
    const negative = signBitOf(x);
    const sign = negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
    if (!Number.isFinite(x)) {
      const word = Number.isNaN(x) ? 'nan' : 'inf';
      this.field(spec, sign, upper ? word.toUpperCase() : word, false);
      return;
    }
    // The float helpers print the magnitude but need the sign for directed rounding modes.
    const zeroPad = spec.zeroFlag && !spec.left;
    switch (conv) {
      case 0x66:
      case 0x46:
        this.field(spec, sign, formatFixed(x, spec.precision < 0 ? 6 : spec.precision, spec.alt, this.mode), zeroPad);
        return;
      case 0x65:
      case 0x45:
        this.field(spec, sign, formatScientific(x, spec.precision < 0 ? 6 : spec.precision, spec.alt, upper, this.mode), zeroPad);
        return;
      case 0x67:
      case 0x47:
        this.field(spec, sign, formatGeneral(x, spec.precision, spec.alt, upper, this.mode), zeroPad);
        return;
      default: {
        const hex = formatHexFloat(x, spec.precision, spec.alt, upper, this.mode);
        this.field(spec, sign + hex.slice(0, 2), hex.slice(2), zeroPad);
      }
    }
  }

  private char(spec: LibcSpec): undefined {
    const byte = argLow32(this.argFor(spec)) & 0xff;
    this.padded(spec, Uint8Array.of(byte), -1);
    return undefined;
  }

  private string(spec: LibcSpec): Stop | undefined {
    const arg = this.argFor(spec);
    const addr = argAddress(arg, this.host.ptrBits);
    if (addr === 0 || addr === 0n) {
      // glibc only prints "(null)" when all of it would fit the precision.
      this.padded(spec, spec.precision === -1 || spec.precision >= NULL_STRING.length ? asciiBytes(NULL_STRING) : new Uint8Array(0), -1);
      return undefined;
    }
    if (spec.precision === 0) {
      this.padded(spec, new Uint8Array(0), -1);
      return undefined;
    }
    const bytes = this.host.readCString(addr, spec.precision >= 0 ? spec.precision : UNBOUNDED_STRING_BYTES);
    if (bytes === null) return { fault: { addr } };
    this.padded(spec, bytes, spec.precision);
    return undefined;
  }

  /** %lc: a wint_t; the C locale maps only ASCII to a byte (anything else is EILSEQ in glibc). */
  private wideChar(spec: LibcSpec): Stop | undefined {
    const wc = argLow32(this.argFor(spec));
    if (wc > 0x7f) return { error: 'EILSEQ' };
    this.padded(spec, Uint8Array.of(wc), -1);
    return undefined;
  }

  /** %ls: 4-byte wchar_t units (Linux on both x86 ABIs), ASCII only in the C locale. */
  private wideString(spec: LibcSpec): Stop | undefined {
    const addr = argAddress(this.argFor(spec), this.host.ptrBits);
    if (addr === 0 || addr === 0n) {
      this.padded(spec, spec.precision === -1 || spec.precision >= NULL_STRING.length ? asciiBytes(NULL_STRING) : new Uint8Array(0), -1);
      return undefined;
    }
    const limit = spec.precision >= 0 ? spec.precision : UNBOUNDED_STRING_BYTES;
    const out: number[] = [];
    while (out.length < limit) {
      const unitAddr = addressPlus(addr, out.length * 4, this.host.ptrBits);
      const unit = this.host.readBytes(unitAddr, 4);
      if (unit === null || unit.length < 4) return { fault: { addr: unitAddr } };
      const wc = (unit[0] | (unit[1] << 8) | (unit[2] << 16) | (unit[3] << 24)) >>> 0;
      if (wc === 0) break;
      if (wc > 0x7f) return { error: 'EILSEQ' };
      out.push(wc);
    }
    this.padded(spec, Uint8Array.from(out), -1);
    return undefined;
  }

  private storeCount(spec: LibcSpec): void {
    const addr = argAddress(this.argFor(spec), this.host.ptrBits);
    const bits = this.intBits(spec.length);
    this.host.storeCount?.(addr, this.sink.count, bits);
  }

  /** glibc's printf_unknown: '%', the flags in a fixed order, width, precision, the character. */
  private unknown(spec: LibcSpec): void {
    let text = '%';
    if (spec.alt) text += '#';
    if (spec.group) text += "'";
    if (spec.plus) text += '+';
    else if (spec.space) text += ' ';
    if (spec.left) text += '-';
    if (spec.zeroFlag && !spec.leftFlag) text += '0';
    if (spec.i18n) text += 'I';
    if (spec.width !== 0) text += String(spec.width);
    if (spec.precision !== -1) text += '.' + String(spec.precision);
    this.sink.ascii(text);
    this.sink.byte(spec.conv);
  }
}

function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

export function formatLibc(fmt: Uint8Array, args: readonly PrintfArg[], host: PrintfHost): PrintfResult {
  return new LibcFormatter(fmt, args, host).run();
}
