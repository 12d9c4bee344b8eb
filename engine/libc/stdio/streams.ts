/**
 * FILE streams. A FILE is a small structure in user memory (the three standard ones in libc's
 * data area, fopen's malloc'ed like glibc's `struct locked_FILE`) whose address keys the stream
 * state kept here. Buffers live in user memory too, malloc'ed on first use as glibc does, so the
 * write system call is handed a user pointer and the heap shows the same chunks it would on
 * Linux: stdin and stdout behave like a terminal (line buffered, 1024-byte buffer), stderr is
 * unbuffered, files are fully buffered with BUFSIZ bytes.
 */
import { MODE_USER, Trap } from '../../machine/cpu';
import { EBADF, EINVAL, ESPIPE, isSyscallError } from '../errno';
import { fileFilenoOffset, fileStructBytes, stdFileOffset, stdPointerOffset } from '../layout';
import type { LibcProcess } from '../process';
import type { Step } from '../usermem';

export const IOFBF = 0;
export const IOLBF = 1;
export const IONBF = 2;
export const EOF = -1;
export const BUFSIZ = 8192;
/** glibc sizes a terminal's buffer by its st_blksize, 1024. */
const TTY_BUFFER_BYTES = 1024;
const SEEK_CUR = 1;
const NEWLINE = 0x0a;

// glibc's _flags bits, mirrored into the FILE structure for anyone looking at its memory.
const IO_MAGIC = 0xfbad0000;
const IO_UNBUFFERED = 0x0002;
const IO_NO_READS = 0x0004;
const IO_NO_WRITES = 0x0008;
const IO_EOF_SEEN = 0x0010;
const IO_ERR_SEEN = 0x0020;
const IO_LINKED = 0x0080;
const IO_LINE_BUF = 0x0200;
const IO_IS_APPENDING = 0x1000;
const IO_IS_FILEBUF = 0x2000;

const EMPTY = new Uint8Array(0);

export class Stream {
  bufVa = 0;
  bufSize: number;
  /** The buffer came from setvbuf: fclose must not free it. */
  userBuffer = false;
  /** Bytes written into the buffer and not yet handed to write(). */
  pending = 0;
  /** What the last read() brought into the buffer, mirrored here; readPos is the next byte. */
  readData: Uint8Array = EMPTY;
  readPos = 0;
  /** ungetc's pushed-back bytes; the last one is read first. */
  readonly pushback: number[] = [];
  eof = false;
  error = false;

  constructor(
    readonly fileVa: number,
    public fd: number,
    readonly readable: boolean,
    readonly writable: boolean,
    readonly append: boolean,
    public bufMode: number,
    /** fopen/fdopen malloc'ed the FILE: fclose frees it. */
    readonly ownsFile: boolean,
  ) {
    this.bufSize = bufMode === IOLBF ? TTY_BUFFER_BYTES : BUFSIZ;
  }

  get unread(): number {
    return this.readData.length - this.readPos + this.pushback.length;
  }

  /** glibc's _flags word for this state. */
  flagsWord(): number {
    let f = IO_MAGIC | IO_IS_FILEBUF | IO_LINKED;
    if (!this.readable) f |= IO_NO_READS;
    if (!this.writable) f |= IO_NO_WRITES;
    if (this.bufMode === IONBF) f |= IO_UNBUFFERED;
    if (this.bufMode === IOLBF) f |= IO_LINE_BUF;
    if (this.append) f |= IO_IS_APPENDING;
    if (this.eof) f |= IO_EOF_SEEN;
    if (this.error) f |= IO_ERR_SEEN;
    return f >>> 0;
  }
}

export class Stdio {
  private readonly streams = new Map<number, Stream>();
  /** Newest first, the order glibc's _IO_list_all walks when exit flushes. */
  private order: Stream[] = [];
  stdin: Stream | undefined;
  stdout: Stream | undefined;

  constructor(private readonly p: LibcProcess) {}

  /**
   * Lays out stdin, stdout and stderr and the pointers the program links against. Runs at exec,
   * before any code, so it writes synchronously: the data area must be mapped by then.
   */
  initStandardStreams(): void {
    const p = this.p;
    const ptr = p.host.ptrBytes;
    const specs: [0 | 1 | 2, boolean, boolean, number][] = [
      [0, true, false, IOLBF],
      [1, false, true, IOLBF],
      [2, false, true, IONBF],
    ];
    for (const [fd, readable, writable, mode] of specs) {
      const fileVa = p.dataVa + stdFileOffset(fd, ptr);
      const s = new Stream(fileVa, fd, readable, writable, false, mode, false);
      this.register(s);
      const cpu = p.host.cpu;
      const ptrVa = p.dataVa + stdPointerOffset(fd, ptr);
      if (ptr === 8) cpu.w64(ptrVa, fileVa, MODE_USER);
      else cpu.w32(ptrVa, fileVa, MODE_USER);
      cpu.w32(fileVa, s.flagsWord(), MODE_USER);
      cpu.w32(fileVa + fileFilenoOffset(ptr), fd, MODE_USER);
    }
    this.stdin = this.streams.get(p.dataVa + stdFileOffset(0, ptr));
    this.stdout = this.streams.get(p.dataVa + stdFileOffset(1, ptr));
  }

  register(s: Stream): void {
    this.streams.set(s.fileVa, s);
    this.order.unshift(s);
  }

  /** Writes a new FILE's fields glibc code would find there. */
  *writeFileStruct(s: Stream): Step<void> {
    yield* this.p.mem.fill(s.fileVa, 0, fileStructBytes(this.p.host.ptrBytes));
    yield* this.syncFlags(s);
    yield* this.p.mem.w32(s.fileVa + fileFilenoOffset(this.p.host.ptrBytes), s.fd);
  }

  syncFlags(s: Stream): Step<void> {
    return this.p.mem.w32(s.fileVa, s.flagsWord());
  }

  /**
   * The stream a FILE pointer names. glibc dereferences it first thing, so a NULL or wild FILE *
   * faults the same way here; a readable address that is no FILE gives EBADF.
   */
  *lookup(fileVa: number): Step<Stream | undefined> {
    const s = this.streams.get(fileVa);
    if (s !== undefined) return s;
    const cpu = this.p.host.cpu;
    const probe = cpu.probe(fileVa, 4, false, MODE_USER);
    if (probe instanceof Trap) {
      // No retry: there is no FILE to find even if the kernel maps something there.
      yield { kind: 'trap', trap: probe };
    }
    yield* this.p.setErrno(EBADF);
    return undefined;
  }

  /** The stream the program's `stdin`/`stdout`/`stderr` variable points to now (it may have been reassigned). */
  *standard(index: 0 | 1 | 2): Step<Stream | undefined> {
    const va = yield* this.p.mem.word(this.p.dataVa + stdPointerOffset(index, this.p.host.ptrBytes));
    return yield* this.lookup(va);
  }

  all(): readonly Stream[] {
    return this.order;
  }

  forget(s: Stream): void {
    this.streams.delete(s.fileVa);
    this.order = this.order.filter((x) => x !== s);
  }

  // ---- buffers ---------------------------------------------------------------------------------

  /** glibc allocates a stream's buffer on first use; without memory the stream goes unbuffered. */
  private *ensureBuffer(s: Stream): Step<boolean> {
    if (s.bufVa !== 0) return true;
    const va = yield* this.p.heap.malloc(s.bufSize);
    if (va === 0) {
      s.bufMode = IONBF;
      return false;
    }
    s.bufVa = va;
    return true;
  }

  *releaseBuffer(s: Stream): Step<void> {
    if (s.bufVa !== 0 && !s.userBuffer) yield* this.p.heap.free(s.bufVa);
    s.bufVa = 0;
  }

  private *markError(s: Stream): Step<void> {
    s.error = true;
    yield* this.syncFlags(s);
  }

  // ---- output ----------------------------------------------------------------------------------

  /** Hands the buffered bytes to write(). False if the stream is now in error. */
  *flush(s: Stream): Step<boolean> {
    if (s.pending === 0) return !s.error;
    let sent = 0;
    while (sent < s.pending) {
      const r = yield* this.p.syscall('write', [s.fd, s.bufVa + sent, s.pending - sent]);
      if (r <= 0) {
        s.pending = 0;
        yield* this.markError(s);
        return false;
      }
      sent += r;
    }
    s.pending = 0;
    return true;
  }

  /** Before writing on a stream that was being read: give back what was read ahead. */
  private *leaveReading(s: Stream): Step<void> {
    if (s.unread === 0) return;
    const back = s.unread;
    s.readData = EMPTY;
    s.readPos = 0;
    s.pushback.length = 0;
    yield* this.p.syscallRaw('lseek', [s.fd, -back, SEEK_CUR]);
  }

  private *canWrite(s: Stream): Step<boolean> {
    if (!s.writable) {
      yield* this.p.setErrno(EBADF);
      yield* this.markError(s);
      return false;
    }
    yield* this.leaveReading(s);
    return true;
  }

  /**
   * Writes bytes libc produced (formatted output, a putc). Line buffering flushes through the
   * last newline, as glibc's xsputn does; what follows it stays buffered.
   */
  *putBytes(s: Stream, bytes: Uint8Array): Step<boolean> {
    if (!(yield* this.canWrite(s))) return false;
    if (bytes.length === 0) return true;
    if (s.bufMode !== IONBF && !(yield* this.ensureBuffer(s))) return yield* this.putBytes(s, bytes);
    if (s.bufMode === IONBF) {
      const r = yield* this.p.writeFd(s.fd, bytes);
      if (r < bytes.length) {
        yield* this.markError(s);
        return false;
      }
      return true;
    }
    if (s.bufMode === IOLBF) {
      const nl = bytes.lastIndexOf(NEWLINE);
      if (nl >= 0) {
        if (!(yield* this.buffer(s, bytes.subarray(0, nl + 1)))) return false;
        if (!(yield* this.flush(s))) return false;
        return yield* this.buffer(s, bytes.subarray(nl + 1));
      }
    }
    return yield* this.buffer(s, bytes);
  }

  private *buffer(s: Stream, bytes: Uint8Array): Step<boolean> {
    let i = 0;
    while (i < bytes.length) {
      const k = Math.min(s.bufSize - s.pending, bytes.length - i);
      yield* this.p.mem.write(s.bufVa + s.pending, bytes.subarray(i, i + k));
      s.pending += k;
      i += k;
      if (s.pending === s.bufSize && !(yield* this.flush(s))) return false;
    }
    return true;
  }

  /** Writes n bytes the program holds at va (fwrite, fputs): unbuffered streams write straight from there. */
  *putUser(s: Stream, va: number, n: number): Step<number> {
    if (n === 0) return 0;
    if (s.bufMode === IONBF && s.writable) {
      yield* this.leaveReading(s);
      let sent = 0;
      while (sent < n) {
        const r = yield* this.p.syscall('write', [s.fd, va + sent, n - sent]);
        if (r <= 0) {
          yield* this.markError(s);
          return sent;
        }
        sent += r;
      }
      return sent;
    }
    // A buffer's worth at a time: what was accepted before an error still counts.
    for (let done = 0; done < n; ) {
      const len = Math.min(n - done, Math.max(s.bufSize, 1));
      if (!(yield* this.putBytes(s, yield* this.p.mem.read(va + done, len)))) return done;
      done += len;
    }
    return n;
  }

  // ---- input -----------------------------------------------------------------------------------

  /**
   * Refills the read buffer. Reading a terminal-like stream first flushes stdout, so a prompt
   * appears before the program waits for its answer. Returns the bytes now available (0 at EOF).
   */
  private *fill(s: Stream): Step<number> {
    if (s.bufMode !== IOFBF && this.stdout && this.stdout !== s && this.stdout.bufMode === IOLBF) {
      yield* this.flush(this.stdout);
    }
    if (s.pending > 0 && !(yield* this.flush(s))) return -1;
    if (!(yield* this.ensureBuffer(s))) return yield* this.fillUnbuffered(s);
    const r = yield* this.p.syscall('read', [s.fd, s.bufVa, s.bufSize]);
    return yield* this.took(s, r, s.bufVa);
  }

  /** Without a buffer, one byte at a time through the scratch area, as glibc's shortbuf does. */
  private *fillUnbuffered(s: Stream): Step<number> {
    const r = yield* this.p.syscall('read', [s.fd, this.p.scratchVa, 1]);
    return yield* this.took(s, r, this.p.scratchVa);
  }

  private *took(s: Stream, r: number, va: number): Step<number> {
    if (r < 0) {
      yield* this.markError(s);
      return -1;
    }
    if (r === 0) {
      s.eof = true;
      yield* this.syncFlags(s);
      return 0;
    }
    s.readData = yield* this.p.mem.read(va, r);
    s.readPos = 0;
    return r;
  }

  private *canRead(s: Stream): Step<boolean> {
    if (s.readable) return true;
    yield* this.p.setErrno(EBADF);
    yield* this.markError(s);
    return false;
  }

  /** fgetc: the next byte, or EOF. */
  *getByte(s: Stream): Step<number> {
    if (s.pushback.length > 0) return s.pushback.pop()!;
    if (s.readPos < s.readData.length) return s.readData[s.readPos++];
    if (!(yield* this.canRead(s))) return EOF;
    if ((yield* this.fill(s)) <= 0) return EOF;
    return s.readData[s.readPos++];
  }

  /** Up to `max` bytes, stopping after `stopAt` if given (fgets's newline). */
  *getBytes(s: Stream, max: number, stopAt = -1): Step<Uint8Array> {
    const out: number[] = [];
    while (out.length < max) {
      const c = yield* this.getByte(s);
      if (c === EOF) break;
      out.push(c);
      if (c === stopAt) break;
    }
    return Uint8Array.from(out);
  }

  /** fread's transfer into user memory; large reads go straight from read() into the destination. */
  *readInto(s: Stream, va: number, n: number): Step<number> {
    if (!(yield* this.canRead(s))) return 0;
    let done = 0;
    while (done < n && (s.pushback.length > 0 || s.readPos < s.readData.length)) {
      const chunk: number[] = [];
      while (done + chunk.length < n && s.pushback.length > 0) chunk.push(s.pushback.pop()!);
      const fromBuf = Math.min(n - done - chunk.length, s.readData.length - s.readPos);
      const bytes = new Uint8Array(chunk.length + fromBuf);
      bytes.set(chunk);
      bytes.set(s.readData.subarray(s.readPos, s.readPos + fromBuf), chunk.length);
      yield* this.p.mem.write(va + done, bytes);
      s.readPos += fromBuf;
      done += bytes.length;
    }
    while (done < n) {
      const want = n - done;
      if (s.bufMode !== IONBF && want >= s.bufSize) {
        if (s.pending > 0 && !(yield* this.flush(s))) return done;
        const block = want - (s.bufSize >= 128 ? want % s.bufSize : 0);
        const r = yield* this.p.syscall('read', [s.fd, va + done, block]);
        if (r <= 0) {
          if (r === 0) s.eof = true;
          else s.error = true;
          yield* this.syncFlags(s);
          return done;
        }
        done += r;
        continue;
      }
      if ((yield* this.fill(s)) <= 0) return done;
      const k = Math.min(want, s.readData.length);
      yield* this.p.mem.write(va + done, s.readData.subarray(0, k));
      s.readPos = k;
      done += k;
    }
    return done;
  }

  ungetByte(s: Stream, c: number): number {
    if (c === EOF) return EOF;
    s.pushback.push(c & 0xff);
    s.eof = false;
    return c & 0xff;
  }

  // ---- positioning and closing -----------------------------------------------------------------

  *tell(s: Stream): Step<number> {
    const pos = yield* this.p.syscall('lseek', [s.fd, 0, SEEK_CUR]);
    if (pos < 0) return -1;
    return pos - s.unread + s.pending;
  }

  *seek(s: Stream, offset: number, whence: number): Step<number> {
    if (whence < 0 || whence > 2) {
      yield* this.p.setErrno(EINVAL);
      return -1;
    }
    if (s.pending > 0 && !(yield* this.flush(s))) return -1;
    if (whence === SEEK_CUR) offset -= s.unread;
    s.readData = EMPTY;
    s.readPos = 0;
    s.pushback.length = 0;
    const r = yield* this.p.syscall('lseek', [s.fd, offset, whence]);
    if (r < 0) return -1;
    s.eof = false;
    yield* this.syncFlags(s);
    return 0;
  }

  /**
   * fflush on an input stream: glibc moves the file offset back to the program's position and
   * drops the read-ahead; on a pipe or terminal the seek fails with ESPIPE and the buffered input
   * is kept, quietly.
   */
  *sync(s: Stream): Step<boolean> {
    if (s.pending > 0) return yield* this.flush(s);
    if (s.unread > 0) {
      const r = yield* this.p.syscallRaw('lseek', [s.fd, -s.unread, SEEK_CUR]);
      if (!isSyscallError(r)) {
        s.readData = EMPTY;
        s.readPos = 0;
        s.pushback.length = 0;
      } else if (-r !== ESPIPE) {
        yield* this.p.setErrno(-r);
        return false;
      }
    }
    return !s.error;
  }

  *close(s: Stream): Step<boolean> {
    const flushed = s.writable ? yield* this.flush(s) : true;
    if (s.readable && s.unread > 0 && s.bufMode === IOFBF) yield* this.sync(s);
    const closed = (yield* this.p.syscall('close', [s.fd])) === 0;
    yield* this.releaseBuffer(s);
    this.forget(s);
    if (s.ownsFile) yield* this.p.heap.free(s.fileVa);
    return flushed && closed;
  }

  /** exit's _IO_cleanup: every stream's pending output reaches its file. */
  *flushAll(): Step<boolean> {
    let ok = true;
    for (const s of [...this.order]) if (s.pending > 0 && !(yield* this.flush(s))) ok = false;
    return ok;
  }
}
