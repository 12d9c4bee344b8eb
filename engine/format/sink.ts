// Growable byte buffer the formatters write into. printf output is bytes, not JS strings: %s
// copies arbitrary bytes from emulated memory, and a JS string round trip would mangle them.

/**
 * Output past this size is counted but dropped: a format like "%999999999d" is legal C, but
 * materialising a gigabyte in the host would take the whole emulator down with it.
 */
export const MAX_FORMATTED_BYTES = 64 * 1024 * 1024;

/**
 * Allocating a typed array per printf call dominated short formats, so one scratch buffer is
 * lent to whichever sink is live; a re-entrant call (a host callback that formats) gets its own.
 */
let scratch: Uint8Array | null = new Uint8Array(4096);

export class ByteSink {
  private buf: Uint8Array;
  private borrowed: boolean;
  /** Bytes produced so far, including any dropped past MAX_FORMATTED_BYTES (what %n reports). */
  count = 0;

  constructor() {
    this.borrowed = scratch !== null;
    this.buf = scratch ?? new Uint8Array(256);
    scratch = null;
  }

  private reserve(extra: number): number {
    const wanted = Math.min(this.count + extra, MAX_FORMATTED_BYTES);
    if (wanted > this.buf.length) {
      const grown = new Uint8Array(Math.min(Math.max(wanted, this.buf.length * 2), MAX_FORMATTED_BYTES));
      grown.set(this.buf.subarray(0, Math.min(this.count, this.buf.length)));
      this.buf = grown;
    }
    return Math.max(0, wanted - this.count);
  }

  byte(b: number): void {
    if (this.count < this.buf.length || this.reserve(1) > 0) this.buf[this.count] = b;
    this.count++;
  }

  bytes(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    if (n <= 0) return;
    const room = this.reserve(n);
    if (room > 16) this.buf.set(src.subarray(start, start + Math.min(n, room)), this.count);
    else for (let i = 0; i < room; i++) this.buf[this.count + i] = src[start + i];
    this.count += n;
  }

  /** ASCII text (generated digits, "(null)", symbol names); code units above 0xff are cut to bytes. */
  ascii(s: string): void {
    const n = s.length;
    const room = this.reserve(n);
    const buf = this.buf;
    const at = this.count;
    for (let i = 0; i < room; i++) buf[at + i] = s.charCodeAt(i) & 0xff;
    this.count += n;
  }

  repeat(b: number, n: number): void {
    if (n <= 0) return;
    const room = this.reserve(n);
    this.buf.fill(b, this.count, this.count + room);
    this.count += n;
  }

  /** The bytes, copied out; the sink must not be used afterwards (its buffer goes back to the pool). */
  result(): Uint8Array {
    const out = this.buf.slice(0, Math.min(this.count, this.buf.length));
    if (this.borrowed) {
      // A buffer grown for a huge output is not kept: the pool stays small.
      scratch = this.buf.length <= 65536 ? this.buf : new Uint8Array(4096);
      this.borrowed = false;
    }
    return out;
  }
}
