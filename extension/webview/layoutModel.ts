/**
 * The address-space picture's model: the regions of one task's address space (its VMAs, the
 * user/kernel split, the direct map, the vmalloc area and the vmalloc areas in it, modules,
 * pkmap/fixmap on 32-bit) from the arch's layout and the adapter's data, sorted by address.
 * No vscode import: unit-tested.
 */
import { X86_64 } from '../../engine/machine/arch/x86_64';
import { I386 } from '../../engine/machine/arch/i386';
import { I386_PAE } from '../../engine/machine/arch/i386pae';
import { archForRam, type ArchSpec } from '../../engine/machine/arch/types';
import { toUnsignedBig, type I64 } from '../../engine/util/int64';
import type { TaskVmas, VmallocInfo, WalkResult } from '../model/protocol';

export type RegionKind = 'vma' | 'user' | 'split' | 'directmap' | 'vmallocspace' | 'vmalloc' | 'modules' | 'kernel' | 'pkmap' | 'fixmap' | 'vmemmap';

export interface Region {
  start: bigint;
  end: bigint;
  label: string;
  detail: string;
  kind: RegionKind;
  /** Drawn inside another region (a VMA in user space, a vmalloc area in the vmalloc space). */
  nested: boolean;
}

export interface AddressSpaceModel {
  arch: string;
  title: string;
  vaBits: 32 | 64;
  userTop: bigint;
  kernelBase: bigint;
  regions: Region[];
  walk?: WalkResult;
  selected?: bigint;
}

const ARCHES: Record<string, ArchSpec> = { x86_64: X86_64, i386: I386, 'i386-pae': I386_PAE };

function u(v: I64): bigint {
  return toUnsignedBig(v);
}

function big(hex: string): bigint {
  return BigInt.asUintN(64, BigInt(hex));
}

/** The kernel half's fixed regions, as this arch lays them out for this much RAM. */
export function kernelRegions(arch: ArchSpec, ramBytes: number): Region[] {
  const L = archForRam(arch, ramBytes).layout;
  const direct = Math.min(ramBytes, L.directMapMaxBytes);
  const top = arch.vaBits === 64 ? (1n << 64n) - 1n : 0xffffffffn;
  const r: Region[] = [
    { start: u(L.pageOffset), end: u(L.pageOffset) + BigInt(direct), label: 'direct map', detail: `all ${arch.vaBits === 64 ? 'RAM' : 'lowmem'} at PAGE_OFFSET`, kind: 'directmap', nested: false },
    { start: u(L.vmallocStart), end: u(L.vmallocEnd), label: 'vmalloc space', detail: 'VMALLOC_START … VMALLOC_END', kind: 'vmallocspace', nested: false },
  ];
  if (L.vmemmap !== undefined) r.push({ start: u(L.vmemmap), end: u(L.vmemmap) + 0x10000000000n, label: 'vmemmap', detail: 'struct page array', kind: 'vmemmap', nested: false });
  if (arch.vaBits === 64) {
    r.push({ start: u(L.kernelTextMap), end: u(L.modulesStart), label: 'kernel text', detail: '__START_KERNEL_map', kind: 'kernel', nested: false });
    r.push({ start: u(L.modulesStart), end: u(L.modulesEnd), label: 'modules', detail: 'MODULES_VADDR … MODULES_END', kind: 'modules', nested: false });
  }
  if (L.pkmapBase !== undefined && L.lastPkmap > 0) r.push({ start: u(L.pkmapBase), end: u(L.pkmapBase) + BigInt(L.lastPkmap * 4096), label: 'pkmap', detail: `${L.lastPkmap} kmap slots`, kind: 'pkmap', nested: false });
  if (L.fixmapStart !== undefined && L.fixmapTop !== undefined) r.push({ start: u(L.fixmapStart), end: u(L.fixmapTop) > top ? top : u(L.fixmapTop), label: 'fixmap', detail: `kmap_atomic slots: ${L.kmapAtomicSlots}`, kind: 'fixmap', nested: false });
  return r.filter((x) => x.end > x.start);
}

/** 'lazy_init+0x1c (/long/path/lazy.c:66)' → 'lazy_init+0x1c (lazy.c:66)'. */
export function shortCaller(caller: string): string {
  return caller.replace(/\(([^()]*\/)([^/()]+)\)/, '($2)');
}

export function buildModel(input: { arch: string; ramBytes: number; task?: TaskVmas; vmalloc: VmallocInfo[]; walk?: WalkResult }): AddressSpaceModel {
  const arch = ARCHES[input.arch] ?? X86_64;
  const L = archForRam(arch, input.ramBytes).layout;
  const userTop = u(L.taskSize);
  const kernelBase = u(L.pageOffset);
  const regions: Region[] = [
    { start: 0n, end: userTop, label: 'user space', detail: `0 … TASK_SIZE`, kind: 'user', nested: false },
    ...kernelRegions(arch, input.ramBytes),
  ];
  for (const v of input.task?.vmas ?? []) {
    regions.push({ start: big(v.start), end: big(v.end), label: v.name || v.file || 'anonymous', detail: `${v.perms} ${v.flagNames.filter((n) => /VM_(IO|PFNMAP|DONTEXPAND|MIXEDMAP|SHARED)/.test(n)).join(' ')}`.trim(), kind: 'vma', nested: true });
  }
  for (const a of input.vmalloc) {
    regions.push({ start: big(a.start), end: big(a.end), label: `${a.kind} ${shortCaller(a.caller)}`, detail: `${a.pages} pages + guard${a.flags.includes('VM_USERMAP') ? ', VM_USERMAP' : ''}`, kind: 'vmalloc', nested: true });
  }
  regions.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : Number(a.nested) - Number(b.nested)));
  return {
    arch: arch.name,
    title: input.task ? `${input.task.comm}[${input.task.pid}] on ${arch.name}` : `kernel on ${arch.name}`,
    vaBits: arch.vaBits,
    userTop,
    kernelBase,
    regions,
    walk: input.walk,
    selected: input.walk ? big(input.walk.va) : undefined,
  };
}
