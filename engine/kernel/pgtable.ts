/**
 * Page-table helpers in Linux's terms (pgd/pud/pmd/pte, folded levels skipped the way
 * pgtable-nopud.h / pgtable-nopmd.h fold them). Entries are bytes in frames; every write goes
 * through physical memory, so the machine sees it exactly like a store by kernel code — and a
 * TLB entry built from a changed entry goes stale until someone flushes it.
 */
import type { ArchSpec, PageLevel } from '../machine/arch/types';
import { entryPfn, levelIndex } from '../machine/mmu';
import { PAGE_SIZE, type PhysMem } from '../machine/physmem';

export const _PAGE_PRESENT = 0x1n;
export const _PAGE_RW = 0x2n;
export const _PAGE_USER = 0x4n;
export const _PAGE_PWT = 0x8n;
export const _PAGE_PCD = 0x10n;
export const _PAGE_ACCESSED = 0x20n;
export const _PAGE_DIRTY = 0x40n;
export const _PAGE_PSE = 0x80n;
export const _PAGE_GLOBAL = 0x100n;
export const _PAGE_SPECIAL = 0x200n;
export const _PAGE_NX = 1n << 63n;

export const _PAGE_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY;
export const _KERNPG_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY;

export interface LeafEntry {
  level: PageLevel;
  pa: number;
  value: bigint;
}

export class PageTables {
  /** The levels a walk visits (folded ones are not there). */
  readonly levels: PageLevel[];
  readonly pfnMask: bigint;

  constructor(
    private readonly mem: PhysMem,
    readonly arch: ArchSpec,
    /** Allocates and zeroes a frame for a table; returns its pfn. */
    private readonly allocTable: (kernel: boolean) => number,
    private readonly freeTable: (pfn: number) => void,
  ) {
    this.levels = arch.levels.filter((l) => !l.folded);
    this.pfnMask = ((1n << BigInt(arch.physAddrBits)) - 1n) & ~0xfffn;
  }

  /** The bits an arch can hold: NX only where the format has it. */
  encodable(v: bigint): bigint {
    if (this.arch.pteBytes === 4) return v & 0xffffffffn;
    return this.arch.nxSupported ? v : v & ~_PAGE_NX;
  }

  read(pa: number): bigint {
    const lo = BigInt(this.mem.read32(pa));
    return this.arch.pteBytes === 8 ? lo | (BigInt(this.mem.read32(pa + 4)) << 32n) : lo;
  }

  /** The entry's bytes, reused by every write (a page fault writes several). */
  private readonly entryBytes = new Uint8Array(8);
  private readonly entryView = new DataView(this.entryBytes.buffer);

  write(pa: number, v: bigint): void {
    const n = this.arch.pteBytes;
    const e = this.encodable(v);
    this.entryView.setUint32(0, Number(e & 0xffffffffn), true);
    if (n === 8) this.entryView.setUint32(4, Number(e >> 32n), true);
    this.mem.writeBytes(pa, n === 8 ? this.entryBytes : this.entryBytes.subarray(0, 4));
  }

  /**
   * The table an upper-level entry points to (its pa), 'absent' when the entry is not present,
   * or 'leaf' for a large page: the walk's question, answered from the entry's two 32-bit halves
   * without building a bigint (entryFor and lookup ask it at every level of every fault).
   */
  private nextTable(level: PageLevel, pa: number): number | 'absent' | 'leaf' {
    const lo = this.mem.read32(pa);
    if ((lo & 1) === 0) return 'absent';
    if (level.largePage && (lo & 0x80) !== 0) return 'leaf';
    const hi = this.arch.pteBytes === 8 ? this.mem.read32(pa + 4) : 0;
    return entryPfn(lo, hi, this.arch.physAddrBits) * PAGE_SIZE;
  }

  present(v: bigint): boolean {
    return (v & _PAGE_PRESENT) !== 0n;
  }

  pfnOf(v: bigint): number {
    return Number((v & this.pfnMask) >> 12n);
  }

  isLeaf(level: PageLevel, v: bigint): boolean {
    return level.name === 'pte' || (level.largePage && (v & _PAGE_PSE) !== 0n);
  }

  entryPa(tablePa: number, level: PageLevel, va: number): number {
    return tablePa + levelIndex(va, level.shift, level.entries) * this.arch.pteBytes;
  }

  /** Flags for an entry pointing at a lower table. */
  private tableFlags(level: PageLevel, user: boolean): bigint {
    if (!level.permissionBits) return _PAGE_PRESENT;
    return user ? _PAGE_TABLE : _KERNPG_TABLE;
  }

  /**
   * The pa of the entry for `va` at level `leaf` ('pte', or 'pmd'/'pgd' for a large page),
   * allocating missing tables when asked (pud_alloc, pmd_alloc, pte_alloc). Undefined when a
   * table is missing and not allocated, or a large page is in the way.
   */
  entryFor(rootPa: number, va: number, leaf: PageLevel['name'], alloc: 'user' | 'kernel' | false): number | undefined {
    let tablePa = rootPa;
    for (const level of this.levels) {
      const pa = this.entryPa(tablePa, level, va);
      if (level.name === leaf) return pa;
      const next = this.nextTable(level, pa);
      if (next === 'absent') {
        if (!alloc) return undefined;
        const pfn = this.allocTable(alloc === 'kernel');
        this.write(pa, (BigInt(pfn) << 12n) | this.tableFlags(level, alloc === 'user'));
        tablePa = pfn * PAGE_SIZE;
        continue;
      }
      if (next === 'leaf') return undefined;
      tablePa = next;
    }
    return undefined;
  }

  /** The present leaf entry that maps `va` (a PTE, or a large-page PMD/PGD), if any. */
  lookup(rootPa: number, va: number): LeafEntry | undefined {
    let tablePa = rootPa;
    for (const level of this.levels) {
      const pa = this.entryPa(tablePa, level, va);
      const next = level.name === 'pte' ? 'leaf' : this.nextTable(level, pa);
      if (next === 'absent') return undefined;
      if (next === 'leaf') {
        const v = this.read(pa);
        return this.present(v) ? { level, pa, value: v } : undefined;
      }
      tablePa = next;
    }
    return undefined;
  }

  /** The frame `va` maps to (for large pages, the 4 KiB frame inside), or undefined. */
  translate(rootPa: number, va: number): number | undefined {
    const e = this.lookup(rootPa, va);
    if (!e) return undefined;
    const base = this.pfnOf(e.value);
    if (e.level.name === 'pte') return base;
    const span = 2 ** (e.level.shift - 12);
    return base - (base % span) + (Math.floor(va / PAGE_SIZE) & (span - 1));
  }

  mkEntry(pfn: number, prot: bigint): bigint {
    return (BigInt(pfn) << 12n) | (prot & ~this.pfnMask);
  }

  /** Maps [va, va+size) to [pa, ...) with pages of 2^pageShift bytes (boot-time maps). */
  mapRange(rootPa: number, va: number, pa: number, sizeBytes: number, prot: bigint, pageShift: number): void {
    const step = 2 ** pageShift;
    const leaf = this.levels.find((l) => l.shift === pageShift)?.name ?? 'pte';
    const flags = pageShift > 12 ? prot | _PAGE_PSE : prot;
    for (let off = 0; off < sizeBytes; off += step) {
      const e = this.entryFor(rootPa, va + off, leaf, 'kernel')!;
      this.write(e, this.mkEntry((pa + off) / PAGE_SIZE, flags));
    }
  }

  /** Frees the tables below the user half of a pgd (after every user page has been zapped). */
  freeUserTables(rootPa: number, userTopVa: number): void {
    const top = this.levels[0];
    const userEntries = Math.ceil(userTopVa / 2 ** top.shift);
    for (let i = 0; i < Math.min(userEntries, top.entries); i++) {
      const pa = rootPa + i * this.arch.pteBytes;
      const v = this.read(pa);
      if (!this.present(v)) continue;
      this.freeSubtree(this.pfnOf(v), 1);
      this.write(pa, 0n);
    }
  }

  private freeSubtree(pfn: number, depth: number): void {
    if (depth < this.levels.length - 1) {
      const level = this.levels[depth];
      for (let i = 0; i < level.entries; i++) {
        const v = this.read(pfn * PAGE_SIZE + i * this.arch.pteBytes);
        if (this.present(v) && !this.isLeaf(level, v)) this.freeSubtree(this.pfnOf(v), depth + 1);
      }
    }
    this.freeTable(pfn);
  }

  /** Decodes an entry's flags the way ptdump names them. */
  describe(level: PageLevel, v: bigint): string[] {
    const out: string[] = [];
    if (!this.present(v)) return v === 0n ? [] : ['not present'];
    if (!level.permissionBits) return ['P'];
    out.push(v & _PAGE_RW ? 'RW' : 'ro');
    out.push(v & _PAGE_USER ? 'USR' : 'KRN');
    if (v & _PAGE_PWT) out.push('PWT');
    if (v & _PAGE_PCD) out.push('PCD');
    if (v & _PAGE_ACCESSED) out.push('A');
    if (v & _PAGE_DIRTY) out.push('D');
    if (level.name !== 'pte' && v & _PAGE_PSE) out.push('PSE');
    if (v & _PAGE_GLOBAL) out.push('GLB');
    if (this.arch.nxSupported && v & _PAGE_NX) out.push('NX');
    else out.push('x');
    return out;
  }
}
