import type { ArchSpec } from './types';
import { vaFromHex } from './va';

/** x86_64, Linux 3.7 (FACTS §A): 4 levels of 512 entries, 9-9-9-9-12, 48-bit canonical vas. */
export const X86_64: ArchSpec = {
  name: 'x86_64',
  vaBits: 64,
  pteBytes: 8,
  levels: [
    { name: 'pgd', shift: 39, entries: 512, folded: false, largePage: false, permissionBits: true },
    { name: 'pud', shift: 30, entries: 512, folded: false, largePage: false, permissionBits: true },
    { name: 'pmd', shift: 21, entries: 512, folded: false, largePage: true, permissionBits: true },
    { name: 'pte', shift: 12, entries: 512, folded: false, largePage: false, permissionBits: true },
  ],
  physAddrBits: 46,
  nxSupported: true,
  layout: {
    pageOffset: vaFromHex('ffff880000000000'),
    directMapMaxBytes: 64 * 2 ** 40,
    vmallocStart: vaFromHex('ffffc90000000000'),
    vmallocEnd: vaFromHex('ffffe8ffffffffff'),
    vmemmap: vaFromHex('ffffea0000000000'),
    kernelTextMap: vaFromHex('ffffffff80000000'),
    kernelLoadPa: 0x1000000,
    modulesStart: vaFromHex('ffffffffa0000000'),
    modulesEnd: vaFromHex('ffffffffff000000'),
    pkmapBase: undefined,
    lastPkmap: 0,
    fixmapTop: undefined,
    fixmapStart: undefined,
    fixKmapBegin: 0,
    kmapAtomicSlots: 0,
    taskSize: 0x7ffffffff000,
    stackTop: 0x7ffffffff000,
    mmapBase: 0x7ffff7fff000,
    userTextStart: 0x400000,
    threadSizeBytes: 8192,
  },
  abi: { ptrBytes: 8, longBytes: 8, longAlign: 8, llongAlign: 8, doubleAlign: 8 },
  isCanonical: (va) => va >= -0x800000000000 && va < 0x800000000000,
  isKernelVa: (va) => va < 0,
  layoutForRam: () => X86_64.layout,
};
