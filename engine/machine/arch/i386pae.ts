import type { ArchSpec } from './types';
import { isKernelVa32, isVa32, layout32, type Geometry32 } from './x86_32';

const GEOMETRY: Geometry32 = { pmdShift: 21, ptrsPerPte: 512, lastPkmap: 512 };

/**
 * i386 with PAE, Linux 3.7 (FACTS §B): 2-9-9-12 with 8-byte entries and the NX bit. The PGD is
 * the four PDPTEs the CPU loads with CR3; they carry only the present bit (no R/W, U/S or NX).
 * The PUD folds into the PGD (pgtable-nopud.h); a PMD entry with PSE set maps a 2 MiB page.
 * Physical addresses are masked with __PHYSICAL_MASK_SHIFT 44, as the kernel does.
 */
export const I386_PAE: ArchSpec = {
  name: 'i386-pae',
  vaBits: 32,
  pteBytes: 8,
  levels: [
    { name: 'pgd', shift: 30, entries: 4, folded: false, largePage: false, permissionBits: false },
    { name: 'pud', shift: 30, entries: 1, folded: true, largePage: false, permissionBits: false },
    { name: 'pmd', shift: 21, entries: 512, folded: false, largePage: true, permissionBits: true },
    { name: 'pte', shift: 12, entries: 512, folded: false, largePage: false, permissionBits: true },
  ],
  physAddrBits: 44,
  nxSupported: true,
  layout: layout32(GEOMETRY, 4 * 2 ** 30),
  abi: { ptrBytes: 4, longBytes: 4, longAlign: 4, llongAlign: 4, doubleAlign: 4 },
  isCanonical: isVa32,
  isKernelVa: isKernelVa32,
  layoutForRam: (ramBytes) => layout32(GEOMETRY, ramBytes),
};
