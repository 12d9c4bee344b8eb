/**
 * High memory (mm/highmem.c, arch/x86/mm/highmem_32.c; FACTS §C): frames above lowmem have no
 * address in the direct map, so the kernel borrows one to touch them.
 *
 * - kmap() takes one of LAST_PKMAP slots in the pkmap area. pkmap_count[] tells a slot's state:
 *   0 free, 1 unused but its PTE is still there and a TLB flush is owed, n > 1 in use by n−1
 *   kmaps. kunmap() only counts down; the PTE and the TLB entry stay, so mapping the same page
 *   again is cheap. The slot search goes round the area; each time it wraps past the last slot
 *   flush_all_zero_pkmaps() clears every count-1 slot and flushes the TLB once for them all.
 *   When every slot is in use the caller sleeps on pkmap_map_wait until a kunmap() frees one.
 * - kmap_atomic() never sleeps: it disables page faults (in_atomic() becomes true) and uses this
 *   CPU's own fixmap slot for the next of KM_TYPE_NR nesting levels; __kunmap_atomic() clears
 *   the PTE and flushes that one page at once.
 * - A lowmem page (and every page on x86_64) simply has its page_address().
 *
 * pkmap_count[] is a kernel array in emulated memory, like the driver-visible state elsewhere.
 */
import { KM_TYPE_NR } from '../machine/arch/x86_32';
import { PAGE_SIZE } from '../machine/physmem';
import type { NativeGen, NativeRequest, Value } from '../exec/types';
import type { I64 } from '../util/int64';
import type { Kallsyms } from './kallsyms';
import type { Kernel } from './kernel';
import { KernelBug } from './oops';
import { TASK_RUNNING, TASK_UNINTERRUPTIBLE, type Task } from './task';
import { PAGE_KERNEL } from './vmalloc';

/** The CPU everything runs on. */
const CPU = 0;

/** One pkmap slot as the views and tests see it. */
export interface PkmapSlot {
  nr: number;
  va: number;
  /** The raw pkmap_count value. */
  count: number;
  /** The frame its PTE maps, if the PTE is still there. */
  pfn: number | undefined;
}

export class Highmem {
  /** True when this arch has a pkmap area at all (the 32-bit ones). */
  readonly enabled: boolean;
  readonly lastPkmap: number;
  readonly pkmapBase: number;
  /** pkmap_count[LAST_PKMAP] in kernel data. */
  readonly pkmapCountVa: number;
  /** Physical address of pkmap_page_table[0] (all slots live in one page table). */
  private readonly pkmapPtePa: number;
  /** Physical address of kmap_pte, the fixmap PTE of FIX_KMAP_BEGIN. */
  private readonly kmapPtePa: number;
  /** Where the last slot search stopped (last_pkmap_nr). */
  lastPkmapNr = 0;
  /** page_address_htable: highmem frames that have a pkmap address. */
  private readonly addresses = new Map<number, number>();
  /** Tasks asleep on pkmap_map_wait. */
  readonly waiters = new Set<Task>();
  /** kmap_atomic nesting on the (one) CPU: __kmap_atomic_idx. */
  atomicDepth = 0;
  /** How many times flush_all_zero_pkmaps ran (and flushed). */
  flushes = 0;

  constructor(private readonly k: Kernel) {
    const L = k.arch.layout;
    this.enabled = L.pkmapBase !== undefined;
    this.lastPkmap = L.lastPkmap;
    this.pkmapBase = (L.pkmapBase as number | undefined) ?? 0;
    this.pkmapCountVa = this.enabled ? k.kdataAlloc(4 * this.lastPkmap, 4) : 0;
    // permanent_kmaps_init / kmap_init: the page tables of both areas exist from boot, so every
    // address space that copies the kernel's PGD entries sees them.
    this.pkmapPtePa = this.enabled ? k.pt.entryFor(k.swapperPgdPa, this.pkmapBase, 'pte', 'kernel')! : 0;
    this.kmapPtePa = this.enabled ? k.pt.entryFor(k.swapperPgdPa, this.fixToVirt(L.fixKmapBegin), 'pte', 'kernel')! : 0;
    this.defineRoutines();
  }

  private defineRoutines(): void {
    const r = this.k.routines;
    r.define('kmap', ['page'], (a) => this.kmap(this.pfnOf(a[0], 'kmap')));
    r.define('kunmap', ['page'], (a) => {
      this.kunmap(this.pfnOf(a[0], 'kunmap'));
      return 0;
    });
    r.define('kmap_high', ['page'], (a) => this.kmapHigh(this.pfnOf(a[0], 'kmap_high')));
    r.define('kunmap_high', ['page'], (a) => {
      this.kunmapHigh(this.pfnOf(a[0], 'kunmap_high'));
      return 0;
    });
    r.define('kmap_atomic', ['page'], (a) => this.kmapAtomic(this.pfnOf(a[0], 'kmap_atomic')));
    r.define('__kunmap_atomic', ['kvaddr'], (a) => {
      this.kunmapAtomic(Number(a[0]));
      return 0;
    });
    r.define('flush_all_zero_pkmaps', [], () => {
      this.flushAllZeroPkmaps();
      return 0;
    });
  }

  /** pkmap_count and friends in /proc/kallsyms. */
  addSymbols(ks: Kallsyms): void {
    if (this.enabled) ks.add({ name: 'pkmap_count', address: this.pkmapCountVa, sizeBytes: 4 * this.lastPkmap, type: 'b' });
  }

  private pfnOf(page: Value, where: string): number {
    return this.k.memory.pfnOfPage(page as number, where);
  }

  // ---- addresses ---------------------------------------------------------------------------------

  /** __fix_to_virt: fixmap slots count down from FIXADDR_TOP. */
  fixToVirt(idx: number): number {
    return (this.k.arch.layout.fixmapTop as number) - idx * PAGE_SIZE;
  }

  pkmapAddr(nr: number): number {
    return this.pkmapBase + nr * PAGE_SIZE;
  }

  /** page_address(): the direct-map address of a lowmem frame, the pkmap address of a kmapped highmem frame, else 0. */
  pageAddress(pfn: number): number {
    if (!this.k.pages.isHighmem(pfn)) return this.k.directMapVa(pfn * PAGE_SIZE);
    return this.addresses.get(pfn) ?? 0;
  }

  count(nr: number): number {
    return this.k.km.r32s(this.pkmapCountVa + 4 * nr);
  }

  private setCount(nr: number, n: number): void {
    this.k.km.w32(this.pkmapCountVa + 4 * nr, n);
  }

  private slotPtePa(nr: number): number {
    return this.pkmapPtePa + nr * this.k.arch.pteBytes;
  }

  slots(): PkmapSlot[] {
    const out: PkmapSlot[] = [];
    for (let nr = 0; nr < this.lastPkmap; nr++) {
      const pte = this.k.pt.read(this.slotPtePa(nr));
      out.push({ nr, va: this.pkmapAddr(nr), count: this.count(nr), pfn: this.k.pt.present(pte) ? this.k.pt.pfnOf(pte) : undefined });
    }
    return out;
  }

  /** The kmap_atomic fixmap slots whose PTE maps a frame now (slot = type + KM_TYPE_NR·cpu). */
  atomicSlots(): { slot: number; va: number; pfn: number }[] {
    const out: { slot: number; va: number; pfn: number }[] = [];
    if (!this.enabled) return out;
    for (let idx = 0; idx < KM_TYPE_NR; idx++) {
      const pte = this.k.pt.read(this.kmapPtePa - idx * this.k.arch.pteBytes);
      if (this.k.pt.present(pte)) out.push({ slot: idx, va: this.fixToVirt(this.k.arch.layout.fixKmapBegin + idx), pfn: this.k.pt.pfnOf(pte) });
    }
    return out;
  }

  // ---- kmap / kunmap ------------------------------------------------------------------------------

  *kmap(pfn: number): NativeGen {
    this.k.sched.mightSleep('arch/x86/mm/highmem_32.c', 7);
    if (!this.k.pages.isHighmem(pfn)) return this.pageAddress(pfn);
    return yield* this.kmapHigh(pfn);
  }

  kunmap(pfn: number): void {
    // kunmap sleeps-safe code only: from a timer it would corrupt pkmap_count (BUG_ON(in_interrupt())).
    if (this.k.current.inSoftirq > 0) throw new KernelBug('arch/x86/mm/highmem_32.c', 20, 'kunmap called in interrupt context (BUG_ON(in_interrupt()))');
    if (!this.k.pages.isHighmem(pfn)) return;
    this.kunmapHigh(pfn);
  }

  /** kmap_high: reuse the page's slot if it has one, else find one (maybe sleeping); count a user. */
  *kmapHigh(pfn: number): NativeGen {
    let va = this.addresses.get(pfn);
    if (va === undefined) va = yield* this.mapNewVirtual(pfn);
    const nr = (va - this.pkmapBase) / PAGE_SIZE;
    this.setCount(nr, this.count(nr) + 1);
    if (this.count(nr) < 2) throw new KernelBug('mm/highmem.c', 280, 'kmap_high: pkmap_count below 2 after taking a slot');
    return va;
  }

  /**
   * map_new_virtual: go round the slots from where the last search stopped; wrapping to slot 0
   * first reclaims the count-1 slots. A full round with no free slot sleeps on pkmap_map_wait;
   * after the wake-up another task may have mapped the same page, else the search starts over.
   */
  private *mapNewVirtual(pfn: number): Generator<NativeRequest, number, Value | undefined> {
    const task = this.k.current;
    for (;;) {
      let left = this.lastPkmap;
      for (;;) {
        this.lastPkmapNr = (this.lastPkmapNr + 1) & (this.lastPkmap - 1);
        if (this.lastPkmapNr === 0) {
          this.flushAllZeroPkmaps();
          left = this.lastPkmap;
        }
        if (this.count(this.lastPkmapNr) === 0) return this.install(this.lastPkmapNr, pfn);
        if (--left === 0) break;
      }
      task.setState(TASK_UNINTERRUPTIBLE);
      this.waiters.add(task);
      yield { kind: 'block', reason: `kmap: all ${this.lastPkmap} pkmap slots are in use, sleeping on pkmap_map_wait` };
      this.waiters.delete(task);
      const va = this.addresses.get(pfn);
      if (va !== undefined) return va;
    }
  }

  private install(nr: number, pfn: number): number {
    const va = this.pkmapAddr(nr);
    this.k.pt.write(this.slotPtePa(nr), this.k.pt.mkEntry(pfn, PAGE_KERNEL));
    this.setCount(nr, 1);
    this.addresses.set(pfn, va);
    return va;
  }

  /** kunmap_high: one user fewer; the last one leaves the slot at 1 and wakes the sleepers. */
  kunmapHigh(pfn: number): void {
    const va = this.addresses.get(pfn);
    if (va === undefined) throw new KernelBug('mm/highmem.c', 321, 'kunmap_high of a page that is not kmapped');
    const nr = (va - this.pkmapBase) / PAGE_SIZE;
    const n = this.count(nr) - 1;
    this.setCount(nr, n);
    if (n === 0) throw new KernelBug('mm/highmem.c', 339, 'kunmap_high: pkmap_count dropped to 0 (one kunmap too many)');
    if (n === 1) for (const t of [...this.waiters]) this.wakeUp(t);
  }

  /** wake_up(&pkmap_map_wait): the sleeper runs again from its kmap and searches once more. */
  private wakeUp(task: Task): void {
    if (task.exited) {
      this.waiters.delete(task);
      return;
    }
    this.k.sched.wake(task);
  }

  /** Clears every unused slot that still owes a flush, then flushes the pkmap area once. */
  flushAllZeroPkmaps(): void {
    let needFlush = false;
    for (let nr = 0; nr < this.lastPkmap; nr++) {
      if (this.count(nr) !== 1) continue;
      this.setCount(nr, 0);
      const ptePa = this.slotPtePa(nr);
      const pte = this.k.pt.read(ptePa);
      if (!this.k.pt.present(pte)) throw new KernelBug('mm/highmem.c', 137, 'flush_all_zero_pkmaps: a count-1 slot has no PTE');
      this.addresses.delete(this.k.pt.pfnOf(pte));
      this.k.pt.write(ptePa, 0n);
      needFlush = true;
    }
    if (needFlush) {
      this.flushes++;
      this.k.memory.flushTlbKernelRange(this.pkmapAddr(0), this.pkmapAddr(this.lastPkmap));
    }
  }

  // ---- kmap_atomic -------------------------------------------------------------------------------

  /** kmap_atomic: page faults off, then this CPU's next fixmap slot (lowmem needs none). */
  kmapAtomic(pfn: number): number {
    this.k.current.preemptCount++;
    if (!this.k.pages.isHighmem(pfn)) return this.pageAddress(pfn);
    const type = this.atomicDepth++;
    if (type >= KM_TYPE_NR) throw new KernelBug('include/linux/highmem.h', 91, `kmap_atomic: more than KM_TYPE_NR (${KM_TYPE_NR}) nested atomic kmaps`);
    // Slot type + KM_TYPE_NR × cpu; the emulated machine runs everything on CPU 0.
    const idx = type + KM_TYPE_NR * CPU;
    const ptePa = this.kmapPtePa - idx * this.k.arch.pteBytes;
    if (this.k.pt.read(ptePa) !== 0n) throw new KernelBug('arch/x86/mm/highmem_32.c', 47, 'kmap_atomic: the fixmap slot is already in use');
    this.k.pt.write(ptePa, this.k.pt.mkEntry(pfn, PAGE_KERNEL));
    return this.fixToVirt(this.k.arch.layout.fixKmapBegin + idx);
  }

  /** __kunmap_atomic: a fixmap slot is cleared and its one page flushed; page faults back on. */
  kunmapAtomic(kvaddr: I64): void {
    const va = Number(kvaddr) - (Number(kvaddr) % PAGE_SIZE);
    const L = this.k.arch.layout;
    const first = this.fixToVirt(L.fixKmapBegin + L.kmapAtomicSlots - 1);
    if (this.enabled && va >= first && va <= this.fixToVirt(L.fixKmapBegin)) {
      const idx = --this.atomicDepth;
      if (va !== this.fixToVirt(L.fixKmapBegin + idx)) {
        this.k.oops.warn(this.k.current, 'arch/x86/mm/highmem_32.c', 92, 'kunmap_atomic: not the most recent kmap_atomic slot (they must nest)');
      }
      this.k.pt.write(this.kmapPtePa - idx * this.k.arch.pteBytes, 0n);
      this.k.cpu.tlb.flushPage(Math.floor(va / PAGE_SIZE));
    } else if (this.k.directMapPa(va) === undefined) {
      throw new KernelBug('arch/x86/mm/highmem_32.c', 100, `kunmap_atomic of ${this.k.oops.fmtPtr(va)}, neither a fixmap slot nor lowmem`);
    }
    this.k.current.preemptCount = Math.max(0, this.k.current.preemptCount - 1);
  }
}
