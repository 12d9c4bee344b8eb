/**
 * vmalloc (FACTS §C): page-aligned areas in [VMALLOC_START, VMALLOC_END), each followed by a
 * guard page that `area->size` includes, backed by separate order-0 pages mapped into init_mm.
 * vfree unmaps at once but defers the TLB flush: freed areas wait on a lazy list until enough
 * pages accumulate (fls(ncpus) × 8192) or an allocation runs out of space, then one
 * flush_tlb_kernel_range covers them all. Until then a stale TLB entry still reaches the freed
 * frame — the "vmalloc TLB flush question".
 */
import { PAGE_SIZE } from '../machine/physmem';
import type { I64 } from '../util/int64';
import type { Kernel } from './kernel';
import { _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_GLOBAL, _PAGE_NX, _PAGE_PRESENT, _PAGE_RW } from './pgtable';

export const VM_IOREMAP = 0x1;
export const VM_ALLOC = 0x2;
export const VM_MAP = 0x4;
export const VM_USERMAP = 0x8;
export const VM_VPAGES = 0x10;
export const VM_UNLIST = 0x20;

export const PAGE_KERNEL = _PAGE_PRESENT | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED | _PAGE_GLOBAL | _PAGE_NX;
export const PAGE_KERNEL_EXEC = _PAGE_PRESENT | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED | _PAGE_GLOBAL;

export interface VmapArea {
  start: number;
  /** Exclusive end, guard page included. */
  end: number;
  /** The struct vm_struct in kernel memory (0 for module areas). */
  vmVa: number;
  flags: number;
  pfns: number[];
  caller: string;
  owner: string;
  lazyFree: boolean;
  kind: 'vmalloc' | 'module' | 'vmap';
}

export class Vmalloc {
  /** Every area, sorted by address (the vmap_area_list). */
  readonly areas: VmapArea[] = [];
  lazyPages = 0;
  purges = 0;
  readonly lazyMaxPages = 8192;

  constructor(private readonly k: Kernel) {}

  get start(): number {
    return this.k.arch.layout.vmallocStart as number;
  }

  get end(): number {
    return this.k.arch.layout.vmallocEnd as number;
  }

  /** First fit with alignment in [lo, hi); freed-but-unpurged areas still occupy their space. */
  private findSpace(sizeBytes: number, align: number, lo: number, hi: number): number | undefined {
    let addr = Math.ceil(lo / align) * align;
    for (const a of this.areas) {
      if (a.end <= addr) continue;
      if (a.start >= addr + sizeBytes) break;
      addr = Math.ceil(a.end / align) * align;
    }
    return addr + sizeBytes <= hi + 1 ? addr : undefined;
  }

  /** Reserves a range of the area; purges the lazy list once if space ran out. */
  reserve(sizeBytes: number, align: number, lo: number, hi: number): number | undefined {
    let addr = this.findSpace(sizeBytes, align, lo, hi);
    if (addr === undefined && this.lazyPages > 0) {
      this.purgeLazy();
      addr = this.findSpace(sizeBytes, align, lo, hi);
    }
    return addr;
  }

  private insert(a: VmapArea): void {
    let i = 0;
    while (i < this.areas.length && this.areas[i].start < a.start) i++;
    this.areas.splice(i, 0, a);
  }

  /** Maps one page at a kernel va into init_mm (creating tables as needed). */
  mapKernelPage(va: number, pfn: number, prot: bigint): void {
    const e = this.k.pt.entryFor(this.k.swapperPgdPa, va, 'pte', 'kernel')!;
    this.k.pt.write(e, this.k.pt.mkEntry(pfn, prot));
  }

  unmapKernelPage(va: number): void {
    const e = this.k.pt.entryFor(this.k.swapperPgdPa, va, 'pte', false);
    if (e !== undefined) this.k.pt.write(e, 0n);
  }

  /**
   * __vmalloc_node_range: PAGE_ALIGN the size, fail on 0 or more pages than there is RAM, find
   * space for size + guard page, back it with order-0 pages and map them.
   */
  alloc(sizeBytes: number, opts: { align: number; zero: boolean; userMap: boolean; caller: string; owner: string; exec?: boolean }): number {
    const size = Math.ceil(sizeBytes / PAGE_SIZE) * PAGE_SIZE;
    if (size === 0 || size / PAGE_SIZE > this.k.pages.frameCount) return 0;
    const align = Math.max(PAGE_SIZE, opts.align);
    const total = size + PAGE_SIZE;
    const start = this.reserve(total, align, this.start, this.end);
    if (start === undefined) return 0;
    const pfns: number[] = [];
    for (let i = 0; i < size / PAGE_SIZE; i++) {
      const pfn = this.k.pages.alloc(0, 0x2, 'vmalloc');
      if (pfn === undefined) {
        for (const p of pfns) this.k.pages.free(p, 0);
        return 0;
      }
      pfns.push(pfn);
    }
    for (let i = 0; i < pfns.length; i++) {
      if (opts.zero) this.k.mem.fill(pfns[i] * PAGE_SIZE, 0, PAGE_SIZE);
      this.mapKernelPage(start + i * PAGE_SIZE, pfns[i], opts.exec ? PAGE_KERNEL_EXEC : PAGE_KERNEL);
    }
    const flags = VM_ALLOC | (opts.userMap ? VM_USERMAP : 0);
    const vmVa = this.writeVmStruct(start, total, flags, pfns);
    this.insert({ start, end: start + total, vmVa, flags, pfns, caller: opts.caller, owner: opts.owner, lazyFree: false, kind: 'vmalloc' });
    this.k.kasan.vmallocAllocated(start, sizeBytes, pfns);
    return start;
  }

  private writeVmStruct(addr: number, size: number, flags: number, pfns: number[]): number {
    const VS = this.k.structs.get('vm_struct');
    const vmVa = this.k.slab.kmallocNoTrack(VS.sizeBytes, 'vm_struct');
    const ptr = this.k.arch.abi.ptrBytes;
    const pagesVa = pfns.length ? this.k.slab.kmallocNoTrack(pfns.length * ptr, 'vm_struct pages') : 0;
    pfns.forEach((pfn, i) => this.k.km.wptr(pagesVa + i * ptr, this.k.pages.pageVa(pfn)));
    VS.set(vmVa, 'addr', addr);
    VS.set(vmVa, 'size', size);
    VS.set(vmVa, 'flags', flags);
    VS.set(vmVa, 'pages', pagesVa);
    VS.set(vmVa, 'nr_pages', pfns.length);
    return vmVa;
  }

  /** find_vm_area: the area that starts exactly at addr. */
  find(addr: number): VmapArea | undefined {
    return this.areas.find((a) => a.start === addr && !a.lazyFree);
  }

  /** The area containing addr (for vmalloc_to_page and reports). */
  containing(addr: number): VmapArea | undefined {
    return this.areas.find((a) => addr >= a.start && addr < a.end);
  }

  /** Re-reads the flags a driver may have changed through find_vm_area(). */
  flagsOf(a: VmapArea): number {
    return a.vmVa ? this.k.structs.get('vm_struct').num(a.vmVa, 'flags') : a.flags;
  }

  /**
   * vfree: unmap now, free the pages, but leave the TLB alone: the area joins the lazy list and
   * keeps its virtual range until the next purge.
   */
  free(addr: number): string | undefined {
    const a = this.find(addr);
    if (!a) {
      this.k.kasan.invalidVfree(addr);
      return `Trying to vfree() nonexistent vm area (${'0x' + BigInt.asUintN(64, BigInt(addr)).toString(16)})`;
    }
    this.k.kasan.vmallocFreed(a.start);
    for (let i = 0; i < a.pfns.length; i++) this.unmapKernelPage(a.start + i * PAGE_SIZE);
    for (const pfn of a.pfns) {
      this.k.pages.setCount(pfn, 0);
      this.k.pages.free(pfn, 0);
    }
    if (a.vmVa) {
      const VS = this.k.structs.get('vm_struct');
      const pagesVa = VS.num(a.vmVa, 'pages');
      if (pagesVa) this.k.slab.kfree(pagesVa, 'vfree');
      this.k.slab.kfree(a.vmVa, 'vfree');
    }
    a.lazyFree = true;
    this.lazyPages += (a.end - a.start) / PAGE_SIZE;
    if (this.lazyPages > this.lazyMaxPages) this.purgeLazy();
    return undefined;
  }

  /** __purge_vmap_area_lazy: one flush over the span of every lazily freed area, then reuse. */
  purgeLazy(): void {
    const lazy = this.areas.filter((a) => a.lazyFree);
    if (lazy.length === 0) return;
    const lo = Math.min(...lazy.map((a) => a.start));
    const hi = Math.max(...lazy.map((a) => a.end));
    this.k.memory.flushTlbKernelRange(lo, hi);
    for (const a of lazy) this.areas.splice(this.areas.indexOf(a), 1);
    this.lazyPages = 0;
    this.purges++;
  }

  /** module_alloc: executable kernel memory in the modules area. */
  moduleAlloc(sizeBytes: number, owner: string): number {
    const L = this.k.arch.layout;
    const size = Math.ceil(sizeBytes / PAGE_SIZE) * PAGE_SIZE;
    const lo = L.modulesStart as number;
    const hi = L.modulesEnd as number;
    const start = this.reserve(size + PAGE_SIZE, PAGE_SIZE, lo, hi);
    if (start === undefined) return 0;
    const pfns: number[] = [];
    for (let i = 0; i < size / PAGE_SIZE; i++) {
      const pfn = this.k.pages.alloc(0, 0, 'module')!;
      this.k.mem.fill(pfn * PAGE_SIZE, 0, PAGE_SIZE);
      pfns.push(pfn);
      this.mapKernelPage(start + i * PAGE_SIZE, pfn, PAGE_KERNEL_EXEC);
    }
    this.insert({ start, end: start + size + PAGE_SIZE, vmVa: 0, flags: VM_ALLOC, pfns, caller: 'load_module', owner, lazyFree: false, kind: 'module' });
    return start;
  }

  /** Sets the protection of a module's pages (text RO+X, rodata RO+NX, data RW+NX). */
  protectPages(va: number, sizeBytes: number, prot: bigint): void {
    for (let off = 0; off < sizeBytes; off += PAGE_SIZE) {
      const e = this.k.pt.entryFor(this.k.swapperPgdPa, va + off, 'pte', false);
      if (e === undefined) continue;
      const v = this.k.pt.read(e);
      this.k.pt.write(e, this.k.pt.mkEntry(this.k.pt.pfnOf(v), prot));
    }
  }

  moduleFree(addr: number): void {
    const a = this.areas.find((x) => x.start === addr && x.kind === 'module');
    if (!a) return;
    for (let i = 0; i < a.pfns.length; i++) this.unmapKernelPage(a.start + i * PAGE_SIZE);
    for (const pfn of a.pfns) this.k.pages.free(pfn, 0);
    this.k.memory.flushTlbKernelRange(a.start, a.end);
    this.areas.splice(this.areas.indexOf(a), 1);
  }

  /** vmalloc_to_page: walk init_mm's tables; returns the pfn or undefined. */
  toPfn(addr: I64): number | undefined {
    if (typeof addr !== 'number') return undefined;
    return this.k.pt.translate(this.k.swapperPgdPa, addr);
  }

  isVmallocAddr(addr: I64): boolean {
    return typeof addr === 'number' && addr >= this.start && addr < this.end;
  }

  leaksOf(owner: string): VmapArea[] {
    return this.areas.filter((a) => a.owner === owner && !a.lazyFree && a.kind === 'vmalloc');
  }
}
