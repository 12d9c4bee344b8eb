import type { Translation } from './mmu';

/** Access modes as bit masks, so the fast path tests one AND. */
export const MODE_KERNEL = 1;
export const MODE_USER = 2;
export type Mode = 1 | 2;

/** One cached translation. Fields the fast path reads are kept monomorphic. */
export class TlbEntry {
  vpn = NaN;
  pfn = 0;
  writable = false;
  user = false;
  nx = false;
  global = false;
  dirty = false;
  /** The page tables changed under this entry and no flush has come yet. */
  stale = false;
  /** A stale use was already reported for this entry. */
  staleReported = false;
  entryPas: number[] = [];
  /** Frame bytes for RAM pages, empty for I/O memory (always the slow path). */
  bytes: Uint8Array = EMPTY;
  view: DataView = EMPTY_VIEW;
  /** Modes that may read / write through the fast path. */
  readFast = 0;
  writeFast = 0;
  /** Kernel mode may use the entry as is once the memory checker has seen the access. */
  checkedRead = false;
  checkedWrite = false;
  /** Monotonic fill stamp, for the views (age of an entry). */
  filledAt = 0;
}

const EMPTY = new Uint8Array(0);
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));

export interface TlbStats {
  hits: number;
  misses: number;
  flushes: number;
  staleUses: number;
}

/**
 * A two-way set-associative TLB of 2 × 256 entries. Entries keep serving their translation after
 * the page tables change until something flushes them — that is the point: vfree's deferred
 * flush and a forgotten flush_tlb_range are visible as accesses through stale entries.
 *
 * `entries` holds each set's most recently used way, so the CPU's fast path looks at one slot; a
 * hit in the other way (`older`) swaps the two, which makes the pair an LRU set. Two ways keep a
 * loop over a large buffer from evicting the page of its own variables on every conflict.
 */
export class Tlb {
  static readonly SIZE = 256;
  readonly entries: TlbEntry[] = [];
  private readonly older: TlbEntry[] = [];
  readonly stats: TlbStats = { hits: 0, misses: 0, flushes: 0, staleUses: 0 };
  private fills = 0;
  /**
   * Which valid entry a leaf page-table entry (at its physical address) made, and how many
   * entries went through each upper-level entry: a PTE write then finds what it makes stale
   * without looking at all 512 entries (a page fault or an exit writes PTEs by the thousand).
   */
  private readonly byLeafPa = new Map<number, TlbEntry[]>();
  private readonly upperPaRefs = new Map<number, number>();

  constructor() {
    for (let i = 0; i < Tlb.SIZE; i++) {
      this.entries.push(new TlbEntry());
      this.older.push(new TlbEntry());
    }
  }

  /** The set's most recently used entry (what the fast path checks). */
  slot(vpn: number): TlbEntry {
    return this.entries[vpn & (Tlb.SIZE - 1)];
  }

  /** The entry for vpn in either way, made the most recently used; undefined on a miss. */
  lookup(vpn: number): TlbEntry | undefined {
    const i = vpn & (Tlb.SIZE - 1);
    const mru = this.entries[i];
    if (mru.vpn === vpn) return mru;
    const lru = this.older[i];
    if (lru.vpn !== vpn) return undefined;
    this.entries[i] = lru;
    this.older[i] = mru;
    return lru;
  }

  /** Every entry of both ways. */
  private all(): TlbEntry[] {
    return this.entries.concat(this.older);
  }

  fill(vpn: number, t: Translation, bytes: Uint8Array | undefined, view: DataView | undefined, writeWatched: boolean, kernelChecked = false): TlbEntry {
    let e = this.lookup(vpn);
    if (e === undefined) {
      // Evict the least recently used way; the current MRU becomes the older one.
      const i = vpn & (Tlb.SIZE - 1);
      e = this.older[i];
      this.older[i] = this.entries[i];
      this.entries[i] = e;
    }
    this.unindex(e);
    e.vpn = vpn;
    e.pfn = t.pfn;
    e.writable = t.writable;
    e.user = t.user;
    e.nx = t.nx;
    e.global = t.global;
    e.dirty = t.dirty;
    e.stale = false;
    e.staleReported = false;
    e.entryPas = t.entryPas;
    e.bytes = bytes ?? EMPTY;
    e.view = view ?? EMPTY_VIEW;
    e.filledAt = ++this.fills;
    this.computeFast(e, writeWatched, kernelChecked);
    this.index(e);
    return e;
  }

  private index(e: TlbEntry): void {
    const pas = e.entryPas;
    if (pas.length === 0) return;
    // Several entries share a leaf when it maps a large page (one TLB entry per 4 KiB of it).
    const leaf = pas[pas.length - 1];
    const list = this.byLeafPa.get(leaf);
    if (list) list.push(e);
    else this.byLeafPa.set(leaf, [e]);
    for (let i = 0; i < pas.length - 1; i++) this.upperPaRefs.set(pas[i], (this.upperPaRefs.get(pas[i]) ?? 0) + 1);
  }

  private unindex(e: TlbEntry): void {
    if (Number.isNaN(e.vpn)) return;
    const pas = e.entryPas;
    if (pas.length === 0) return;
    const leaf = pas[pas.length - 1];
    const list = this.byLeafPa.get(leaf);
    if (list) {
      const at = list.indexOf(e);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0) this.byLeafPa.delete(leaf);
    }
    for (let i = 0; i < pas.length - 1; i++) {
      const n = (this.upperPaRefs.get(pas[i]) ?? 1) - 1;
      if (n <= 0) this.upperPaRefs.delete(pas[i]);
      else this.upperPaRefs.set(pas[i], n);
    }
  }

  /**
   * `kernelChecked`: kernel-mode accesses to the frame must be looked at (KASAN poison), so only
   * user mode keeps the fast path.
   */
  computeFast(e: TlbEntry, writeWatched: boolean, kernelChecked = false): void {
    const ram = e.bytes.length !== 0;
    const kernel = kernelChecked ? 0 : MODE_KERNEL;
    // Without SMAP (3.7-era hardware) the kernel may read user pages; with CR0.WP it may not
    // write read-only ones.
    e.readFast = ram && !e.stale ? kernel | (e.user ? MODE_USER : 0) : 0;
    e.writeFast = ram && !e.stale && e.writable && e.dirty && !writeWatched ? kernel | (e.user ? MODE_USER : 0) : 0;
    e.checkedRead = kernelChecked && ram && !e.stale;
    e.checkedWrite = kernelChecked && ram && !e.stale && e.writable && e.dirty && !writeWatched;
  }

  private invalidate(e: TlbEntry): void {
    this.unindex(e);
    e.vpn = NaN;
    e.readFast = 0;
    e.writeFast = 0;
    e.checkedRead = false;
    e.checkedWrite = false;
    e.bytes = EMPTY;
    e.view = EMPTY_VIEW;
  }

  flushAll(): void {
    this.stats.flushes++;
    for (const e of this.all()) this.invalidate(e);
  }

  /** What a CR3 load does: everything but global entries goes. */
  flushNonGlobal(): void {
    this.stats.flushes++;
    for (const e of this.all()) if (!e.global) this.invalidate(e);
  }

  flushPage(vpn: number): void {
    const i = vpn & (Tlb.SIZE - 1);
    if (this.entries[i].vpn === vpn) this.invalidate(this.entries[i]);
    if (this.older[i].vpn === vpn) this.invalidate(this.older[i]);
  }

  flushRange(startVpn: number, endVpn: number): void {
    this.stats.flushes++;
    if (endVpn - startVpn >= Tlb.SIZE) {
      for (const e of this.all()) if (e.vpn >= startVpn && e.vpn < endVpn) this.invalidate(e);
      return;
    }
    for (let v = startVpn; v < endVpn; v++) this.flushPage(v);
  }

  /**
   * A page-table entry at `pa` changed its translation: entries derived through it go stale.
   * `sizeBytes` is the entry size; entries are aligned to it, so a neighbour never overlaps.
   */
  markStale(pa: number, sizeBytes: number): number {
    // The entries a leaf made are indexed; an upper-level entry needs the full look.
    if (this.upperPaRefs.has(pa)) return markStaleIn(this.entries, pa, sizeBytes) + markStaleIn(this.older, pa, sizeBytes);
    let n = 0;
    for (const e of this.byLeafPa.get(pa) ?? []) {
      if (e.stale) continue;
      makeStale(e);
      n++;
    }
    return n;
  }

  /** Refreshes fast-path permissions of the entries that map `pfn` (after a watch changed). */
  refreshFrame(pfn: number, writeWatched: boolean, kernelChecked = false): void {
    for (const e of this.all()) if (e.pfn === pfn && !Number.isNaN(e.vpn)) this.computeFast(e, writeWatched, kernelChecked);
  }

  valid(): TlbEntry[] {
    return this.all().filter((e) => !Number.isNaN(e.vpn));
  }
}

/** The entry keeps serving its old translation, but never through the fast path. */
function makeStale(e: TlbEntry): void {
  e.stale = true;
  e.readFast = 0;
  e.writeFast = 0;
  e.checkedRead = false;
  e.checkedWrite = false;
}

/** markStale over one way (both are walked in place: page faults and exits call it per PTE). */
function markStaleIn(way: TlbEntry[], pa: number, sizeBytes: number): number {
  let n = 0;
  for (const e of way) {
    if (e.stale || Number.isNaN(e.vpn)) continue;
    for (const p of e.entryPas) {
      if (p + sizeBytes > pa && p < pa + sizeBytes) {
        makeStale(e);
        n++;
        break;
      }
    }
  }
  return n;
}
