/**
 * System calls that act on a range of an address space's VMAs, as 3.7 has them: mincore
 * (mm/mincore.c), madvise (mm/madvise.c), msync (mm/msync.c), mlock and munlock (mm/mlock.c).
 * Each walks the VMAs covering the range, does what it can, and reports a hole as -ENOMEM.
 */
import { PAGE_SIZE } from '../machine/physmem';
import type { NativeGen } from '../exec/types';
import type { I64 } from '../util/int64';
import { EACCES, EBADF, EBUSY, EFAULT, EINVAL, ENOMEM, EOPNOTSUPP } from './errno';
import type { Kernel } from './kernel';
import { VM_DONTCOPY, VM_DONTDUMP, VM_DONTEXPAND, VM_HUGETLB, VM_IO, VM_LOCKED, VM_PFNMAP, VM_SHARED, VM_WRITE, type Mm } from './mm';

const VM_SEQ_READ = 0x8000;
const VM_RAND_READ = 0x10000;
const VM_SPECIAL = VM_IO | VM_DONTEXPAND | VM_PFNMAP;

const MADV_NORMAL = 0;
const MADV_RANDOM = 1;
const MADV_SEQUENTIAL = 2;
const MADV_WILLNEED = 3;
const MADV_DONTNEED = 4;
const MADV_REMOVE = 9;
const MADV_DONTFORK = 10;
const MADV_DOFORK = 11;
const MADV_DONTDUMP = 16;
const MADV_DODUMP = 17;
/** KSM and transparent huge pages: valid advice on a distribution kernel, nothing to do here. */
const MADV_NO_EFFECT = new Set([12, 13, 14, 15]);

const MS_ASYNC = 1;
const MS_INVALIDATE = 2;
const MS_SYNC = 4;

/** RLIMIT_MEMLOCK's default (MLOCK_LIMIT): what a task without CAP_IPC_LOCK may lock. */
const MLOCK_LIMIT_BYTES = 64 * 1024;

/** mlock's rounding: the pages that [start, start+len) touches, as (page start, whole-page length). */
function pageRange(start: number, len: number): [number, number] {
  const off = start % PAGE_SIZE;
  return [start - off, Math.ceil((len + off) / PAGE_SIZE) * PAGE_SIZE];
}

export class VmaRange {
  constructor(private readonly k: Kernel) {
    const r = k.routines;
    const internal = { exported: false, fixup: true };
    r.define('sys_mincore', ['start', 'len', 'vec'], (a) => this.mincore(Number(a[0]), Number(a[1]), a[2] as I64), internal);
    r.define('sys_madvise', ['start', 'len_in', 'behavior'], (a) => this.madvise(Number(a[0]), Number(a[1]), Number(a[2])), internal);
    r.define('sys_msync', ['start', 'len', 'flags'], (a) => this.msync(Number(a[0]), Number(a[1]), Number(a[2])), internal);
    r.define('sys_mlock', ['start', 'len'], (a) => this.mlock(Number(a[0]), Number(a[1])), internal);
    r.define('sys_munlock', ['start', 'len'], (a) => this.munlock(Number(a[0]), Number(a[1])), internal);
  }

  private get V() {
    return this.k.structs.get('vm_area_struct');
  }

  private flagsOf(vma: number): number {
    return this.V.num(vma, 'vm_flags');
  }

  private mm(): Mm {
    return this.k.current.mm!;
  }

  /**
   * mincore: one byte per page, 1 when the page is resident. A present PTE is resident; an
   * absent one is not (no page cache or swap here). The bytes of each VMA's part are copied out
   * before the next VMA is looked for, so a hole returns -ENOMEM after the part before it.
   */
  private *mincore(start: number, len: number, vec: I64): NativeGen {
    if (start % PAGE_SIZE !== 0) return -EINVAL;
    if (!this.k.uaccess.accessOk(start, len)) return -ENOMEM;
    const pages = Math.ceil(len / PAGE_SIZE);
    if (!this.k.uaccess.accessOk(vec, pages)) return -EFAULT;
    const mm = this.mm();
    let addr = start;
    let out = typeof vec === 'number' ? vec : 0;
    const end = start + pages * PAGE_SIZE;
    while (addr < end) {
      const vma = mm.findVma(addr);
      if (!vma || addr < mm.vmaStart(vma)) return -ENOMEM;
      const stop = Math.min(end, mm.vmaEnd(vma));
      const bytes = new Uint8Array((stop - addr) / PAGE_SIZE);
      for (let i = 0; i < bytes.length; i++) bytes[i] = this.k.pt.lookup(mm.pgdPa, addr + i * PAGE_SIZE) ? 1 : 0;
      if (!(yield* this.k.uaccess.writeUser(out, bytes))) return -EFAULT;
      out += bytes.length;
      addr = stop;
    }
    return 0;
  }

  private madviseValid(behavior: number): boolean {
    return (behavior >= MADV_NORMAL && behavior <= MADV_DONTNEED) || (behavior >= MADV_REMOVE && behavior <= MADV_DODUMP);
  }

  /** madvise: each VMA part gets the advice; an unmapped part is -ENOMEM once the rest is done. */
  private *madvise(start: number, lenIn: number, behavior: number): NativeGen {
    if (!this.madviseValid(behavior)) return -EINVAL;
    if (start % PAGE_SIZE !== 0) return -EINVAL;
    const len = Math.ceil(lenIn / PAGE_SIZE) * PAGE_SIZE;
    if (lenIn && !len) return -EINVAL;
    const end = start + len;
    if (end === start) return 0;
    const mm = this.mm();
    const { parts, hole } = this.k.mmSub.vmasIn(mm, start, end);
    if (parts.length === 0) return -ENOMEM;
    for (const p of parts) {
      const err = yield* this.adviseOne(mm, p.vma, p.start, p.end, behavior);
      if (err) return err;
    }
    return hole ? -ENOMEM : 0;
  }

  private *adviseOne(mm: Mm, vma: number, start: number, end: number, behavior: number): NativeGen {
    const flags = this.flagsOf(vma);
    const setFlags = (f: number) => this.k.mmSub.setVmaFlags(mm, vma, start, end, f);
    switch (behavior) {
      case MADV_NORMAL:
        yield* setFlags(flags & ~(VM_RAND_READ | VM_SEQ_READ));
        return 0;
      case MADV_SEQUENTIAL:
        yield* setFlags((flags & ~VM_RAND_READ) | VM_SEQ_READ);
        return 0;
      case MADV_RANDOM:
        yield* setFlags((flags & ~VM_SEQ_READ) | VM_RAND_READ);
        return 0;
      case MADV_DONTFORK:
      case MADV_DOFORK:
        if (flags & VM_IO) return -EINVAL;
        yield* setFlags(behavior === MADV_DONTFORK ? flags | VM_DONTCOPY : flags & ~VM_DONTCOPY);
        return 0;
      case MADV_DONTDUMP:
        yield* setFlags(flags | VM_DONTDUMP);
        return 0;
      case MADV_DODUMP:
        if (flags & VM_SPECIAL) return -EINVAL;
        yield* setFlags(flags & ~VM_DONTDUMP);
        return 0;
      case MADV_WILLNEED:
        // 3.7 reads ahead a file's page cache; an anonymous mapping has no file to read.
        return this.V.num(vma, 'vm_file') ? 0 : -EBADF;
      case MADV_DONTNEED:
        // The pages go; touching them again faults in zeroes (anonymous) or the driver's page.
        if (flags & (VM_LOCKED | VM_HUGETLB | VM_PFNMAP)) return -EINVAL;
        yield* this.k.memory.zapRange(mm, vma, start, end);
        return 0;
      case MADV_REMOVE:
        // Punching a hole needs a file system that can; a character device cannot.
        if (flags & (VM_LOCKED | VM_HUGETLB)) return -EINVAL;
        if (!this.V.num(vma, 'vm_file')) return -EINVAL;
        if ((flags & (VM_SHARED | VM_WRITE)) !== (VM_SHARED | VM_WRITE)) return -EACCES;
        return -EOPNOTSUPP;
      default:
        return MADV_NO_EFFECT.has(behavior) ? 0 : -EINVAL;
    }
  }

  /**
   * msync: nothing here is backed by a file system, so MS_ASYNC and MS_INVALIDATE only check;
   * MS_SYNC on a shared file mapping asks the file's fsync, which a character device lacks.
   */
  private msync(start: number, len: number, flags: number): number {
    if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) return -EINVAL;
    if (start % PAGE_SIZE !== 0) return -EINVAL;
    if (flags & MS_ASYNC && flags & MS_SYNC) return -EINVAL;
    len = Math.ceil(len / PAGE_SIZE) * PAGE_SIZE;
    const end = start + len;
    if (end === start) return 0;
    const { parts, hole } = this.k.mmSub.vmasIn(this.mm(), start, end);
    if (parts.length === 0) return -ENOMEM;
    for (const p of parts) {
      const vflags = this.flagsOf(p.vma);
      if (flags & MS_INVALIDATE && vflags & VM_LOCKED) return -EBUSY;
      const file = this.V.num(p.vma, 'vm_file');
      if (flags & MS_SYNC && file && vflags & VM_SHARED) {
        const fsync = this.k.vfs.fopFn(this.k.structs.get('file').num(file, 'f_op'), 'fsync');
        if (!fsync) return -EINVAL;
      }
    }
    return hole ? -ENOMEM : 0;
  }

  /** mlock: can_do_mlock holds (RLIMIT_MEMLOCK is never 0 here); beyond the limit only root may lock. */
  private *mlock(start: number, len: number): NativeGen {
    const task = this.k.current;
    const mm = this.mm();
    [start, len] = pageRange(start, len);
    const root = task.cred.euid === 0;
    const locked = len / PAGE_SIZE + mm.get('locked_vm');
    if (!root && locked > MLOCK_LIMIT_BYTES / PAGE_SIZE) return -ENOMEM;
    const err = yield* this.setLocked(mm, start, len, true);
    if (err) return err;
    // mlock faults the pages in, so locked memory is resident (VM_IO/VM_PFNMAP areas excepted).
    for (const p of this.k.mmSub.vmasIn(mm, start, start + len).parts) {
      if (!(this.flagsOf(p.vma) & VM_SPECIAL)) yield* this.k.memory.populate(mm, p.start, p.end);
    }
    return 0;
  }

  private *munlock(start: number, len: number): NativeGen {
    [start, len] = pageRange(start, len);
    return yield* this.setLocked(this.mm(), start, len, false);
  }

  /**
   * do_mlock: every VMA of the range gains or loses VM_LOCKED (special areas are skipped, and not
   * counted), mm->locked_vm follows; a hole is -ENOMEM after the VMAs before it.
   */
  private *setLocked(mm: Mm, start: number, len: number, on: boolean): NativeGen {
    const end = start + len;
    if (end === start) return 0;
    const first = mm.findVma(start);
    if (!first || mm.vmaStart(first) > start) return -ENOMEM;
    const { parts, hole } = this.k.mmSub.vmasIn(mm, start, end);
    for (const p of parts) {
      const flags = this.flagsOf(p.vma);
      const want = on ? flags | VM_LOCKED : flags & ~VM_LOCKED;
      if (want === flags || flags & (VM_SPECIAL | VM_HUGETLB)) continue;
      yield* this.k.mmSub.setVmaFlags(mm, p.vma, p.start, p.end, want);
      mm.set('locked_vm', mm.get('locked_vm') + ((on ? 1 : -1) * (p.end - p.start)) / PAGE_SIZE);
    }
    return hole ? -ENOMEM : 0;
  }
}
