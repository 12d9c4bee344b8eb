/**
 * The kernel half of a 32-bit x86 address space, derived the way Linux 3.7 derives it
 * (pgtable_32_types.h, fixmap.h, FACTS §B) instead of being written down as magic numbers, so
 * the two paging formats (2-level and PAE) get their different PKMAP_BASE, VMALLOC_END and
 * lowmem limit from one set of formulas. From the top of the 4 GiB down:
 *
 *   FIXADDR_TOP 0xfffff000   fixmap: permanent slots (kmap_atomic among them), then boot-time ones
 *   PKMAP_BASE               LAST_PKMAP pages for kmap(), aligned down to a PMD
 *   VMALLOC_END              = PKMAP_BASE - 2 pages
 *   VMALLOC_START            = high_memory + 8 MiB (VMALLOC_OFFSET, a guard against overruns)
 *   high_memory              = PAGE_OFFSET + lowmem, lowmem at most MAXMEM
 *   PAGE_OFFSET 0xc0000000   the direct map of lowmem; user space (TASK_SIZE) below
 */
import type { AddressLayout } from './types';

export const PAGE_OFFSET_32 = 0xc0000000;
/** __FIXADDR_TOP with no hypervisor reserving the top of the address space. */
export const FIXADDR_TOP_32 = 0xfffff000;
export const VMALLOC_OFFSET = 8 << 20;
/** __VMALLOC_RESERVE: 128 MiB of vmalloc space at least, taken from lowmem's share. */
export const VMALLOC_RESERVE = 128 << 20;
/** kmap_atomic types per CPU (kmap_types.h) and the CPUs the modelled kernel was built for. */
export const KM_TYPE_NR = 20;
export const NR_CPUS = 8;
const MAX_IO_APICS = 64;
/** early_ioremap's boot-time slots: NR_FIX_BTMAPS × FIX_BTMAPS_SLOTS. */
const TOTAL_FIX_BTMAPS = 64 * 4;
const PAGE = 4096;

/** Paging-format numbers the layout depends on. */
export interface Geometry32 {
  /** PMD_SHIFT: 22 when the PMD folds into a 4 MiB PGD entry, 21 with PAE. */
  pmdShift: number;
  ptrsPerPte: number;
  lastPkmap: number;
}

/**
 * enum fixed_addresses for an SMP build with the local and I/O APICs, PCI MMCONFIG and
 * paravirt (a distribution config): FIX_HOLE, FIX_VDSO, FIX_DBGP_BASE, FIX_EARLYCON_MEM_BASE,
 * FIX_APIC_BASE, MAX_IO_APICS I/O APIC slots, the KM_TYPE_NR × NR_CPUS kmap_atomic slots,
 * FIX_PCIE_MCFG, FIX_PARAVIRT_BOOTMAP, FIX_TEXT_POKE1/0 — 233 permanent slots (the 932 kB
 * "fixmap" line of such a boot). The boot-time slots follow, moved up to the next page table
 * when they would straddle one, and FIX_WP_TEST ends the enum.
 */
export function fixmapIndices(ptrsPerPte: number): { kmapBegin: number; endPermanent: number; endAll: number } {
  const kmapBegin = 4 + 1 + MAX_IO_APICS;
  const endPermanent = kmapBegin + KM_TYPE_NR * NR_CPUS + 4;
  const straddles = ((endPermanent ^ (endPermanent + TOTAL_FIX_BTMAPS - 1)) & -ptrsPerPte) !== 0;
  const btmapEnd = straddles ? endPermanent + TOTAL_FIX_BTMAPS - (endPermanent & (TOTAL_FIX_BTMAPS - 1)) : endPermanent;
  const btmapBegin = btmapEnd + TOTAL_FIX_BTMAPS - 1;
  return { kmapBegin, endPermanent, endAll: btmapBegin + 2 };
}

/** PKMAP_BASE = (FIXADDR_BOOT_START − PAGE_SIZE·(LAST_PKMAP+1)) & PMD_MASK. */
export function pkmapBase(g: Geometry32): number {
  const fixaddrBootStart = FIXADDR_TOP_32 - fixmapIndices(g.ptrsPerPte).endAll * PAGE;
  const pmdSize = 2 ** g.pmdShift;
  return Math.floor((fixaddrBootStart - PAGE * (g.lastPkmap + 1)) / pmdSize) * pmdSize;
}

/**
 * MAXMEM = VMALLOC_END − PAGE_OFFSET − __VMALLOC_RESERVE: the most RAM the direct map can hold.
 * With 2-level paging PKMAP_BASE is 0xff800000, VMALLOC_END 0xff7fe000 and MAXMEM 0x377fe000
 * (887.99 MiB: lowmem ends at 0xf77fe000 — the "896 MiB" of folklore minus the fixmap and pkmap
 * areas' share). With PAE the pkmap area is half as large and PMD-aligned to 2 MiB: PKMAP_BASE
 * 0xffc00000, VMALLOC_END 0xffbfe000, MAXMEM 0x37bfe000 (891.99 MiB).
 */
export function maxLowmemBytes(g: Geometry32): number {
  return pkmapBase(g) - 2 * PAGE - PAGE_OFFSET_32 - VMALLOC_RESERVE;
}

/** The kernel and user layout of a 32-bit kernel with `ramBytes` of RAM. */
export function layout32(g: Geometry32, ramBytes: number): AddressLayout {
  const pkmap = pkmapBase(g);
  const vmallocEnd = pkmap - 2 * PAGE;
  const lowmemBytes = Math.min(ramBytes, maxLowmemBytes(g));
  const highMemory = PAGE_OFFSET_32 + lowmemBytes;
  const vmallocStart = highMemory + VMALLOC_OFFSET;
  // mmap_base() with randomization off: TASK_SIZE less the stack gap, RLIMIT_STACK (8 MiB)
  // raised to the 128 MiB minimum: 0xc0000000 − 0x08000000 = 0xb8000000.
  const taskSize = PAGE_OFFSET_32;
  const mmapBase = taskSize - (128 << 20);
  return {
    pageOffset: PAGE_OFFSET_32,
    directMapMaxBytes: maxLowmemBytes(g),
    vmallocStart,
    vmallocEnd,
    vmemmap: undefined,
    // The kernel image is part of the direct map on i386 (loaded at 16 MiB: 0xc1000000).
    kernelTextMap: PAGE_OFFSET_32,
    kernelLoadPa: 0x1000000,
    // module_alloc on i386 takes its space from the vmalloc area.
    modulesStart: vmallocStart,
    modulesEnd: vmallocEnd,
    pkmapBase: pkmap,
    lastPkmap: g.lastPkmap,
    fixmapTop: FIXADDR_TOP_32,
    fixmapStart: FIXADDR_TOP_32 - fixmapIndices(g.ptrsPerPte).endPermanent * PAGE,
    fixKmapBegin: fixmapIndices(g.ptrsPerPte).kmapBegin,
    kmapAtomicSlots: KM_TYPE_NR * NR_CPUS,
    taskSize,
    stackTop: taskSize,
    mmapBase,
    // The i386 ELF default text address (ld's -Ttext-segment for elf_i386).
    userTextStart: 0x08048000,
    threadSizeBytes: 8192,
  };
}

/** Any 32-bit value is an address a 32-bit CPU can be asked to translate. */
export function isVa32(va: number): boolean {
  return Number.isInteger(va) && va >= 0 && va <= 0xffffffff;
}

export function isKernelVa32(va: number): boolean {
  return va >= PAGE_OFFSET_32;
}

/**
 * The "virtual kernel memory layout" lines mem_init prints on 32-bit kernels (the .init, .data
 * and .text lines are left out: the emulated image has no such sections).
 */
export function describeLayout32(l: AddressLayout): string[] {
  const hex = (v: number) => '0x' + v.toString(16).padStart(8, '0');
  const line = (name: string, lo: number, hi: number, unitBytes: number, unit: string) =>
    `    ${name.padEnd(7)} : ${hex(lo)} - ${hex(hi)}   (${String(Math.floor((hi - lo) / unitBytes)).padStart(4)} ${unit})`;
  const n = (v: unknown) => v as number;
  return [
    'virtual kernel memory layout:',
    line('fixmap', n(l.fixmapStart), n(l.fixmapTop), 1024, 'kB'),
    line('pkmap', n(l.pkmapBase), n(l.pkmapBase) + l.lastPkmap * PAGE, 1024, 'kB'),
    line('vmalloc', n(l.vmallocStart), n(l.vmallocEnd), 1 << 20, 'MB'),
    line('lowmem', n(l.pageOffset), n(l.vmallocStart) - VMALLOC_OFFSET, 1 << 20, 'MB'),
  ];
}
