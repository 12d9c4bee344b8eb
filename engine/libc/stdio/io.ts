/**
 * Character, line and block I/O on streams (puts, fputc, fgets, fread, fwrite, perror...), with
 * glibc's return values.
 */
import { errorText } from '../errno';
import type { LibcProcess } from '../process';
import type { DefineRoutine } from '../routine';
import { toAddress, type Step } from '../usermem';
import { EOF, type Stream } from './streams';

const NEWLINE = 0x0a;

function* putChar(p: LibcProcess, s: Stream | undefined, c: number): Step<number> {
  if (s === undefined) return EOF;
  const byte = c & 0xff;
  return (yield* p.stdio.putBytes(s, Uint8Array.of(byte))) ? byte : EOF;
}

function* getChar(p: LibcProcess, s: Stream | undefined): Step<number> {
  if (s === undefined) return EOF;
  return yield* p.stdio.getByte(s);
}

function* stream(p: LibcProcess, fileVa: unknown): Step<Stream | undefined> {
  return yield* p.stdio.lookup(toAddress(fileVa as number));
}

export function defineStdioIo(def: DefineRoutine): void {
  def('puts(s)', function* (p, a) {
    const s = yield* p.stdio.standard(1);
    if (s === undefined) return EOF;
    const text = yield* p.mem.cstring(toAddress(a[0]));
    const line = new Uint8Array(text.length + 1);
    line.set(text);
    line[text.length] = NEWLINE;
    return (yield* p.stdio.putBytes(s, line)) ? Math.min(0x7fffffff, line.length) : EOF;
  });
  def('fputs(s, stream)', function* (p, a) {
    const s = yield* stream(p, a[1]);
    if (s === undefined) return EOF;
    const va = toAddress(a[0]);
    const n = yield* p.mem.strlen(va);
    return (yield* p.stdio.putUser(s, va, n)) === n ? 1 : EOF;
  });
  def('putchar(c)', function* (p, a) {
    return yield* putChar(p, yield* p.stdio.standard(1), p.abi.int(a[0]));
  });
  def('fputc(c, stream)', function* (p, a) {
    return yield* putChar(p, yield* stream(p, a[1]), p.abi.int(a[0]));
  });
  def('putc(c, stream)', function* (p, a) {
    return yield* putChar(p, yield* stream(p, a[1]), p.abi.int(a[0]));
  });
  def('getchar()', function* (p) {
    return yield* getChar(p, yield* p.stdio.standard(0));
  });
  def('fgetc(stream)', function* (p, a) {
    return yield* getChar(p, yield* stream(p, a[0]));
  });
  def('getc(stream)', function* (p, a) {
    return yield* getChar(p, yield* stream(p, a[0]));
  });
  def('ungetc(c, stream)', function* (p, a) {
    const s = yield* stream(p, a[1]);
    if (s === undefined) return EOF;
    const r = p.stdio.ungetByte(s, p.abi.int(a[0]));
    yield* p.stdio.syncFlags(s);
    return r;
  });
  def('fgets(s, size, stream)', function* (p, a) {
    const buf = toAddress(a[0]);
    const size = p.abi.int(a[1]);
    const s = yield* stream(p, a[2]);
    if (s === undefined || size <= 0) return 0;
    if (size === 1) {
      yield* p.mem.w8(buf, 0);
      return buf;
    }
    const hadError = s.error;
    s.error = false;
    const line = yield* p.stdio.getBytes(s, size - 1, NEWLINE);
    const failed = line.length === 0 || s.error;
    s.error ||= hadError;
    if (line.length > 0) yield* p.mem.writeCString(buf, line);
    return failed ? 0 : buf;
  });
  def('fwrite(ptr, size, nmemb, stream)', function* (p, a) {
    const size = p.abi.size(a[1]);
    const count = p.abi.size(a[2]);
    const s = yield* stream(p, a[3]);
    const request = size * count;
    if (s === undefined || request === 0) return 0;
    const written = yield* p.stdio.putUser(s, toAddress(a[0]), request);
    return p.abi.retWord(written === request ? count : Math.floor(written / size));
  });
  def('fread(ptr, size, nmemb, stream)', function* (p, a) {
    const size = p.abi.size(a[1]);
    const count = p.abi.size(a[2]);
    const s = yield* stream(p, a[3]);
    const request = size * count;
    if (s === undefined || request === 0) return 0;
    const got = yield* p.stdio.readInto(s, toAddress(a[0]), request);
    return p.abi.retWord(got === request ? count : Math.floor(got / size));
  });
  def('perror(s)', function* (p, a) {
    const errnum = yield* p.errno();
    const va = toAddress(a[0]);
    const prefix = va === 0 ? new Uint8Array(0) : yield* p.mem.cstring(va);
    const text = (prefix.length > 0 ? ': ' : '') + errorText(errnum) + '\n';
    const line = new Uint8Array(prefix.length + text.length);
    line.set(prefix);
    for (let i = 0; i < text.length; i++) line[prefix.length + i] = text.charCodeAt(i);
    const err = yield* p.stdio.standard(2);
    if (err !== undefined) yield* p.stdio.putBytes(err, line);
    yield* p.setErrno(errnum);
    return undefined;
  });
}
