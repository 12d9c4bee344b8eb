/**
 * The user-space allocator: a model of glibc 2.36's ptmalloc for one arena, with the chunk format
 * in user memory, so that a program sees what it would see on Linux and a write past the end of a
 * buffer lands on the next chunk's header.
 *
 * What matches glibc: chunk headers (prev_size, size | PREV_INUSE | IS_MMAPPED), request sizes
 * and alignment, the tcache (its 0x290-byte perthread struct as the first chunk, 7 entries per
 * size, LIFO, safe-linked `next` pointers and the `key` word in freed chunks, the double-free
 * check), fastbins (LIFO, no coalescing, the fasttop check), coalescing of other frees with their
 * neighbours and with top, top growth with sbrk (top_pad 128 KiB, page rounding), trimming,
 * mmap for requests >= the mmap threshold (128 KiB, raised dynamically when an mmapped chunk is
 * freed), calloc's skipping of fresh memory, realloc in place, memalign, and the integrity checks
 * with glibc's messages ("free(): invalid pointer"...), which end in abort().
 *
 * What is simpler: the free chunks that are not in the tcache or a fastbin live in one list,
 * searched best fit (smallest chunk that fits, oldest first among equals) instead of glibc's
 * unsorted/small/large bins; their fd/bk words point at one bin head in libc's data. Bin
 * membership is kept on the TypeScript side (sizes and flags are read from memory), so a program
 * that overwrites a freed chunk's fd pointer does not steer the allocator as it would on glibc.
 * tcache_key is the address of the tcache struct (glibc 2.34+ uses a random value).
 */
import { xor64 } from '../util/int64';
import { toAddress, type Step, type UserMemory } from './usermem';

const PREV_INUSE = 1;
const IS_MMAPPED = 2;
const MALLOC_ALIGNMENT = 16;
const PAGE_SIZE = 4096;
const TCACHE_MAX_BINS = 64;
const TCACHE_FILL_COUNT = 7;
const NFASTBINS = 10;
const FASTBIN_CONSOLIDATION_THRESHOLD = 65536;
const DEFAULT_MMAP_THRESHOLD = 128 * 1024;
const DEFAULT_TOP_PAD = 128 * 1024;
const DEFAULT_MMAP_MAX = 65536;

/** What the allocator needs from the process: its memory and the system calls behind sbrk and mmap. */
export interface HeapHost {
  readonly mem: UserMemory;
  /** Moves the break by `increment` bytes; returns the old break, or -1. */
  sbrk(increment: number): Step<number>;
  /** An anonymous private read-write mapping; 0 on failure. */
  mmap(sizeBytes: number): Step<number>;
  munmap(va: number, sizeBytes: number): Step<void>;
  /** glibc's malloc_printerr: the message on stderr, then abort(). Never returns. */
  corrupted(message: string): Step<never>;
  /** Address the fd/bk words of free chunks point to (the bin head). */
  readonly binHeadVa: number;
}

interface FreeChunk {
  sizeBytes: number;
  /** Order of insertion: among equal sizes the oldest is used first. */
  seq: number;
}

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;
const alignDown = (n: number, a: number): number => n - (n % a);
const flagsOf = (head: number): number => head % 8;
const sizeOf = (head: number): number => head - (head % 8);

export class Heap {
  /** SIZE_SZ: the width of a header word. */
  private readonly sz: number;
  private readonly minSize: number;
  private readonly maxFast: number;
  private readonly minLargeSize: number;
  private readonly maxRequest: number;
  private readonly mmapThresholdMax: number;

  private top = 0;
  private systemMem = 0;
  private maxSystemMem = 0;
  private sbrkBase = 0;
  private mmapThreshold = DEFAULT_MMAP_THRESHOLD;
  private trimThreshold = DEFAULT_MMAP_THRESHOLD;
  private mmapCount = 0;
  private tcacheVa = 0;
  /** Per tcache bin, chunk addresses; the last one is the head. */
  private readonly tcache: number[][] = [];
  /** Per fastbin, chunk addresses; the last one is the head. */
  private readonly fastbins: number[][] = [];
  private readonly freeChunks = new Map<number, FreeChunk>();
  private seq = 0;

  constructor(private readonly host: HeapHost) {
    const sz = host.mem.ptrBytes;
    this.sz = sz;
    this.minSize = alignUp(4 * sz, MALLOC_ALIGNMENT);
    this.maxFast = sz === 8 ? 128 : 64;
    this.minLargeSize = sz === 8 ? 1024 : 1008;
    this.maxRequest = sz === 8 ? 2 ** 63 - 1 : 2 ** 31 - 1;
    this.mmapThresholdMax = sz === 8 ? 32 * 1024 * 1024 : 512 * 1024;
    for (let i = 0; i < TCACHE_MAX_BINS; i++) this.tcache.push([]);
    for (let i = 0; i < NFASTBINS; i++) this.fastbins.push([]);
  }

  // ---- sizes ------------------------------------------------------------------------------------

  /** The chunk size for a request, or undefined past PTRDIFF_MAX (ENOMEM). */
  private request2size(req: number): number | undefined {
    if (req > this.maxRequest) return undefined;
    const n = req + this.sz + MALLOC_ALIGNMENT - 1;
    return n < this.minSize ? this.minSize : alignDown(n, MALLOC_ALIGNMENT);
  }

  private tidx(chunkSize: number): number {
    return Math.floor((chunkSize - this.minSize + MALLOC_ALIGNMENT - 1) / MALLOC_ALIGNMENT);
  }

  private fastbinIndex(chunkSize: number): number {
    return Math.floor(chunkSize / (this.sz === 8 ? 16 : 8)) - 2;
  }

  private mem2chunk(mem: number): number {
    return mem - 2 * this.sz;
  }

  private chunk2mem(chunk: number): number {
    return chunk + 2 * this.sz;
  }

  // ---- headers in memory -------------------------------------------------------------------------

  private head(chunk: number): Step<number> {
    return this.host.mem.word(chunk + this.sz);
  }

  private setHead(chunk: number, value: number): Step<void> {
    return this.host.mem.wword(chunk + this.sz, value);
  }

  private prevSize(chunk: number): Step<number> {
    return this.host.mem.word(chunk);
  }

  /** Writes the size into the next chunk's prev_size (a free chunk's footer). */
  private setFoot(chunk: number, sizeBytes: number): Step<void> {
    return this.host.mem.wword(chunk + sizeBytes, sizeBytes);
  }

  private *setInuseAt(chunk: number): Step<void> {
    const h = yield* this.head(chunk);
    if (h % 2 === 0) yield* this.setHead(chunk, h + PREV_INUSE);
  }

  private *clearInuseAt(chunk: number): Step<void> {
    const h = yield* this.head(chunk);
    if (h % 2 === 1) yield* this.setHead(chunk, h - PREV_INUSE);
  }

  /** Keeps the flag bits of a header and replaces its size. */
  private *setHeadSize(chunk: number, sizeBytes: number): Step<void> {
    const h = yield* this.head(chunk);
    yield* this.setHead(chunk, sizeBytes + flagsOf(h));
  }

  private *topSize(): Step<number> {
    return this.top === 0 ? 0 : sizeOf(yield* this.head(this.top));
  }

  /** glibc 2.32's safe-linking: a list pointer stored at `pos` is xor'ed with pos >> 12. */
  private protect(pos: number, ptr: number): number {
    return toAddress(xor64(Math.floor(pos / PAGE_SIZE), ptr));
  }

  // ---- tcache ------------------------------------------------------------------------------------

  private *tcacheInit(): Step<void> {
    if (this.tcacheVa !== 0) return;
    const bytes = 2 * TCACHE_MAX_BINS + this.sz * TCACHE_MAX_BINS;
    const mem = yield* this.intMalloc(this.request2size(bytes)!);
    if (mem === 0) return;
    yield* this.host.mem.fill(mem, 0, bytes);
    this.tcacheVa = mem;
  }

  private get tcacheKey(): number {
    return this.tcacheVa;
  }

  private *tcacheSync(idx: number): Step<void> {
    const bin = this.tcache[idx];
    yield* this.host.mem.w16(this.tcacheVa + 2 * idx, bin.length);
    const head = bin.length ? this.chunk2mem(bin[bin.length - 1]) : 0;
    yield* this.host.mem.wword(this.tcacheVa + 2 * TCACHE_MAX_BINS + this.sz * idx, head);
  }

  private *tcachePut(chunk: number, idx: number): Step<void> {
    const bin = this.tcache[idx];
    const mem = this.chunk2mem(chunk);
    const oldHead = bin.length ? this.chunk2mem(bin[bin.length - 1]) : 0;
    yield* this.host.mem.wword(mem + this.sz, this.tcacheKey);
    yield* this.host.mem.wword(mem, this.protect(mem, oldHead));
    bin.push(chunk);
    yield* this.tcacheSync(idx);
  }

  private *tcacheGet(idx: number): Step<number> {
    const chunk = this.tcache[idx].pop()!;
    const mem = this.chunk2mem(chunk);
    yield* this.tcacheSync(idx);
    yield* this.host.mem.wword(mem + this.sz, 0);
    return mem;
  }

  private tcacheHasRoom(idx: number): boolean {
    return this.tcacheVa !== 0 && idx < TCACHE_MAX_BINS && this.tcache[idx].length < TCACHE_FILL_COUNT;
  }

  // ---- free list ---------------------------------------------------------------------------------

  private *linkFree(chunk: number, sizeBytes: number): Step<void> {
    yield* this.setHead(chunk, sizeBytes + PREV_INUSE);
    yield* this.setFoot(chunk, sizeBytes);
    yield* this.host.mem.wword(chunk + 2 * this.sz, this.host.binHeadVa);
    yield* this.host.mem.wword(chunk + 3 * this.sz, this.host.binHeadVa);
    this.freeChunks.set(chunk, { sizeBytes, seq: this.seq++ });
  }

  /** glibc's unlink_chunk, with its consistency checks. */
  private *unlink(chunk: number): Step<number> {
    const entry = this.freeChunks.get(chunk);
    if (entry === undefined) return yield* this.host.corrupted('corrupted double-linked list');
    const size = sizeOf(yield* this.head(chunk));
    if (size !== (yield* this.prevSize(chunk + size))) return yield* this.host.corrupted('corrupted size vs. prev_size');
    this.freeChunks.delete(chunk);
    return size;
  }

  private bestFit(nb: number): number | undefined {
    let best: number | undefined;
    let bestEntry: FreeChunk | undefined;
    for (const [chunk, e] of this.freeChunks) {
      if (e.sizeBytes < nb) continue;
      if (bestEntry === undefined || e.sizeBytes < bestEntry.sizeBytes || (e.sizeBytes === bestEntry.sizeBytes && e.seq < bestEntry.seq)) {
        best = chunk;
        bestEntry = e;
      }
    }
    return best;
  }

  private hasFastChunks(): boolean {
    return this.fastbins.some((b) => b.length > 0);
  }

  // ---- malloc ------------------------------------------------------------------------------------

  /** malloc(bytes): the user pointer, or 0 (the caller sets ENOMEM). */
  *malloc(bytes: number): Step<number> {
    const nb = this.request2size(bytes);
    if (nb === undefined) return 0;
    yield* this.tcacheInit();
    const idx = this.tidx(nb);
    if (this.tcacheVa !== 0 && idx < TCACHE_MAX_BINS && this.tcache[idx].length > 0) return yield* this.tcacheGet(idx);
    return yield* this.intMalloc(nb);
  }

  /** _int_malloc: everything but the tcache look-up (calloc, realloc and memalign skip it too). */
  private *intMalloc(nb: number): Step<number> {
    if (nb <= this.maxFast) {
      const got = yield* this.fromFastbin(nb);
      if (got !== 0) return got;
    }
    if (nb >= this.minLargeSize && this.hasFastChunks()) yield* this.consolidate();
    for (;;) {
      const chunk = this.bestFit(nb);
      if (chunk !== undefined) return yield* this.takeFree(chunk, nb);
      const topSize = yield* this.topSize();
      if (topSize > this.systemMem) return yield* this.host.corrupted('malloc(): corrupted top size');
      if (this.top !== 0 && topSize >= nb + this.minSize) return yield* this.splitTop(nb, topSize);
      if (!this.hasFastChunks()) return yield* this.sysmalloc(nb);
      yield* this.consolidate();
    }
  }

  private *fromFastbin(nb: number): Step<number> {
    const idx = this.fastbinIndex(nb);
    const bin = this.fastbins[idx];
    if (bin.length === 0) return 0;
    const chunk = bin.pop()!;
    if (this.fastbinIndex(sizeOf(yield* this.head(chunk))) !== idx) return yield* this.host.corrupted('malloc(): memory corruption (fast)');
    const tidx = this.tidx(nb);
    while (bin.length > 0 && this.tcacheHasRoom(tidx)) yield* this.tcachePut(bin.pop()!, tidx);
    return this.chunk2mem(chunk);
  }

  /** Allocates from a free chunk: exact fits bring their twins into the tcache, larger ones split. */
  private *takeFree(chunk: number, nb: number): Step<number> {
    const size = yield* this.unlink(chunk);
    if (size === nb) {
      yield* this.setInuseAt(chunk + size);
      const tidx = this.tidx(nb);
      while (this.tcacheHasRoom(tidx)) {
        const twin = [...this.freeChunks].filter(([, e]) => e.sizeBytes === nb).sort((a, b) => a[1].seq - b[1].seq)[0];
        if (twin === undefined) break;
        yield* this.unlink(twin[0]);
        yield* this.setInuseAt(twin[0] + nb);
        yield* this.tcachePut(twin[0], tidx);
      }
      return this.chunk2mem(chunk);
    }
    if (size - nb < this.minSize) {
      yield* this.setInuseAt(chunk + size);
      return this.chunk2mem(chunk);
    }
    yield* this.setHead(chunk, nb + PREV_INUSE);
    yield* this.linkFree(chunk + nb, size - nb);
    return this.chunk2mem(chunk);
  }

  private *splitTop(nb: number, topSize: number): Step<number> {
    const chunk = this.top;
    this.top = chunk + nb;
    yield* this.setHead(this.top, topSize - nb + PREV_INUSE);
    yield* this.setHead(chunk, nb + PREV_INUSE);
    return this.chunk2mem(chunk);
  }

  /** Gets memory from the kernel: an mmapped chunk for big requests, else a bigger top. */
  private *sysmalloc(nb: number): Step<number> {
    if (nb >= this.mmapThreshold && this.mmapCount < DEFAULT_MMAP_MAX) {
      const mem = yield* this.mmapChunk(nb);
      if (mem !== 0) return mem;
    }
    const oldTop = this.top;
    const oldSize = yield* this.topSize();
    const oldEnd = oldTop + oldSize;
    let size = nb + DEFAULT_TOP_PAD + this.minSize;
    if (oldTop !== 0) size -= oldSize;
    size = alignUp(size, PAGE_SIZE);
    const brk = yield* this.host.sbrk(size);
    if (brk === -1) return 0;
    if (this.sbrkBase === 0) this.sbrkBase = brk;
    this.systemMem += size;
    if (oldTop !== 0 && brk === oldEnd) {
      yield* this.setHead(oldTop, oldSize + size + PREV_INUSE);
    } else {
      if (oldTop !== 0 && brk < oldEnd) return yield* this.host.corrupted('break adjusted to free malloc space');
      if (oldTop !== 0) this.systemMem += brk - oldEnd;
      const misalign = (brk + 2 * this.sz) % MALLOC_ALIGNMENT;
      let correction = misalign > 0 ? MALLOC_ALIGNMENT - misalign : 0;
      const alignedBrk = brk + correction;
      if (oldTop !== 0) correction += oldSize;
      const end = brk + size + correction;
      correction += alignUp(end, PAGE_SIZE) - end;
      let snd = yield* this.host.sbrk(correction);
      if (snd === -1) {
        correction = 0;
        snd = yield* this.host.sbrk(0);
      } else this.systemMem += correction;
      this.top = alignedBrk;
      yield* this.setHead(this.top, snd - alignedBrk + correction + PREV_INUSE);
      if (oldSize !== 0) yield* this.fencePost(oldTop, oldSize);
    }
    this.maxSystemMem = Math.max(this.maxSystemMem, this.systemMem);
    const topSize = yield* this.topSize();
    if (topSize >= nb + this.minSize) return yield* this.splitTop(nb, topSize);
    return 0;
  }

  /** A foreign sbrk broke the heap in two: the old top is closed with fenceposts and freed. */
  private *fencePost(oldTop: number, oldSize: number): Step<void> {
    const hdr = 2 * this.sz;
    const size = alignDown(oldSize - 2 * hdr, MALLOC_ALIGNMENT);
    if (size < 0) return;
    yield* this.setHead(oldTop, size + PREV_INUSE);
    yield* this.setHead(oldTop + size, hdr + PREV_INUSE);
    yield* this.setHead(oldTop + size + hdr, hdr + PREV_INUSE);
    if (size >= this.minSize) yield* this.intFree(oldTop, size);
  }

  private *mmapChunk(nb: number): Step<number> {
    const hdrIsAligned = 2 * this.sz === MALLOC_ALIGNMENT;
    const size = alignUp(nb + this.sz + (hdrIsAligned ? 0 : MALLOC_ALIGNMENT - 1), PAGE_SIZE);
    if (size <= nb) return 0;
    const mm = yield* this.host.mmap(size);
    if (mm === 0) return 0;
    const misalign = (mm + 2 * this.sz) % MALLOC_ALIGNMENT;
    const correction = misalign > 0 ? MALLOC_ALIGNMENT - misalign : 0;
    const chunk = mm + correction;
    yield* this.host.mem.wword(chunk, correction);
    yield* this.setHead(chunk, size - correction + IS_MMAPPED);
    this.mmapCount++;
    return this.chunk2mem(chunk);
  }

  // ---- free --------------------------------------------------------------------------------------

  *free(mem: number): Step<void> {
    if (mem === 0) return;
    const chunk = this.mem2chunk(mem);
    const head = yield* this.head(chunk);
    if (head % 4 >= IS_MMAPPED) {
      // The dynamic threshold: a freed mmapped chunk shows the program's sizes; glibc compares
      // the raw size word, flags included.
      if (head > this.mmapThreshold && head <= this.mmapThresholdMax) {
        this.mmapThreshold = sizeOf(head);
        this.trimThreshold = 2 * this.mmapThreshold;
      }
      yield* this.munmapChunk(chunk);
      return;
    }
    yield* this.tcacheInit();
    yield* this.intFree(chunk, sizeOf(head));
  }

  private *munmapChunk(chunk: number): Step<void> {
    const size = sizeOf(yield* this.head(chunk));
    const prev = yield* this.prevSize(chunk);
    const block = chunk - prev;
    const total = prev + size;
    const memOffset = this.chunk2mem(chunk) % PAGE_SIZE;
    if (block % PAGE_SIZE !== 0 || total % PAGE_SIZE !== 0 || (memOffset & (memOffset - 1)) !== 0) {
      yield* this.host.corrupted('munmap_chunk(): invalid pointer');
    }
    this.mmapCount--;
    yield* this.host.munmap(block, total);
  }

  private wrapsAround(chunk: number, size: number): boolean {
    return chunk + size > 2 ** (8 * this.sz);
  }

  /** _int_free: checks, then the tcache, a fastbin, or coalescing into the free list or top. */
  private *intFree(chunk: number, size: number): Step<void> {
    const mem = this.chunk2mem(chunk);
    if (this.wrapsAround(chunk, size) || mem % MALLOC_ALIGNMENT !== 0) return yield* this.host.corrupted('free(): invalid pointer');
    if (size < this.minSize || size % MALLOC_ALIGNMENT !== 0) return yield* this.host.corrupted('free(): invalid size');
    const tidx = this.tidx(size);
    if (this.tcacheVa !== 0 && tidx < TCACHE_MAX_BINS) {
      const key = yield* this.host.mem.word(mem + this.sz);
      if (key === this.tcacheKey && this.tcache[tidx].includes(chunk)) {
        return yield* this.host.corrupted('free(): double free detected in tcache 2');
      }
      if (this.tcache[tidx].length < TCACHE_FILL_COUNT) return yield* this.tcachePut(chunk, tidx);
    }
    if (size <= this.maxFast) return yield* this.toFastbin(chunk, size);
    yield* this.coalesce(chunk, size);
  }

  private *toFastbin(chunk: number, size: number): Step<void> {
    const nextSize = sizeOf(yield* this.head(chunk + size));
    if (nextSize <= 2 * this.sz || nextSize >= this.systemMem) return yield* this.host.corrupted('free(): invalid next size (fast)');
    const bin = this.fastbins[this.fastbinIndex(size)];
    const old = bin.length ? bin[bin.length - 1] : 0;
    if (old === chunk) return yield* this.host.corrupted('double free or corruption (fasttop)');
    const fdVa = this.chunk2mem(chunk);
    yield* this.host.mem.wword(fdVa, this.protect(fdVa, old));
    bin.push(chunk);
  }

  /** Merges a freed chunk with free neighbours (or top), with glibc's checks on the way. */
  private *coalesce(chunk: number, size: number, fromConsolidate = false): Step<void> {
    const next = chunk + size;
    const topSize = yield* this.topSize();
    if (!fromConsolidate) {
      if (chunk === this.top) return yield* this.host.corrupted('double free or corruption (top)');
      if (next >= this.top + topSize) return yield* this.host.corrupted('double free or corruption (out)');
    }
    const nextHead = yield* this.head(next);
    if (!fromConsolidate && nextHead % 2 === 0) return yield* this.host.corrupted('double free or corruption (!prev)');
    const nextSize = sizeOf(nextHead);
    if (!fromConsolidate && (nextSize <= 2 * this.sz || nextSize >= this.systemMem)) {
      return yield* this.host.corrupted('free(): invalid next size (normal)');
    }
    let p = chunk;
    let total = size;
    if ((yield* this.head(chunk)) % 2 === 0) {
      const prevSize = yield* this.prevSize(chunk);
      p = chunk - prevSize;
      total += prevSize;
      if (sizeOf(yield* this.head(p)) !== prevSize) return yield* this.host.corrupted('corrupted size vs. prev_size while consolidating');
      yield* this.unlink(p);
    }
    if (next !== this.top) {
      const nextInUse = (yield* this.head(next + nextSize)) % 2 === 1;
      if (!nextInUse) {
        yield* this.unlink(next);
        total += nextSize;
      } else yield* this.clearInuseAt(next);
      yield* this.linkFree(p, total);
    } else {
      total += topSize;
      this.top = p;
      yield* this.setHead(p, total + PREV_INUSE);
    }
    if (!fromConsolidate && total >= FASTBIN_CONSOLIDATION_THRESHOLD) {
      if (this.hasFastChunks()) yield* this.consolidate();
      if ((yield* this.topSize()) >= this.trimThreshold) yield* this.systrim(DEFAULT_TOP_PAD);
    }
  }

  /** malloc_consolidate: every fastbin chunk is coalesced like an ordinary free. */
  private *consolidate(): Step<void> {
    for (const bin of this.fastbins) {
      while (bin.length > 0) {
        const chunk = bin.pop()!;
        yield* this.coalesce(chunk, sizeOf(yield* this.head(chunk)), true);
      }
    }
  }

  /** Gives the top's memory beyond `pad` back to the kernel. */
  private *systrim(pad: number): Step<void> {
    const topSize = yield* this.topSize();
    const topArea = topSize - this.minSize - 1;
    if (topArea <= pad) return;
    const extra = alignDown(topArea - pad, PAGE_SIZE);
    if (extra === 0) return;
    const current = yield* this.host.sbrk(0);
    if (current !== this.top + topSize) return;
    yield* this.host.sbrk(-extra);
    const now = yield* this.host.sbrk(0);
    const released = current - now;
    if (released <= 0) return;
    this.systemMem -= released;
    yield* this.setHead(this.top, topSize - released + PREV_INUSE);
  }

  // ---- calloc, realloc, memalign -----------------------------------------------------------------

  /** calloc's allocation and clearing; the caller has checked n * size for overflow. */
  *calloc(bytes: number): Step<number> {
    const nb = this.request2size(bytes);
    if (nb === undefined) return 0;
    yield* this.tcacheInit();
    const oldTop = this.top;
    let oldTopSize = yield* this.topSize();
    // Only memory the heap never had is known to be zero (glibc's MORECORE_CLEARS).
    if (oldTop !== 0 && oldTopSize < this.sbrkBase + this.maxSystemMem - oldTop) oldTopSize = this.sbrkBase + this.maxSystemMem - oldTop;
    const mem = yield* this.intMalloc(nb);
    if (mem === 0) return 0;
    const chunk = this.mem2chunk(mem);
    const head = yield* this.head(chunk);
    if (head % 4 >= IS_MMAPPED) return mem;
    let csz = sizeOf(head);
    if (chunk === oldTop && csz > oldTopSize) csz = oldTopSize;
    yield* this.host.mem.fill(mem, 0, csz - this.sz);
    return mem;
  }

  *realloc(mem: number, bytes: number): Step<number> {
    if (mem === 0) return yield* this.malloc(bytes);
    if (bytes === 0) {
      yield* this.free(mem);
      return 0;
    }
    const nb = this.request2size(bytes);
    if (nb === undefined) return 0;
    const chunk = this.mem2chunk(mem);
    const head = yield* this.head(chunk);
    const oldSize = sizeOf(head);
    if (this.wrapsAround(chunk, oldSize) || mem % MALLOC_ALIGNMENT !== 0) return yield* this.host.corrupted('realloc(): invalid pointer');
    if (head % 4 >= IS_MMAPPED) return yield* this.reallocMmapped(chunk, oldSize, nb, bytes);
    return yield* this.intRealloc(chunk, oldSize, nb);
  }

  private *reallocMmapped(chunk: number, oldSize: number, nb: number, bytes: number): Step<number> {
    const mem = this.chunk2mem(chunk);
    if (oldSize - this.sz >= nb) return mem;
    const fresh = yield* this.malloc(bytes);
    if (fresh === 0) return 0;
    const data = yield* this.host.mem.read(mem, oldSize - 2 * this.sz);
    yield* this.host.mem.write(fresh, data);
    yield* this.munmapChunk(chunk);
    return fresh;
  }

  private *intRealloc(chunk: number, oldSize: number, nb: number): Step<number> {
    if (oldSize <= 2 * this.sz || oldSize >= this.systemMem) return yield* this.host.corrupted('realloc(): invalid old size');
    const next = chunk + oldSize;
    const nextSize = sizeOf(yield* this.head(next));
    if (nextSize <= 2 * this.sz || nextSize >= this.systemMem) return yield* this.host.corrupted('realloc(): invalid next size');
    let newSize = oldSize;
    if (oldSize < nb) {
      if (next === this.top && oldSize + nextSize >= nb + this.minSize) {
        yield* this.setHeadSize(chunk, nb);
        this.top = chunk + nb;
        yield* this.setHead(this.top, oldSize + nextSize - nb + PREV_INUSE);
        return this.chunk2mem(chunk);
      }
      const nextFree = next !== this.top && (yield* this.head(next + nextSize)) % 2 === 0;
      if (nextFree && oldSize + nextSize >= nb) {
        newSize += yield* this.unlink(next);
      } else {
        const fresh = yield* this.intMalloc(nb);
        if (fresh === 0) return 0;
        const freshChunk = this.mem2chunk(fresh);
        if (freshChunk === next) {
          newSize += sizeOf(yield* this.head(freshChunk));
        } else {
          const data = yield* this.host.mem.read(this.chunk2mem(chunk), oldSize - this.sz);
          yield* this.host.mem.write(fresh, data);
          yield* this.intFree(chunk, oldSize);
          return fresh;
        }
      }
    }
    yield* this.splitTail(chunk, newSize, nb);
    return this.chunk2mem(chunk);
  }

  /** Trims an in-use chunk of `size` bytes to `nb`, freeing the tail if it can stand alone. */
  private *splitTail(chunk: number, size: number, nb: number): Step<void> {
    const rest = size - nb;
    if (rest < this.minSize) {
      yield* this.setHeadSize(chunk, size);
      yield* this.setInuseAt(chunk + size);
      return;
    }
    yield* this.setHeadSize(chunk, nb);
    const remainder = chunk + nb;
    yield* this.setHead(remainder, rest + PREV_INUSE);
    yield* this.setInuseAt(remainder + rest);
    yield* this.intFree(remainder, rest);
  }

  /** memalign/posix_memalign/aligned_alloc with a valid alignment; 0 on failure. */
  *memalign(alignment: number, bytes: number): Step<number> {
    if (alignment <= MALLOC_ALIGNMENT) return yield* this.malloc(bytes);
    if (alignment < this.minSize) alignment = this.minSize;
    if (alignment > this.maxRequest / 2 + 1) return 0;
    if ((alignment & (alignment - 1)) !== 0 || alignment > 2 ** 30) {
      let a = 2 * MALLOC_ALIGNMENT;
      while (a < alignment) a *= 2;
      alignment = a;
    }
    const nb = this.request2size(bytes);
    if (nb === undefined) return 0;
    const big = this.request2size(nb + alignment + this.minSize);
    if (big === undefined) return 0;
    const mem = yield* this.intMalloc(big);
    if (mem === 0) return 0;
    let chunk = this.mem2chunk(mem);
    if (mem % alignment !== 0) {
      let aligned = this.mem2chunk(alignUp(mem, alignment));
      if (aligned - chunk < this.minSize) aligned += alignment;
      const lead = aligned - chunk;
      const head = yield* this.head(chunk);
      const newSize = sizeOf(head) - lead;
      if (head % 4 >= IS_MMAPPED) {
        yield* this.host.mem.wword(aligned, (yield* this.prevSize(chunk)) + lead);
        yield* this.setHead(aligned, newSize + IS_MMAPPED);
        return this.chunk2mem(aligned);
      }
      yield* this.setHead(aligned, newSize + PREV_INUSE);
      yield* this.setInuseAt(aligned + newSize);
      yield* this.setHeadSize(chunk, lead);
      yield* this.intFree(chunk, lead);
      chunk = aligned;
    }
    const head = yield* this.head(chunk);
    if (head % 4 < IS_MMAPPED) {
      const size = sizeOf(head);
      if (size > nb + this.minSize) {
        yield* this.setHead(chunk + nb, size - nb + PREV_INUSE);
        yield* this.setHeadSize(chunk, nb);
        yield* this.intFree(chunk + nb, size - nb);
      }
    }
    return this.chunk2mem(chunk);
  }

  /** malloc_usable_size. */
  *usableSize(mem: number): Step<number> {
    if (mem === 0) return 0;
    const head = yield* this.head(this.mem2chunk(mem));
    const size = sizeOf(head);
    if (head % 4 >= IS_MMAPPED) return size - 2 * this.sz;
    return (yield* this.head(this.mem2chunk(mem) + size)) % 2 === 1 ? size - this.sz : 0;
  }
}
