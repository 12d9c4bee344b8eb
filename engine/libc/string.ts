/**
 * string.h. Every routine reads what it needs completely before it writes (memmove of overlapping
 * areas is then just memcpy), scans strings without touching a page past their NUL, and returns
 * what glibc's x86_64 versions return: comparisons give the difference of the first differing
 * bytes as unsigned chars.
 */
import { ENOMEM, errorText, errorTextTable, hasErrorText } from './errno';
import { ERROR_TEXTS_OFFSET, UNKNOWN_ERROR_OFFSET } from './layout';
import type { LibcProcess } from './process';
import type { DefineRoutine } from './routine';
import { toLower } from './ctype';
import { toAddress, type Step } from './usermem';

const PAGE_SIZE = 4096;
const TABLE = errorTextTable();
const writtenTables = new WeakSet<LibcProcess>();

/** Difference of the first differing bytes; C strings (`strings`) also end at a common NUL. */
function compare(a: Uint8Array, b: Uint8Array, n: number, fold: boolean, strings: boolean): number {
  for (let i = 0; i < n; i++) {
    const x = fold ? toLower(a[i]) : a[i];
    const y = fold ? toLower(b[i]) : b[i];
    if (x !== y) return x - y;
    if (strings && x === 0) return 0;
  }
  return 0;
}

/** Compares two C strings (at most n bytes), each read only as far as needed. */
function* compareStrings(p: LibcProcess, a: number, b: number, n: number, fold: boolean): Step<number> {
  const sa = yield* p.mem.cstring(a, n);
  const sb = yield* p.mem.cstring(b, Math.min(n, sa.length + 1));
  return compare(terminated(sa), terminated(sb), Math.min(n, sa.length + 1), fold, true);
}

function terminated(s: Uint8Array): Uint8Array {
  const out = new Uint8Array(s.length + 1);
  out.set(s);
  return out;
}

/** memchr's scan: page by page, stopping at the first match. Returns the index or -1. */
function* findByte(p: LibcProcess, va: number, c: number, n: number): Step<number> {
  let done = 0;
  while (done < n) {
    const at = va + done;
    const len = Math.min(n - done, PAGE_SIZE - (at & (PAGE_SIZE - 1)));
    const chunk = yield* p.mem.read(at, len);
    const i = chunk.indexOf(c);
    if (i >= 0) return done + i;
    done += len;
  }
  return -1;
}

function byteSet(s: Uint8Array): Uint8Array {
  const set = new Uint8Array(256);
  for (const c of s) set[c] = 1;
  return set;
}

/** Length of the prefix of s made (or, with `reject`, not made) of bytes in set. */
function span(s: Uint8Array, set: Uint8Array, reject: boolean): number {
  let i = 0;
  while (i < s.length && (set[s[i]] === 1) !== reject) i++;
  return i;
}

function indexOfBytes(hay: Uint8Array, needle: Uint8Array): number {
  if (needle.length === 0) return 0;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

function* duplicate(p: LibcProcess, bytes: Uint8Array): Step<number> {
  const va = yield* p.heap.malloc(bytes.length + 1);
  if (va === 0) {
    yield* p.setErrno(ENOMEM);
    return 0;
  }
  yield* p.mem.writeCString(va, bytes);
  return va;
}

/** strerror's text: known ones from libc's table of texts, others in its static buffer. */
export function* errorTextVa(p: LibcProcess, errnum: number): Step<number> {
  if (hasErrorText(errnum)) {
    if (!writtenTables.has(p)) {
      yield* p.mem.write(p.dataVa + ERROR_TEXTS_OFFSET, TABLE.bytes);
      writtenTables.add(p);
    }
    return p.dataVa + ERROR_TEXTS_OFFSET + TABLE.offsets[errnum];
  }
  const va = p.dataVa + UNKNOWN_ERROR_OFFSET;
  yield* p.mem.writeCString(va, Uint8Array.from(errorText(errnum), (ch) => ch.charCodeAt(0)));
  return va;
}

/** strtok_r's algorithm, with the saved position passed in and out. */
function* tokenize(p: LibcProcess, s: number, delimVa: number, saved: number): Step<{ token: number; next: number }> {
  if (s === 0) s = saved;
  if (s === 0) return { token: 0, next: 0 };
  const set = byteSet(yield* p.mem.cstring(delimVa));
  const rest = yield* p.mem.cstring(s);
  const start = span(rest, set, false);
  if (start === rest.length) return { token: 0, next: s + start };
  const end = start + span(rest.subarray(start), set, true);
  if (end === rest.length) return { token: s + start, next: s + end };
  yield* p.mem.w8(s + end, 0);
  return { token: s + start, next: s + end + 1 };
}

export function defineString(def: DefineRoutine): void {
  def('memset(s, c, n)', function* (p, a) {
    const s = toAddress(a[0]);
    yield* p.mem.fill(s, p.abi.int(a[1]) & 0xff, p.abi.size(a[2]));
    return a[0];
  });
  const copy = function* (p: LibcProcess, a: unknown[]) {
    const n = p.abi.size(a[2] as number);
    if (n > 0) yield* p.mem.write(toAddress(a[0] as number), yield* p.mem.read(toAddress(a[1] as number), n));
    return a[0] as number;
  };
  def('memcpy(dest, src, n)', (p, a) => copy(p, a));
  def('memmove(dest, src, n)', (p, a) => copy(p, a));
  def('memcmp(s1, s2, n)', function* (p, a) {
    // Page by page, stopping at the first difference: bytes past it are never touched.
    const s1 = toAddress(a[0]);
    const s2 = toAddress(a[1]);
    const n = p.abi.size(a[2]);
    for (let done = 0; done < n; ) {
      const len = Math.min(n - done, PAGE_SIZE - ((s1 + done) & (PAGE_SIZE - 1)), PAGE_SIZE - ((s2 + done) & (PAGE_SIZE - 1)));
      const x = yield* p.mem.read(s1 + done, len);
      const y = yield* p.mem.read(s2 + done, len);
      const r = compare(x, y, len, false, false);
      if (r !== 0) return r;
      done += len;
    }
    return 0;
  });
  def('memchr(s, c, n)', function* (p, a) {
    const s = toAddress(a[0]);
    const i = yield* findByte(p, s, p.abi.int(a[1]) & 0xff, p.abi.size(a[2]));
    return i < 0 ? 0 : s + i;
  });
  def('strlen(s)', function* (p, a) {
    return p.abi.retWord(yield* p.mem.strlen(toAddress(a[0])));
  });
  def('strnlen(s, maxlen)', function* (p, a) {
    return p.abi.retWord(yield* p.mem.strlen(toAddress(a[0]), p.abi.size(a[1])));
  });
  def('strcpy(dest, src)', function* (p, a) {
    yield* p.mem.writeCString(toAddress(a[0]), yield* p.mem.cstring(toAddress(a[1])));
    return a[0];
  });
  def('stpcpy(dest, src)', function* (p, a) {
    const s = yield* p.mem.cstring(toAddress(a[1]));
    yield* p.mem.writeCString(toAddress(a[0]), s);
    return toAddress(a[0]) + s.length;
  });
  def('strncpy(dest, src, n)', function* (p, a) {
    const d = toAddress(a[0]);
    const n = p.abi.size(a[2]);
    const s = yield* p.mem.cstring(toAddress(a[1]), n);
    yield* p.mem.write(d, s);
    yield* p.mem.fill(d + s.length, 0, n - s.length);
    return a[0];
  });
  def('strcat(dest, src)', function* (p, a) {
    const d = toAddress(a[0]);
    const src = yield* p.mem.cstring(toAddress(a[1]));
    const len = yield* p.mem.strlen(d);
    yield* p.mem.writeCString(d + len, src);
    return a[0];
  });
  def('strncat(dest, src, n)', function* (p, a) {
    const d = toAddress(a[0]);
    const src = yield* p.mem.cstring(toAddress(a[1]), p.abi.size(a[2]));
    const len = yield* p.mem.strlen(d);
    yield* p.mem.writeCString(d + len, src);
    return a[0];
  });
  def('strcmp(s1, s2)', (p, a) => compareStrings(p, toAddress(a[0]), toAddress(a[1]), Infinity, false));
  def('strncmp(s1, s2, n)', (p, a) => compareStrings(p, toAddress(a[0]), toAddress(a[1]), p.abi.size(a[2]), false));
  def('strcasecmp(s1, s2)', (p, a) => compareStrings(p, toAddress(a[0]), toAddress(a[1]), Infinity, true));
  def('strncasecmp(s1, s2, n)', (p, a) => compareStrings(p, toAddress(a[0]), toAddress(a[1]), p.abi.size(a[2]), true));
  def('strcoll(s1, s2)', (p, a) => compareStrings(p, toAddress(a[0]), toAddress(a[1]), Infinity, false));
  def('strchr(s, c)', function* (p, a) {
    const s = toAddress(a[0]);
    const c = p.abi.int(a[1]) & 0xff;
    const str = yield* p.mem.cstring(s);
    if (c === 0) return s + str.length;
    const i = str.indexOf(c);
    return i < 0 ? 0 : s + i;
  });
  def('strrchr(s, c)', function* (p, a) {
    const s = toAddress(a[0]);
    const c = p.abi.int(a[1]) & 0xff;
    const str = yield* p.mem.cstring(s);
    if (c === 0) return s + str.length;
    const i = str.lastIndexOf(c);
    return i < 0 ? 0 : s + i;
  });
  def('strstr(haystack, needle)', function* (p, a) {
    const h = toAddress(a[0]);
    const i = indexOfBytes(yield* p.mem.cstring(h), yield* p.mem.cstring(toAddress(a[1])));
    return i < 0 ? 0 : h + i;
  });
  def('strdup(s)', function* (p, a) {
    return yield* duplicate(p, yield* p.mem.cstring(toAddress(a[0])));
  });
  def('strndup(s, n)', function* (p, a) {
    return yield* duplicate(p, yield* p.mem.cstring(toAddress(a[0]), p.abi.size(a[1])));
  });
  def('strspn(s, accept)', function* (p, a) {
    const s = yield* p.mem.cstring(toAddress(a[0]));
    return p.abi.retWord(span(s, byteSet(yield* p.mem.cstring(toAddress(a[1]))), false));
  });
  def('strcspn(s, reject)', function* (p, a) {
    const s = yield* p.mem.cstring(toAddress(a[0]));
    return p.abi.retWord(span(s, byteSet(yield* p.mem.cstring(toAddress(a[1]))), true));
  });
  def('strpbrk(s, accept)', function* (p, a) {
    const va = toAddress(a[0]);
    const s = yield* p.mem.cstring(va);
    const i = span(s, byteSet(yield* p.mem.cstring(toAddress(a[1]))), true);
    return i < s.length ? va + i : 0;
  });
  def('strtok(s, delim)', function* (p, a) {
    const r = yield* tokenize(p, toAddress(a[0]), toAddress(a[1]), p.strtokNext);
    p.strtokNext = r.next;
    return r.token;
  });
  def('strtok_r(s, delim, saveptr)', function* (p, a) {
    const savePtr = toAddress(a[2]);
    const s = toAddress(a[0]);
    const saved = s === 0 ? yield* p.mem.word(savePtr) : 0;
    const r = yield* tokenize(p, s, toAddress(a[1]), saved);
    yield* p.mem.wword(savePtr, r.next);
    return r.token;
  });
  def('strerror(errnum)', (p, a) => errorTextVa(p, p.abi.int(a[0])));
}
