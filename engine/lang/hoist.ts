/**
 * Loop-invariant pointer loads: while a fused counted loop runs, a pointer variable at a fixed
 * address (a driver's `static char *buf`) that nothing in the loop can store to is read once on
 * entry instead of at every `buf[i]`.
 *
 * Why: reading the pointer is a TLB probe and two 32-bit loads per access, and a kernel or user
 * address is not a small integer, so every read V8 cannot inline allocates a heap number.
 *
 * It is invisible to the program: the loop's body (codegen proves it) writes only registers
 * other than the counter and the bound, and memory only through `p[i]` with i the counter; on
 * entry the bytes those stores can reach for every remaining value of i are checked to miss the
 * pointer variables (else nothing is hoisted). The value read is the one the first access would
 * read (a TLB fast-path hit, which has no side effect); a variable whose page the fast path does
 * not serve (not cached, stale, KASAN-checked) is read at every access as before. While hoisted,
 * the variables' frames have no fast write path (Cpu.readHoisted): a store that reaches one
 * through another mapping, or any page-table write, turns the cells off before it lands, and
 * the loop reads memory again from there on. The loop turns the cells off before it returns or
 * throws, so plain ops always read memory. The TLB sees the same accesses as well: the value is
 * only used while the variable's entry is its set's most recently used one (a read would be a
 * fast-path hit, without effect); otherwise the access reads the variable as plain ops do.
 */
import type { Cpu, Mode } from '../machine/cpu';
import type { Value } from '../exec/types';
import type { Counter } from './fuse';

const INT_MAX = 0x7fffffff;
const INT_MIN = -0x80000000;

/** A pointer variable at `at` (`bytes` wide: 8 on LP64, 4 on ILP32) and, while `on`, its value `p` for the running loop. */
export class PointerCell {
  on = false;
  p = 0;
  /** The variable's page, whose TLB entry the loop checks before using `p`. */
  readonly vpn: number;
  constructor(
    readonly at: number,
    readonly bytes: 4 | 8 = 8,
  ) {
    this.vpn = Math.floor(at / 4096);
  }
}

/** A store `p[i] = v` of the loop body through a cell, with i the loop's counter. */
export interface CellStore {
  cell: PointerCell;
  scale: number;
  sizeBytes: number;
}

/** What codegen proved about a counted loop: the cells it reads and the stores it makes. */
export class HoistPlan {
  constructor(
    private readonly cpu: Cpu,
    private readonly mode: Mode,
    private readonly cells: readonly PointerCell[],
    private readonly stores: readonly CellStore[],
    private readonly counter: Counter,
  ) {}

  /** Reads the cells the loop may use as they are now; false when none could be. */
  activate(regs: Value[]): boolean {
    const range = this.counterRange(regs);
    if (range === undefined) return false;
    let any = false;
    for (const c of this.cells) {
      const p = this.cpu.readHoisted(c.at, this.mode, this.undo, c.bytes);
      if (p === undefined) continue;
      c.p = p;
      c.on = true;
      any = true;
    }
    // A store that could reach any pointer variable: every cell is read at each access instead.
    for (const s of this.stores) {
      if (!s.cell.on) continue;
      const lo = s.cell.p + range[0] * s.scale;
      const hi = s.cell.p + range[1] * s.scale + s.sizeBytes;
      // On ILP32 an address past 2^32 wraps: such a range is not checked, so nothing is hoisted.
      const wraps = s.cell.bytes === 4 && (lo < 0 || hi > 2 ** 32);
      if (wraps || !Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || this.cells.some((c) => c.at < hi && lo < c.at + c.bytes)) {
        this.deactivate();
        return false;
      }
    }
    // A store through a cell that is off writes through whatever the variable holds.
    if (this.stores.some((s) => !s.cell.on)) {
      this.deactivate();
      return false;
    }
    return any;
  }

  deactivate(): void {
    for (const c of this.cells) c.on = false;
    this.cpu.releaseHoisted();
  }

  /** The cpu saw a store reach a cell's frame (through any mapping) or a page-table write. */
  private readonly undo = (): void => this.deactivate();

  /** The counter values the remaining iterations can store at, or undefined if it may wrap. */
  private counterRange(regs: Value[]): [number, number] | undefined {
    const c = this.counter;
    const i = regs[c.slot];
    const b = 'reg' in c.bound ? regs[c.bound.reg] : c.bound.value;
    if (typeof i !== 'number' || typeof b !== 'number') return undefined;
    // `i <= INT_MAX` (or `i >= INT_MIN` counting down) never ends: i wraps past the bound.
    if (c.delta === 1 && (c.cmp === '<' || c.cmp === '!=' || (c.cmp === '<=' && b < INT_MAX)) && i <= b) return [i, b];
    if (c.delta === -1 && (c.cmp === '>' || c.cmp === '!=' || (c.cmp === '>=' && b > INT_MIN)) && i >= b) return [b, i];
    return undefined;
  }
}
