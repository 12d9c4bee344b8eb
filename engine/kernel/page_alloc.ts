/**
 * The page allocator and struct page. Frames are handed out in naturally aligned power-of-two
 * blocks (the buddy system's contract), lowest address first within the zones the gfp mask
 * allows, so the same boot always gives the same frames. Each frame's struct page lives in the
 * vmemmap array in emulated memory; its flags and _count are the refcount and state a driver sees
 * through page_count(), PageReserved() and friends.
 */
import { PAGE_SIZE } from '../machine/physmem';
import type { I64 } from '../util/int64';
import type { KMem, KStruct } from './kmem';

export const PG_locked = 0;
export const PG_slab = 7;
export const PG_reserved = 10;
export const PG_head = 14;
export const PG_tail = 15;

export const GFP_DMA = 0x01;
export const GFP_HIGHMEM = 0x02;
export const GFP_DMA32 = 0x04;
export const GFP_ZERO = 0x8000;

export type FrameOwner =
  | 'free' | 'reserved' | 'kernel' | 'mem_map' | 'pagetable' | 'slab' | 'vmalloc' | 'module' | 'anon' | 'page' | 'kstack' | 'user-image' | 'pkmap';

export interface Zone {
  name: 'DMA' | 'DMA32' | 'Normal' | 'HighMem';
  startPfn: number;
  endPfn: number;
}

export class PageAllocator {
  readonly frameCount: number;
  /** JS-side owner tag per frame, for the Physical Memory view (not visible to drivers). */
  readonly owner: FrameOwner[];
  /** Order of the block a frame heads, while allocated (so free_pages can check it). */
  private readonly headOrder = new Map<number, number>();
  readonly zones: Zone[];
  private pageStruct!: KStruct;
  private memMapVa: I64 = 0;
  freePages = 0;
  /** Hears about every block handed out (KASAN forgets the poison a freed block carried). */
  onAlloc: ((pfn: number, pageCount: number) => void) | undefined;

  constructor(ramBytes: number, highmemStartPfn: number | undefined, readonly km: KMem) {
    this.frameCount = Math.floor(ramBytes / PAGE_SIZE);
    this.owner = new Array(this.frameCount).fill('free');
    this.freePages = this.frameCount;
    const dmaEnd = Math.min(this.frameCount, 4096);
    const zones: Zone[] = [{ name: 'DMA', startPfn: 0, endPfn: dmaEnd }];
    if (highmemStartPfn === undefined) {
      const dma32End = Math.min(this.frameCount, 0x100000);
      if (dma32End > dmaEnd) zones.push({ name: 'DMA32', startPfn: dmaEnd, endPfn: dma32End });
      if (this.frameCount > dma32End) zones.push({ name: 'Normal', startPfn: dma32End, endPfn: this.frameCount });
    } else {
      const normalEnd = Math.min(this.frameCount, highmemStartPfn);
      if (normalEnd > dmaEnd) zones.push({ name: 'Normal', startPfn: dmaEnd, endPfn: normalEnd });
      if (this.frameCount > normalEnd) zones.push({ name: 'HighMem', startPfn: normalEnd, endPfn: this.frameCount });
    }
    this.zones = zones;
  }

  /**
   * Once mem_map exists in memory, struct pages are kept there. It is physically contiguous at
   * `memMapPa`, so the first image of every struct page is written in one go.
   */
  attachMemMap(memMapVa: I64, memMapPa: number, pageStruct: KStruct): void {
    this.memMapVa = memMapVa;
    this.pageStruct = pageStruct;
    const size = pageStruct.sizeBytes;
    const image = new Uint8Array(this.frameCount * size);
    const view = new DataView(image.buffer);
    const flags = pageStruct.off('flags');
    const mapcount = pageStruct.off('_mapcount');
    const count = pageStruct.off('_count');
    for (let pfn = 0; pfn < this.frameCount; pfn++) {
      const at = pfn * size;
      const o = this.owner[pfn];
      const reserved = o === 'reserved' || o === 'kernel' || o === 'mem_map';
      view.setUint32(at + flags, reserved ? 1 << PG_reserved : 0, true);
      view.setInt32(at + mapcount, -1, true);
      view.setInt32(at + count, o === 'free' ? 0 : 1, true);
    }
    this.km.mem.writeBytes(memMapPa, image);
  }

  get pageStructBytes(): number {
    return this.pageStruct.sizeBytes;
  }

  pageVa(pfn: number): number {
    return (this.memMapVa as number) + pfn * this.pageStruct.sizeBytes;
  }

  pfnOfPage(page: I64): number | undefined {
    if (typeof page !== 'number') return undefined;
    const d = page - (this.memMapVa as number);
    if (d < 0 || d % this.pageStruct.sizeBytes !== 0) return undefined;
    const pfn = d / this.pageStruct.sizeBytes;
    return pfn < this.frameCount ? pfn : undefined;
  }

  zoneOf(pfn: number): Zone | undefined {
    return this.zones.find((z) => pfn >= z.startPfn && pfn < z.endPfn);
  }

  isHighmem(pfn: number): boolean {
    return this.zoneOf(pfn)?.name === 'HighMem';
  }

  /** Takes frames out of the allocator for good (firmware, the kernel image, mem_map). */
  reserve(startPfn: number, count: number, owner: FrameOwner): void {
    for (let pfn = startPfn; pfn < startPfn + count && pfn < this.frameCount; pfn++) {
      if (this.owner[pfn] === 'free') this.freePages--;
      this.owner[pfn] = owner;
      if (this.pageStruct) this.writePageInit(pfn, true);
    }
  }

  private writePageInit(pfn: number, reserved: boolean): void {
    if (!this.pageStruct) return;
    const p = this.pageVa(pfn);
    this.pageStruct.zero(p);
    this.pageStruct.set(p, 'flags', reserved ? 1 << PG_reserved : 0);
    this.pageStruct.set(p, '_mapcount', -1);
    this.pageStruct.set(p, '_count', reserved ? 1 : 0);
  }

  /**
   * Allocates 2^order contiguous frames, naturally aligned, from the lowest free block of the
   * highest zone the mask allows (Linux prefers ZONE_NORMAL/HIGHMEM, keeping DMA for DMA).
   */
  alloc(order: number, gfp: number, owner: FrameOwner): number | undefined {
    const count = 1 << order;
    const allowed = this.zones.filter((z) => {
      if (gfp & GFP_DMA) return z.name === 'DMA';
      if (gfp & GFP_DMA32) return z.name === 'DMA' || z.name === 'DMA32';
      if (z.name === 'HighMem') return (gfp & GFP_HIGHMEM) !== 0;
      return true;
    });
    for (let zi = allowed.length - 1; zi >= 0; zi--) {
      const z = allowed[zi];
      const hint = this.lowestFree.get(z) ?? z.startPfn;
      const first = Math.ceil(hint / count) * count;
      for (let pfn = first; pfn + count <= z.endPfn; pfn += count) {
        let ok = true;
        for (let i = 0; i < count; i++) {
          if (this.owner[pfn + i] !== 'free') {
            ok = false;
            break;
          }
        }
        if (!ok) continue;
        // Every frame of the zone below the hint is in use; an order-0 search moves it up.
        if (order === 0) this.lowestFree.set(z, pfn + 1);
        for (let i = 0; i < count; i++) {
          this.owner[pfn + i] = owner;
          this.writePageInit(pfn + i, false);
        }
        if (this.pageStruct) this.pageStruct.set(this.pageVa(pfn), '_count', 1);
        this.headOrder.set(pfn, order);
        this.freePages -= count;
        this.onAlloc?.(pfn, count);
        if (gfp & GFP_ZERO) for (let i = 0; i < count; i++) this.km.mem.fill((pfn + i) * PAGE_SIZE, 0, PAGE_SIZE);
        return pfn;
      }
    }
    return undefined;
  }

  orderOf(pfn: number): number | undefined {
    return this.headOrder.get(pfn);
  }

  /** Returns a block; the caller has checked that the refcount dropped to zero. */
  free(pfn: number, order: number): void {
    const count = 1 << order;
    this.mayBeFree(pfn);
    for (let i = 0; i < count; i++) {
      this.owner[pfn + i] = 'free';
      this.writePageInit(pfn + i, false);
    }
    this.headOrder.delete(pfn);
    this.freePages += count;
  }

  isAllocated(pfn: number): boolean {
    return this.headOrder.has(pfn);
  }

  setOwner(pfn: number, owner: FrameOwner): void {
    this.owner[pfn] = owner;
    if (owner === 'free') this.mayBeFree(pfn);
  }

  /**
   * Per zone, a frame below which nothing is free: searches start there (the lowest free block
   * is still the one handed out, so addresses are as before, without scanning used frames).
   */
  private readonly lowestFree = new Map<Zone, number>();

  private mayBeFree(pfn: number): void {
    const z = this.zoneOf(pfn);
    if (z && pfn < (this.lowestFree.get(z) ?? z.startPfn)) this.lowestFree.set(z, pfn);
  }

  // ---- struct page fields ----------------------------------------------------------------------

  flags(pfn: number): number {
    return this.pageStruct.num(this.pageVa(pfn), 'flags');
  }

  setFlag(pfn: number, bit: number, on: boolean): void {
    const f = this.flags(pfn);
    this.pageStruct.set(this.pageVa(pfn), 'flags', on ? f | (1 << bit) : f & ~(1 << bit));
  }

  count(pfn: number): number {
    return this.pageStruct.num(this.pageVa(pfn), '_count');
  }

  setCount(pfn: number, n: number): void {
    this.pageStruct.set(this.pageVa(pfn), '_count', n);
  }

  mapcount(pfn: number): number {
    return this.pageStruct.num(this.pageVa(pfn), '_mapcount') + 1;
  }

  addMapcount(pfn: number, d: number): void {
    const p = this.pageVa(pfn);
    this.pageStruct.set(p, '_mapcount', this.pageStruct.num(p, '_mapcount') + d);
  }

  field(pfn: number, name: string): I64 {
    return this.pageStruct.get(this.pageVa(pfn), name);
  }

  setField(pfn: number, name: string, v: I64): void {
    this.pageStruct.set(this.pageVa(pfn), name, v);
  }
}
