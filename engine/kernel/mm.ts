/**
 * Address spaces: mm_struct and its VMAs, kept in emulated memory as a sorted list through
 * vm_next (the kernel reads them back every time — the driver may have changed a field), and the
 * mmap path of Linux 3.7 (FACTS §C): do_mmap_pgoff's flag rules and errors, top-down
 * get_unmapped_area, mmap_region calling the driver's ->mmap and re-reading what it changed,
 * munmap with VMA splitting, and brk.
 */
import { PAGE_SIZE } from '../machine/physmem';
import type { Callable, NativeGen } from '../exec/types';
import type { I64 } from '../util/int64';
import { EACCES, EINVAL, ENODEV, ENOMEM, EOVERFLOW } from './errno';
import type { Kernel } from './kernel';
import type { KStruct } from './kmem';
import { _PAGE_ACCESSED, _PAGE_GLOBAL, _PAGE_NX, _PAGE_PRESENT, _PAGE_RW, _PAGE_USER } from './pgtable';
import { call } from './routines';

export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_SHARED = 0x8;
export const VM_MAYREAD = 0x10;
export const VM_MAYWRITE = 0x20;
export const VM_MAYEXEC = 0x40;
export const VM_MAYSHARE = 0x80;
export const VM_GROWSDOWN = 0x100;
export const VM_PFNMAP = 0x400;
export const VM_DENYWRITE = 0x800;
export const VM_LOCKED = 0x2000;
export const VM_IO = 0x4000;
export const VM_DONTCOPY = 0x20000;
export const VM_DONTEXPAND = 0x40000;
export const VM_ACCOUNT = 0x100000;
export const VM_NORESERVE = 0x200000;
export const VM_HUGETLB = 0x400000;
export const VM_DONTDUMP = 0x4000000;
export const VM_MIXEDMAP = 0x10000000;

export const VM_FLAG_NAMES: [number, string][] = [
  [VM_READ, 'VM_READ'], [VM_WRITE, 'VM_WRITE'], [VM_EXEC, 'VM_EXEC'], [VM_SHARED, 'VM_SHARED'], [VM_MAYREAD, 'VM_MAYREAD'], [VM_MAYWRITE, 'VM_MAYWRITE'],
  [VM_MAYEXEC, 'VM_MAYEXEC'], [VM_MAYSHARE, 'VM_MAYSHARE'], [VM_GROWSDOWN, 'VM_GROWSDOWN'], [VM_PFNMAP, 'VM_PFNMAP'], [VM_DENYWRITE, 'VM_DENYWRITE'],
  [VM_LOCKED, 'VM_LOCKED'], [VM_IO, 'VM_IO'], [0x8000, 'VM_SEQ_READ'], [0x10000, 'VM_RAND_READ'], [VM_DONTCOPY, 'VM_DONTCOPY'],
  [VM_DONTEXPAND, 'VM_DONTEXPAND'], [VM_ACCOUNT, 'VM_ACCOUNT'], [VM_NORESERVE, 'VM_NORESERVE'], [VM_HUGETLB, 'VM_HUGETLB'], [0x800000, 'VM_NONLINEAR'],
  [0x1000000, 'VM_PAT'], [VM_DONTDUMP, 'VM_DONTDUMP'], [VM_MIXEDMAP, 'VM_MIXEDMAP'], [0x20000000, 'VM_HUGEPAGE'], [0x40000000, 'VM_NOHUGEPAGE'],
];

export const PROT_READ = 0x1;
export const PROT_WRITE = 0x2;
export const PROT_EXEC = 0x4;
export const PROT_SEM = 0x8;
export const PROT_GROWSDOWN = 0x01000000;
export const PROT_GROWSUP = 0x02000000;
export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_TYPE = 0x0f;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_GROWSDOWN = 0x100;
export const MAP_DENYWRITE = 0x800;
export const MAP_LOCKED = 0x2000;
export const MAP_POPULATE = 0x8000;

export const FMODE_READ = 0x1;
export const FMODE_WRITE = 0x2;

/** Hard limit on VMAs per mm (sysctl vm.max_map_count). */
const MAX_MAP_COUNT = 65530;

/** protection_map[VM_READ|VM_WRITE|VM_EXEC|VM_SHARED] for x86 (FACTS §A composites). */
export function protectionMap(idx: number): bigint {
  const P = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
  const shared = (idx & VM_SHARED) !== 0;
  const r = (idx & VM_READ) !== 0;
  const w = (idx & VM_WRITE) !== 0;
  const x = (idx & VM_EXEC) !== 0;
  if (!r && !w && !x) return _PAGE_GLOBAL | _PAGE_ACCESSED; // PAGE_NONE (_PAGE_PROTNONE)
  let v = P;
  if (w && shared) v |= _PAGE_RW;
  if (!x) v |= _PAGE_NX;
  return v;
}

/** A user address space; the mm_struct and VMAs live in kernel memory. */
export class Mm {
  /** Name shown for special VMAs in /proc/PID/maps ([heap], [stack]); keyed by vma address. */
  readonly vmaNames = new Map<number, string>();
  /** The program's own functions by address (its text is private to this address space). */
  readonly userFunctions = new Map<number, Callable>();

  constructor(readonly k: Kernel, readonly va: number, readonly pgdPa: number) {}

  private get MM(): KStruct {
    return this.k.structs.get('mm_struct');
  }
  private get V(): KStruct {
    return this.k.structs.get('vm_area_struct');
  }

  get(field: string): number {
    return this.MM.num(this.va, field);
  }

  set(field: string, v: I64): void {
    this.MM.set(this.va, field, v);
  }

  /** VMA addresses in address order. */
  vmas(): number[] {
    const out: number[] = [];
    let v = this.get('mmap');
    while (v !== 0 && out.length <= MAX_MAP_COUNT) {
      out.push(v);
      v = this.V.num(v, 'vm_next');
    }
    return out;
  }

  vmaStart(v: number): number {
    return this.V.num(v, 'vm_start');
  }
  vmaEnd(v: number): number {
    return this.V.num(v, 'vm_end');
  }
  vmaFlags(v: number): number {
    return this.V.num(v, 'vm_flags');
  }

  /** find_vma: the first VMA with vm_end > addr (it may start above addr). */
  findVma(addr: number): number {
    for (const v of this.vmas()) if (this.vmaEnd(v) > addr) return v;
    return 0;
  }

  /** The VMA that contains addr, or 0. */
  vmaAt(addr: number): number {
    const v = this.findVma(addr);
    return v !== 0 && this.vmaStart(v) <= addr ? v : 0;
  }

  /** Links a VMA into the sorted list (vma_link). */
  link(vma: number): void {
    const start = this.vmaStart(vma);
    let prev = 0;
    let next = this.get('mmap');
    while (next !== 0 && this.vmaStart(next) < start) {
      prev = next;
      next = this.V.num(next, 'vm_next');
    }
    this.V.set(vma, 'vm_prev', prev);
    this.V.set(vma, 'vm_next', next);
    if (prev) this.V.set(prev, 'vm_next', vma);
    else this.set('mmap', vma);
    if (next) this.V.set(next, 'vm_prev', vma);
    this.set('map_count', this.get('map_count') + 1);
    this.set('mmap_cache', 0);
  }

  unlink(vma: number): void {
    const prev = this.V.num(vma, 'vm_prev');
    const next = this.V.num(vma, 'vm_next');
    if (prev) this.V.set(prev, 'vm_next', next);
    else this.set('mmap', next);
    if (next) this.V.set(next, 'vm_prev', prev);
    this.set('map_count', this.get('map_count') - 1);
    this.set('mmap_cache', 0);
  }
}

export class MmSubsystem {
  constructor(private readonly k: Kernel) {
    const r = k.routines;
    r.define('do_mmap_pgoff', ['file', 'addr', 'len', 'prot', 'flags', 'pgoff'], (a) => this.doMmapPgoff(a[0] as number, a[1] as number, a[2] as number, a[3] as number, a[4] as number, a[5] as number), { exported: false });
    r.define('mmap_region', ['file', 'addr', 'len', 'flags', 'vm_flags', 'pgoff'], (a) => this.mmapRegion(a[0] as number, a[1] as number, a[2] as number, a[3] as number, a[4] as number, a[5] as number), { exported: false });
    r.define('do_munmap', ['mm', 'start', 'len'], (a) => this.doMunmap(this.mmAt(a[0] as number), a[1] as number, a[2] as number), { exported: false });
    r.define('sys_mprotect', ['start', 'len', 'prot'], (a) => this.sysMprotect(a[0] as number, a[1] as number, Number(a[2])), { exported: false });
    r.define('find_vma', ['mm', 'addr'], (a) => this.mmAt(a[0] as number)?.findVma(a[1] as number) ?? 0);
    r.define('vm_get_page_prot', ['vm_flags'], (a) => this.pgprotValue(protectionMap((a[0] as number) & 0xf)));
  }

  private get V(): KStruct {
    return this.k.structs.get('vm_area_struct');
  }

  /** The Mm whose mm_struct is at `va` (the current task's, or any task's). */
  mmAt(va: number): Mm {
    const cur = this.k.current.mm;
    if (cur && cur.va === va) return cur;
    if (this.k.initMm.va === va) return this.k.initMm;
    for (const t of this.k.tasks.values()) if (t.mm && t.mm.va === va) return t.mm;
    throw new Error(`no mm at ${va}`);
  }

  pgprotValue(v: bigint): I64 {
    const e = this.k.pt.encodable(v);
    return BigInt.asIntN(64, e) >= BigInt(Number.MIN_SAFE_INTEGER) && BigInt.asIntN(64, e) <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(BigInt.asIntN(64, e)) : BigInt.asIntN(64, e);
  }

  createInitMm(): Mm {
    const MM = this.k.structs.get('mm_struct');
    const va = this.k.kdataAlloc(MM.sizeBytes, 64);
    const mm = new Mm(this.k, va, this.k.swapperPgdPa);
    MM.set(va, 'pgd', this.k.arch.vaBits === 64 ? (this.k.arch.layout.kernelTextMap as number) + this.k.swapperPgdPa : this.k.directMapVa(this.k.swapperPgdPa));
    MM.set(va, 'mm_users', 2);
    MM.set(va, 'mm_count', 1);
    return mm;
  }

  /** mm_alloc + pgd_alloc: a fresh address space sharing the kernel half of init_mm's pgd. */
  createMm(): Mm {
    const MM = this.k.structs.get('mm_struct');
    const va = this.k.slab.kmallocNoTrack(MM.sizeBytes, 'mm_struct');
    MM.zero(va);
    const pgdPfn = this.k.pages.alloc(0, 0, 'pagetable')!;
    this.k.mem.fill(pgdPfn * PAGE_SIZE, 0, PAGE_SIZE);
    this.k.cpu.setWatch(pgdPfn, 1, true);
    const pgdPa = pgdPfn * PAGE_SIZE;
    this.syncKernelPgd(pgdPa);
    const L = this.k.arch.layout;
    MM.set(va, 'pgd', this.k.directMapVa(pgdPa));
    MM.set(va, 'mm_users', 1);
    MM.set(va, 'mm_count', 1);
    MM.set(va, 'mmap_base', L.mmapBase);
    MM.set(va, 'task_size', L.taskSize);
    MM.set(va, 'free_area_cache', L.mmapBase);
    return new Mm(this.k, va, pgdPa);
  }

  /** Copies init_mm's kernel pgd entries (clone_pgd_range at fork, vmalloc_sync at fault). */
  syncKernelPgd(pgdPa: number): void {
    const top = this.k.pt.levels[0];
    const first = Math.floor((this.k.arch.layout.taskSize as number) / 2 ** top.shift);
    const eb = this.k.arch.pteBytes;
    for (let i = first; i < top.entries; i++) {
      const v = this.k.pt.read(this.k.swapperPgdPa + i * eb);
      if (v !== this.k.pt.read(pgdPa + i * eb)) this.k.pt.write(pgdPa + i * eb, v);
    }
  }

  newVma(mm: Mm, start: number, end: number, flags: number, pgoff: number): number {
    const V = this.V;
    const vma = this.k.slab.kmallocNoTrack(V.sizeBytes, 'vm_area_struct');
    V.zero(vma);
    V.set(vma, 'vm_mm', mm.va);
    V.set(vma, 'vm_start', start);
    V.set(vma, 'vm_end', end);
    V.set(vma, 'vm_flags', flags);
    V.set(vma, 'vm_page_prot', this.pgprotValue(protectionMap(flags & 0xf)));
    V.set(vma, 'vm_pgoff', pgoff);
    const chain = V.addr(vma, 'anon_vma_chain');
    this.k.km.wptr(chain, chain);
    this.k.km.wptr(chain + this.k.arch.abi.ptrBytes, chain);
    return vma;
  }

  freeVma(vma: number): void {
    this.k.slab.kfree(vma, 'remove_vma');
  }

  /**
   * arch_get_unmapped_area_topdown: a hint that fits wins; otherwise the highest gap below
   * mmap_base; bottom-up from TASK_UNMAPPED_BASE as the fallback.
   */
  getUnmappedArea(mm: Mm, addr: number, len: number, flags: number): number {
    const L = this.k.arch.layout;
    const taskSize = L.taskSize as number;
    if (len > taskSize) return -ENOMEM;
    if (flags & MAP_FIXED) {
      if (addr > taskSize - len) return -ENOMEM;
      return addr;
    }
    if (addr) {
      addr = Math.ceil(addr / PAGE_SIZE) * PAGE_SIZE;
      const v = mm.findVma(addr);
      if (taskSize - len >= addr && (v === 0 || addr + len <= mm.vmaStart(v))) return addr;
    }
    const base = mm.get('mmap_base');
    let top = base;
    const vmas = mm.vmas().filter((v) => mm.vmaStart(v) < base).reverse();
    for (const v of vmas) {
      const end = mm.vmaEnd(v);
      if (top - Math.max(end, 0) >= len && top - len >= end) return top - len;
      top = Math.min(top, mm.vmaStart(v));
    }
    if (top >= len + PAGE_SIZE) return top - len;
    // Bottom-up fallback from a third of the address space.
    let a = Math.ceil(taskSize / 3 / PAGE_SIZE) * PAGE_SIZE;
    for (const v of mm.vmas()) {
      if (mm.vmaEnd(v) <= a) continue;
      if (mm.vmaStart(v) >= a + len) break;
      a = mm.vmaEnd(v);
    }
    return a + len <= taskSize ? a : -ENOMEM;
  }

  /** do_mmap_pgoff (FACTS §C): checks, flags, then mmap_region. Returns addr or -errno. */
  *doMmapPgoff(file: number, addr: number, len: number, prot: number, flags: number, pgoff: number): NativeGen {
    const k = this.k;
    const mm = k.current.mm!;
    if (len === 0) return -EINVAL;
    const taskSize = k.arch.layout.taskSize as number;
    if (!(flags & MAP_FIXED) && addr !== 0 && addr < 0x10000) addr = Math.ceil(addr / PAGE_SIZE) * PAGE_SIZE;
    if (len < 0 || len > Number.MAX_SAFE_INTEGER - PAGE_SIZE) return -ENOMEM;
    len = Math.ceil(len / PAGE_SIZE) * PAGE_SIZE;
    if (len === 0 || len > taskSize) return -ENOMEM;
    if (pgoff + len / PAGE_SIZE > (k.arch.vaBits === 64 ? 2 ** 52 : 2 ** 32)) return -EOVERFLOW;
    if (mm.get('map_count') > MAX_MAP_COUNT) return -ENOMEM;
    addr = this.getUnmappedArea(mm, addr, len, flags);
    if (addr < 0 || addr % PAGE_SIZE !== 0) return addr;
    let vmFlags = (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC : 0);
    vmFlags |= (flags & MAP_GROWSDOWN ? VM_GROWSDOWN : 0) | (flags & MAP_DENYWRITE ? VM_DENYWRITE : 0) | (flags & MAP_LOCKED ? VM_LOCKED : 0);
    vmFlags |= mm.get('def_flags') | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
    if (file) {
      const F = k.structs.get('file');
      const fmode = F.num(file, 'f_mode');
      const fop = F.num(file, 'f_op');
      const type = flags & MAP_TYPE;
      if (type !== MAP_SHARED && type !== MAP_PRIVATE) return -EINVAL;
      if (type === MAP_SHARED) {
        if (prot & PROT_WRITE && !(fmode & FMODE_WRITE)) return -EACCES;
        vmFlags |= VM_SHARED | VM_MAYSHARE;
        if (!(fmode & FMODE_WRITE)) vmFlags &= ~(VM_MAYWRITE | VM_SHARED);
      }
      // MAP_SHARED continues with the MAP_PRIVATE checks, as the fall-through in Linux does.
      if (!(fmode & FMODE_READ)) return -EACCES;
      if (!fop || !k.vfs.fopFn(fop, 'mmap')) return -ENODEV;
    } else {
      switch (flags & MAP_TYPE) {
        case MAP_SHARED:
          pgoff = 0;
          vmFlags |= VM_SHARED | VM_MAYSHARE;
          break;
        case MAP_PRIVATE:
          pgoff = Math.floor(addr / PAGE_SIZE);
          break;
        default:
          return -EINVAL;
      }
    }
    const r = yield* call(k.routines.must('mmap_region'), file, addr, len, flags, vmFlags, pgoff);
    return r;
  }

  /** mmap_region: make the VMA, let the driver's ->mmap set it up, then link it. */
  *mmapRegion(file: number, addr: number, len: number, flags: number, vmFlags: number, pgoff: number): NativeGen {
    const k = this.k;
    const mm = k.current.mm!;
    const V = this.V;
    const err = yield* this.munmapRange(mm, addr, len);
    if (err < 0) return err;
    if (!file && !(vmFlags & VM_SHARED)) {
      const merged = this.mergeAnon(mm, addr, addr + len, vmFlags, pgoff);
      if (merged) {
        this.account(mm, len, vmFlags, 1);
        if (flags & MAP_POPULATE || vmFlags & VM_LOCKED) yield* k.memory.populate(mm, addr, addr + len);
        return addr;
      }
    }
    const vma = this.newVma(mm, addr, addr + len, vmFlags, pgoff);
    if (file) {
      if (vmFlags & VM_GROWSDOWN) {
        this.freeVma(vma);
        return -EINVAL;
      }
      V.set(vma, 'vm_file', file);
      k.vfs.getFile(file);
      const fop = k.structs.get('file').num(file, 'f_op');
      const ret = (yield* call(k.vfs.fopFn(fop, 'mmap'), file, vma)) as number;
      if (ret !== 0) {
        // unmap_and_free_vma: whatever the driver already mapped goes away.
        yield* k.memory.zapRange(mm, vma, V.num(vma, 'vm_start'), V.num(vma, 'vm_end'));
        k.vfs.putFileNoRelease(file);
        this.freeVma(vma);
        return ret;
      }
      addr = V.num(vma, 'vm_start');
      vmFlags = V.num(vma, 'vm_flags');
      len = V.num(vma, 'vm_end') - addr;
    }
    mm.link(vma);
    this.account(mm, len, vmFlags, 1);
    if (flags & MAP_POPULATE || vmFlags & VM_LOCKED) yield* k.memory.populate(mm, addr, addr + len);
    return addr;
  }

  /** The mm's page counters (total_vm, locked_vm, exec_vm, shared_vm, stack_vm) for a VMA's pages coming or going. */
  account(mm: Mm, len: number, vmFlags: number, sign: 1 | -1): void {
    const pages = (sign * len) / PAGE_SIZE;
    mm.set('total_vm', mm.get('total_vm') + pages);
    if (vmFlags & VM_LOCKED) mm.set('locked_vm', mm.get('locked_vm') + pages);
    if (vmFlags & VM_EXEC && !(vmFlags & VM_WRITE)) mm.set('exec_vm', mm.get('exec_vm') + pages);
    if (vmFlags & VM_SHARED) mm.set('shared_vm', mm.get('shared_vm') + pages);
    if (vmFlags & VM_GROWSDOWN) mm.set('stack_vm', mm.get('stack_vm') + pages);
  }

  /** vma_merge for anonymous private mappings that abut a compatible neighbour. */
  private mergeAnon(mm: Mm, start: number, end: number, flags: number, pgoff: number): boolean {
    const V = this.V;
    for (const v of mm.vmas()) {
      if (V.num(v, 'vm_file') !== 0 || V.num(v, 'vm_ops') !== 0 || mm.vmaNames.has(v)) continue;
      if (mm.vmaFlags(v) !== flags) continue;
      if (mm.vmaEnd(v) === start && V.num(v, 'vm_pgoff') + (start - mm.vmaStart(v)) / PAGE_SIZE === pgoff) {
        V.set(v, 'vm_end', end);
        return true;
      }
      if (mm.vmaStart(v) === end && pgoff + (end - start) / PAGE_SIZE === V.num(v, 'vm_pgoff')) {
        V.set(v, 'vm_start', start);
        V.set(v, 'vm_pgoff', pgoff);
        return true;
      }
    }
    return false;
  }

  /** do_munmap (FACTS: munmap): checks, then the range goes. */
  *doMunmap(mm: Mm, start: number, len: number): NativeGen {
    const taskSize = this.k.arch.layout.taskSize as number;
    if (start % PAGE_SIZE !== 0 || start > taskSize || len > taskSize - start) return -EINVAL;
    len = Math.ceil(len / PAGE_SIZE) * PAGE_SIZE;
    if (len === 0) return -EINVAL;
    return yield* this.munmapRange(mm, start, len);
  }

  /** Splits VMAs at the edges of [start, start+len) and removes what lies inside. */
  *munmapRange(mm: Mm, start: number, len: number): Generator<import('../exec/types').NativeRequest, number, import('../exec/types').Value | undefined> {
    const end = start + len;
    const V = this.V;
    for (const v of mm.vmas()) {
      const vs = mm.vmaStart(v);
      const ve = mm.vmaEnd(v);
      if (ve <= start || vs >= end) continue;
      if (vs < start) yield* this.splitVma(mm, v, start);
      if (ve > end) yield* this.splitVma(mm, mm.vmaAt(Math.max(vs, start)), end);
    }
    for (const v of mm.vmas()) {
      const vs = mm.vmaStart(v);
      const ve = mm.vmaEnd(v);
      if (vs >= start && ve <= end) {
        yield* this.k.memory.zapRange(mm, v, vs, ve);
        mm.unlink(v);
        this.account(mm, ve - vs, V.num(v, 'vm_flags'), -1);
        yield* this.removeVma(v);
      }
    }
    this.k.memory.flushTlbRange(mm, start, end);
    return 0;
  }

  /** split_vma: the part above `at` becomes a new VMA (->open is called for it, as Linux does). */
  private *splitVma(mm: Mm, vma: number, at: number): Generator<import('../exec/types').NativeRequest, void, import('../exec/types').Value | undefined> {
    const V = this.V;
    const end = mm.vmaEnd(vma);
    const pgoff = V.num(vma, 'vm_pgoff') + (at - mm.vmaStart(vma)) / PAGE_SIZE;
    V.set(vma, 'vm_end', at);
    yield* this.copyVma(mm, vma, at, end, pgoff);
  }

  /**
   * copy_vma: a new VMA like `vma` (flags, file, ops, private data) over [start, end) at `pgoff`,
   * linked into mm; it takes a file reference and its ->open is called, as for a split.
   */
  *copyVma(mm: Mm, vma: number, start: number, end: number, pgoff: number): Generator<import('../exec/types').NativeRequest, number, import('../exec/types').Value | undefined> {
    const V = this.V;
    const nv = this.k.slab.kmallocNoTrack(V.sizeBytes, 'vm_area_struct');
    this.k.km.writeBytes(nv, this.k.km.readBytes(vma, V.sizeBytes));
    V.set(nv, 'vm_start', start);
    V.set(nv, 'vm_end', end);
    V.set(nv, 'vm_pgoff', pgoff);
    const chain = V.addr(nv, 'anon_vma_chain');
    this.k.km.wptr(chain, chain);
    this.k.km.wptr(chain + this.k.arch.abi.ptrBytes, chain);
    const name = mm.vmaNames.get(vma);
    if (name) mm.vmaNames.set(nv, name);
    mm.link(nv);
    const file = V.num(nv, 'vm_file');
    if (file) this.k.vfs.getFile(file);
    const ops = V.num(nv, 'vm_ops');
    const open = ops ? this.k.vfs.vmOpsFn(ops, 'open') : 0;
    if (open) yield* call(open, nv);
    return nv;
  }

  /** remove_vma: ->close, drop the file reference, free the VMA. */
  private *removeVma(vma: number): Generator<import('../exec/types').NativeRequest, void, import('../exec/types').Value | undefined> {
    const V = this.V;
    const ops = V.num(vma, 'vm_ops');
    const close = ops ? this.k.vfs.vmOpsFn(ops, 'close') : 0;
    if (close) yield* call(close, vma);
    const file = V.num(vma, 'vm_file');
    if (file) yield* this.k.vfs.fput(file);
    this.freeVma(vma);
  }

  /**
   * sys_mprotect (3.7 mm/mprotect.c): every VMA of [start, start+len) gets the new VM_READ/
   * WRITE/EXEC, split at the edges; a hole gives -ENOMEM, asking for more than VM_MAY* allows
   * -EACCES. Present PTEs change at once (a private writable mapping keeps copy-on-write: its
   * page protection has no RW, and the next write fault decides).
   */
  *sysMprotect(start: number, len: number, prot: number): NativeGen {
    const mm = this.k.current.mm;
    if (!mm) return -EINVAL;
    if (start % PAGE_SIZE !== 0) return -EINVAL;
    if (len === 0) return 0;
    len = Math.ceil(len / PAGE_SIZE) * PAGE_SIZE;
    const end = start + len;
    if (len <= 0 || end <= start) return -ENOMEM;
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP)) return -EINVAL;
    const want = (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC : 0);
    // Check the whole range first, as the loop in Linux fails before changing the VMA that is
    // short; the ones before it keep their change there, which only matters for partial errors.
    let at = start;
    let vma = mm.findVma(start);
    if (!vma || mm.vmaStart(vma) > start) return -ENOMEM;
    for (;;) {
      const oldFlags = this.V.num(vma, 'vm_flags');
      const newFlags = (oldFlags & ~(VM_READ | VM_WRITE | VM_EXEC)) | want;
      if ((newFlags & ~(newFlags >> 4)) & (VM_READ | VM_WRITE | VM_EXEC)) return -EACCES;
      const tmp = Math.min(mm.vmaEnd(vma), end);
      yield* this.setVmaFlags(mm, vma, at, tmp, newFlags);
      at = tmp;
      if (at >= end) return 0;
      vma = mm.findVma(at);
      if (!vma || mm.vmaStart(vma) !== at) return -ENOMEM;
    }
  }

  /**
   * mprotect_fixup / madvise_behavior / mlock_fixup: split [start, end) off the VMA and give it
   * new flags; when its read/write/exec bits change, its page protection and present PTEs follow.
   * Returns the VMA now covering [start, end).
   */
  *setVmaFlags(mm: Mm, vma: number, start: number, end: number, newFlags: number): Generator<import('../exec/types').NativeRequest, number, import('../exec/types').Value | undefined> {
    const V = this.V;
    const oldFlags = V.num(vma, 'vm_flags');
    if (oldFlags === newFlags) return vma;
    if (mm.vmaStart(vma) < start) {
      yield* this.splitVma(mm, vma, start);
      vma = mm.vmaAt(start);
    }
    if (mm.vmaEnd(vma) > end) yield* this.splitVma(mm, vma, end);
    V.set(vma, 'vm_flags', newFlags);
    if ((oldFlags & 0xf) !== (newFlags & 0xf)) {
      V.set(vma, 'vm_page_prot', this.pgprotValue(protectionMap(newFlags & 0xf)));
      this.k.memory.changeProtection(mm, start, end, this.protOf(vma));
    }
    return vma;
  }

  /**
   * The VMAs covering [start, end) in order, each with the part of the range it covers; `hole`
   * says whether some of the range is unmapped (the callers' -ENOMEM, after doing what they can).
   */
  vmasIn(mm: Mm, start: number, end: number): { parts: { vma: number; start: number; end: number }[]; hole: boolean } {
    const parts: { vma: number; start: number; end: number }[] = [];
    let at = start;
    let hole = false;
    for (const v of mm.vmas()) {
      const vs = mm.vmaStart(v);
      const ve = mm.vmaEnd(v);
      if (ve <= at || vs >= end) continue;
      if (vs > at) hole = true;
      parts.push({ vma: v, start: Math.max(vs, at), end: Math.min(ve, end) });
      at = Math.min(ve, end);
    }
    if (at < end) hole = true;
    return { parts, hole };
  }

  /** A VMA made by the kernel itself (exec's segments, the stack, [heap]). */
  insertSpecial(mm: Mm, start: number, end: number, vmFlags: number, name: string | undefined, file = 0, pgoff?: number): number {
    const vma = this.newVma(mm, start, end, vmFlags, pgoff ?? Math.floor(start / PAGE_SIZE));
    if (file) {
      this.V.set(vma, 'vm_file', file);
      this.k.vfs.getFile(file);
    }
    if (name) mm.vmaNames.set(vma, name);
    mm.link(vma);
    this.account(mm, end - start, vmFlags, 1);
    return vma;
  }

  /** sys_brk: grows or shrinks [start_brk, brk); returns the new (or unchanged) break. */
  *brk(newBrk: number): NativeGen {
    const mm = this.k.current.mm!;
    const startBrk = mm.get('start_brk');
    const cur = mm.get('brk');
    if (newBrk < startBrk) return cur;
    const newEnd = Math.ceil(newBrk / PAGE_SIZE) * PAGE_SIZE;
    const oldEnd = Math.ceil(cur / PAGE_SIZE) * PAGE_SIZE;
    if (newEnd === oldEnd) {
      mm.set('brk', newBrk);
      return newBrk;
    }
    if (newEnd < oldEnd) {
      yield* this.munmapRange(mm, newEnd, oldEnd - newEnd);
      mm.set('brk', newBrk);
      return newBrk;
    }
    const next = mm.findVma(oldEnd);
    if (next !== 0 && mm.vmaStart(next) < newEnd + PAGE_SIZE) return cur;
    const flags = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT;
    const heap = mm.vmas().find((v) => mm.vmaNames.get(v) === '[heap]');
    if (heap !== undefined && mm.vmaEnd(heap) === oldEnd) this.V.set(heap, 'vm_end', newEnd);
    else this.insertSpecial(mm, oldEnd, newEnd, flags, '[heap]');
    mm.set('brk', newBrk);
    return newBrk;
  }

  /** expand_stack for a VM_GROWSDOWN VMA (the stack limit is RLIMIT_STACK, 8 MiB). */
  expandStack(mm: Mm, vma: number, addr: number): boolean {
    const V = this.V;
    const newStart = addr - (addr % PAGE_SIZE);
    const end = V.num(vma, 'vm_end');
    if (end - newStart > 8 << 20) return false;
    const prev = V.num(vma, 'vm_prev');
    if (prev && mm.vmaEnd(prev) > newStart - PAGE_SIZE) return false;
    const grow = V.num(vma, 'vm_start') - newStart;
    V.set(vma, 'vm_start', newStart);
    V.set(vma, 'vm_pgoff', V.num(vma, 'vm_pgoff') - grow / PAGE_SIZE);
    this.account(mm, grow, V.num(vma, 'vm_flags'), 1);
    return true;
  }

  /** exit_mmap: every VMA goes (->close callbacks run), then the page tables. */
  *exitMmap(mm: Mm): Generator<import('../exec/types').NativeRequest, void, import('../exec/types').Value | undefined> {
    for (const v of mm.vmas()) {
      yield* this.k.memory.zapRange(mm, v, mm.vmaStart(v), mm.vmaEnd(v));
      mm.unlink(v);
      yield* this.removeVma(v);
    }
    this.k.pt.freeUserTables(mm.pgdPa, this.k.arch.layout.taskSize as number);
    this.k.memory.flushTlbMm(mm);
  }

  /** The prot bits of a VMA's flags as a page-table protection (with the arch's bits only). */
  protOf(vma: number): bigint {
    const raw = this.V.get(vma, 'vm_page_prot');
    return BigInt.asUintN(64, BigInt(raw));
  }
}

