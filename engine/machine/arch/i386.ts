import type { ArchSpec } from './types';
import { isKernelVa32, isVa32, layout32, type Geometry32 } from './x86_32';

const GEOMETRY: Geometry32 = { pmdShift: 22, ptrsPerPte: 1024, lastPkmap: 1024 };

/**
 * i386 without PAE, Linux 3.7 (FACTS §B): two levels, 10-10-12, 4-byte entries, no NX bit.
 * The PUD and the PMD fold into the PGD (pgtable-nopud.h and pgtable-nopmd.h): each has one
 * entry and the PGD's shift. A PGD entry with PSE set maps a 4 MiB page, which is how the
 * direct map of lowmem is built.
 */
export const I386: ArchSpec = {
  name: 'i386',
  vaBits: 32,
  pteBytes: 4,
  levels: [
    { name: 'pgd', shift: 22, entries: 1024, folded: false, largePage: true, permissionBits: true },
    { name: 'pud', shift: 22, entries: 1, folded: true, largePage: false, permissionBits: true },
    { name: 'pmd', shift: 22, entries: 1, folded: true, largePage: false, permissionBits: true },
    { name: 'pte', shift: 12, entries: 1024, folded: false, largePage: false, permissionBits: true },
  ],
  physAddrBits: 32,
  nxSupported: false,
  layout: layout32(GEOMETRY, 4 * 2 ** 30),
  abi: { ptrBytes: 4, longBytes: 4, longAlign: 4, llongAlign: 4, doubleAlign: 4 },
  isCanonical: isVa32,
  isKernelVa: isKernelVa32,
  layoutForRam: (ramBytes) => layout32(GEOMETRY, ramBytes),
};
