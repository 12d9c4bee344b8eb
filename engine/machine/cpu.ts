import type { ArchSpec } from './arch/types';
import { fromHiLo, hi32, lo32, type I64 } from '../util/int64';
import { isWalkFault, walk, readEntry } from './mmu';
import { PhysMem, PAGE_SIZE, WATCH_DATA, WATCH_PAGETABLE, WATCH_POISON, WATCH_WRITES } from './physmem';
import { MODE_KERNEL, MODE_USER, Tlb, TlbEntry, type Mode } from './tlb';

export { MODE_KERNEL, MODE_USER, type Mode } from './tlb';

/**
 * A hardware exception: a page fault (#PF with the x86 error code), a general protection fault
 * (#GP, for a non-canonical address) or a divide error (#DE). Thrown out of the compiled C code —
 * the access had no effect, so the interrupted operation can simply be run again once the kernel
 * has handled the fault, the way the CPU restarts the faulting instruction.
 */
export class Trap {
  constructor(
    readonly kind: 'page' | 'gp' | 'divide',
    readonly va: I64,
    readonly errorCode: number,
    readonly mode: Mode,
    readonly write: boolean,
  ) {}
}

export type StaleUseHook = (va: number, entry: TlbEntry, write: boolean) => void;
export type DataWriteHook = (pa: number, sizeBytes: number, oldBytes: Uint8Array) => void;
/**
 * A kernel-mode access is about to touch a WATCH_POISON frame (one contiguous piece of it). It
 * runs before the access happens, so a hook that throws leaves memory as it was.
 */
export type PoisonedAccessHook = (va: number, pa: number, sizeBytes: number, write: boolean) => void;

/** Bits of an x86 entry that change a translation (A, D, PWT, PCD, AVL do not). */
const LO_TRANSLATION_BITS = 0xfffff187;

/**
 * The CPU's memory side: CR3, the TLB, and loads/stores of every width that go through them.
 * The fast path is a TLB probe and a typed-array access; everything else (misses, first writes
 * that must set the dirty bit, watched frames, I/O memory, accesses that straddle pages, stale
 * entries) takes the slow path.
 */
export class Cpu {
  cr3Pa = 0;
  readonly tlb = new Tlb();
  private readonly slots: TlbEntry[];
  private readonly scratch = new Uint8Array(8);
  private readonly scratchView = new DataView(this.scratch.buffer);
  private readonly pteScratch = new Uint8Array(8);
  private readonly pteScratchView = new DataView(this.pteScratch.buffer);
  onStaleUse: StaleUseHook | undefined;
  onDataWrite: DataWriteHook | undefined;
  onPoisonedAccess: PoisonedAccessHook | undefined;
  /**
   * How many bytes of [pa, pa + sizeBytes) (one frame), from its start or (fromEnd) from its
   * end, the checker behind onPoisonedAccess would let through without doing anything.
   */
  onPoisonedRange: ((pa: number, sizeBytes: number, fromEnd: boolean) => number) | undefined;
  /** Frames holding values a running fused loop read once (readHoisted), and what undoes that. */
  private hoistedFrames: number[] = [];
  private unhoist: (() => void) | undefined;

  constructor(readonly mem: PhysMem, readonly arch: ArchSpec) {
    this.slots = this.tlb.entries;
    mem.onWatchedWrite = (pa, size, old, watch) => this.watchedWrite(pa, size, old, watch);
  }

  /** Switching address spaces flushes every non-global translation, as a CR3 load does. */
  loadCr3(pa: number): void {
    this.cr3Pa = pa;
    this.tlb.flushNonGlobal();
  }

  /** Watching a frame takes its pages off the fast write path. */
  setWatch(pfn: number, bits: number, on: boolean): void {
    const w = on ? this.mem.watch[pfn] | bits : this.mem.watch[pfn] & ~bits;
    this.mem.watch[pfn] = w;
    this.tlb.refreshFrame(pfn, (w & WATCH_WRITES) !== 0, (w & WATCH_POISON) !== 0);
  }

  // ---- loads -------------------------------------------------------------------------------

  r8(va: I64, mode: Mode): number {
    if (typeof va === 'number') {
      const vpn = Math.floor(va / 4096);
      const e = this.slots[vpn & 255];
      if (e.vpn === vpn && (e.readFast & mode) !== 0) return e.bytes[va & 4095];
    }
    return this.r8Slow(va, mode);
  }

  /** Out of line, so the fast path stays small enough for V8 to inline into every load op. */
  private r8Slow(va: I64, mode: Mode): number {
    return this.slowRead(va, 1, mode).getUint8(0);
  }

  r16(va: I64, mode: Mode): number {
    if (typeof va === 'number') {
      const vpn = Math.floor(va / PAGE_SIZE);
      const e = this.slots[vpn & 255];
      const off = va & 4095;
      if (e.vpn === vpn && (e.readFast & mode) !== 0 && off <= 4094) return e.view.getUint16(off, true);
    }
    return this.slowRead(va, 2, mode).getUint16(0, true);
  }

  r32(va: I64, mode: Mode): number {
    if (typeof va === 'number') {
      const vpn = Math.floor(va / PAGE_SIZE);
      const e = this.slots[vpn & 255];
      const off = va & 4095;
      if (e.vpn === vpn && (e.readFast & mode) !== 0 && off <= 4092) return e.view.getUint32(off, true);
    }
    return this.slowRead(va, 4, mode).getUint32(0, true);
  }

  r32s(va: I64, mode: Mode): number {
    if (typeof va === 'number') {
      const vpn = Math.floor(va / PAGE_SIZE);
      const e = this.slots[vpn & 255];
      const off = va & 4095;
      if (e.vpn === vpn && (e.readFast & mode) !== 0 && off <= 4092) return e.view.getInt32(off, true);
    }
    return this.slowRead(va, 4, mode).getInt32(0, true);
  }

  /**
   * Small enough for V8 to inline into the ops that load pointers (a global `char *buf`): the
   * number is then built in the caller, not boxed on the way out. Values beyond the safe
   * integers (bigints) and misses take the out-of-line path.
   */
  r64(va: I64, mode: Mode): I64 {
    if (typeof va === 'number') {
      const vpn = Math.floor(va / 4096);
      const e = this.slots[vpn & 255];
      const off = va & 4095;
      if (e.vpn === vpn && (e.readFast & mode) !== 0 && off <= 4088) {
        const hi = e.view.getInt32(off + 4, true);
        if (hi >= -0x200000 && hi < 0x200000) return hi * 4294967296 + e.view.getUint32(off, true);
      }
    }
    return this.r64Slow(va, mode);
  }

  private r64Slow(va: I64, mode: Mode): I64 {
    if (typeof va === 'number') {
      const vpn = Math.floor(va / PAGE_SIZE);
      const e = this.slots[vpn & 255];
      const off = va & 4095;
      if (e.vpn === vpn && (e.readFast & mode) !== 0 && off <= 4088) return fromHiLo(e.view.getInt32(off + 4, true), e.view.getUint32(off, true));
    }
    const v = this.slowRead(va, 8, mode);
    return fromHiLo(v.getInt32(4, true), v.getUint32(0, true));
  }

  rf32(va: I64, mode: Mode): number {
    if (typeof va === 'number') {
      const vpn = Math.floor(va / PAGE_SIZE);
      const e = this.slots[vpn & 255];
      const off = va & 4095;
      if (e.vpn === vpn && (e.readFast & mode) !== 0 && off <= 4092) return e.view.getFloat32(off, true);
    }
    return this.slowRead(va, 4, mode).getFloat32(0, true);
  }

  rf64(va: I64, mode: Mode): number {
    if (typeof va === 'number') {
      const vpn = Math.floor(va / PAGE_SIZE);
      const e = this.slots[vpn & 255];
      const off = va & 4095;
      if (e.vpn === vpn && (e.readFast & mode) !== 0 && off <= 4088) return e.view.getFloat64(off, true);
    }
    return this.slowRead(va, 8, mode).getFloat64(0, true);
  }

  /**
   * Reads the 8 bytes at va for a fused loop that keeps them in hand instead of re-reading them
   * at every access (lang/hoist.ts): undefined unless the TLB's fast path serves the read (so it
   * has no side effect) and they are a safe integer. Until `releaseHoisted`, their frame has no
   * fast write path under any mapping, and `undo` runs before a store reaches the frame and
   * after any page-table write: from then on the loop reads memory again, as plain ops would.
   */
  readHoisted(va: number, mode: Mode, undo: () => void, sizeBytes: 4 | 8 = 8): number | undefined {
    const vpn = Math.floor(va / PAGE_SIZE);
    const e = this.slots[vpn & 255];
    const off = va & 4095;
    if (e.vpn !== vpn || (e.readFast & mode) === 0 || off > PAGE_SIZE - sizeBytes) return undefined;
    const hi = sizeBytes === 8 ? e.view.getInt32(off + 4, true) : 0;
    if (hi < -0x200000 || hi >= 0x200000) return undefined;
    if (!this.hoistedFrames.includes(e.pfn)) {
      this.hoistedFrames.push(e.pfn);
      this.tlb.refreshFrame(e.pfn, true, (this.mem.watch[e.pfn] & WATCH_POISON) !== 0);
    }
    this.unhoist = undo;
    return hi * 4294967296 + e.view.getUint32(off, true);
  }

  /** Gives the frames `readHoisted` guarded their fast write path back. */
  releaseHoisted(): void {
    const frames = this.hoistedFrames;
    this.hoistedFrames = [];
    this.unhoist = undefined;
    for (const pfn of frames) {
      const w = this.mem.watch[pfn];
      this.tlb.refreshFrame(pfn, (w & WATCH_WRITES) !== 0, (w & WATCH_POISON) !== 0);
    }
  }

  /** A store is about to reach `pfn` (or a page table was written): hoisted reads end. */
  private frameWritten(pfn: number): void {
    if (this.unhoist !== undefined && (pfn < 0 || this.hoistedFrames.includes(pfn))) this.unhoist();
  }

  // ---- stores ------------------------------------------------------------------------------

  w8(va: I64, v: number, mode: Mode): void {
    if (typeof va === 'number') {
      const vpn = Math.floor(va / 4096);
      const e = this.slots[vpn & 255];
      if (e.vpn === vpn && (e.writeFast & mode) !== 0) {
        e.bytes[va & 4095] = v;
        return;
      }
    }
    this.w8Slow(va, v, mode);
  }

  /** Out of line, so the fast path stays small enough for V8 to inline into every store op. */
  private w8Slow(va: I64, v: number, mode: Mode): void {
    this.scratchView.setUint8(0, v & 0xff);
    this.slowWrite(va, 1, mode);
  }

  w16(va: I64, v: number, mode: Mode): void {
    if (typeof va === 'number') {
      const vpn = Math.floor(va / PAGE_SIZE);
      const e = this.slots[vpn & 255];
      const off = va & 4095;
      if (e.vpn === vpn && (e.writeFast & mode) !== 0 && off <= 4094) {
        e.view.setUint16(off, v, true);
        return;
      }
    }
    this.scratchView.setUint16(0, v & 0xffff, true);
    this.slowWrite(va, 2, mode);
  }

  w32(va: I64, v: number, mode: Mode): void {
    if (typeof va === 'number') {
      const vpn = Math.floor(va / PAGE_SIZE);
      const e = this.slots[vpn & 255];
      const off = va & 4095;
      if (e.vpn === vpn && (e.writeFast & mode) !== 0 && off <= 4092) {
        e.view.setUint32(off, v >>> 0, true);
        return;
      }
    }
    this.scratchView.setUint32(0, v >>> 0, true);
    this.slowWrite(va, 4, mode);
  }

  w64(va: I64, v: I64, mode: Mode): void {
    const lo = lo32(v);
    const hi = hi32(v);
    if (typeof va === 'number') {
      const vpn = Math.floor(va / PAGE_SIZE);
      const e = this.slots[vpn & 255];
      const off = va & 4095;
      if (e.vpn === vpn && (e.writeFast & mode) !== 0 && off <= 4088) {
        e.view.setUint32(off, lo, true);
        e.view.setInt32(off + 4, hi, true);
        return;
      }
    }
    this.scratchView.setUint32(0, lo, true);
    this.scratchView.setInt32(4, hi, true);
    this.slowWrite(va, 8, mode);
  }

  wf32(va: I64, v: number, mode: Mode): void {
    this.scratchView.setFloat32(0, v, true);
    this.w32(va, this.scratchView.getUint32(0, true), mode);
  }

  wf64(va: I64, v: number, mode: Mode): void {
    this.scratchView.setFloat64(0, v, true);
    this.w64(va, fromHiLo(this.scratchView.getInt32(4, true), this.scratchView.getUint32(0, true)), mode);
  }

  // ---- bulk ----------------------------------------------------------------------------------

  /** Reads bytes through the MMU; throws a Trap (before reading anything) if a page faults. */
  readBytes(va: I64, n: number, mode: Mode): Uint8Array {
    const out = new Uint8Array(n);
    const parts = this.translateParts(va, n, false, mode);
    if (mode === MODE_KERNEL) this.checkPoisoned(va as number, parts, false);
    let done = 0;
    for (const p of parts) {
      this.mem.readBytes(p.pa, p.n, out.subarray(done, done + p.n));
      done += p.n;
    }
    return out;
  }

  /** Writes bytes through the MMU; every page is translated before anything is written. */
  writeBytes(va: I64, bytes: Uint8Array, mode: Mode): void {
    const parts = this.translateParts(va, bytes.length, true, mode);
    if (mode === MODE_KERNEL) this.checkPoisoned(va as number, parts, true);
    let done = 0;
    for (const p of parts) {
      this.mem.writeBytes(p.pa, bytes.subarray(done, done + p.n));
      done += p.n;
    }
  }

  /** Probes an access without performing it (fills the TLB, sets A/D bits). */
  probe(va: I64, n: number, write: boolean, mode: Mode): Trap | undefined {
    try {
      this.translateParts(va, n, write, mode);
      return undefined;
    } catch (e) {
      if (e instanceof Trap) return e;
      throw e;
    }
  }

  /** Physical address of `va` if it is mapped for a kernel read, without touching the TLB. */
  peekTranslate(va: I64, cr3Pa = this.cr3Pa): number | undefined {
    if (typeof va !== 'number' || !this.arch.isCanonical(va)) return undefined;
    const r = walk(this.mem, this.arch, cr3Pa, va, { write: false, user: false, fetch: false }, false);
    return isWalkFault(r) ? undefined : r.pfn * PAGE_SIZE + (va & 4095);
  }

  // ---- slow path -------------------------------------------------------------------------------

  private slowRead(va: I64, n: number, mode: Mode): DataView {
    const h = this.olderWayHit(va, n, mode, false);
    if (h !== undefined) {
      const off = (va as number) & 4095;
      for (let i = 0; i < n; i++) this.scratch[i] = h.bytes[off + i];
      return this.scratchView;
    }
    const e = this.checkedHit(va, n, mode, false);
    if (e !== undefined) {
      const off = (va as number) & 4095;
      for (let i = 0; i < n; i++) this.scratch[i] = e.bytes[off + i];
      return this.scratchView;
    }
    const parts = this.translateParts(va, n, false, mode);
    if (mode === MODE_KERNEL) this.checkPoisoned(va as number, parts, false);
    let done = 0;
    for (const p of parts) {
      for (let i = 0; i < p.n; i++) this.scratch[done + i] = this.mem.read8(p.pa + i);
      done += p.n;
    }
    return this.scratchView;
  }

  private slowWrite(va: I64, n: number, mode: Mode): void {
    const h = this.olderWayHit(va, n, mode, true);
    if (h !== undefined) {
      const off = (va as number) & 4095;
      for (let i = 0; i < n; i++) h.bytes[off + i] = this.scratch[i];
      return;
    }
    const e = this.checkedHit(va, n, mode, true);
    if (e !== undefined) {
      const off = (va as number) & 4095;
      for (let i = 0; i < n; i++) e.bytes[off + i] = this.scratch[i];
      return;
    }
    const parts = this.translateParts(va, n, true, mode);
    if (mode === MODE_KERNEL) this.checkPoisoned(va as number, parts, true);
    if (this.unhoist !== undefined) for (const p of parts) this.frameWritten(Math.floor(p.pa / PAGE_SIZE));
    const bytes = this.scratch.slice(0, n);
    let done = 0;
    for (const p of parts) {
      this.mem.writeBytes(p.pa, bytes.subarray(done, done + p.n));
      done += p.n;
    }
  }

  /**
   * An access within one page whose translation is cached in its set's other way, with the
   * fast path's permissions: the TLB hit translate() would make (the entry becomes the most
   * recently used, a hit is counted), without its walk-ready machinery. Two pages that share a
   * set and alternate (a loop's buffer and its variables) take this path at every access.
   */
  private olderWayHit(va: I64, n: number, mode: Mode, write: boolean): TlbEntry | undefined {
    if (typeof va !== 'number' || (va & 4095) + n > PAGE_SIZE) return undefined;
    const e = this.tlb.lookup(Math.floor(va / PAGE_SIZE));
    if (e === undefined || ((write ? e.writeFast : e.readFast) & mode) === 0) return undefined;
    this.tlb.stats.hits++;
    return e;
  }

  /**
   * A kernel access within one page of a poisoned frame whose translation is cached: the checker
   * sees it and the entry serves it, without a walk (kernel code touches kmalloc'd memory a lot).
   */
  private checkedHit(va: I64, n: number, mode: Mode, write: boolean): TlbEntry | undefined {
    if (mode !== MODE_KERNEL || typeof va !== 'number') return undefined;
    const vpn = Math.floor(va / PAGE_SIZE);
    const e = this.slots[vpn & 255];
    const off = va & 4095;
    if (e.vpn !== vpn || !(write ? e.checkedWrite : e.checkedRead) || off + n > PAGE_SIZE) return undefined;
    this.tlb.stats.hits++;
    this.onPoisonedAccess?.(va, e.pfn * PAGE_SIZE + off, n, write);
    return e;
  }

  /** Kernel-mode pieces of an access that land in poisoned frames go past the checker first. */
  private checkPoisoned(va: number, parts: { pa: number; n: number }[], write: boolean): void {
    const hook = this.onPoisonedAccess;
    if (hook === undefined) return;
    let done = 0;
    for (const p of parts) {
      if ((this.mem.watch[Math.floor(p.pa / PAGE_SIZE)] & WATCH_POISON) !== 0) hook(va + done, p.pa, p.n, write);
      done += p.n;
    }
  }

  private translateParts(va: I64, n: number, write: boolean, mode: Mode): { pa: number; n: number }[] {
    if (typeof va !== 'number' || !this.arch.isCanonical(va) || (n > 0 && !this.arch.isCanonical(va + n - 1))) {
      throw new Trap('gp', va, 0, mode, write);
    }
    const parts: { pa: number; n: number }[] = [];
    let done = 0;
    while (done < n) {
      const a = va + done;
      const off = a & 4095;
      const chunk = Math.min(n - done, PAGE_SIZE - off);
      const e = this.translate(a, write, mode);
      parts.push({ pa: e.pfn * PAGE_SIZE + off, n: chunk });
      done += chunk;
    }
    return parts;
  }

  private permits(e: TlbEntry, write: boolean, mode: Mode): boolean {
    if (mode === MODE_USER && !e.user) return false;
    if (write && (!e.writable || !e.dirty)) return false;
    return true;
  }

  private translate(va: number, write: boolean, mode: Mode): TlbEntry {
    const vpn = Math.floor(va / PAGE_SIZE);
    const e = this.tlb.lookup(vpn);
    if (e !== undefined && this.permits(e, write, mode)) {
      this.tlb.stats.hits++;
      if (e.stale) {
        // The hardware has no idea the tables changed: it uses the cached translation.
        this.tlb.stats.staleUses++;
        if (!e.staleReported) {
          e.staleReported = true;
          this.onStaleUse?.(va, e, write);
        }
      }
      return e;
    }
    this.tlb.stats.misses++;
    const r = walk(this.mem, this.arch, this.cr3Pa, va, { write, user: mode === MODE_USER, fetch: false }, true);
    if (isWalkFault(r)) throw new Trap('page', va, r.errorCode, mode, write);
    const ram = this.mem.isRam(r.pfn);
    const w = ram ? this.mem.watch[r.pfn] : 0;
    const guarded = this.hoistedFrames.length !== 0 && this.hoistedFrames.includes(r.pfn);
    return this.tlb.fill(vpn, r, ram ? this.mem.frame(r.pfn) : undefined, ram ? this.mem.view(r.pfn) : undefined, (w & WATCH_WRITES) !== 0 || guarded, (w & WATCH_POISON) !== 0);
  }

  private watchedWrite(pa: number, size: number, old: Uint8Array, watch: number): void {
    if (watch & WATCH_PAGETABLE) {
      this.pageTableWritten(pa, size, old);
      this.frameWritten(-1);
    }
    if (watch & WATCH_DATA) this.onDataWrite?.(pa, size, old);
  }

  /** A store into a page-table frame: entries whose translation changed make TLB entries stale. */
  private pageTableWritten(pa: number, size: number, old: Uint8Array): void {
    const eb = this.arch.pteBytes;
    const first = pa - (pa % eb);
    for (let slotPa = first; slotPa < pa + size; slotPa += eb) {
      const now = readEntry(this.mem, slotPa, eb);
      // The entry as it was: today's bytes with the overwritten ones put back (a page fault
      // writes PTEs by the thousand, so this reuses one buffer).
      const bytes = this.pteScratch;
      const dv = this.pteScratchView;
      dv.setUint32(0, now.lo, true);
      dv.setUint32(4, now.hi, true);
      for (let i = 0; i < eb; i++) {
        const at = slotPa + i;
        if (at >= pa && at < pa + size) bytes[i] = old[at - pa];
      }
      const beforeLo = dv.getUint32(0, true);
      const beforeHi = dv.getUint32(4, true);
      const wasPresent = (beforeLo & 1) !== 0;
      const changed = ((beforeLo ^ now.lo) & LO_TRANSLATION_BITS) !== 0 || beforeHi !== now.hi;
      if (wasPresent && changed) this.tlb.markStale(slotPa, eb);
    }
  }
}
