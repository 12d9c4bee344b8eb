/**
 * The C lexer: source text to preprocessing tokens (C11 6.4), with positions in the text as the
 * user wrote it, before backslash-newline splicing, so diagnostics land on the right column.
 */
import { errorAt, type SourceLoc } from './diagnostics';
import type { Token } from './token';

/** A token as the preprocessor sees it: an unterminated literal is kept, with its error, so
 *  that it only fails when it is really used (gcc accepts `don't` inside `#if 0`). */
export interface LexToken extends Token {
  lexError?: string;
}

/** Digraphs (C11 6.4.6p3) and the punctuator each one spells. */
export const DIGRAPHS: ReadonlyMap<string, string> = new Map([
  ['<:', '['], [':>', ']'], ['<%', '{'], ['%>', '}'], ['%:', '#'], ['%:%:', '##'],
]);

/** Multi-character punctuators by first character (longest first), C11 6.4.6 with digraphs. */
const LONG_PUNCTUATORS: ReadonlyMap<number, readonly string[]> = groupByFirstChar([
  '%:%:', '...', '<<=', '>>=',
  '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '*=', '/=', '%=', '+=', '-=',
  '&=', '^=', '|=', '##', '<:', ':>', '<%', '%>', '%:',
]);

function groupByFirstChar(punctuators: string[]): Map<number, string[]> {
  const byFirst = new Map<number, string[]>();
  for (const p of punctuators) {
    const list = byFirst.get(p.charCodeAt(0)) ?? [];
    list.push(p);
    byFirst.set(p.charCodeAt(0), list);
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.length - a.length);
  return byFirst;
}

/** Pp-tokens of `text`; throws CompileError on an unterminated comment, string or character. */
export function lex(text: string, file: string): Token[] {
  return new Scanner(text, file, true).scan();
}

/** Pp-tokens for the preprocessor: unterminated literals become tokens carrying `lexError`. */
export function lexForPreprocessor(text: string, file: string): LexToken[] {
  return new Scanner(text, file, false).scan();
}

/**
 * Removes backslash-newlines (gcc also accepts spaces between the backslash and the newline)
 * and records, for each character left, its offset in the original text.
 */
function splice(text: string): { text: string; origin?: Int32Array } {
  const continuation = /\\[ \t]*\r?\n/g;
  if (!continuation.test(text)) return { text };
  continuation.lastIndex = 0;
  const origin = new Int32Array(text.length + 1);
  let out = '';
  let from = 0;
  for (let m = continuation.exec(text); m; m = continuation.exec(text)) {
    for (let i = from; i < m.index; i++) origin[out.length + i - from] = i;
    out += text.slice(from, m.index);
    from = m.index + m[0].length;
  }
  for (let i = from; i <= text.length; i++) origin[out.length + i - from] = i;
  out += text.slice(from);
  return { text: out, origin };
}

const enum HeaderNameState {
  None,
  /** Saw `#` first on a line. */
  Hash,
  /** Saw `__has_include`; a `(` next makes a header name possible. */
  HasInclude,
  /** A `<...>` here is a header name (C11 6.4.7). */
  Expect,
}

/** Character classes of ASCII, so the hot loops test a table instead of ranges. */
const IDENT_START = 1;
const DIGIT = 2;
const ASCII_CLASS = buildAsciiClasses();

function buildAsciiClasses(): Uint8Array {
  const classes = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c);
    if (/[A-Za-z_$]/.test(ch)) classes[c] = IDENT_START;
    else if (/[0-9]/.test(ch)) classes[c] = DIGIT;
  }
  return classes;
}

/** Letters, `_`, `$` (a GNU extension) and any non-ASCII character start an identifier. */
function isIdentStart(c: number): boolean {
  return c >= 0x80 || ASCII_CLASS[c] === IDENT_START;
}

function isIdentPart(c: number): boolean {
  return c >= 0x80 || ASCII_CLASS[c] > 0;
}

function isDigit(c: number): boolean {
  return c < 0x80 && ASCII_CLASS[c] === DIGIT;
}

/** Horizontal white space; a lone CR counts too (CRLF files). */
function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0 || c === 0xfeff;
}

class Scanner {
  private readonly src: string;
  private readonly origin?: Int32Array;
  private readonly lineStarts: number[] = [0];
  private lineCursor = 0;
  private readonly tokens: LexToken[] = [];
  private atLineStart = true;
  private spaceBefore = false;
  private headerName = HeaderNameState.None;
  private readonly hasAstralChars: boolean;

  constructor(
    private readonly original: string,
    private readonly file: string,
    private readonly strict: boolean,
  ) {
    const spliced = splice(original);
    this.src = spliced.text;
    this.origin = spliced.origin;
    this.hasAstralChars = /[\udc00-\udfff]/.test(original);
    for (let i = original.indexOf('\n'); i >= 0; i = original.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  scan(): LexToken[] {
    const src = this.src;
    const n = src.length;
    let i = 0;
    while (i < n) {
      const c = src.charCodeAt(i);
      if (c === 10) {
        this.atLineStart = true;
        this.spaceBefore = true;
        this.headerName = HeaderNameState.None;
        i++;
      } else if (isBlank(c)) {
        this.spaceBefore = true;
        i++;
      } else if (c === 47 && src.charCodeAt(i + 1) === 47) {
        const newline = src.indexOf('\n', i);
        i = newline < 0 ? n : newline;
        this.spaceBefore = true;
      } else if (c === 47 && src.charCodeAt(i + 1) === 42) {
        const close = src.indexOf('*/', i + 2);
        if (close < 0) throw errorAt(this.locAt(i), 'unterminated comment');
        i = close + 2;
        this.spaceBefore = true;
      } else {
        i = this.scanToken(i);
      }
    }
    return this.tokens;
  }

  /** Lexes the token starting at `start`; returns the offset after it. */
  private scanToken(start: number): number {
    const src = this.src;
    const c = src.charCodeAt(start);
    if (c === 60 && this.headerName === HeaderNameState.Expect) {
      const close = this.headerNameEnd(start);
      if (close > 0) return this.push('string', start, close);
    }
    if (isIdentStart(c)) {
      let end = start + 1;
      while (end < src.length && isIdentPart(src.charCodeAt(end))) end++;
      const quote = src.charCodeAt(end);
      if ((quote === 34 || quote === 39) && isLiteralPrefix(src.slice(start, end), quote)) {
        return this.scanQuoted(start, end);
      }
      return this.push('ident', start, end);
    }
    if (isDigit(c) || (c === 46 && isDigit(src.charCodeAt(start + 1)))) return this.push('number', start, this.ppNumberEnd(start));
    if (c === 34 || c === 39) return this.scanQuoted(start, start);
    const candidates = LONG_PUNCTUATORS.get(c);
    if (candidates !== undefined) {
      for (const p of candidates) if (src.startsWith(p, start)) return this.push('punct', start, start + p.length);
    }
    // Single punctuators, and anything else (`@`, a stray backslash) is a one-character token that the parser rejects;
    // inside `#if 0` or stringized it is harmless, as in gcc.
    return this.push('punct', start, start + (c >= 0xd800 && c <= 0xdbff ? 2 : 1));
  }

  /** Offset just past the `>` of a header name starting at `start`, or -1. */
  private headerNameEnd(start: number): number {
    for (let i = start + 1; i < this.src.length; i++) {
      const c = this.src.charCodeAt(i);
      if (c === 62) return i + 1;
      if (c === 10) return -1;
    }
    return -1;
  }

  /** C11 6.4.8: digits, letters, `_`, `.`, and a sign right after e, E, p or P. */
  private ppNumberEnd(start: number): number {
    const src = this.src;
    let end = start + 1;
    while (end < src.length) {
      const c = src.charCodeAt(end);
      if ((c === 43 || c === 45) && /[eEpP]/.test(src[end - 1])) end++;
      else if (isIdentPart(c) || c === 46) end++;
      else break;
    }
    return end;
  }

  /** A string or character literal whose opening quote is at `quoteAt` (after any prefix). */
  private scanQuoted(start: number, quoteAt: number): number {
    const src = this.src;
    const quote = src.charCodeAt(quoteAt);
    const kind = quote === 34 ? 'string' : 'char';
    for (let i = quoteAt + 1; i < src.length; i++) {
      const c = src.charCodeAt(i);
      if (c === quote) return this.push(kind, start, i + 1);
      if (c === 92) i++;
      else if (c === 10) break;
    }
    const message = `missing terminating ${String.fromCharCode(quote)} character`;
    if (this.strict) throw errorAt(this.locAt(start), message);
    let end = src.indexOf('\n', quoteAt);
    if (end < 0) end = src.length;
    this.push('punct', start, end);
    this.tokens[this.tokens.length - 1].lexError = message;
    return end;
  }

  private push(kind: LexToken['kind'], start: number, end: number): number {
    const text = this.src.slice(start, end);
    const line = this.lineOf(start);
    const token: LexToken = { kind, text, file: this.file, line: line + 1, col: this.columnOf(start, line) };
    if (this.spaceBefore) token.spaceBefore = true;
    if (this.atLineStart) token.lineStart = true;
    this.tokens.push(token);
    this.trackHeaderNameContext(token);
    this.atLineStart = false;
    this.spaceBefore = false;
    return end;
  }

  /** Header names exist only after `#include`/`#import` and inside `__has_include(`. */
  private trackHeaderNameContext(token: LexToken): void {
    const state = this.headerName;
    this.headerName = HeaderNameState.None;
    if (token.lineStart && (token.text === '#' || token.text === '%:')) {
      this.headerName = HeaderNameState.Hash;
    } else if (state === HeaderNameState.Hash && token.kind === 'ident' && INCLUDE_DIRECTIVES.has(token.text)) {
      this.headerName = HeaderNameState.Expect;
    } else if (token.text === '__has_include' || token.text === '__has_include_next') {
      this.headerName = HeaderNameState.HasInclude;
    } else if (state === HeaderNameState.HasInclude && token.text === '(') {
      this.headerName = HeaderNameState.Expect;
    }
  }

  private locAt(offset: number): SourceLoc {
    const line = this.lineOf(offset);
    return { file: this.file, line: line + 1, col: this.columnOf(offset, line) };
  }

  /** 0-based original line of spliced offset `offset`; tokens arrive in order, so a cursor suffices. */
  private lineOf(offset: number): number {
    const at = this.origin ? this.origin[offset] : offset;
    const starts = this.lineStarts;
    if (starts[this.lineCursor] > at) this.lineCursor = 0;
    while (this.lineCursor + 1 < starts.length && starts[this.lineCursor + 1] <= at) this.lineCursor++;
    return this.lineCursor;
  }

  /** 1-based column: characters of the original line, a tab counting as one. */
  private columnOf(offset: number, line: number): number {
    const at = this.origin ? this.origin[offset] : offset;
    const lineStart = this.lineStarts[line];
    if (!this.hasAstralChars) return at - lineStart + 1;
    // A character outside the BMP is two UTF-16 units but one column.
    let lowSurrogates = 0;
    for (let i = lineStart; i < at; i++) {
      const c = this.original.charCodeAt(i);
      if (c >= 0xdc00 && c <= 0xdfff) lowSurrogates++;
    }
    return at - lineStart - lowSurrogates + 1;
  }
}

const INCLUDE_DIRECTIVES = new Set(['include', 'include_next', 'import']);

function isLiteralPrefix(word: string, quote: number): boolean {
  if (word === 'L' || word === 'u' || word === 'U') return true;
  return word === 'u8' && quote === 34;
}
