/**
 * vm_prot_t bits (VM_PROT_READ 1, WRITE 2, EXECUTE 4, the same as PROT_*),
 * which alpha stores in its clusters and compares against the request.
 */
import { Prot } from './types';

export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

export function protBits(p: Prot): number {
  return (p.read ? PROT_READ : 0) | (p.write ? PROT_WRITE : 0) | (p.exec ? PROT_EXEC : 0);
}

export function protFromBits(bits: number): Prot {
  return { read: (bits & PROT_READ) !== 0, write: (bits & PROT_WRITE) !== 0, exec: (bits & PROT_EXEC) !== 0 };
}

/** "READ|WRITE", or "NONE". */
export function protBitsName(bits: number): string {
  const names = [
    [PROT_READ, 'READ'],
    [PROT_WRITE, 'WRITE'],
    [PROT_EXEC, 'EXEC'],
  ] as const;
  const set = names.filter(([bit]) => (bits & bit) !== 0).map(([, name]) => name);
  return set.length === 0 ? 'NONE' : set.join('|');
}

/** "r", "rw", "rwx", "-" as ls and the CLI write them. */
export function protShort(p: Prot): string {
  const s = (p.read ? 'r' : '') + (p.write ? 'w' : '') + (p.exec ? 'x' : '');
  return s === '' ? '-' : s;
}
