/**
 * Opening, closing, positioning and configuring streams (fopen, fdopen, fclose, fflush, fseek,
 * ftell, setvbuf...), following glibc's mode parsing, flags and return values.
 */
import { EINVAL, ENOMEM, ENOSYS } from '../errno';
import { lockedFileBytes } from '../layout';
import type { LibcProcess } from '../process';
import type { DefineRoutine } from '../routine';
import { toAddress, type Step } from '../usermem';
import { BUFSIZ, EOF, IOFBF, IOLBF, IONBF, Stream } from './streams';

const O_RDONLY = 0;
const O_WRONLY = 1;
const O_RDWR = 2;
const O_ACCMODE = 3;
const O_CREAT = 0o100;
const O_EXCL = 0o200;
const O_TRUNC = 0o1000;
const O_APPEND = 0o2000;
const O_CLOEXEC = 0o2000000;
const F_GETFL = 3;
const F_SETFL = 4;
const SEEK_SET = 0;

interface OpenMode {
  flags: number;
  readable: boolean;
  writable: boolean;
  append: boolean;
}

/** glibc's fopen mode string: r/w/a, then '+', 'x', 'e' among up to six more characters. */
export function parseMode(mode: Uint8Array): OpenMode | undefined {
  let access: number;
  let extra: number;
  switch (String.fromCharCode(mode[0] ?? 0)) {
    case 'r':
      access = O_RDONLY;
      extra = 0;
      break;
    case 'w':
      access = O_WRONLY;
      extra = O_CREAT | O_TRUNC;
      break;
    case 'a':
      access = O_WRONLY;
      extra = O_CREAT | O_APPEND;
      break;
    default:
      return undefined;
  }
  for (let i = 1; i < Math.min(mode.length, 7); i++) {
    const c = String.fromCharCode(mode[i]);
    if (c === '+') access = O_RDWR;
    else if (c === 'x') extra |= O_EXCL;
    else if (c === 'e') extra |= O_CLOEXEC;
    else if (c === ',') break;
  }
  return {
    flags: access | extra,
    readable: access !== O_WRONLY,
    writable: access !== O_RDONLY,
    append: (extra & O_APPEND) !== 0,
  };
}

/** A new FILE in malloc'ed memory, the way fopen and fdopen get theirs. */
function* newStream(p: LibcProcess, fd: number, m: OpenMode): Step<Stream | undefined> {
  const fileVa = yield* p.heap.malloc(lockedFileBytes(p.host.ptrBytes));
  if (fileVa === 0) {
    yield* p.setErrno(ENOMEM);
    return undefined;
  }
  const s = new Stream(fileVa, fd, m.readable, m.writable, m.append, IOFBF, true);
  return s;
}

function* publish(p: LibcProcess, s: Stream): Step<number> {
  yield* p.stdio.writeFileStruct(s);
  p.stdio.register(s);
  return s.fileVa;
}

function* setvbuf(p: LibcProcess, s: Stream, buf: number, mode: number, size: number): Step<number> {
  switch (mode) {
    case IOFBF:
    case IOLBF:
      if (buf === 0) {
        s.bufMode = mode;
        yield* p.stdio.syncFlags(s);
        return 0;
      }
      break;
    case IONBF:
      buf = 0;
      break;
    default:
      yield* p.setErrno(EINVAL);
      return EOF;
  }
  if (s.pending > 0 && !(yield* p.stdio.flush(s))) return EOF;
  yield* p.stdio.releaseBuffer(s);
  s.bufMode = buf === 0 || size === 0 ? IONBF : mode;
  if (s.bufMode !== IONBF) {
    s.bufVa = buf;
    s.bufSize = size;
    s.userBuffer = true;
  }
  yield* p.stdio.syncFlags(s);
  return 0;
}

export function defineStdioFiles(def: DefineRoutine): void {
  def('fopen(path, mode)', function* (p, a) {
    const m = parseMode(yield* p.mem.cstring(toAddress(a[1]), 8));
    if (m === undefined) {
      yield* p.setErrno(EINVAL);
      return 0;
    }
    const s = yield* newStream(p, -1, m);
    if (s === undefined) return 0;
    const fd = yield* p.syscall('open', [a[0], m.flags, 0o666]);
    if (fd < 0) {
      yield* p.heap.free(s.fileVa);
      return 0;
    }
    s.fd = fd;
    return yield* publish(p, s);
  });
  def('fdopen(fd, mode)', function* (p, a) {
    const fd = p.abi.int(a[0]);
    const m = parseMode(yield* p.mem.cstring(toAddress(a[1]), 8));
    if (m === undefined) {
      yield* p.setErrno(EINVAL);
      return 0;
    }
    const fl = yield* p.syscallRaw('fcntl', [fd, F_GETFL, 0]);
    if (fl < 0 && fl !== -ENOSYS) {
      yield* p.setErrno(-fl);
      return 0;
    }
    if (fl >= 0) {
      const acc = fl & O_ACCMODE;
      if ((m.readable && acc === O_WRONLY) || (m.writable && acc === O_RDONLY)) {
        yield* p.setErrno(EINVAL);
        return 0;
      }
      if (m.append && (fl & O_APPEND) === 0) yield* p.syscallRaw('fcntl', [fd, F_SETFL, fl | O_APPEND]);
    }
    const s = yield* newStream(p, fd, m);
    return s === undefined ? 0 : yield* publish(p, s);
  });
  def('fclose(stream)', function* (p, a) {
    const s = yield* p.stdio.lookup(toAddress(a[0]));
    if (s === undefined) return EOF;
    return (yield* p.stdio.close(s)) ? 0 : EOF;
  });
  def('fflush(stream)', function* (p, a) {
    const va = toAddress(a[0]);
    if (va === 0) return (yield* p.stdio.flushAll()) ? 0 : EOF;
    const s = yield* p.stdio.lookup(va);
    if (s === undefined) return EOF;
    return (yield* p.stdio.sync(s)) ? 0 : EOF;
  });
  def('fseek(stream, offset, whence)', function* (p, a) {
    const s = yield* p.stdio.lookup(toAddress(a[0]));
    if (s === undefined) return -1;
    return yield* p.stdio.seek(s, Number(p.abi.long(a[1])), p.abi.int(a[2]));
  });
  def('ftell(stream)', function* (p, a) {
    const s = yield* p.stdio.lookup(toAddress(a[0]));
    if (s === undefined) return -1;
    return p.abi.retLong(yield* p.stdio.tell(s));
  });
  def('rewind(stream)', function* (p, a) {
    const s = yield* p.stdio.lookup(toAddress(a[0]));
    if (s === undefined) return undefined;
    yield* p.stdio.seek(s, 0, SEEK_SET);
    s.error = false;
    yield* p.stdio.syncFlags(s);
    return undefined;
  });
  def('feof(stream)', function* (p, a) {
    const s = yield* p.stdio.lookup(toAddress(a[0]));
    return s?.eof ? 1 : 0;
  });
  def('ferror(stream)', function* (p, a) {
    const s = yield* p.stdio.lookup(toAddress(a[0]));
    return s?.error ? 1 : 0;
  });
  def('clearerr(stream)', function* (p, a) {
    const s = yield* p.stdio.lookup(toAddress(a[0]));
    if (s === undefined) return undefined;
    s.eof = false;
    s.error = false;
    yield* p.stdio.syncFlags(s);
    return undefined;
  });
  def('fileno(stream)', function* (p, a) {
    const s = yield* p.stdio.lookup(toAddress(a[0]));
    return s === undefined ? -1 : s.fd;
  });
  def('setvbuf(stream, buf, mode, size)', function* (p, a) {
    const s = yield* p.stdio.lookup(toAddress(a[0]));
    if (s === undefined) return EOF;
    return yield* setvbuf(p, s, toAddress(a[1]), p.abi.int(a[2]), p.abi.size(a[3]));
  });
  def('setbuf(stream, buf)', function* (p, a) {
    const s = yield* p.stdio.lookup(toAddress(a[0]));
    if (s === undefined) return undefined;
    const buf = toAddress(a[1]);
    yield* setvbuf(p, s, buf, buf !== 0 ? IOFBF : IONBF, BUFSIZ);
    return undefined;
  });
  def('remove(path)', (p, a) => p.syscall('unlink', [a[0]]));
}
