/**
 * Physical memory: 4 KiB frames allocated on first touch, so an emulated 4 GiB machine costs the
 * host only what the programs actually touch. Addresses past the end of RAM behave like an empty
 * bus (reads give all-ones, writes are dropped), which is what /dev/mem shows for a hole.
 */
export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;

/** Why a frame is watched: writes to watched frames go through `onWatchedWrite`. */
export const WATCH_PAGETABLE = 1;
export const WATCH_DATA = 2;
/**
 * The frame holds bytes the kernel's memory checker has poisoned (KASAN): kernel-mode loads and
 * stores to it leave the TLB's fast path so the CPU can ask the checker first. Writes through
 * PhysMem itself (the kernel's own bookkeeping) are not reported.
 */
export const WATCH_POISON = 4;
/** The watch bits that want to hear about every write that lands. */
export const WATCH_WRITES = WATCH_PAGETABLE | WATCH_DATA;

/** Frames whose host memory is allocated together (64 KiB). */
const FRAME_GROUP = 16;

export type WatchedWriteHook = (pa: number, sizeBytes: number, oldBytes: Uint8Array, watch: number) => void;

export class PhysMem {
  readonly frameCount: number;
  private readonly frames: (Uint8Array | undefined)[];
  private readonly views: (DataView | undefined)[];
  /** Per-frame watch bits; WATCH_WRITES frames never get a fast write path in the TLB. */
  readonly watch: Uint8Array;
  onWatchedWrite: WatchedWriteHook | undefined;
  private touched = 0;
  /** The host buffer of each group of frames that has one (by its first pfn). */
  private readonly groupBuffers = new Map<number, ArrayBuffer>();

  constructor(readonly sizeBytes: number) {
    this.frameCount = Math.floor(sizeBytes / PAGE_SIZE);
    this.frames = new Array(this.frameCount);
    this.views = new Array(this.frameCount);
    this.watch = new Uint8Array(this.frameCount);
  }

  isRam(pfn: number): boolean {
    return pfn >= 0 && pfn < this.frameCount;
  }

  /** Frames that have cost host memory so far. */
  get touchedFrameCount(): number {
    return this.touched;
  }

  /** The bytes of a RAM frame, allocating it on first touch. */
  frame(pfn: number): Uint8Array {
    let f = this.frames[pfn];
    if (f === undefined) {
      if (!this.isRam(pfn)) throw new RangeError(`pfn ${pfn} is not RAM`);
      // Host memory comes FRAME_GROUP frames at a time: one buffer allocation per group instead
      // of one per frame (a page fault used to spend a tenth of its time allocating).
      const group = pfn - (pfn % FRAME_GROUP);
      let buffer = this.groupBuffers.get(group);
      if (buffer === undefined) {
        buffer = new ArrayBuffer(FRAME_GROUP * PAGE_SIZE);
        this.groupBuffers.set(group, buffer);
      }
      f = new Uint8Array(buffer, (pfn - group) * PAGE_SIZE, PAGE_SIZE);
      this.frames[pfn] = f;
      this.views[pfn] = new DataView(buffer, (pfn - group) * PAGE_SIZE, PAGE_SIZE);
      this.touched++;
    }
    return f;
  }

  view(pfn: number): DataView {
    this.frame(pfn);
    return this.views[pfn]!;
  }

  /** The frame if it was ever touched; reading an untouched frame needs no allocation. */
  peekFrame(pfn: number): Uint8Array | undefined {
    return this.frames[pfn];
  }

  read8(pa: number): number {
    const pfn = Math.floor(pa / PAGE_SIZE);
    if (!this.isRam(pfn)) return 0xff;
    const f = this.frames[pfn];
    return f === undefined ? 0 : f[pa & 4095];
  }

  read32(pa: number): number {
    if ((pa & 4095) > 4092) return this.readSpan(pa, 4);
    const pfn = Math.floor(pa / PAGE_SIZE);
    if (!this.isRam(pfn)) return 0xffffffff;
    const f = this.frames[pfn];
    return f === undefined ? 0 : this.views[pfn]!.getUint32(pa & 4095, true);
  }

  private readSpan(pa: number, n: number): number {
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + this.read8(pa + i);
    return v;
  }

  write8(pa: number, v: number): void {
    this.writeBytes(pa, Uint8Array.of(v & 0xff));
  }

  write32(pa: number, v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    this.writeBytes(pa, b);
  }

  readBytes(pa: number, n: number, into?: Uint8Array): Uint8Array {
    const out = into ?? new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const p = pa + done;
      const pfn = Math.floor(p / PAGE_SIZE);
      const off = p & 4095;
      const chunk = Math.min(n - done, PAGE_SIZE - off);
      if (!this.isRam(pfn)) out.fill(0xff, done, done + chunk);
      else {
        const f = this.frames[pfn];
        if (f === undefined) out.fill(0, done, done + chunk);
        else out.set(f.subarray(off, off + chunk), done);
      }
      done += chunk;
    }
    return out;
  }

  /** Writes bytes; watched frames report the write (with the old bytes) after it lands. */
  writeBytes(pa: number, bytes: Uint8Array): void {
    let done = 0;
    const n = bytes.length;
    while (done < n) {
      const p = pa + done;
      const pfn = Math.floor(p / PAGE_SIZE);
      const off = p & 4095;
      const chunk = Math.min(n - done, PAGE_SIZE - off);
      if (this.isRam(pfn)) {
        const f = this.frame(pfn);
        const w = this.watch[pfn] & WATCH_WRITES;
        const old = w !== 0 ? f.slice(off, off + chunk) : undefined;
        f.set(bytes.subarray(done, done + chunk), off);
        if (old !== undefined && this.onWatchedWrite) this.onWatchedWrite(p, chunk, old, w);
      }
      done += chunk;
    }
  }

  /** Fills n bytes with one value; watched frames report it as writeBytes does. */
  fill(pa: number, value: number, n: number): void {
    let done = 0;
    while (done < n) {
      const p = pa + done;
      const pfn = Math.floor(p / PAGE_SIZE);
      const off = p & 4095;
      const chunk = Math.min(n - done, PAGE_SIZE - off);
      if (this.isRam(pfn)) {
        const w = this.watch[pfn] & WATCH_WRITES;
        if (w !== 0) this.writeBytes(p, new Uint8Array(chunk).fill(value));
        else if (value !== 0 || this.frames[pfn] !== undefined) this.frame(pfn).fill(value, off, off + chunk);
        // Zeroes into a frame never touched: it already reads as zero and stays unallocated.
      }
      done += chunk;
    }
  }

  /**
   * A DataView for a store of n bytes at pa that needs no bookkeeping (RAM, one page, no write
   * watch), with the offset in it; undefined when the store must go through writeBytes.
   */
  plainStoreView(pa: number, n: number): DataView | undefined {
    const pfn = Math.floor(pa / PAGE_SIZE);
    if ((pa & 4095) + n > PAGE_SIZE || !this.isRam(pfn) || (this.watch[pfn] & WATCH_WRITES) !== 0) return undefined;
    return this.view(pfn);
  }

  /** The DataView of a RAM frame for a load, or undefined for an untouched frame (all zeroes) — or I/O memory (null). */
  loadView(pfn: number): DataView | undefined | null {
    if (!this.isRam(pfn)) return null;
    return this.views[pfn];
  }
}
