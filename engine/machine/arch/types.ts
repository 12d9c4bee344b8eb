import type { I64 } from '../../util/int64';

export type ArchName = 'x86_64' | 'i386' | 'i386-pae';

export type LevelName = 'pgd' | 'pud' | 'pmd' | 'pte';

/** One level of the page-table tree as Linux names it; folded levels have one entry. */
export interface PageLevel {
  name: LevelName;
  /** Bits of the virtual address below this level's index. */
  shift: number;
  entries: number;
  folded: boolean;
  /** A set PSE bit ends the walk here (a 2 MiB or 4 MiB page). */
  largePage: boolean;
  /** PAE's PDPTEs carry no R/W, U/S or NX bits; the hardware ignores them there. */
  permissionBits: boolean;
}

/** Bit positions in a page-table entry (x86 for all three formats). */
export const PTE_BIT = {
  PRESENT: 0,
  RW: 1,
  USER: 2,
  PWT: 3,
  PCD: 4,
  ACCESSED: 5,
  DIRTY: 6,
  PSE: 7,
  GLOBAL: 8,
  SPECIAL: 9,
  NX: 63,
} as const;

/** The kernel's view of an address space on this arch (FACTS §A/§B); addresses are vas. */
export interface AddressLayout {
  pageOffset: I64;
  /** Bytes of RAM the direct map may cover (x86_64: all of it; i386: lowmem). */
  directMapMaxBytes: number;
  vmallocStart: I64;
  vmallocEnd: I64;
  vmemmap: I64 | undefined;
  kernelTextMap: I64;
  /** Physical address where the kernel image is loaded. */
  kernelLoadPa: number;
  modulesStart: I64;
  modulesEnd: I64;
  pkmapBase: I64 | undefined;
  lastPkmap: number;
  fixmapTop: I64 | undefined;
  /** FIXADDR_START: the bottom of the permanent fixmap slots. */
  fixmapStart: I64 | undefined;
  /** Fixmap index of the first kmap_atomic slot (FIX_KMAP_BEGIN); 0 where there is none. */
  fixKmapBegin: number;
  /** kmap_atomic slots: KM_TYPE_NR per CPU times NR_CPUS (0 on x86_64, which needs none). */
  kmapAtomicSlots: number;
  taskSize: I64;
  stackTop: I64;
  /** Top-down mmap base with randomization off. */
  mmapBase: I64;
  /** Where a non-PIE executable's text starts. */
  userTextStart: number;
  threadSizeBytes: number;
}

export interface ArchSpec {
  name: ArchName;
  /** Width of a pointer / virtual address. */
  vaBits: 32 | 64;
  pteBytes: 4 | 8;
  /** Always pgd, pud, pmd, pte in this order; folded ones marked. */
  levels: readonly PageLevel[];
  physAddrBits: number;
  nxSupported: boolean;
  layout: AddressLayout;
  /** C data model. */
  abi: { ptrBytes: 4 | 8; longBytes: 4 | 8; longAlign: 4 | 8; llongAlign: 4 | 8; doubleAlign: 4 | 8 };
  /** True if `va` can be translated at all (x86_64: canonical; 32-bit: below 4 GiB). */
  isCanonical(va: number): boolean;
  /** Is this a kernel (upper half) address? */
  isKernelVa(va: number): boolean;
  /**
   * The layout once the amount of RAM is known: on i386 the end of lowmem (high_memory), and
   * with it VMALLOC_START, depends on it. `layout` is the layout of a machine whose RAM fills
   * the direct map.
   */
  layoutForRam(ramBytes: number): AddressLayout;
}

/** The arch as a kernel booted with `ramBytes` of RAM sees it. */
export function archForRam(arch: ArchSpec, ramBytes: number): ArchSpec {
  return { ...arch, layout: arch.layoutForRam(ramBytes) };
}
