import type { ArchSpec, LevelName } from './arch/types';
import { PhysMem, PAGE_SIZE } from './physmem';

/** x86 page-fault error code bits, as the CPU pushes them. */
export const PF_PROT = 1;
export const PF_WRITE = 2;
export const PF_USER = 4;
export const PF_RSVD = 8;
export const PF_INSTR = 16;

export interface Access {
  write: boolean;
  user: boolean;
  fetch: boolean;
}

/** A successful translation of one 4 KiB page. */
export interface Translation {
  pfn: number;
  writable: boolean;
  user: boolean;
  nx: boolean;
  global: boolean;
  dirty: boolean;
  /** 12 for a 4 KiB page, 21/22 when the walk ended on a large page. */
  pageShift: number;
  /** Physical address of the entry read at each level that is not folded, top level first. */
  entryPas: number[];
}

export interface WalkFault {
  fault: true;
  errorCode: number;
  /** The level whose entry was not present, or the leaf for a protection fault. */
  level: LevelName;
}

export type WalkResult = Translation | WalkFault;

export function isWalkFault(r: WalkResult): r is WalkFault {
  return (r as WalkFault).fault === true;
}

/** The index into a level's table for a va (works for negative, sign-extended vas). */
export function levelIndex(va: number, shift: number, entries: number): number {
  return Math.floor(va / POW2[shift]) & (entries - 1);
}

/** 2 ** n for every shift a level can have (a table: `**` with a variable exponent is a call). */
const POW2 = Array.from({ length: 64 }, (_, n) => 2 ** n);

/** Entry value as its two 32-bit halves, so 64-bit entries need no bigint on the walk. */
export function readEntry(mem: PhysMem, pa: number, entryBytes: 4 | 8): { lo: number; hi: number } {
  return { lo: mem.read32(pa), hi: entryBytes === 8 ? mem.read32(pa + 4) : 0 };
}

export function entryPfn(lo: number, hi: number, physAddrBits: number): number {
  const hiMask = physAddrBits > 32 ? (1 << (physAddrBits - 32)) - 1 : 0;
  return (lo >>> 12) + (hi & hiMask) * 1048576;
}

/**
 * Walks the page-table bytes in physical memory the way the x86 MMU does: permissions are the
 * AND (R/W, U/S) and OR (NX) of every level, kernel writes honour read-only pages (CR0.WP, which
 * Linux sets), and with `setAccessedDirty` the accessed bit is set at every level and the dirty bit
 * on the leaf of a write, straight into memory like the hardware does.
 */
export function walk(mem: PhysMem, arch: ArchSpec, cr3Pa: number, va: number, access: Access, setAccessedDirty: boolean): WalkResult {
  let tablePa = cr3Pa - (cr3Pa % PAGE_SIZE);
  let writable = true;
  let user = true;
  let nx = false;
  const entryPas: number[] = [];
  const errBase = (access.write ? PF_WRITE : 0) | (access.user ? PF_USER : 0) | (access.fetch ? PF_INSTR : 0);
  const levels = arch.levels;
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    if (level.folded) continue;
    const entryPa = tablePa + levelIndex(va, level.shift, level.entries) * arch.pteBytes;
    const { lo, hi } = readEntry(mem, entryPa, arch.pteBytes);
    if ((lo & 1) === 0) return { fault: true, errorCode: errBase, level: level.name };
    entryPas.push(entryPa);
    if (level.permissionBits) {
      writable = writable && (lo & 2) !== 0;
      user = user && (lo & 4) !== 0;
      nx = nx || (arch.nxSupported && (hi & 0x80000000) !== 0);
    }
    const leaf = level.name === 'pte' || (level.largePage && (lo & 0x80) !== 0);
    if (!leaf) {
      // PAE's PDPTEs have no accessed bit (bit 5 is reserved there): only real levels get it.
      if (setAccessedDirty && level.permissionBits && (lo & 0x20) === 0) mem.view(Math.floor(entryPa / PAGE_SIZE)).setUint32(entryPa & 4095, (lo | 0x20) >>> 0, true);
      tablePa = entryPfn(lo, hi, arch.physAddrBits) * PAGE_SIZE;
      continue;
    }
    if (access.user && !user) return { fault: true, errorCode: errBase | PF_PROT, level: level.name };
    if (access.write && !writable) return { fault: true, errorCode: errBase | PF_PROT, level: level.name };
    if (access.fetch && nx) return { fault: true, errorCode: errBase | PF_PROT, level: level.name };
    let pfn = entryPfn(lo, hi, arch.physAddrBits);
    if (level.name !== 'pte') {
      // A large page: bit 12 of the entry is PAT, the frame number comes from the bits above the
      // level's shift, and the va supplies the 4 KiB page inside it.
      const span = 2 ** (level.shift - 12);
      pfn = pfn - (pfn % span) + (Math.floor(va / PAGE_SIZE) & (span - 1));
    }
    let newLo = lo | 0x20;
    if (access.write) newLo |= 0x40;
    if (setAccessedDirty && newLo !== lo) mem.view(Math.floor(entryPa / PAGE_SIZE)).setUint32(entryPa & 4095, newLo >>> 0, true);
    return {
      pfn,
      writable,
      user,
      nx,
      global: (lo & 0x100) !== 0,
      dirty: ((setAccessedDirty ? newLo : lo) & 0x40) !== 0,
      pageShift: level.name === 'pte' ? 12 : level.shift,
      entryPas,
    };
  }
  throw new Error('page-table walk fell off the levels');
}
