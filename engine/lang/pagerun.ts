/**
 * Page runs: a fused counted loop whose every memory access is `p[i]` (i the counter, p a
 * register the body does not write or a hoisted pointer variable) runs the iterations that keep
 * each access inside its current page against the frames' bytes directly, translating each
 * access's page once per run instead of once per access.
 *
 * Why it is exact: a run starts only when every access's page is its TLB set's most recently
 * used entry with the fast path's permission for that access (so each access would be a fast-path
 * hit, which has no side effect: no counter, no reordering, no A/D bit, no watch, no checker),
 * and the body touches memory nowhere else (codegen proves it: its ops are `p[i]` stores, sums and
 * register writes computed from registers, constants and such `p[i]` loads). Nothing in a run can
 * change a translation or a frame's watch bits — page tables and watched frames are never on the
 * fast write path — so the answer stays true for every iteration of the run, and each access
 * reads or writes the same bytes the plain op would. Steps, slice ends, stops and traps are
 * counted by the fused loop exactly as for plain iterations; a run ends at the first page
 * boundary, and before the counter could wrap.
 *
 * The one exception, taken only by op-by-op runs (fission.ts), is a kernel access to a frame the
 * memory checker watches (KASAN): allowed for as many iterations as the checker would pass, with
 * the TLB hit each such access makes counted afterwards (ranChecked).
 */
import type { Cpu, Mode } from '../machine/cpu';
import type { CFrame, Op, Value } from '../exec/types';
import { fromHiLo, hi32, lo32, type I64 } from '../util/int64';
import { accumulate, accumulatorKind, loadKindIndex } from './hotops';
import type { Rv, VK } from './values';
import type { PointerCell } from './hoist';
import type { FissionInfo } from './fission';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const PAGE = 4096;
const EMPTY = new Uint8Array(0);
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));

/** The base of `buf[i]` for a global array `buf`: its fixed address. */
export class ArrayBase {
  constructor(readonly a: number) {}
}

/** The base of `buf[i]` for an array local to the function: its offset from the frame pointer. */
export class FrameBase {
  constructor(readonly off: number) {}
}

/** One `p[i]` of a loop body: where it points during the current run. */
export class RunSite {
  /** The frame the access lands in, and the offset in it of the access at i = 0. */
  bytes: Uint8Array = EMPTY;
  view: DataView = EMPTY_VIEW;
  off = 0;
  /** The page a start last found unusable for this access (a second refusal skips the rest of it). */
  refusedVpn = NaN;
  /** At the run's start: the pointer and the access's address (fission.ts compares them). */
  p = 0;
  va0 = 0;
  /** Which op of the loop body makes the access (its index). */
  op = -1;
  /** The access happens only on some iterations (it sits under ?:, && or ||). */
  conditional = false;
  constructor(
    readonly base: number | PointerCell | ArrayBase | FrameBase,
    readonly index: number,
    readonly scale: number,
    readonly sizeBytes: number,
    readonly write: boolean,
  ) {}
}

/** What a body op becomes inside a run: its accesses, and the op that uses them (or itself). */
export interface RunForm {
  sites: RunSite[];
  make?: (next: number) => Op;
  /** What fission.ts needs to run the op on its own for a whole run. */
  fission: FissionInfo;
}

/** The accesses of one counted loop, checked at the start of each run. */
export class PageRunPlan {
  /** Runs that went op by op (fission.ts), for the tests. */
  splitRuns = 0;
  /**
   * Accesses per iteration of the current run that land in frames the memory checker watches
   * (KASAN-poisoned, kernel mode). Only op-by-op runs may have them: they know how many
   * iterations ran and count the TLB hits those accesses make (ranChecked).
   */
  checkedAccesses = 0;

  constructor(
    private readonly cpu: Cpu,
    private readonly mode: Mode,
    readonly sites: readonly RunSite[],
    private readonly counterSlot: number,
    private readonly delta: 1 | -1,
    /** ILP32: addresses wrap at 2^32 (a run never crosses that: it is a page boundary). */
    private readonly narrow: boolean,
  ) {}

  /**
   * How many iterations from the current counter keep every access a fast-path hit inside its
   * page (> 0, the sites then point at their frames); otherwise minus the number of iterations
   * to run as plain ops before asking again. With `checked`, an access may also land in a frame
   * the memory checker watches, for as many iterations as the checker would find nothing to
   * report (its answer for each of them would be "fine", with no effect but the TLB hit).
   * `fp` is the frame pointer of the loop's frame (for arrays local to it).
   */
  start(regs: Value[], checked: boolean, fp = 0): number {
    const i = regs[this.counterSlot];
    if (typeof i !== 'number') return -1;
    const slots = this.cpu.tlb.entries;
    const mode = this.mode;
    // The run's counter values must not wrap: past INT_MAX the plain loop's i is INT_MIN, and
    // its accesses are nowhere near the pages checked here.
    let run = this.delta > 0 ? 0x7fffffff - i + 1 : i + 0x80000000 + 1;
    this.checkedAccesses = 0;
    for (const s of this.sites) {
      let p: Value;
      if (typeof s.base === 'number') p = regs[s.base];
      else if (s.base instanceof ArrayBase) p = s.base.a;
      else if (s.base instanceof FrameBase) p = fp + s.base.off;
      else {
        // The hoisted value stands for a read of the variable only while that read would be a
        // fast-path hit (hoist.ts); otherwise the plain ops read it, reordering the TLB.
        const cell = s.base;
        const ce = slots[cell.vpn & 255];
        // A cell the loop could not hoist (or a store turned off) stays off until the loop ends.
        if (!cell.on) return -MAX_SAFE;
        if (ce.vpn !== cell.vpn || (ce.readFast & mode) === 0) return -1;
        p = cell.p;
      }
      if (typeof p !== 'number') return -1;
      const sum = p + i * s.scale;
      if (!(sum >= -MAX_SAFE && sum <= MAX_SAFE)) return -1;
      const va = this.narrow ? sum >>> 0 : sum;
      const vpn = Math.floor(va / PAGE);
      const inPage = va - vpn * PAGE;
      const left = this.delta > 0 ? Math.floor((PAGE - s.sizeBytes - inPage) / s.scale) + 1 : Math.floor(inPage / s.scale) + 1;
      const e = slots[vpn & 255];
      let fine = left;
      if (checked && e.vpn === vpn && (s.write ? e.checkedWrite : e.checkedRead) && !s.conditional && inPage + s.sizeBytes <= PAGE) {
        fine = this.cleanIterations(s, e.pfn * PAGE + inPage, left);
        this.checkedAccesses++;
      } else if (inPage + s.sizeBytes > PAGE || e.vpn !== vpn || ((s.write ? e.writeFast : e.readFast) & mode) === 0) fine = 0;
      if (fine <= 0) {
        // Often one plain access fills the TLB or sets the dirty bit; a page refused twice
        // (watched, poisoned, sharing its TLB set with another access's page) is left to the
        // plain ops until the access leaves it.
        if (vpn === s.refusedVpn && left > 1) return -left;
        s.refusedVpn = vpn;
        return -1;
      }
      s.refusedVpn = NaN;
      s.p = p;
      s.va0 = va;
      if (fine < run) run = fine;
      s.bytes = e.bytes;
      s.view = e.view;
      s.off = inPage - i * s.scale;
    }
    return run;
  }

  /**
   * Of the next `left` accesses of s (the first at physical address pa), how many in a row the
   * memory checker lets through: the clean bytes from the first access onwards (downwards when
   * the counter falls).
   */
  private cleanIterations(s: RunSite, pa: number, left: number): number {
    const clean = this.cpu.onPoisonedRange;
    if (clean === undefined) return 0;
    const spanBytes = (left - 1) * s.scale + s.sizeBytes;
    const up = this.delta > 0;
    const bytes = up ? clean(pa, spanBytes, false) : clean(pa + s.sizeBytes - spanBytes, spanBytes, true);
    return bytes < s.sizeBytes ? 0 : Math.floor((bytes - s.sizeBytes) / s.scale) + 1;
  }

  /** `iterations` of the current run went by: its checked accesses were TLB hits (checkedHit). */
  ranChecked(iterations: number): void {
    this.cpu.tlb.stats.hits += iterations * this.checkedAccesses;
  }
}

/** `p[i] = v` inside a run, for the kinds storeIndexedOp has (v computed after the address, as there). */
export function storeRunOp(k: VK, s: RunSite, v: Rv, next: number): Op | undefined {
  const is = s.index;
  const scale = s.scale;
  switch (k) {
    case 'i8': case 'u8': return (f) => { const o = s.off + (f.regs[is] as number) * scale; s.bytes[o] = v(f) as number; return next; };
    case 'i32': case 'u32': return (f) => { const o = s.off + (f.regs[is] as number) * scale; s.view.setUint32(o, (v(f) as number) >>> 0, true); return next; };
    case 'i64': case 'u64': return (f) => {
      const o = s.off + (f.regs[is] as number) * scale;
      const x = v(f) as I64;
      s.view.setUint32(o, lo32(x), true);
      s.view.setInt32(o + 4, hi32(x), true);
      return next;
    };
    case 'f64': return (f) => { const o = s.off + (f.regs[is] as number) * scale; s.view.setFloat64(o, v(f) as number, true); return next; };
  }
  return undefined;
}

/** `p[i]` of the load kind numbered lk (hotops' LOAD_KINDS) inside a run. */
function siteValue(s: RunSite, lk: number, f: CFrame): Value {
  return siteValueAt(s, lk, f.regs[s.index] as number);
}

/** `p[i]` of the load kind numbered lk for the counter value i. */
export function siteValueAt(s: RunSite, lk: number, i: number): Value {
  const o = s.off + i * s.scale;
  switch (lk) {
    case 0: return (s.bytes[o] << 24) >> 24;
    case 1: return s.bytes[o];
    case 2: return s.view.getInt32(o, true);
    case 3: return s.view.getUint32(o, true);
    case 4: return fromHiLo(s.view.getInt32(o + 4, true), s.view.getUint32(o, true));
    default: return s.view.getFloat64(o, true);
  }
}

/** `p[i]` of kind k inside a run, for the kinds loadIndexed has. */
export function siteLoad(k: VK, s: RunSite): Rv | undefined {
  const lk = loadKindIndex(k);
  return lk < 0 ? undefined : (f) => siteValue(s, lk, f);
}

/** `reg op= p[i]` inside a run: regUpdateIndexedOp's arithmetic over the site's bytes. */
export function regUpdateRunOp(op: string, k: VK, slot: number, lk: number, s: RunSite, next: number): Op | undefined {
  const ak = accumulatorKind(op, k, lk);
  if (ak < 0) return undefined;
  const neg = op === '-';
  return (f) => {
    f.regs[slot] = accumulate(ak, neg, f.regs[slot], siteValue(s, lk, f));
    return next;
  };
}
