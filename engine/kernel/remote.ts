/**
 * Reaching another process's memory (mm/memory.c of 3.7): get_user_pages walks a VMA of any mm,
 * faulting missing pages in through handle_mm_fault and taking a reference on each page it
 * returns; __access_remote_vm copies one page at a time through a kmap of that page, which is
 * what /proc/PID/cmdline and /proc/PID/mem are built on.
 *
 * As in 3.7, get_user_pages is exported to modules but access_process_vm and access_remote_vm
 * are not: a driver that wants another task's memory pins its pages with get_user_pages and
 * kmaps them itself.
 */
import { MODE_KERNEL } from '../machine/tlb';
import { PAGE_SIZE } from '../machine/physmem';
import type { NativeGen, NativeRequest, Value } from '../exec/types';
import { add64, type I64 } from '../util/int64';
import { EFAULT, ENOMEM, ERESTARTSYS } from './errno';
import type { Kernel } from './kernel';
import type { KStruct } from './kmem';
import { FAULT_FLAG_WRITE, VM_FAULT_ERROR, VM_FAULT_OOM, VM_FAULT_WRITE } from './memory';
import { VM_GROWSDOWN, VM_IO, VM_MAYREAD, VM_MAYWRITE, VM_PFNMAP, VM_READ, VM_WRITE, type Mm } from './mm';
import { _PAGE_DIRTY, _PAGE_RW } from './pgtable';
import { call } from './routines';

type Gen<T> = Generator<NativeRequest, T, Value | undefined>;

export const FOLL_WRITE = 0x01;
export const FOLL_TOUCH = 0x02;
export const FOLL_GET = 0x04;
export const FOLL_DUMP = 0x08;
export const FOLL_FORCE = 0x10;

const PG_referenced = 2;
const PG_dirty = 4;
const SIGKILL = 9;
/**
 * A fault that reports success yet leaves follow_page still finding nothing would make Linux
 * loop for ever; after this many rounds the page is given up on instead.
 */
const MAX_FAULT_ROUNDS = 8;

/** follow_page's answer: a frame (with a reference when FOLL_GET), nothing yet, or an error. */
type Followed = number | 'absent' | 'efault';

export class Remote {
  constructor(private readonly k: Kernel) {
    const r = k.routines;
    const internal = { exported: false };
    r.define('get_user_pages', ['tsk', 'mm', 'start', 'nr_pages', 'write', 'force', 'pages', 'vmas'], (a) => {
      const flags = FOLL_TOUCH | (a[6] ? FOLL_GET : 0) | (Number(a[4]) ? FOLL_WRITE : 0) | (Number(a[5]) ? FOLL_FORCE : 0);
      return call(this.k.routines.must('__get_user_pages'), a[0], a[1], a[2], a[3], flags, a[6], a[7], 0);
    });
    r.define('__get_user_pages', ['tsk', 'mm', 'start', 'nr_pages', 'gup_flags', 'pages', 'vmas', 'nonblocking'], (a) =>
      this.getUserPages(a[1] as number, a[2] as I64, Number(a[3]), Number(a[4]), a[5] as I64, a[6] as I64), internal);
    r.define('follow_page', ['vma', 'address', 'foll_flags'], (a) => {
      const f = this.followPage(a[0] as number, Number(a[1]), Number(a[2]));
      return typeof f === 'number' ? this.k.pages.pageVa(f) : f === 'efault' ? -EFAULT : 0;
    }, internal);
    r.define('access_process_vm', ['tsk', 'addr', 'buf', 'len', 'write'], (a) => this.accessProcessVm(a[0] as number, a[1] as I64, a[2] as I64, Number(a[3]), Number(a[4])), internal);
    r.define('access_remote_vm', ['mm', 'addr', 'buf', 'len', 'write'], (a) => call(this.k.routines.must('__access_remote_vm'), 0, a[0], a[1], a[2], a[3], a[4]), internal);
    r.define('__access_remote_vm', ['tsk', 'mm', 'addr', 'buf', 'len', 'write'], (a) => this.accessRemoteVm(a[0] as number, a[1] as number, a[2] as I64, a[3] as I64, Number(a[4]), Number(a[5])), internal);
    r.define('set_page_dirty_lock', ['page'], (a) => {
      this.k.pages.setFlag(this.k.memory.pfnOfPage(a[0] as number, 'set_page_dirty_lock'), PG_dirty, true);
      return 1;
    });
  }

  private get V(): KStruct {
    return this.k.structs.get('vm_area_struct');
  }

  /** A user address as a plain number; anything else (a kernel address) has no VMA. */
  private userAddr(v: I64): number | undefined {
    const n = Number(v);
    return typeof v === 'number' && n >= 0 && n < (this.k.arch.layout.taskSize as number) ? n : undefined;
  }

  // ---- get_user_pages -----------------------------------------------------------------------------

  /**
   * __get_user_pages: for each page, the VMA must allow the access (only the MAY bits with
   * FOLL_FORCE) and be neither VM_IO nor VM_PFNMAP; follow_page, faulting until it finds the
   * page. Returns how many pages were done, or an error if none was.
   */
  private *getUserPages(mmVa: number, startArg: I64, nrPages: number, gupFlags: number, pagesVa: I64, vmasVa: I64): NativeGen {
    if (nrPages <= 0) return 0;
    const mm = this.k.mmSub.mmAt(mmVa);
    let vmFlags = gupFlags & FOLL_WRITE ? VM_WRITE | VM_MAYWRITE : VM_READ | VM_MAYREAD;
    vmFlags &= gupFlags & FOLL_FORCE ? VM_MAYREAD | VM_MAYWRITE : VM_READ | VM_WRITE;
    const ptrBytes = this.k.arch.abi.ptrBytes;
    let start = this.userAddr(startArg);
    let i = 0;
    const partial = (err: number) => (i ? i : err);
    while (nrPages > 0) {
      const vma = start === undefined ? 0 : this.findExtendVma(mm, start);
      if (!vma || start === undefined) return partial(-EFAULT);
      const flags = this.V.num(vma, 'vm_flags');
      if (flags & (VM_IO | VM_PFNMAP) || !(vmFlags & flags)) return partial(-EFAULT);
      const end = this.V.num(vma, 'vm_end');
      do {
        if (this.k.current.pendingSignals.some((s) => s.signo === SIGKILL)) return partial(-ERESTARTSYS);
        const found = yield* this.faultIn(mm, vma, start, gupFlags);
        if (typeof found !== 'number') return partial(found.error);
        if (pagesVa) this.k.km.wptr(add64(pagesVa, i * ptrBytes), this.k.pages.pageVa(found));
        if (vmasVa) this.k.km.wptr(add64(vmasVa, i * ptrBytes), vma);
        i++;
        start += PAGE_SIZE;
        nrPages--;
      } while (nrPages > 0 && start < end);
    }
    return i;
  }

  /** find_extend_vma: the VMA holding addr, growing a stack down to it if need be. */
  private findExtendVma(mm: Mm, addr: number): number {
    const vma = mm.findVma(addr);
    if (!vma) return 0;
    if (mm.vmaStart(vma) <= addr) return vma;
    if (!(mm.vmaFlags(vma) & VM_GROWSDOWN) || !this.k.mmSub.expandStack(mm, vma, addr)) return 0;
    return vma;
  }

  /** follow_page until it finds the page, handle_mm_fault in between; the pfn or an errno. */
  private *faultIn(mm: Mm, vma: number, address: number, gupFlags: number): Gen<number | { error: number }> {
    let follFlags = gupFlags;
    for (let round = 0; ; round++) {
      const page = this.followPage(vma, address, follFlags);
      if (page === 'efault') return { error: -EFAULT };
      if (page !== 'absent') return page;
      if (round === MAX_FAULT_ROUNDS) {
        this.k.oops.warn(this.k.current, 'mm/memory.c', 1850, `get_user_pages: the fault at ${address.toString(16)} keeps leaving no page`);
        return { error: -EFAULT };
      }
      const fault = (yield* call(this.k.routines.must('handle_mm_fault'), mm.va, vma, address, follFlags & FOLL_WRITE ? FAULT_FLAG_WRITE : 0)) as number;
      if (fault & VM_FAULT_ERROR) return { error: fault & VM_FAULT_OOM ? -ENOMEM : -EFAULT };
      // A COW broken for a forced write into a read-only VMA: take the copy as it is.
      if (fault & VM_FAULT_WRITE && !(this.V.num(vma, 'vm_flags') & VM_WRITE)) follFlags &= ~FOLL_WRITE;
    }
  }

  /**
   * follow_page: the page a present PTE maps (writable, when FOLL_WRITE). The shared zero page
   * counts for reads; other raw-PFN entries are -EFAULT. FOLL_GET takes a reference, FOLL_TOUCH
   * marks the page referenced (and dirty, for a write).
   */
  followPage(vma: number, address: number, follFlags: number): Followed {
    const k = this.k;
    const mm = k.mmSub.mmAt(this.V.num(vma, 'vm_mm'));
    const ptePa = k.pt.entryFor(mm.pgdPa, address, 'pte', false);
    if (ptePa === undefined) return 'absent';
    const entry = k.pt.read(ptePa);
    if (!k.pt.present(entry)) return 'absent';
    if (follFlags & FOLL_WRITE && !(entry & _PAGE_RW)) return 'absent';
    let pfn = k.memory.normalPage(vma, address, entry);
    if (pfn === undefined) {
      if (follFlags & FOLL_DUMP || k.pt.pfnOf(entry) !== k.memory.zeroPfn) return 'efault';
      pfn = k.memory.zeroPfn;
    }
    if (follFlags & FOLL_GET) k.memory.getPage(pfn);
    if (follFlags & FOLL_TOUCH) {
      if (follFlags & FOLL_WRITE && !(entry & _PAGE_DIRTY)) k.pages.setFlag(pfn, PG_dirty, true);
      k.pages.setFlag(pfn, PG_referenced, true);
    }
    return pfn;
  }

  // ---- access_process_vm ------------------------------------------------------------------------

  private *accessProcessVm(taskVa: number, addr: I64, buf: I64, len: number, write: number): NativeGen {
    const mmVa = (yield* call(this.k.routines.must('get_task_mm'), taskVa)) as number;
    if (!mmVa) return 0;
    const done = yield* call(this.k.routines.must('__access_remote_vm'), taskVa, mmVa, addr, buf, len, write);
    yield* call(this.k.routines.must('mmput'), mmVa);
    return done;
  }

  /**
   * __access_remote_vm: one page per round — pin it with get_user_pages (forced), kmap it, copy
   * the part that falls in this page, kunmap, release. A page that cannot be had ends the copy
   * (unless the VMA's ->access can do it), so the caller learns how far it got.
   */
  private *accessRemoteVm(taskVa: number, mmVa: number, addrArg: I64, buf: I64, lenArg: number, write: number): NativeGen {
    const k = this.k;
    const ptrBytes = k.arch.abi.ptrBytes;
    const th = k.current.thread;
    // struct page *page and struct vm_area_struct *vma, locals of the C function.
    th.ksp -= 16;
    const pageSlot = th.ksp;
    const vmaSlot = th.ksp + ptrBytes;
    let addr = addrArg;
    let len = lenArg;
    let done = 0;
    try {
      while (len > 0) {
        k.km.wptr(pageSlot, 0);
        let bytes: number;
        const ret = (yield* call(k.routines.must('get_user_pages'), taskVa, mmVa, addr, 1, write, 1, pageSlot, vmaSlot)) as number;
        if (ret <= 0) {
          bytes = yield* this.viaVmaAccess(mmVa, addr, add64(buf, done), len, write);
          if (bytes <= 0) break;
        } else {
          const offset = Number(BigInt.asUintN(64, BigInt(addr)) & BigInt(PAGE_SIZE - 1));
          bytes = Math.min(len, PAGE_SIZE - offset);
          const page = k.km.rptr(pageSlot);
          const maddr = (yield* call(k.routines.must('kmap'), page)) as I64;
          if (write) {
            k.cpu.writeBytes(add64(maddr, offset), k.cpu.readBytes(add64(buf, done), bytes, MODE_KERNEL), MODE_KERNEL);
            yield* call(k.routines.must('set_page_dirty_lock'), page);
          } else {
            k.cpu.writeBytes(add64(buf, done), k.cpu.readBytes(add64(maddr, offset), bytes, MODE_KERNEL), MODE_KERNEL);
          }
          yield* call(k.routines.must('kunmap'), page);
          yield* call(k.routines.must('put_page'), page);
        }
        len -= bytes;
        done += bytes;
        addr = add64(addr, bytes);
      }
    } finally {
      th.ksp += 16;
    }
    return done;
  }

  /** The VM_IO / VM_PFNMAP way in: the VMA's own ->access method, when it has one. */
  private *viaVmaAccess(mmVa: number, addr: I64, buf: I64, len: number, write: number): Gen<number> {
    const a = this.userAddr(addr);
    if (a === undefined) return 0;
    const vma = this.k.mmSub.mmAt(mmVa).findVma(a);
    if (!vma || this.V.num(vma, 'vm_start') > a) return 0;
    const ops = this.V.num(vma, 'vm_ops');
    const access = this.k.vfs.vmOpsFn(ops, 'access');
    if (!access) return 0;
    return (yield* call(access, vma, a, buf, len, write)) as number;
  }
}
