/**
 * mm/memory.c: page-fault handling (anonymous pages with the shared zero page and copy-on-write,
 * a driver's ->fault through __do_fault), remap_pfn_range, vm_insert_page, remap_vmalloc_range,
 * zapping, page reference counts, and the TLB flushes that go with them. Rules and error codes
 * per FACTS §C.
 */
import { PAGE_SIZE } from '../machine/physmem';
import type { NativeGen, NativeRequest, Value } from '../exec/types';
import type { I64 } from '../util/int64';
import { EBUSY, EFAULT, EINVAL, ENOMEM } from './errno';
import type { Kernel } from './kernel';
import type { KStruct } from './kmem';
import { VM_DONTDUMP, VM_DONTEXPAND, VM_IO, VM_MAYWRITE, VM_MIXEDMAP, VM_PFNMAP, VM_SHARED, VM_WRITE, type Mm } from './mm';
import { KernelBug } from './oops';
import { PG_locked, PG_reserved } from './page_alloc';
import { _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_PCD, _PAGE_PWT, _PAGE_RW, _PAGE_SPECIAL } from './pgtable';
import { call } from './routines';
import { VM_USERMAP } from './vmalloc';

export const VM_FAULT_OOM = 0x1;
export const VM_FAULT_SIGBUS = 0x2;
export const VM_FAULT_MAJOR = 0x4;
export const VM_FAULT_WRITE = 0x8;
export const VM_FAULT_HWPOISON = 0x10;
export const VM_FAULT_HWPOISON_LARGE = 0x20;
export const VM_FAULT_NOPAGE = 0x100;
export const VM_FAULT_LOCKED = 0x200;
export const VM_FAULT_RETRY = 0x400;
export const VM_FAULT_ERROR = VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_HWPOISON | VM_FAULT_HWPOISON_LARGE;

export const FAULT_FLAG_WRITE = 0x01;
export const FAULT_FLAG_USER = 0x80;

type Gen<T> = Generator<NativeRequest, T, Value | undefined>;

/** pgprot_t arrives by value: a struct of one pteval_t, as bytes. */
export function pgprotFromValue(v: Value): bigint {
  if (v instanceof Uint8Array) {
    const d = new DataView(v.buffer, v.byteOffset, v.byteLength);
    const lo = BigInt(d.getUint32(0, true));
    return v.byteLength >= 8 ? lo | (BigInt(d.getUint32(4, true)) << 32n) : lo;
  }
  return BigInt.asUintN(64, BigInt(v as I64));
}

export class Memory {
  /** The shared zero page anonymous read faults map. */
  readonly zeroPfn: number;

  constructor(private readonly k: Kernel) {
    this.zeroPfn = k.kdataPa(PAGE_SIZE, PAGE_SIZE) / PAGE_SIZE;
    const r = k.routines;
    r.define('handle_mm_fault', ['mm', 'vma', 'address', 'flags'], (a) => this.handleMmFault(a[0] as number, a[1] as number, a[2] as number, a[3] as number), { exported: false });
    r.define('__do_fault', ['mm', 'vma', 'address', 'pgoff', 'flags'], (a) => this.doFault(a[0] as number, a[1] as number, a[2] as number, a[3] as number, a[4] as number), { exported: false });
    r.define('do_anonymous_page', ['mm', 'vma', 'address', 'flags'], (a) => this.doAnonymousPage(this.k.mmSub.mmAt(a[0] as number), a[1] as number, a[2] as number, a[3] as number), { exported: false });
    r.define('do_wp_page', ['mm', 'vma', 'address'], (a) => this.doWpPage(this.k.mmSub.mmAt(a[0] as number), a[1] as number, a[2] as number), { exported: false });
    r.define('remap_pfn_range', ['vma', 'addr', 'pfn', 'size', 'prot'], (a) => this.remapPfnRange(a[0] as number, a[1] as number, Number(a[2]), Number(a[3]), pgprotFromValue(a[4])));
    r.define('vm_insert_page', ['vma', 'addr', 'page'], (a) => this.vmInsertPage(a[0] as number, a[1] as number, a[2] as number));
    r.define('vm_insert_pfn', ['vma', 'addr', 'pfn'], (a) => this.vmInsertPfn(a[0] as number, a[1] as number, Number(a[2])));
    r.define('vm_insert_mixed', ['vma', 'addr', 'pfn'], (a) => this.vmInsertPfn(a[0] as number, a[1] as number, Number(a[2])));
    r.define('remap_vmalloc_range', ['vma', 'addr', 'pgoff'], (a) => this.remapVmallocRange(a[0] as number, a[1] as number, Number(a[2])));
    r.define('zap_vma_ptes', ['vma', 'address', 'size'], (a) => this.zapVmaPtes(a[0] as number, a[1] as number, Number(a[2])));
    r.define('vmalloc_to_page', ['addr'], (a) => {
      const pfn = this.k.vmalloc.toPfn(a[0] as I64);
      return pfn === undefined ? 0 : this.k.pages.pageVa(pfn);
    });
    r.define('vmalloc_to_pfn', ['addr'], (a) => this.k.vmalloc.toPfn(a[0] as I64) ?? 0);
    r.define('get_page', ['page'], (a) => {
      this.getPage(this.pfnOfPage(a[0] as number, 'get_page'));
      return 0;
    });
    r.define('put_page', ['page'], (a) => {
      this.putPage(this.pfnOfPage(a[0] as number, 'put_page'));
      return 0;
    });
    r.define('page_count', ['page'], (a) => this.k.pages.count(this.pfnOfPage(a[0] as number, 'page_count')));
    r.define('page_mapcount', ['page'], (a) => this.k.pages.mapcount(this.pfnOfPage(a[0] as number, 'page_mapcount')));
    r.define('SetPageReserved', ['page'], (a) => {
      this.k.pages.setFlag(this.pfnOfPage(a[0] as number, 'SetPageReserved'), PG_reserved, true);
      return 0;
    });
    r.define('ClearPageReserved', ['page'], (a) => {
      this.k.pages.setFlag(this.pfnOfPage(a[0] as number, 'ClearPageReserved'), PG_reserved, false);
      return 0;
    });
    r.define('PageReserved', ['page'], (a) => (this.k.pages.flags(this.pfnOfPage(a[0] as number, 'PageReserved')) >> PG_reserved) & 1);
    r.define('PageLocked', ['page'], (a) => (this.k.pages.flags(this.pfnOfPage(a[0] as number, 'PageLocked')) >> PG_locked) & 1);
    r.define('PageSlab', ['page'], (a) => (this.k.pages.flags(this.pfnOfPage(a[0] as number, 'PageSlab')) >> 7) & 1);
    r.define('PageHighMem', ['page'], (a) => (this.k.pages.isHighmem(this.pfnOfPage(a[0] as number, 'PageHighMem')) ? 1 : 0));
    r.define('lock_page', ['page'], (a) => {
      this.k.pages.setFlag(this.pfnOfPage(a[0] as number, 'lock_page'), PG_locked, true);
      return 0;
    });
    r.define('unlock_page', ['page'], (a) => {
      this.k.pages.setFlag(this.pfnOfPage(a[0] as number, 'unlock_page'), PG_locked, false);
      return 0;
    });
    r.define('set_page_dirty', ['page'], (a) => {
      this.k.pages.setFlag(this.pfnOfPage(a[0] as number, 'set_page_dirty'), 4, true);
      return 1;
    });
    r.define('flush_tlb_all', [], () => {
      this.flushTlbAll();
      return 0;
    });
    r.define('flush_tlb_kernel_range', ['start', 'end'], (a) => {
      this.flushTlbKernelRange(a[0] as number, a[1] as number);
      return 0;
    });
    r.define('flush_tlb_page', ['vma', 'addr'], (a) => {
      const mm = this.k.mmSub.mmAt(this.V.num(a[0] as number, 'vm_mm'));
      this.flushTlbRange(mm, a[1] as number, (a[1] as number) + PAGE_SIZE);
      return 0;
    });
    r.define('flush_tlb_range', ['vma', 'start', 'end'], (a) => {
      const mm = this.k.mmSub.mmAt(this.V.num(a[0] as number, 'vm_mm'));
      this.flushTlbRange(mm, a[1] as number, a[2] as number);
      return 0;
    });
    r.define('flush_tlb_mm', ['mm'], (a) => {
      this.flushTlbMm(this.k.mmSub.mmAt(a[0] as number));
      return 0;
    });
    // flush_tlb(): reload CR3, dropping every non-global entry of the running address space.
    r.define('__flush_tlb', [], () => {
      this.k.cpu.tlb.flushNonGlobal();
      return 0;
    });
    r.define('__flush_tlb_one', ['addr'], (a) => {
      this.k.cpu.tlb.flushPage(Math.floor((a[0] as number) / PAGE_SIZE));
      return 0;
    });
  }

  private get V(): KStruct {
    return this.k.structs.get('vm_area_struct');
  }

  /** A struct page pointer from C, checked: a bad one is a kernel BUG, not a host error. */
  pfnOfPage(page: number, where: string): number {
    const pfn = this.k.pages.pfnOfPage(page);
    if (pfn === undefined) throw new KernelBug('include/linux/mm.h', 0, `${where}: 0x${BigInt.asUintN(64, BigInt(page)).toString(16)} is not a struct page`);
    return pfn;
  }

  // ---- references ------------------------------------------------------------------------------

  getPage(pfn: number): void {
    const n = this.k.pages.count(pfn);
    if (n <= 0) this.badPage(pfn, 'get_page on a page with no references');
    this.k.pages.setCount(pfn, n + 1);
  }

  /** put_page: the last reference returns the frame to the allocator. */
  putPage(pfn: number): void {
    const pages = this.k.pages;
    const n = pages.count(pfn);
    if (n <= 0) {
      this.badPage(pfn, 'put_page on a page with no references');
      return;
    }
    pages.setCount(pfn, n - 1);
    if (n - 1 === 0 && !(pages.flags(pfn) & (1 << PG_reserved))) {
      const order = pages.orderOf(pfn);
      if (order !== undefined) pages.free(pfn, order);
      else pages.free(pfn, 0);
    }
  }

  /** "BUG: Bad page state" — what free_pages_check prints for a page in a state it must not be. */
  badPage(pfn: number, why: string): void {
    const t = this.k.current;
    this.k.printk(`\x011BUG: Bad page state in process ${t.comm}  pfn:${pfn.toString(16).padStart(5, '0')}\n`);
    this.k.printk(`\x011page:${BigInt.asUintN(64, BigInt(this.k.pages.pageVa(pfn))).toString(16)} count:${this.k.pages.count(pfn)} mapcount:${this.k.pages.mapcount(pfn)} (${why})\n`);
    this.k.oops.dumpStack(t, '');
  }

  // ---- TLB flushes ----------------------------------------------------------------------------

  /** flush_tlb_range: on this one CPU only the running address space has entries to lose. */
  flushTlbRange(mm: Mm, start: number, end: number): void {
    if (this.k.cpu.cr3Pa === mm.pgdPa) this.k.cpu.tlb.flushRange(Math.floor(start / PAGE_SIZE), Math.ceil(end / PAGE_SIZE));
  }

  flushTlbMm(mm: Mm): void {
    if (this.k.cpu.cr3Pa === mm.pgdPa) this.k.cpu.tlb.flushNonGlobal();
  }

  flushTlbKernelRange(start: number, end: number): void {
    this.k.cpu.tlb.flushRange(Math.floor(start / PAGE_SIZE), Math.ceil(end / PAGE_SIZE));
  }

  flushTlbAll(): void {
    this.k.cpu.tlb.flushAll();
  }

  // ---- faults ---------------------------------------------------------------------------------

  /** handle_mm_fault: find (or build) the PTE slot, then handle_pte_fault. */
  *handleMmFault(mmVa: number, vma: number, address: number, flags: number): NativeGen {
    const mm = this.k.mmSub.mmAt(mmVa);
    const ptePa = this.k.pt.entryFor(mm.pgdPa, address, 'pte', 'user');
    if (ptePa === undefined) return VM_FAULT_OOM;
    const entry = this.k.pt.read(ptePa);
    if (!this.k.pt.present(entry)) {
      if (entry === 0n) {
        const ops = this.V.num(vma, 'vm_ops');
        if (ops && this.k.vfs.vmOpsFn(ops, 'fault')) {
          const pgoff = Math.floor((address - (address % PAGE_SIZE) - this.V.num(vma, 'vm_start')) / PAGE_SIZE) + this.V.num(vma, 'vm_pgoff');
          return yield* call(this.k.routines.must('__do_fault'), mmVa, vma, address, pgoff, flags);
        }
        return yield* call(this.k.routines.must('do_anonymous_page'), mmVa, vma, address, flags);
      }
      return VM_FAULT_SIGBUS;
    }
    if (flags & FAULT_FLAG_WRITE) {
      if (!(entry & _PAGE_RW)) return yield* call(this.k.routines.must('do_wp_page'), mmVa, vma, address);
      const dirty = entry | _PAGE_DIRTY | _PAGE_ACCESSED;
      if (dirty !== entry) this.k.pt.write(ptePa, dirty);
    } else if (!(entry & _PAGE_ACCESSED)) this.k.pt.write(ptePa, entry | _PAGE_ACCESSED);
    // A spurious fault (the TLB was behind the tables): flush the page and retry.
    this.k.cpu.tlb.flushPage(Math.floor(address / PAGE_SIZE));
    return 0;
  }

  /** do_anonymous_page: reads get the zero page, writes a fresh zeroed page. */
  *doAnonymousPage(mm: Mm, vma: number, address: number, flags: number): NativeGen {
    const ptePa = this.k.pt.entryFor(mm.pgdPa, address, 'pte', 'user')!;
    const prot = this.k.mmSub.protOf(vma);
    if (!(flags & FAULT_FLAG_WRITE)) {
      this.k.pt.write(ptePa, this.k.pt.mkEntry(this.zeroPfn, (prot & ~_PAGE_RW) | _PAGE_SPECIAL));
      return 0;
    }
    const pfn = this.k.pages.alloc(0, 0x2 | 0x8000, 'anon');
    if (pfn === undefined) return VM_FAULT_OOM;
    let entry = this.k.pt.mkEntry(pfn, prot);
    if (this.V.num(vma, 'vm_flags') & VM_WRITE) entry |= _PAGE_RW | _PAGE_DIRTY;
    this.k.pages.addMapcount(pfn, 1);
    this.k.pt.write(ptePa, entry);
    return 0;
  }

  /** vm_normal_page: the struct page behind a PTE, or none for raw PFN / special mappings. */
  normalPage(vma: number, address: number, entry: bigint): number | undefined {
    const pfn = this.k.pt.pfnOf(entry);
    if (entry & _PAGE_SPECIAL) return undefined;
    const flags = this.V.num(vma, 'vm_flags');
    if (flags & VM_PFNMAP) {
      if ((flags & (VM_SHARED | VM_MAYWRITE)) !== VM_MAYWRITE) return undefined;
      const off = Math.floor((address - this.V.num(vma, 'vm_start')) / PAGE_SIZE);
      if (pfn === this.V.num(vma, 'vm_pgoff') + off) return undefined;
    }
    if (pfn >= this.k.pages.frameCount || pfn === this.zeroPfn) return undefined;
    return pfn;
  }

  /** do_wp_page: a write to a read-only present page: reuse it, or copy it (COW). */
  *doWpPage(mm: Mm, vma: number, address: number): NativeGen {
    const ptePa = this.k.pt.entryFor(mm.pgdPa, address, 'pte', false)!;
    const entry = this.k.pt.read(ptePa);
    const oldPfn = this.normalPage(vma, address, entry);
    const flags = this.V.num(vma, 'vm_flags');
    const prot = this.k.mmSub.protOf(vma);
    const sharedWritable = (flags & (VM_WRITE | VM_SHARED)) === (VM_WRITE | VM_SHARED);
    // maybe_mkwrite: only a VM_WRITE vma gets a writable PTE; a forced write (get_user_pages
    // with force on a read-only mapping) gets its private copy, still read-only.
    const mkwrite = flags & VM_WRITE ? _PAGE_RW : 0n;
    if (sharedWritable || (oldPfn !== undefined && this.k.pages.owner[oldPfn] === 'anon' && this.k.pages.mapcount(oldPfn) === 1)) {
      this.k.pt.write(ptePa, entry | mkwrite | _PAGE_DIRTY | _PAGE_ACCESSED);
      this.flushTlbRange(mm, address - (address % PAGE_SIZE), address - (address % PAGE_SIZE) + PAGE_SIZE);
      return VM_FAULT_WRITE;
    }
    const newPfn = this.k.pages.alloc(0, 0x2, 'anon');
    if (newPfn === undefined) return VM_FAULT_OOM;
    const srcPfn = this.k.pt.pfnOf(entry);
    if (srcPfn === this.zeroPfn) this.k.mem.fill(newPfn * PAGE_SIZE, 0, PAGE_SIZE);
    else this.k.mem.writeBytes(newPfn * PAGE_SIZE, this.k.mem.readBytes(srcPfn * PAGE_SIZE, PAGE_SIZE));
    this.k.pages.addMapcount(newPfn, 1);
    this.k.pt.write(ptePa, this.k.pt.mkEntry(newPfn, prot | mkwrite | _PAGE_DIRTY | _PAGE_ACCESSED));
    this.flushTlbRange(mm, address - (address % PAGE_SIZE), address - (address % PAGE_SIZE) + PAGE_SIZE);
    if (oldPfn !== undefined) {
      this.k.pages.addMapcount(oldPfn, -1);
      this.putPage(oldPfn);
    }
    return VM_FAULT_WRITE;
  }

  /**
   * __do_fault: build a struct vm_fault on the kernel stack, call the driver's ->fault, and map
   * the page it hands back (copying it first when a private mapping is written).
   */
  *doFault(mmVa: number, vma: number, address: number, pgoff: number, flags: number): NativeGen {
    const k = this.k;
    const mm = k.mmSub.mmAt(mmVa);
    const VF = k.structs.get('vm_fault');
    const thread = k.current.thread;
    const size = Math.ceil(VF.sizeBytes / 16) * 16;
    thread.ksp -= size;
    const vmf = thread.ksp;
    VF.zero(vmf);
    VF.set(vmf, 'flags', flags);
    VF.set(vmf, 'pgoff', pgoff);
    VF.set(vmf, 'virtual_address', address - (address % PAGE_SIZE));
    VF.set(vmf, 'page', 0);
    const ops = this.V.num(vma, 'vm_ops');
    let ret: number;
    let pagePtr: number;
    try {
      ret = (yield* call(k.vfs.vmOpsFn(ops, 'fault'), vma, vmf)) as number;
      pagePtr = VF.num(vmf, 'page');
    } finally {
      thread.ksp += size;
    }
    if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) return ret;
    const pfn = k.pages.pfnOfPage(pagePtr);
    if (pfn === undefined) {
      throw new KernelBug('mm/memory.c', 3263, `->fault returned 0 but vmf->page (0x${BigInt.asUintN(64, BigInt(pagePtr)).toString(16)}) is not a struct page`);
    }
    if (!(ret & VM_FAULT_LOCKED)) k.pages.setFlag(pfn, PG_locked, true);
    let mapPfn = pfn;
    let anon = false;
    const vmFlags = this.V.num(vma, 'vm_flags');
    if (flags & FAULT_FLAG_WRITE && !(vmFlags & VM_SHARED)) {
      const cow = k.pages.alloc(0, 0x2, 'anon');
      if (cow === undefined) return VM_FAULT_OOM;
      k.mem.writeBytes(cow * PAGE_SIZE, k.mem.readBytes(pfn * PAGE_SIZE, PAGE_SIZE));
      mapPfn = cow;
      anon = true;
    }
    const ptePa = k.pt.entryFor(mm.pgdPa, address, 'pte', 'user')!;
    if (k.pt.read(ptePa) === 0n) {
      let entry = k.pt.mkEntry(mapPfn, k.mmSub.protOf(vma));
      if (flags & FAULT_FLAG_WRITE) {
        entry |= _PAGE_DIRTY;
        if (vmFlags & VM_WRITE) entry |= _PAGE_RW;
      }
      k.pages.addMapcount(mapPfn, 1);
      k.pt.write(ptePa, entry);
    }
    k.pages.setFlag(pfn, PG_locked, false);
    // The handler's reference stays with the mapping, unless a copy was mapped instead.
    if (anon) this.putPage(pfn);
    return ret;
  }

  /** Faults every page of [start, end) in (MAP_POPULATE, mlock). */
  *populate(mm: Mm, start: number, end: number): Gen<void> {
    for (let a = start; a < end; a += PAGE_SIZE) {
      const vma = mm.vmaAt(a);
      if (!vma) return;
      const write = (this.V.num(vma, 'vm_flags') & VM_WRITE) !== 0;
      if (this.k.pt.lookup(mm.pgdPa, a)) continue;
      yield* call(this.k.routines.must('handle_mm_fault'), mm.va, vma, a, write ? FAULT_FLAG_WRITE : 0);
    }
  }

  /** zap_page_range: clears PTEs in [start, end) and drops the references of normal pages. */
  *zapRange(mm: Mm, vma: number, start: number, end: number): Gen<void> {
    for (let a = start; a < end; a += PAGE_SIZE) {
      const ptePa = this.k.pt.entryFor(mm.pgdPa, a, 'pte', false);
      if (ptePa === undefined) {
        // Skip the rest of an absent page table quickly.
        continue;
      }
      const entry = this.k.pt.read(ptePa);
      if (!this.k.pt.present(entry)) continue;
      const pfn = this.normalPage(vma, a, entry);
      this.k.pt.write(ptePa, 0n);
      if (pfn !== undefined) {
        this.k.pages.addMapcount(pfn, -1);
        this.putPage(pfn);
      }
    }
    this.flushTlbRange(mm, start, end);
  }

  /**
   * change_protection: present PTEs of [start, end) take the new protection; the frame, the
   * accessed and dirty bits, caching and the special bit stay (pte_modify's _PAGE_CHG_MASK).
   */
  changeProtection(mm: Mm, start: number, end: number, newProt: bigint): void {
    const keep = _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_SPECIAL | _PAGE_PCD | _PAGE_PWT;
    for (let a = start; a < end; a += PAGE_SIZE) {
      const ptePa = this.k.pt.entryFor(mm.pgdPa, a, 'pte', false);
      if (ptePa === undefined) continue;
      const entry = this.k.pt.read(ptePa);
      if (!this.k.pt.present(entry)) continue;
      this.k.pt.write(ptePa, this.k.pt.mkEntry(this.k.pt.pfnOf(entry), (newProt & ~keep) | (entry & keep)));
    }
    this.flushTlbRange(mm, start, end);
  }

  zapVmaPtes(vma: number, address: number, size: number): number {
    const start = this.V.num(vma, 'vm_start');
    const end = this.V.num(vma, 'vm_end');
    if (address < start || address + size > end || !(this.V.num(vma, 'vm_flags') & VM_PFNMAP)) return -1;
    const mm = this.k.mmSub.mmAt(this.V.num(vma, 'vm_mm'));
    const g = this.zapRange(mm, vma, address, address + size);
    while (!g.next().done) void 0;
    return 0;
  }

  // ---- mapping kernel memory to user space -------------------------------------------------------

  /** remap_pfn_range (FACTS §C). */
  remapPfnRange(vma: number, addr: number, pfn: number, sizeBytes: number, prot: bigint): number {
    const V = this.V;
    const flags = V.num(vma, 'vm_flags');
    const end = addr + Math.ceil(sizeBytes / PAGE_SIZE) * PAGE_SIZE;
    if ((flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE) {
      if (addr !== V.num(vma, 'vm_start') || end !== V.num(vma, 'vm_end')) return -EINVAL;
      V.set(vma, 'vm_pgoff', pfn);
    }
    V.set(vma, 'vm_flags', flags | VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
    if (addr >= end) throw new KernelBug('mm/memory.c', 2333, 'remap_pfn_range: addr >= end');
    const mm = this.k.mmSub.mmAt(V.num(vma, 'vm_mm'));
    for (let a = addr, p = pfn; a < end; a += PAGE_SIZE, p++) {
      const ptePa = this.k.pt.entryFor(mm.pgdPa, a, 'pte', 'user');
      if (ptePa === undefined) return -ENOMEM;
      if (this.k.pt.read(ptePa) !== 0n) throw new KernelBug('mm/memory.c', 2260, `remap_pfn_range: PTE for 0x${a.toString(16)} already present`);
      this.k.pt.write(ptePa, this.k.pt.mkEntry(p, prot | _PAGE_SPECIAL));
    }
    return 0;
  }

  /** vm_insert_page (FACTS §C): one kernel page into a user VMA, with a reference. */
  vmInsertPage(vma: number, addr: number, page: number): number {
    const V = this.V;
    if (addr < V.num(vma, 'vm_start') || addr >= V.num(vma, 'vm_end')) return -EFAULT;
    const pfn = this.pfnOfPage(page, 'vm_insert_page');
    if (this.k.pages.count(pfn) === 0) return -EINVAL;
    const flags = V.num(vma, 'vm_flags');
    if (!(flags & VM_MIXEDMAP)) {
      if (flags & VM_PFNMAP) throw new KernelBug('mm/memory.c', 2140, 'vm_insert_page on a VM_PFNMAP vma');
      V.set(vma, 'vm_flags', flags | VM_MIXEDMAP);
    }
    if (this.k.pages.owner[pfn] === 'anon') return -EINVAL;
    const mm = this.k.mmSub.mmAt(V.num(vma, 'vm_mm'));
    const ptePa = this.k.pt.entryFor(mm.pgdPa, addr, 'pte', 'user');
    if (ptePa === undefined) return -ENOMEM;
    if (this.k.pt.read(ptePa) !== 0n) return -EBUSY;
    this.getPage(pfn);
    this.k.pages.addMapcount(pfn, 1);
    this.k.pt.write(ptePa, this.k.pt.mkEntry(pfn, this.k.mmSub.protOf(vma)));
    return 0;
  }

  vmInsertPfn(vma: number, addr: number, pfn: number): number {
    const V = this.V;
    if (addr < V.num(vma, 'vm_start') || addr >= V.num(vma, 'vm_end')) return -EFAULT;
    const mm = this.k.mmSub.mmAt(V.num(vma, 'vm_mm'));
    const ptePa = this.k.pt.entryFor(mm.pgdPa, addr, 'pte', 'user');
    if (ptePa === undefined) return -ENOMEM;
    if (this.k.pt.read(ptePa) !== 0n) return -EBUSY;
    this.k.pt.write(ptePa, this.k.pt.mkEntry(pfn, this.k.mmSub.protOf(vma) | _PAGE_SPECIAL));
    return 0;
  }

  /** remap_vmalloc_range (FACTS §C): the guard page is not part of what may be mapped. */
  remapVmallocRange(vma: number, addr: number, pgoff: number): number {
    const V = this.V;
    if (addr % PAGE_SIZE !== 0) return -EINVAL;
    const area = this.k.vmalloc.find(addr);
    if (!area) return -EINVAL;
    if (!(this.k.vmalloc.flagsOf(area) & VM_USERMAP)) return -EINVAL;
    let uaddr = V.num(vma, 'vm_start');
    let usize = V.num(vma, 'vm_end') - uaddr;
    if (usize + pgoff * PAGE_SIZE > area.end - area.start - PAGE_SIZE) return -EINVAL;
    let kaddr = addr + pgoff * PAGE_SIZE;
    do {
      const pfn = this.k.vmalloc.toPfn(kaddr);
      const ret = this.vmInsertPage(vma, uaddr, pfn === undefined ? 0 : this.k.pages.pageVa(pfn));
      if (ret) return ret;
      uaddr += PAGE_SIZE;
      kaddr += PAGE_SIZE;
      usize -= PAGE_SIZE;
    } while (usize > 0);
    V.set(vma, 'vm_flags', V.num(vma, 'vm_flags') | VM_DONTEXPAND | VM_DONTDUMP);
    return 0;
  }
}
