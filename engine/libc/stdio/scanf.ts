/**
 * The scanf family, following glibc's vfscanf: white space in the format matches any amount of
 * input white space; conversions other than %c, %[ and %n skip leading white space; integers are
 * collected (sign, base prefix, digits, within the field width) and converted with strtol's or
 * strtoul's rules at long width (long long for ll/q/j), then narrowed to the target; floats with
 * strtod's. The result counts assignments; EOF when input ends before the first conversion.
 * Supported: d i u o x X p c s [ n % e f g a (any case), '*', widths, hh h l ll q j z t L.
 * Positional %n$ arguments are not.
 */
import type { Value } from '../../exec/types';
import { digitValue, isSpace, scanDouble, scanInteger, toSigned, toUnsigned } from '../numparse';
import type { LibcProcess } from '../process';
import type { DefineRoutine } from '../routine';
import { toAddress, type Step } from '../usermem';
import { EOF, type Stream } from './streams';

/** Where scanf's characters come from: a string in memory, or a stream. */
interface ScanInput {
  /** The next character, or EOF. */
  get(): Step<number>;
  /** Pushes back the last character get() returned (never EOF). */
  unget(c: number): void;
  /** Characters consumed so far, for %n. */
  consumed: number;
}

class StringInput implements ScanInput {
  consumed = 0;
  constructor(private readonly bytes: Uint8Array) {}
  *get(): Step<number> {
    return this.consumed < this.bytes.length ? this.bytes[this.consumed++] : EOF;
  }
  unget(): void {
    this.consumed--;
  }
}

class StreamInput implements ScanInput {
  consumed = 0;
  constructor(private readonly p: LibcProcess, private readonly s: Stream) {}
  *get(): Step<number> {
    const c = yield* this.p.stdio.getByte(this.s);
    if (c !== EOF) this.consumed++;
    return c;
  }
  unget(c: number): void {
    this.consumed--;
    this.p.stdio.ungetByte(this.s, c);
  }
}

type ArgAt = (index: number) => Step<number>;

const ch = (s: string): number => s.charCodeAt(0);

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Bytes of a store by length modifier (integers). */
function intBytes(len: string, p: LibcProcess): 1 | 2 | 4 | 8 {
  switch (len) {
    case 'hh': return 1;
    case 'h': return 2;
    case 'l': return p.host.longBytes;
    case 'll': case 'q': case 'L': case 'j': return 8;
    case 'z': case 't': return p.host.ptrBytes;
    default: return 4;
  }
}

/** A %[ scanset: which bytes it accepts, and where the format continues. */
function parseScanset(fmt: Uint8Array, i: number): { set: Uint8Array; next: number } {
  const set = new Uint8Array(256);
  let negate = false;
  if (fmt[i] === ch('^')) {
    negate = true;
    i++;
  }
  const start = i;
  while (i < fmt.length && (fmt[i] !== ch(']') || i === start)) {
    if (fmt[i] === ch('-') && i > start && i + 1 < fmt.length && fmt[i + 1] !== ch(']') && fmt[i - 1] <= fmt[i + 1]) {
      for (let c = fmt[i - 1]; c <= fmt[i + 1]; c++) set[c] = 1;
      i += 2;
      continue;
    }
    set[fmt[i++]] = 1;
  }
  if (negate) for (let c = 0; c < 256; c++) set[c] ^= 1;
  return { set, next: i + 1 };
}

/** Reads an integer field; undefined if it holds no digits (a matching failure). */
function* collectInteger(input: ScanInput, conv: number, width: number): Step<{ text: Uint8Array; base: number } | undefined> {
  const text: number[] = [];
  let w = width > 0 ? width : Infinity;
  let base = conv === ch('d') || conv === ch('u') ? 10 : conv === ch('o') ? 8 : conv === ch('i') ? 0 : 16;
  let c = yield* input.get();
  if (w > 0 && (c === ch('-') || c === ch('+'))) {
    text.push(c);
    w--;
    c = yield* input.get();
  }
  let digits = 0;
  if (w > 0 && c === ch('0')) {
    text.push(c);
    digits++;
    w--;
    c = yield* input.get();
    if (w > 0 && (c === ch('x') || c === ch('X')) && (base === 0 || base === 16)) {
      text.push(c);
      w--;
      base = 16;
      c = yield* input.get();
    } else if (base === 0) base = 8;
  } else if (base === 0) base = 10;
  while (w > 0 && c !== EOF && digitValue(c, base) >= 0) {
    text.push(c);
    digits++;
    w--;
    c = yield* input.get();
  }
  if (c !== EOF) input.unget(c);
  return digits === 0 ? undefined : { text: Uint8Array.from(text), base };
}

/** Reads a floating-point field: sign, inf/nan words, hex or decimal digits, one point, an exponent. */
function* collectFloat(input: ScanInput, width: number): Step<Uint8Array> {
  const text: number[] = [];
  let w = width > 0 ? width : Infinity;
  let c = yield* input.get();
  const take = function* () {
    text.push(c);
    w--;
    c = yield* input.get();
  };
  if (w > 0 && (c === ch('-') || c === ch('+'))) yield* take();
  const lowerC = () => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
  if (lowerC() === ch('i') || lowerC() === ch('n')) {
    const word = lowerC() === ch('i') ? 'infinity' : 'nan';
    for (let k = 0; k < word.length && w > 0 && lowerC() === word.charCodeAt(k); k++) yield* take();
  } else {
    let hex = false;
    if (w > 0 && c === ch('0')) {
      yield* take();
      if (w > 0 && (c === ch('x') || c === ch('X'))) {
        yield* take();
        hex = true;
      }
    }
    let dot = false;
    let exp = false;
    let digit = text.some(isDigit);
    while (w > 0 && c !== EOF) {
      const isExp = hex ? lowerC() === ch('p') : lowerC() === ch('e');
      if (isDigit(c) || (hex && !exp && digitValue(c, 16) >= 0)) {
        digit = true;
        yield* take();
      } else if (c === ch('.') && !dot && !exp) {
        dot = true;
        yield* take();
      } else if (isExp && !exp && digit) {
        exp = true;
        yield* take();
        if (w > 0 && (c === ch('-') || c === ch('+'))) yield* take();
      } else break;
    }
  }
  if (c !== EOF) input.unget(c);
  return Uint8Array.from(text);
}

/** Runs a format over an input; returns scanf's result. */
export function* scan(p: LibcProcess, fmt: Uint8Array, input: ScanInput, argAt: ArgAt): Step<number> {
  let done = 0;
  let argIndex = 0;
  const nextArg = () => argAt(argIndex++);
  const inputFailure = () => (done === 0 ? EOF : done);
  let i = 0;
  while (i < fmt.length) {
    const fc = fmt[i++];
    if (isSpace(fc)) {
      while (i < fmt.length && isSpace(fmt[i])) i++;
      let c = yield* input.get();
      while (isSpace(c)) c = yield* input.get();
      if (c !== EOF) input.unget(c);
      continue;
    }
    if (fc !== ch('%')) {
      const c = yield* input.get();
      if (c === EOF) return inputFailure();
      if (c !== fc) {
        input.unget(c);
        return done;
      }
      continue;
    }
    let suppress = false;
    if (fmt[i] === ch('*')) {
      suppress = true;
      i++;
    }
    let width = 0;
    while (i < fmt.length && isDigit(fmt[i])) width = width * 10 + (fmt[i++] - 0x30);
    let len = '';
    for (;;) {
      const l = String.fromCharCode(fmt[i] ?? 0);
      if ('hlLqjzt'.includes(l)) {
        len += l;
        i++;
      } else break;
    }
    const conv = fmt[i++];
    if (conv === undefined) return done;
    if (conv !== ch('[') && conv !== ch('c') && conv !== ch('n')) {
      let c = yield* input.get();
      while (isSpace(c)) c = yield* input.get();
      if (c === EOF) return inputFailure();
      input.unget(c);
    }
    switch (String.fromCharCode(conv)) {
      case '%': {
        const c = yield* input.get();
        if (c === EOF) return inputFailure();
        if (c !== ch('%')) {
          input.unget(c);
          return done;
        }
        break;
      }
      case 'n':
        if (!suppress) yield* p.mem.wint(yield* nextArg(), input.consumed, intBytes(len, p));
        break;
      case 'c': {
        const n = width > 0 ? width : 1;
        const got: number[] = [];
        let c = yield* input.get();
        if (c === EOF) return inputFailure();
        got.push(c);
        while (got.length < n && (c = yield* input.get()) !== EOF) got.push(c);
        if (!suppress) {
          yield* p.mem.write(yield* nextArg(), Uint8Array.from(got));
          done++;
        }
        break;
      }
      case 's':
      case '[': {
        let set: Uint8Array | undefined;
        if (conv === ch('[')) {
          const parsed = parseScanset(fmt, i);
          set = parsed.set;
          i = parsed.next;
        }
        const got: number[] = [];
        const limit = width > 0 ? width : Infinity;
        let c = yield* input.get();
        if (c === EOF) return inputFailure();
        // The field ends at a character it does not take (pushed back) or at its width (nothing read past it).
        let pending = true;
        while (c !== EOF && (set ? set[c] === 1 : !isSpace(c))) {
          got.push(c);
          if (got.length >= limit) {
            pending = false;
            break;
          }
          c = yield* input.get();
        }
        if (pending && c !== EOF) input.unget(c);
        if (got.length === 0) return done;
        if (!suppress) {
          yield* p.mem.writeCString(yield* nextArg(), Uint8Array.from(got));
          done++;
        }
        break;
      }
      case 'd': case 'i': case 'u': case 'o': case 'x': case 'X': case 'p': {
        const field = yield* collectInteger(input, conv === ch('X') || conv === ch('p') ? ch('x') : conv, width);
        if (field === undefined) return done;
        if (suppress) break;
        const wide = len === 'll' || len === 'q' || len === 'L' || len === 'j';
        const bits = wide ? 64 : 8 * p.host.longBytes;
        const parsed = scanInteger(field.text, 0, field.base);
        const signed = conv === ch('d') || conv === ch('i');
        const value = signed ? toSigned(parsed, bits).value : toUnsigned(parsed, bits).value;
        const bytes = conv === ch('p') ? p.host.ptrBytes : intBytes(len, p);
        yield* p.mem.wint(yield* nextArg(), BigInt.asIntN(64, value), bytes);
        done++;
        break;
      }
      case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A': {
        const text = yield* collectFloat(input, width);
        const r = scanDouble(text, 0);
        if (r.end === 0) return done;
        if (suppress) break;
        const va = yield* nextArg();
        if (len === 'l' || len === 'L' || len === 'll') yield* p.mem.wf64(va, r.value);
        else yield* p.mem.wf32(va, r.value);
        done++;
        break;
      }
      default:
        return done;
    }
  }
  return done;
}

/** Pointer arguments of a variadic call from `from` on. */
function directPointers(args: Value[], from: number): ArgAt {
  return function* (index) {
    return toAddress(args[from + index]);
  };
}

/** Pointer arguments read from a va_list's 8-byte slots. */
function vaListPointers(p: LibcProcess, ap: Value): ArgAt {
  const va = toAddress(ap);
  return function* (index) {
    return p.host.ptrBytes === 8 ? yield* p.mem.word(va + 8 * index) : (yield* p.mem.word(va + 8 * index)) >>> 0;
  };
}

function* fromString(p: LibcProcess, strVa: number, fmtVa: number, args: ArgAt): Step<number> {
  const str = yield* p.mem.cstring(strVa);
  const fmt = yield* p.mem.cstring(fmtVa);
  return yield* scan(p, fmt, new StringInput(str), args);
}

function* fromStream(p: LibcProcess, s: Stream | undefined, fmtVa: number, args: ArgAt): Step<number> {
  if (s === undefined) return EOF;
  const fmt = yield* p.mem.cstring(fmtVa);
  return yield* scan(p, fmt, new StreamInput(p, s), args);
}

export function defineScanf(def: DefineRoutine): void {
  def('sscanf(str, format, ...)', (p, a) => fromString(p, toAddress(a[0]), toAddress(a[1]), directPointers(a, 2)));
  def('vsscanf(str, format, ap)', (p, a) => fromString(p, toAddress(a[0]), toAddress(a[1]), vaListPointers(p, a[2])));
  def('scanf(format, ...)', function* (p, a) {
    return yield* fromStream(p, yield* p.stdio.standard(0), toAddress(a[0]), directPointers(a, 1));
  });
  def('vscanf(format, ap)', function* (p, a) {
    return yield* fromStream(p, yield* p.stdio.standard(0), toAddress(a[0]), vaListPointers(p, a[1]));
  });
  def('fscanf(stream, format, ...)', function* (p, a) {
    return yield* fromStream(p, yield* p.stdio.lookup(toAddress(a[0])), toAddress(a[1]), directPointers(a, 2));
  });
  def('vfscanf(stream, format, ap)', function* (p, a) {
    return yield* fromStream(p, yield* p.stdio.lookup(toAddress(a[0])), toAddress(a[1]), vaListPointers(p, a[2]));
  });
}
