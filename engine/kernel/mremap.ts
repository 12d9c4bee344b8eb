/**
 * mremap (3.7 mm/mremap.c): shrink in place, grow in place when the next VMA leaves room, or
 * move — a new VMA elsewhere whose PTEs are the old ones moved over (the frames stay where they
 * are, so a driver's remap_pfn_range mapping moves with its pfns), then the old range unmapped.
 */
import { PAGE_SIZE } from '../machine/physmem';
import type { NativeGen } from '../exec/types';
import { EAGAIN, EFAULT, EINVAL, ENOMEM } from './errno';
import type { Kernel } from './kernel';
import { MAP_FIXED, MAP_SHARED, VM_DONTEXPAND, VM_HUGETLB, VM_LOCKED, VM_MAYSHARE, VM_PFNMAP, type Mm } from './mm';

const MREMAP_MAYMOVE = 1;
const MREMAP_FIXED = 2;
/** RLIMIT_MEMLOCK's default, for growing a locked mapping without CAP_IPC_LOCK. */
const MLOCK_LIMIT_PAGES = (64 * 1024) / PAGE_SIZE;

const pageAlign = (n: number) => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;

export class Mremap {
  constructor(private readonly k: Kernel) {
    k.routines.define('sys_mremap', ['addr', 'old_len', 'new_len', 'flags', 'new_addr'], (a) => this.mremap(Number(a[0]), Number(a[1]), Number(a[2]), Number(a[3]), Number(a[4])), { exported: false });
  }

  private get V() {
    return this.k.structs.get('vm_area_struct');
  }

  private *mremap(addr: number, oldLen: number, newLen: number, flags: number, newAddr: number): NativeGen {
    if (flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE)) return -EINVAL;
    if (flags & MREMAP_FIXED && !(flags & MREMAP_MAYMOVE)) return -EINVAL;
    if (addr % PAGE_SIZE !== 0) return -EINVAL;
    oldLen = pageAlign(oldLen);
    newLen = pageAlign(newLen);
    if (!newLen) return -EINVAL;
    const mm = this.k.current.mm!;
    if (flags & MREMAP_FIXED) return yield* this.mremapTo(mm, addr, oldLen, newAddr, newLen);
    // Shrinking always works in place: the tail is unmapped.
    if (oldLen >= newLen) {
      if (oldLen > newLen) {
        const r = yield* this.k.mmSub.munmapRange(mm, addr + newLen, oldLen - newLen);
        if (r < 0) return r;
      }
      return addr;
    }
    const found = this.vmaToResize(mm, addr, oldLen, newLen);
    if ('err' in found) return found.err;
    const vma = found.vma;
    // Growing in place: the range ends the VMA, and nothing is mapped in the room it needs.
    if (oldLen === this.V.num(vma, 'vm_end') - addr && this.expandable(mm, vma, newLen - oldLen)) {
      this.V.set(vma, 'vm_end', addr + newLen);
      this.grown(mm, vma, addr + oldLen, addr + newLen);
      if (this.V.num(vma, 'vm_flags') & VM_LOCKED) yield* this.k.memory.populate(mm, addr + oldLen, addr + newLen);
      return addr;
    }
    if (!(flags & MREMAP_MAYMOVE)) return -ENOMEM;
    const where = this.k.mmSub.getUnmappedArea(mm, 0, newLen, this.V.num(vma, 'vm_flags') & VM_MAYSHARE ? MAP_SHARED : 0);
    if (where < 0 || where % PAGE_SIZE !== 0) return where;
    return yield* this.moveVma(mm, vma, addr, oldLen, newLen, where);
  }

  /** MREMAP_FIXED: the destination is unmapped first; the source must not overlap it. */
  private *mremapTo(mm: Mm, addr: number, oldLen: number, newAddr: number, newLen: number): NativeGen {
    const taskSize = this.k.arch.layout.taskSize as number;
    if (newAddr % PAGE_SIZE !== 0) return -EINVAL;
    if (newLen > taskSize || newAddr > taskSize - newLen) return -EINVAL;
    if (newAddr <= addr ? newAddr + newLen > addr : addr + oldLen > newAddr) return -EINVAL;
    let r = yield* this.k.mmSub.munmapRange(mm, newAddr, newLen);
    if (r < 0) return r;
    if (oldLen >= newLen) {
      if (oldLen > newLen) r = yield* this.k.mmSub.munmapRange(mm, addr + newLen, oldLen - newLen);
      if (r < 0) return r;
      oldLen = newLen;
    }
    const found = this.vmaToResize(mm, addr, oldLen, newLen);
    if ('err' in found) return found.err;
    return yield* this.moveVma(mm, found.vma, addr, oldLen, newLen, newAddr);
  }

  /**
   * vma_to_resize: the VMA holding [addr, addr+oldLen), if it may become newLen long. (A VMA's
   * address is a kernel address, negative as a signed number: errors travel apart from it.)
   */
  private vmaToResize(mm: Mm, addr: number, oldLen: number, newLen: number): { vma: number } | { err: number } {
    const vma = mm.findVma(addr);
    if (!vma || mm.vmaStart(vma) > addr) return { err: -EFAULT };
    const flags = this.V.num(vma, 'vm_flags');
    if (flags & VM_HUGETLB) return { err: -EINVAL };
    if (oldLen > mm.vmaEnd(vma) - addr) return { err: -EFAULT };
    if (newLen > oldLen) {
      if (flags & (VM_DONTEXPAND | VM_PFNMAP)) return { err: -EFAULT };
      if (flags & VM_LOCKED && this.k.current.cred.euid !== 0 && mm.get('locked_vm') + (newLen - oldLen) / PAGE_SIZE > MLOCK_LIMIT_PAGES) return { err: -EAGAIN };
    }
    return { vma };
  }

  /** vma_expandable: the room after the VMA is free and inside the user address space. */
  private expandable(mm: Mm, vma: number, delta: number): boolean {
    const end = mm.vmaEnd(vma) + delta;
    if (end < mm.vmaEnd(vma) || end > (this.k.arch.layout.taskSize as number)) return false;
    const next = this.V.num(vma, 'vm_next');
    if (next && mm.vmaStart(next) < end) return false;
    return this.k.mmSub.getUnmappedArea(mm, mm.vmaEnd(vma), delta, MAP_FIXED) === mm.vmaEnd(vma);
  }

  private grown(mm: Mm, vma: number, start: number, end: number): void {
    this.k.mmSub.account(mm, end - start, this.V.num(vma, 'vm_flags'), 1);
  }

  /**
   * move_vma: a copy of the VMA at the new address takes over the moved PTEs, then the old range
   * is unmapped (its ->close runs; its frames were handed over, so nothing is freed).
   */
  private *moveVma(mm: Mm, vma: number, oldAddr: number, oldLen: number, newLen: number, newAddr: number): NativeGen {
    const V = this.V;
    const pgoff = V.num(vma, 'vm_pgoff') + (oldAddr - mm.vmaStart(vma)) / PAGE_SIZE;
    const nv = yield* this.k.mmSub.copyVma(mm, vma, newAddr, newAddr + newLen, pgoff);
    this.k.mmSub.account(mm, newLen, V.num(nv, 'vm_flags'), 1);
    this.movePageTables(mm, oldAddr, newAddr, Math.min(oldLen, newLen));
    const r = yield* this.k.mmSub.munmapRange(mm, oldAddr, oldLen);
    if (r < 0) return r;
    if (V.num(nv, 'vm_flags') & VM_LOCKED && newLen > oldLen) yield* this.k.memory.populate(mm, newAddr + oldLen, newAddr + newLen);
    return newAddr;
  }

  /** move_page_tables: each present PTE moves, frame and bits unchanged; both ranges flushed. */
  private movePageTables(mm: Mm, from: number, to: number, len: number): void {
    const pt = this.k.pt;
    for (let off = 0; off < len; off += PAGE_SIZE) {
      const oldPa = pt.entryFor(mm.pgdPa, from + off, 'pte', false);
      if (oldPa === undefined) continue;
      const entry = pt.read(oldPa);
      if (!pt.present(entry)) continue;
      const newPa = pt.entryFor(mm.pgdPa, to + off, 'pte', 'user')!;
      pt.write(oldPa, 0n);
      pt.write(newPa, entry);
    }
    this.k.memory.flushTlbRange(mm, from, from + len);
    this.k.memory.flushTlbRange(mm, to, to + len);
  }
}
