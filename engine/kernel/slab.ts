/**
 * kmalloc on SLUB's size classes (FACTS §C): kmalloc-8 … kmalloc-8192, 96 and 192 for the odd
 * sizes, anything over two pages straight from the page allocator, kmalloc(0) = ZERO_SIZE_PTR.
 * Freed objects are poisoned with 0x6b as slub_debug does, so a use after free reads a pattern a
 * learner recognises; every live object remembers who allocated it, for leak and double-free
 * reports. KASAN (kasan.ts) hears of every slab, allocation and free to keep its shadow.
 */
import { PAGE_SIZE } from '../machine/physmem';
import type { I64 } from '../util/int64';
import type { Kernel } from './kernel';
import { PG_head, PG_slab, type FrameOwner } from './page_alloc';

export const ZERO_SIZE_PTR = 16;
const KMALLOC_SIZES = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192];
const POISON_FREE = 0x6b;

export interface SlabObject {
  va: number;
  requestedBytes: number;
  cache: KmemCache | undefined;
  /** Where it was allocated (a C function and line, or a kernel routine). */
  allocSite: string;
  /** Module (or 'kernel') that owns it, for leak reports at module unload. */
  owner: string;
}

export class KmemCache {
  readonly slabs: number[] = [];
  /** Free objects, most recently freed first (SLUB hands those out first). */
  readonly free: number[] = [];
  active = 0;
  va = 0;
  constructor(readonly name: string, readonly objSize: number, readonly slabOrder: number, readonly ctor: I64 = 0) {}
  get objectsPerSlab(): number {
    return Math.floor((PAGE_SIZE << this.slabOrder) / this.objSize);
  }
}

export class Slab {
  readonly caches: KmemCache[] = [];
  private readonly kmallocCaches = new Map<number, KmemCache>();
  /** Live objects by address. */
  readonly live = new Map<number, SlabObject>();
  /** Recently freed objects (for use-after-free and double-free reports). */
  readonly freed = new Map<number, SlabObject & { freeSite: string }>();
  /** Large kmallocs (page allocator blocks) by address. */
  private readonly large = new Map<number, { pfn: number; order: number }>();
  private readonly cacheByVa = new Map<number, KmemCache>();

  constructor(private readonly k: Kernel) {
    for (const size of KMALLOC_SIZES) {
      const c = new KmemCache(`kmalloc-${size}`, size, size >= 1024 ? 3 : 0);
      this.caches.push(c);
      this.kmallocCaches.set(size, c);
    }
  }

  /** The kmalloc cache a request of `size` bytes lands in (undefined: page allocator). */
  cacheFor(size: number): KmemCache | undefined {
    if (size > 2 * PAGE_SIZE) return undefined;
    if (size <= 8) return this.kmallocCaches.get(8);
    if (size > 64 && size <= 96) return this.kmallocCaches.get(96);
    if (size > 128 && size <= 192) return this.kmallocCaches.get(192);
    return this.kmallocCaches.get(2 ** Math.ceil(Math.log2(size)));
  }

  private grow(c: KmemCache, owner: FrameOwner): boolean {
    const pfn = this.k.pages.alloc(c.slabOrder, 0, owner);
    if (pfn === undefined) return false;
    c.slabs.push(pfn);
    for (let i = 0; i < 1 << c.slabOrder; i++) {
      this.k.pages.setFlag(pfn + i, PG_slab, true);
      this.k.pages.setField(pfn + i, 'slab_cache', c.va);
    }
    const base = this.k.directMapVa(pfn * PAGE_SIZE);
    const n = c.objectsPerSlab;
    this.k.kasan.slabGrown(pfn, c.slabOrder, c.name, c.objSize, n);
    // The freelist hands out the lowest address first, as a fresh SLUB slab does.
    for (let i = n - 1; i >= 0; i--) c.free.unshift(base + i * c.objSize);
    return true;
  }

  /** Allocates an object from a cache; returns its address or 0. */
  allocFrom(c: KmemCache, zero: boolean, requestedBytes = c.objSize): number {
    if (c.free.length === 0 && !this.grow(c, 'slab')) return 0;
    const va = c.free.shift()!;
    c.active++;
    if (zero) this.k.km.fill(va, 0, c.objSize);
    this.k.kasan.objectAllocated(va, requestedBytes, c.objSize);
    return va;
  }

  /** kmalloc: returns the object's address, ZERO_SIZE_PTR for 0 bytes, 0 on failure. */
  kmalloc(sizeBytes: number, gfp: number, site: string, owner: string): number {
    if (sizeBytes === 0) return ZERO_SIZE_PTR;
    const zero = (gfp & 0x8000) !== 0;
    const c = this.cacheFor(sizeBytes);
    let va: number;
    if (!c) {
      const order = Math.ceil(Math.log2(Math.ceil(sizeBytes / PAGE_SIZE)));
      const pfn = this.k.pages.alloc(order, gfp & ~0x2, 'slab');
      if (pfn === undefined) return 0;
      this.k.pages.setFlag(pfn, PG_head, true);
      va = this.k.directMapVa(pfn * PAGE_SIZE);
      this.large.set(va, { pfn, order });
      if (zero) this.k.km.fill(va, 0, PAGE_SIZE << order);
      this.k.kasan.largeAllocated(va, order, sizeBytes);
    } else {
      va = this.allocFrom(c, zero, sizeBytes);
      if (va === 0) return 0;
    }
    this.freed.delete(va);
    this.live.set(va, { va, requestedBytes: sizeBytes, cache: c, allocSite: site, owner });
    return va;
  }

  /** Kernel bookkeeping objects (task_struct, cred, file...): never reported as leaks. */
  kmallocNoTrack(sizeBytes: number, what: string): number {
    const va = this.kmalloc(sizeBytes, 0x8000, what, 'kernel');
    if (va === 0) throw new Error(`out of memory for ${what}`);
    return va;
  }

  objectAt(va: number): SlabObject | undefined {
    return this.live.get(va);
  }

  /** The live object containing va, if any (for out-of-bounds and %p reports). */
  objectContaining(va: number): SlabObject | undefined {
    for (const o of this.live.values()) {
      const size = o.cache?.objSize ?? o.requestedBytes;
      if (va >= o.va && va < o.va + size) return o;
    }
    return undefined;
  }

  /** ksize(): the bytes actually usable at va — and from now on KASAN lets the caller use them. */
  ksize(va: number): number {
    const o = this.live.get(va);
    if (!o) return 0;
    this.k.kasan.wholeObjectUsable(va);
    if (o.cache) return o.cache.objSize;
    const l = this.large.get(va)!;
    return PAGE_SIZE << l.order;
  }

  /**
   * kfree. Returns undefined on success, or a description of what is wrong with the pointer
   * (double free, not a slab object) for the caller to report as SLUB would.
   */
  kfree(va: number, site: string): string | undefined {
    if (va === 0 || va === ZERO_SIZE_PTR) return undefined;
    const o = this.live.get(va);
    if (!o) {
      this.k.kasan.invalidKfree(va);
      const was = this.freed.get(va);
      if (was) return `Object already free (allocated at ${was.allocSite}, freed at ${was.freeSite})`;
      const inside = this.objectContaining(va);
      if (inside) return `Invalid object pointer 0x${BigInt.asUintN(64, BigInt(va)).toString(16)} (inside an object of ${inside.requestedBytes} bytes at offset ${va - inside.va})`;
      return `kfree of a pointer kmalloc never returned`;
    }
    this.live.delete(va);
    this.k.kasan.objectFreed(va);
    if (o.cache) {
      this.k.km.fill(va, POISON_FREE, o.cache.objSize);
      o.cache.free.unshift(va);
      o.cache.active--;
    } else {
      const l = this.large.get(va)!;
      this.large.delete(va);
      this.k.pages.setFlag(l.pfn, PG_head, false);
      this.k.pages.setCount(l.pfn, 0);
      this.k.pages.free(l.pfn, l.order);
    }
    this.freed.set(va, { ...o, freeSite: site });
    if (this.freed.size > 4096) this.freed.delete(this.freed.keys().next().value as number);
    return undefined;
  }

  /** kmem_cache_create: a named cache of fixed-size objects. */
  createCache(name: string, sizeBytes: number, align: number, ctor: I64): KmemCache {
    const objSize = Math.ceil(Math.max(sizeBytes, 8) / Math.max(align, 8)) * Math.max(align, 8);
    const c = new KmemCache(name, objSize, objSize >= 1024 ? 3 : 0, ctor);
    c.va = this.kmallocNoTrack(192, 'kmem_cache');
    this.caches.push(c);
    this.cacheByVa.set(c.va, c);
    return c;
  }

  cacheAt(va: number): KmemCache | undefined {
    return this.cacheByVa.get(va);
  }

  destroyCache(c: KmemCache): number {
    const leaked = c.active;
    this.cacheByVa.delete(c.va);
    this.caches.splice(this.caches.indexOf(c), 1);
    return leaked;
  }

  /** Objects owned by `owner` still allocated (kmemleak at module unload). */
  leaksOf(owner: string): SlabObject[] {
    return [...this.live.values()].filter((o) => o.owner === owner);
  }
}
