/**
 * Op-by-op page runs (loop fission): within a page run (pagerun.ts), a body whose ops do not
 * feed each other runs each op for all the run's iterations before the next op, each in a tight
 * loop of its own — `buf[i] = v; s += buf[i];` becomes a loop of stores and then a loop of loads
 * with the sum kept in a local — instead of calling every op once per iteration.
 *
 * Why it is exact: nothing in a run can stop, fault or change a translation (pagerun.ts), the
 * ops are checked not to throw (no division by a variable, 0 or -1), and the order of the
 * effects that another op could observe is kept:
 *  - registers: no op reads or writes a register an earlier op of the body writes, nor writes
 *    one an earlier op reads (codegen's FissionInfo; the counter is set by each kernel itself);
 *  - memory: two accesses of different ops, one of them a store, either touch disjoint bytes
 *    over the whole run or are the same element at every iteration (same pointer, same scale,
 *    both no wider than the scale), checked at the start of each run (`separable`).
 * Each op then sees exactly the values it would see with the iterations interleaved, and the
 * loop's registers and memory end the same. Steps are counted per iteration as plain ops count.
 */
import type { CFrame, Op } from '../exec/types';
import { hi32, lo32, type I64 } from '../util/int64';
import { accumulate } from './hotops';
import { siteValueAt, type RunSite } from './pagerun';
import type { Rv, VK } from './values';

/** Runs an op for `count` iterations from counter value i0 (the counter in register `slot`). */
export type RunKernel = (f: CFrame, slot: number, i0: number, delta: number, count: number) => void;

/** What codegen knows of a body op for fission: the registers it reads and writes. */
export interface FissionInfo {
  reads: readonly number[];
  writes: readonly number[];
  /** It cannot throw (no division by a register or by 0 or -1). */
  trapFree: boolean;
  /** Its own tight loop; without one, its run op is called once per iteration. */
  kernel?: RunKernel;
}

/** Any run op, called once per iteration with the counter set as the plain loop sets it. */
export function opKernel(op: Op): RunKernel {
  return (f, slot, i, delta, n) => {
    const regs = f.regs;
    for (; n > 0; n--, i += delta) {
      regs[slot] = i;
      op(f);
    }
  };
}

/** `p[i] = v` for the kinds storeRunOp has. */
export function storeKernel(k: VK, s: RunSite, v: Rv): RunKernel | undefined {
  const scale = s.scale;
  switch (k) {
    case 'i8':
    case 'u8':
      return (f, slot, i, delta, n) => {
        const regs = f.regs;
        const bytes = s.bytes;
        for (; n > 0; n--, i += delta) {
          regs[slot] = i;
          bytes[s.off + i * scale] = v(f) as number;
        }
      };
    case 'i32':
    case 'u32':
      return (f, slot, i, delta, n) => {
        const regs = f.regs;
        const view = s.view;
        for (; n > 0; n--, i += delta) {
          regs[slot] = i;
          view.setUint32(s.off + i * scale, (v(f) as number) >>> 0, true);
        }
      };
    case 'i64':
    case 'u64':
      return (f, slot, i, delta, n) => {
        const regs = f.regs;
        const view = s.view;
        for (; n > 0; n--, i += delta) {
          regs[slot] = i;
          const x = v(f) as I64;
          const o = s.off + i * scale;
          view.setUint32(o, lo32(x), true);
          view.setInt32(o + 4, hi32(x), true);
        }
      };
    case 'f64':
      return (f, slot, i, delta, n) => {
        const regs = f.regs;
        const view = s.view;
        for (; n > 0; n--, i += delta) {
          regs[slot] = i;
          view.setFloat64(s.off + i * scale, v(f) as number, true);
        }
      };
  }
  return undefined;
}

/**
 * A long accumulator at most this far from zero takes a run's integer loads (at most 2^12 of
 * them, one page of bytes, each below 2^32 in size) without leaving the safe integers.
 */
const SAFE_FOR_RUN = Number.MAX_SAFE_INTEGER - 2 ** 44;

/**
 * `reg op= p[i]` (accumulatorKind ak, load kind lk): the sum stays in a local for the run. Integer
 * loads into an int or a long are summed first (exact in a double: a run has at most 2^12 of
 * them, each below 2^32) and added once — an int wraps the same either way (addition modulo 2^32
 * does not care about the order), a long this far from the edges never wraps. Doubles are added
 * one by one, in order, as C does.
 */
export function accumulateKernel(ak: number, neg: boolean, reg: number, lk: number, s: RunSite): RunKernel {
  return (f, slot, i, delta, n) => {
    const regs = f.regs;
    let a = regs[reg];
    if (lk <= 3 && ak <= 1 && typeof a === 'number' && Math.abs(a) <= SAFE_FOR_RUN) {
      const sum = sumOfInts(s, lk, s.off + i * s.scale, delta * s.scale, n);
      const r = neg ? a - sum : a + sum;
      regs[reg] = ak === 0 ? r | 0 : r;
      return;
    }
    for (; n > 0; n--, i += delta) a = accumulate(ak, neg, a, siteValueAt(s, lk, i));
    regs[reg] = a;
  };
}

/** The sum of n integer loads of kind lk (0-3, hotops' LOAD_KINDS) at offsets o, o + step, ... */
function sumOfInts(s: RunSite, lk: number, o: number, step: number, n: number): number {
  let sum = 0;
  const bytes = s.bytes;
  const view = s.view;
  switch (lk) {
    case 0:
      for (; n > 0; n--, o += step) sum += (bytes[o] << 24) >> 24;
      return sum;
    case 1:
      for (; n > 0; n--, o += step) sum += bytes[o];
      return sum;
    case 2:
      for (; n > 0; n--, o += step) sum += view.getInt32(o, true);
      return sum;
    default:
      for (; n > 0; n--, o += step) sum += view.getUint32(o, true);
      return sum;
  }
}

/**
 * Whether the ops (in body order) may run one after the other: registers as the header says;
 * the counter is not counted (every kernel sets it as the plain loop would).
 */
export function fissionLegal(ops: readonly FissionInfo[], counterSlot: number): boolean {
  const writtenBefore = new Set<number>();
  const readBefore = new Set<number>();
  for (const op of ops) {
    if (!op.trapFree) return false;
    for (const r of op.reads) if (r !== counterSlot && writtenBefore.has(r)) return false;
    for (const w of op.writes) if (w === counterSlot || writtenBefore.has(w) || readBefore.has(w)) return false;
    for (const r of op.reads) readBefore.add(r);
    for (const w of op.writes) writtenBefore.add(w);
  }
  return true;
}

/**
 * Whether, for the next `count` iterations (counter stepping by `delta`), every pair of accesses
 * of different ops with a store among them is disjoint or the same element at each iteration.
 * The sites hold their pointer and first address from the run's start (PageRunPlan.start).
 */
export function separable(sites: readonly RunSite[], count: number, delta: number): boolean {
  for (let a = 0; a < sites.length; a++) {
    const x = sites[a];
    for (let b = a + 1; b < sites.length; b++) {
      const y = sites[b];
      if (x.op === y.op || (!x.write && !y.write)) continue;
      if (x.p === y.p && x.scale === y.scale && x.sizeBytes <= x.scale && y.sizeBytes <= y.scale) continue;
      const xl = Math.min(x.va0, x.va0 + (count - 1) * delta * x.scale);
      const xh = Math.max(x.va0, x.va0 + (count - 1) * delta * x.scale) + x.sizeBytes;
      const yl = Math.min(y.va0, y.va0 + (count - 1) * delta * y.scale);
      const yh = Math.max(y.va0, y.va0 + (count - 1) * delta * y.scale) + y.sizeBytes;
      if (xl < yh && yl < xh) return false;
    }
  }
  return true;
}
