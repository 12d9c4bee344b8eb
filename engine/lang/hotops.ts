/**
 * Closures for the shapes that dominate C loops, each doing in one call what the general
 * composition does in three or four: a store whose address is a constant, a frame slot or a
 * computed value; a load from a constant address or frame slot; `p + i` with both in registers;
 * `x op= v` and `x++` on a register; a comparison with a register or constant operand.
 *
 * Closure calls, not address translation, are what an interpreter built from closures spends
 * its time on (DESIGN.md's figures), so every layer these remove is a call less per iteration.
 * They compute exactly what the general closures compute; the code generator picks one when the
 * operands have the shape.
 */
import type { Cpu, Mode } from '../machine/cpu';
import type { CFrame, Value } from '../exec/types';
import { add64, sub64, type I64 } from '../util/int64';
import type { Rv, VK } from './values';
import type { PointerCell } from './hoist';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Where an lvalue lives: a fixed address (a global), a slot of the frame, or computed. */
export type AddrShape = { k: 'const'; a: I64 } | { k: 'frame'; off: number } | { k: 'fn'; fn: Rv };

/** An operand that needs no closure of its own. */
export type Leaf = { k: 'reg'; slot: number } | { k: 'const'; v: Value };

/** A load of kind k from an address of the given shape; undefined for kinds without a fast form. */
export function loadAt(cpu: Cpu, mode: Mode, k: VK, at: AddrShape): Rv | undefined {
  if (at.k === 'fn') return undefined;
  if (at.k === 'const') {
    const a = at.a;
    switch (k) {
      case 'i8': return () => (cpu.r8(a, mode) << 24) >> 24;
      case 'u8': return () => cpu.r8(a, mode);
      case 'i16': return () => (cpu.r16(a, mode) << 16) >> 16;
      case 'u16': return () => cpu.r16(a, mode);
      case 'i32': return () => cpu.r32s(a, mode);
      case 'u32': return () => cpu.r32(a, mode);
      case 'i64':
      case 'u64': return () => cpu.r64(a, mode);
      case 'f32': return () => cpu.rf32(a, mode);
      case 'f64': return () => cpu.rf64(a, mode);
      default: return undefined;
    }
  }
  const off = at.off;
  switch (k) {
    case 'i8': return (f) => (cpu.r8(f.fp + off, mode) << 24) >> 24;
    case 'u8': return (f) => cpu.r8(f.fp + off, mode);
    case 'i16': return (f) => (cpu.r16(f.fp + off, mode) << 16) >> 16;
    case 'u16': return (f) => cpu.r16(f.fp + off, mode);
    case 'i32': return (f) => cpu.r32s(f.fp + off, mode);
    case 'u32': return (f) => cpu.r32(f.fp + off, mode);
    case 'i64':
    case 'u64': return (f) => cpu.r64(f.fp + off, mode);
    case 'f32': return (f) => cpu.rf32(f.fp + off, mode);
    case 'f64': return (f) => cpu.rf64(f.fp + off, mode);
    default: return undefined;
  }
}

/**
 * An op storing the value of `v` (already of kind k; narrower integer stores truncate it as the
 * hardware does) at an address of the given shape, then going to `next`. The address and the
 * value are computed first, so a faulting load leaves nothing done.
 */
export function storeOp(cpu: Cpu, mode: Mode, k: VK, at: AddrShape, v: Rv, next: number): ((f: CFrame) => number) | undefined {
  if (at.k === 'const') {
    const a = at.a;
    switch (k) {
      case 'i8': case 'u8': return (f) => { cpu.w8(a, v(f) as number, mode); return next; };
      case 'i16': case 'u16': return (f) => { cpu.w16(a, v(f) as number, mode); return next; };
      case 'i32': case 'u32': return (f) => { cpu.w32(a, v(f) as number, mode); return next; };
      case 'i64': case 'u64': return (f) => { cpu.w64(a, v(f) as I64, mode); return next; };
      case 'f32': return (f) => { cpu.wf32(a, v(f) as number, mode); return next; };
      case 'f64': return (f) => { cpu.wf64(a, v(f) as number, mode); return next; };
      default: return undefined;
    }
  }
  if (at.k === 'frame') {
    const off = at.off;
    switch (k) {
      case 'i8': case 'u8': return (f) => { cpu.w8(f.fp + off, v(f) as number, mode); return next; };
      case 'i16': case 'u16': return (f) => { cpu.w16(f.fp + off, v(f) as number, mode); return next; };
      case 'i32': case 'u32': return (f) => { cpu.w32(f.fp + off, v(f) as number, mode); return next; };
      case 'i64': case 'u64': return (f) => { cpu.w64(f.fp + off, v(f) as I64, mode); return next; };
      case 'f32': return (f) => { cpu.wf32(f.fp + off, v(f) as number, mode); return next; };
      case 'f64': return (f) => { cpu.wf64(f.fp + off, v(f) as number, mode); return next; };
      default: return undefined;
    }
  }
  const a = at.fn;
  switch (k) {
    case 'i8': case 'u8': return (f) => { cpu.w8(a(f) as I64, v(f) as number, mode); return next; };
    case 'i16': case 'u16': return (f) => { cpu.w16(a(f) as I64, v(f) as number, mode); return next; };
    case 'i32': case 'u32': return (f) => { cpu.w32(a(f) as I64, v(f) as number, mode); return next; };
    case 'i64': case 'u64': return (f) => { cpu.w64(a(f) as I64, v(f) as I64, mode); return next; };
    case 'f32': return (f) => { cpu.wf32(a(f) as I64, v(f) as number, mode); return next; };
    case 'f64': return (f) => { cpu.wf64(a(f) as I64, v(f) as number, mode); return next; };
    default: return undefined;
  }
}

/** `p + i * m` for a register pointer and index (LP64), exact or through the 64-bit slow path. */
function indexAddr(p: Value, i: Value, m: number, slow: (p: Value, i: Value) => Value): I64 {
  if (typeof p === 'number' && typeof i === 'number') {
    const r = p + i * m;
    if (r >= -MAX_SAFE && r <= MAX_SAFE) return r;
  }
  return slow(p, i) as I64;
}

/**
 * `p + i * m` with i in a register and p in a register (`base` is its slot) or (LP64) the pointer
 * variable of a cell (a driver's `static char *buf`): read at every access as the CPU would, or
 * the value a fused loop read on entry (hoist.ts). One function for both, so each access kind is
 * one closure literal whatever its base and the loops' call sites meet fewer different ones.
 * indexAddr's arithmetic is written out here: one inlining level less for V8, whose budget a
 * fused loop with everything inlined nearly exhausts (calling it measured ~5% slower).
 */
function baseIndexAddr(cpu: Cpu, mode: Mode, f: CFrame, base: number | PointerCell, is: number, m: number, slow: (p: Value, i: Value) => Value, narrow: boolean): I64 {
  const p = typeof base === 'number' ? f.regs[base] : cellValue(cpu, mode, base);
  const i = f.regs[is];
  if (typeof p === 'number' && typeof i === 'number') {
    const r = p + i * m;
    // ILP32 (`narrow`): exact while inside the 32-bit address space; past it, slow wraps.
    if (narrow ? r >>> 0 === r : r >= -MAX_SAFE && r <= MAX_SAFE) return r;
  }
  return slow(p, i) as I64;
}

/**
 * The pointer variable of `cell`: the value a fused loop read on entry while its page is still
 * the TLB's most recently used entry of its set, so reading it would be a fast-path hit with no
 * side effect; otherwise read through the MMU as plain ops do (which also reorders the set).
 */
function cellValue(cpu: Cpu, mode: Mode, cell: PointerCell): I64 {
  if (cell.on) {
    const e = cpu.tlb.entries[cell.vpn & 255];
    if (e.vpn === cell.vpn && (e.readFast & mode) !== 0) return cell.p;
  }
  return cell.bytes === 8 ? cpu.r64(cell.at, mode) : cpu.r32(cell.at, mode);
}

/** `p[i]` (see baseIndexAddr) for the kinds arrays are made of. */
export function loadIndexed(cpu: Cpu, mode: Mode, k: VK, base: number | PointerCell, is: number, scale: number, slow: (p: Value, i: Value) => Value, narrow: boolean): Rv | undefined {
  switch (k) {
    case 'i8': return (f) => (cpu.r8(baseIndexAddr(cpu, mode, f, base, is, scale, slow, narrow), mode) << 24) >> 24;
    case 'u8': return (f) => cpu.r8(baseIndexAddr(cpu, mode, f, base, is, scale, slow, narrow), mode);
    case 'i32': return (f) => cpu.r32s(baseIndexAddr(cpu, mode, f, base, is, scale, slow, narrow), mode);
    case 'u32': return (f) => cpu.r32(baseIndexAddr(cpu, mode, f, base, is, scale, slow, narrow), mode);
    case 'i64':
    case 'u64': return (f) => cpu.r64(baseIndexAddr(cpu, mode, f, base, is, scale, slow, narrow), mode);
    case 'f64': return (f) => cpu.rf64(baseIndexAddr(cpu, mode, f, base, is, scale, slow, narrow), mode);
  }
  return undefined;
}

/** An op `p[i] = v` (see baseIndexAddr): the address first (p's load may fault), then v. */
export function storeIndexedOp(cpu: Cpu, mode: Mode, k: VK, base: number | PointerCell, is: number, scale: number, slow: (p: Value, i: Value) => Value, narrow: boolean, v: Rv, next: number): ((f: CFrame) => number) | undefined {
  switch (k) {
    case 'i8': case 'u8': return (f) => { cpu.w8(baseIndexAddr(cpu, mode, f, base, is, scale, slow, narrow), v(f) as number, mode); return next; };
    case 'i32': case 'u32': return (f) => { cpu.w32(baseIndexAddr(cpu, mode, f, base, is, scale, slow, narrow), v(f) as number, mode); return next; };
    case 'i64': case 'u64': return (f) => { cpu.w64(baseIndexAddr(cpu, mode, f, base, is, scale, slow, narrow), v(f) as I64, mode); return next; };
    case 'f64': return (f) => { cpu.wf64(baseIndexAddr(cpu, mode, f, base, is, scale, slow, narrow), v(f) as number, mode); return next; };
  }
  return undefined;
}

/** An op `reg = v`. */
export function regStoreOp(slot: number, v: Rv, next: number): (f: CFrame) => number {
  return (f) => {
    f.regs[slot] = v(f);
    return next;
  };
}

/** `p + i * scale` on LP64 with p and i in registers (the slow path keeps 64-bit wrap-around). */
export function ptrAddRegs(ps: number, is: number, scale: number, neg: boolean, slow: (p: Value, i: Value) => Value): Rv {
  const m = neg ? -scale : scale;
  return (f) => {
    const p = f.regs[ps];
    const i = f.regs[is];
    if (typeof p === 'number' && typeof i === 'number') {
      const r = p + i * m;
      if (r >= -MAX_SAFE && r <= MAX_SAFE) return r;
    }
    return slow(p, i);
  };
}

/** `p + i * scale` on LP64 with i in a register. */
export function ptrAddReg(p: Rv, is: number, scale: number, neg: boolean, slow: (p: Value, i: Value) => Value): Rv {
  const m = neg ? -scale : scale;
  return (f) => {
    const pv = p(f);
    const i = f.regs[is];
    if (typeof pv === 'number' && typeof i === 'number') {
      const r = pv + i * m;
      if (r >= -MAX_SAFE && r <= MAX_SAFE) return r;
    }
    return slow(pv, i);
  };
}

/** `A + i * scale` on LP64: a global array indexed by a register. */
export function ptrAddConstReg(a: number, is: number, scale: number, neg: boolean, slow: (p: Value, i: Value) => Value): Rv {
  const m = neg ? -scale : scale;
  return (f) => {
    const i = f.regs[is];
    if (typeof i === 'number') {
      const r = a + i * m;
      if (r >= -MAX_SAFE && r <= MAX_SAFE) return r;
    }
    return slow(a, i);
  };
}

/** `p + i * scale` on LP64 where p is a pointer variable at a fixed address (a global `char *buf`). */
export function ptrAddLoadedReg(cpu: Cpu, mode: Mode, at: I64, is: number, scale: number, neg: boolean, slow: (p: Value, i: Value) => Value): Rv {
  const m = neg ? -scale : scale;
  return (f) => indexAddr(cpu.r64(at, mode), f.regs[is], m, slow);
}

/**
 * `l op r` in int (i32) arithmetic with a register or constant operand, for the operators whose
 * C meaning is one JS expression; undefined for other shapes.
 */
export function binaryI32(op: string, l: Leaf | Rv, r: Leaf | Rv): Rv | undefined {
  const lr = typeof l === 'function' ? undefined : l;
  const rr = typeof r === 'function' ? undefined : r;
  if (rr?.k === 'const' && typeof rr.v === 'number') {
    const c = rr.v;
    if (lr?.k === 'reg') {
      const s = lr.slot;
      switch (op) {
        case '+': return (f) => ((f.regs[s] as number) + c) | 0;
        case '-': return (f) => ((f.regs[s] as number) - c) | 0;
        case '*': return (f) => Math.imul(f.regs[s] as number, c);
        case '&': return (f) => (f.regs[s] as number) & c;
        case '|': return (f) => (f.regs[s] as number) | c;
        case '^': return (f) => (f.regs[s] as number) ^ c;
        case '<<': return (f) => (f.regs[s] as number) << c;
        case '>>': return (f) => (f.regs[s] as number) >> c;
        // The operand goes through |0 (a no-op on an int) so V8 divides integers instead of
        // calling fmod, which it does when the site has seen any non-small number.
        case '%': return c !== 0 && c !== -1 ? (f) => (((f.regs[s] as number) | 0) % c) | 0 : undefined;
        case '/': return c !== 0 && c !== -1 ? (f) => (((f.regs[s] as number) | 0) / c) | 0 : undefined;
      }
      return undefined;
    }
    if (typeof l === 'function') {
      switch (op) {
        case '+': return (f) => ((l(f) as number) + c) | 0;
        case '-': return (f) => ((l(f) as number) - c) | 0;
        case '*': return (f) => Math.imul(l(f) as number, c);
        case '&': return (f) => (l(f) as number) & c;
        case '|': return (f) => (l(f) as number) | c;
        case '^': return (f) => (l(f) as number) ^ c;
        case '<<': return (f) => (l(f) as number) << c;
        case '>>': return (f) => (l(f) as number) >> c;
        case '%': return c !== 0 && c !== -1 ? (f) => (((l(f) as number) | 0) % c) | 0 : undefined;
        case '/': return c !== 0 && c !== -1 ? (f) => (((l(f) as number) | 0) / c) | 0 : undefined;
      }
    }
    return undefined;
  }
  if (lr?.k === 'const' && typeof lr.v === 'number' && typeof r === 'function') {
    const c = lr.v;
    switch (op) {
      case '+': return (f) => (c + (r(f) as number)) | 0;
      case '-': return (f) => (c - (r(f) as number)) | 0;
      case '*': return (f) => Math.imul(c, r(f) as number);
      case '&': return (f) => c & (r(f) as number);
      case '|': return (f) => c | (r(f) as number);
      case '^': return (f) => c ^ (r(f) as number);
    }
    return undefined;
  }
  if (lr?.k === 'reg' && rr?.k === 'reg') {
    const a = lr.slot;
    const b = rr.slot;
    switch (op) {
      case '+': return (f) => ((f.regs[a] as number) + (f.regs[b] as number)) | 0;
      case '-': return (f) => ((f.regs[a] as number) - (f.regs[b] as number)) | 0;
      case '*': return (f) => Math.imul(f.regs[a] as number, f.regs[b] as number);
      case '&': return (f) => (f.regs[a] as number) & (f.regs[b] as number);
      case '|': return (f) => (f.regs[a] as number) | (f.regs[b] as number);
      case '^': return (f) => (f.regs[a] as number) ^ (f.regs[b] as number);
    }
  }
  return undefined;
}

/**
 * An op `reg op= v` computed in the register's own kind (no conversion either way), for the
 * operators whose arithmetic is a single expression.
 */
export function regUpdateOp(op: string, k: VK, slot: number, v: Rv, next: number): ((f: CFrame) => number) | undefined {
  const s = slot;
  if (k === 'i32') {
    switch (op) {
      case '+': return (f) => { f.regs[s] = ((f.regs[s] as number) + (v(f) as number)) | 0; return next; };
      case '-': return (f) => { f.regs[s] = ((f.regs[s] as number) - (v(f) as number)) | 0; return next; };
      case '*': return (f) => { f.regs[s] = Math.imul(f.regs[s] as number, v(f) as number); return next; };
      case '&': return (f) => { f.regs[s] = (f.regs[s] as number) & (v(f) as number); return next; };
      case '|': return (f) => { f.regs[s] = (f.regs[s] as number) | (v(f) as number); return next; };
      case '^': return (f) => { f.regs[s] = (f.regs[s] as number) ^ (v(f) as number); return next; };
    }
    return undefined;
  }
  if (k === 'u32') {
    switch (op) {
      case '+': return (f) => { f.regs[s] = ((f.regs[s] as number) + (v(f) as number)) >>> 0; return next; };
      case '-': return (f) => { f.regs[s] = ((f.regs[s] as number) - (v(f) as number)) >>> 0; return next; };
      case '&': return (f) => { f.regs[s] = ((f.regs[s] as number) & (v(f) as number)) >>> 0; return next; };
      case '|': return (f) => { f.regs[s] = ((f.regs[s] as number) | (v(f) as number)) >>> 0; return next; };
      case '^': return (f) => { f.regs[s] = ((f.regs[s] as number) ^ (v(f) as number)) >>> 0; return next; };
    }
    return undefined;
  }
  if ((k === 'i64' || k === 'u64') && (op === '+' || op === '-')) {
    const neg = op === '-';
    return (f) => {
      const a = f.regs[s];
      const b = v(f);
      if (typeof a === 'number' && typeof b === 'number') {
        const r = neg ? a - b : a + b;
        if (r >= -MAX_SAFE && r <= MAX_SAFE) {
          f.regs[s] = r;
          return next;
        }
      }
      f.regs[s] = neg ? sub64(a as I64, b as I64) : add64(a as I64, b as I64);
      return next;
    };
  }
  if (k === 'f64') {
    switch (op) {
      case '+': return (f) => { f.regs[s] = (f.regs[s] as number) + (v(f) as number); return next; };
      case '-': return (f) => { f.regs[s] = (f.regs[s] as number) - (v(f) as number); return next; };
      case '*': return (f) => { f.regs[s] = (f.regs[s] as number) * (v(f) as number); return next; };
    }
  }
  return undefined;
}

const LOAD_KINDS: readonly VK[] = ['i8', 'u8', 'i32', 'u32', 'i64', 'f64'];

/** The number of a load kind in LOAD_KINDS (what indexedValue switches on), -1 for others. */
export function loadKindIndex(k: VK): number {
  return LOAD_KINDS.indexOf(k === 'u64' ? 'i64' : k);
}

/** `p[i]` (see baseIndexAddr) of the load kind numbered lk (LOAD_KINDS), inlined into its op. */
function indexedValue(cpu: Cpu, mode: Mode, lk: number, f: CFrame, base: number | PointerCell, is: number, scale: number, slow: (p: Value, i: Value) => Value, narrow: boolean): Value {
  const va = baseIndexAddr(cpu, mode, f, base, is, scale, slow, narrow);
  switch (lk) {
    case 0: return (cpu.r8(va, mode) << 24) >> 24;
    case 1: return cpu.r8(va, mode);
    case 2: return cpu.r32s(va, mode);
    case 3: return cpu.r32(va, mode);
    case 4: return cpu.r64(va, mode);
    default: return cpu.rf64(va, mode);
  }
}

/**
 * The accumulator of `reg op= p[i]` (regUpdateIndexedOp): 0 for an int summing an integer load,
 * 1 for a long, 2 for a double summing a double; -1 for the shapes without such an op.
 */
export function accumulatorKind(op: string, k: VK, lk: number): number {
  if (lk < 0 || (op !== '+' && op !== '-')) return -1;
  if (k === 'i32' && lk <= 3) return 0;
  if (k === 'i64' || k === 'u64') return 1;
  return k === 'f64' && lk === 5 ? 2 : -1;
}

/** `a + b` (or `a - b`) in the accumulator kind numbered ak (accumulatorKind). */
export function accumulate(ak: number, neg: boolean, a: Value, b: Value): Value {
  if (ak === 0) return (neg ? (a as number) - (b as number) : (a as number) + (b as number)) | 0;
  if (ak === 2) return neg ? (a as number) - (b as number) : (a as number) + (b as number);
  if (typeof a === 'number' && typeof b === 'number') {
    const r = neg ? a - b : a + b;
    if (r >= -MAX_SAFE && r <= MAX_SAFE) return r;
  }
  return neg ? sub64(a as I64, b as I64) : add64(a as I64, b as I64);
}

/**
 * An op `reg op= p[i]` (a running sum over an array) with i in a register and p in a register
 * (`base` is its slot) or a pointer variable at a fixed address (its cell): one closure
 * where regUpdateOp would call the load's closure, a call V8 cannot inline once the site has
 * seen other programs' loads. + and - on an int, a long or a double.
 */
export function regUpdateIndexedOp(cpu: Cpu, mode: Mode, op: string, k: VK, slot: number, loadKind: VK, base: number | PointerCell, is: number, scale: number, slow: (p: Value, i: Value) => Value, narrow: boolean, next: number): ((f: CFrame) => number) | undefined {
  const lk = loadKindIndex(loadKind);
  const ak = accumulatorKind(op, k, lk);
  if (ak < 0) return undefined;
  const neg = op === '-';
  return (f) => {
    f.regs[slot] = accumulate(ak, neg, f.regs[slot], indexedValue(cpu, mode, lk, f, base, is, scale, slow, narrow));
    return next;
  };
}

/** An op `reg += delta` (++/-- on an int, a long or a pointer on LP64, delta already scaled). */
export function regStepOp(k: VK, slot: number, delta: number, next: number): ((f: CFrame) => number) | undefined {
  const s = slot;
  switch (k) {
    case 'i32': return (f) => { f.regs[s] = ((f.regs[s] as number) + delta) | 0; return next; };
    case 'u32': return (f) => { f.regs[s] = ((f.regs[s] as number) + delta) >>> 0; return next; };
    case 'i64':
    case 'u64':
      return (f) => {
        const a = f.regs[s];
        if (typeof a === 'number') {
          const r = a + delta;
          if (r >= -MAX_SAFE && r <= MAX_SAFE) {
            f.regs[s] = r;
            return next;
          }
        }
        f.regs[s] = add64(a as I64, delta);
        return next;
      };
  }
  return undefined;
}

/**
 * `l op r` as a truth test when one side is a register or a constant. Valid for every kind but
 * u64 (whose order is not JS order): JS compares numbers, and a number with a bigint, exactly.
 */
export function compareTest(op: string, k: VK, l: Leaf | Rv, r: Leaf | Rv): ((f: CFrame) => boolean) | undefined {
  if (k === 'u64') return undefined;
  // a > b is b < a: both sides are pure, so the swap is invisible.
  if (op === '>' || op === '>=') return compareTest(op === '>' ? '<' : '<=', k, r, l);
  const lr = typeof l === 'function' ? undefined : l;
  const rr = typeof r === 'function' ? undefined : r;
  if (lr?.k === 'reg' && rr?.k === 'const') {
    const s = lr.slot;
    const c = rr.v;
    switch (op) {
      case '<': return (f) => f.regs[s] < c;
      case '<=': return (f) => f.regs[s] <= c;
      case '==': return (f) => f.regs[s] === c;
      case '!=': return (f) => f.regs[s] !== c;
    }
  }
  if (lr?.k === 'const' && rr?.k === 'reg') {
    const s = rr.slot;
    const c = lr.v;
    switch (op) {
      case '<': return (f) => c < f.regs[s];
      case '<=': return (f) => c <= f.regs[s];
      case '==': return (f) => f.regs[s] === c;
      case '!=': return (f) => f.regs[s] !== c;
    }
  }
  if (lr?.k === 'reg' && rr?.k === 'reg') {
    const a = lr.slot;
    const b = rr.slot;
    switch (op) {
      case '<': return (f) => f.regs[a] < f.regs[b];
      case '<=': return (f) => f.regs[a] <= f.regs[b];
      case '==': return (f) => f.regs[a] === f.regs[b];
      case '!=': return (f) => f.regs[a] !== f.regs[b];
    }
  }
  if (typeof l === 'function' && rr?.k === 'const') {
    const c = rr.v;
    switch (op) {
      case '<': return (f) => l(f) < c;
      case '<=': return (f) => l(f) <= c;
      case '==': return (f) => l(f) === c;
      case '!=': return (f) => l(f) !== c;
    }
  }
  if (typeof l === 'function' && rr?.k === 'reg') {
    const s = rr.slot;
    switch (op) {
      case '<': return (f) => l(f) < f.regs[s];
      case '<=': return (f) => l(f) <= f.regs[s];
      case '==': return (f) => l(f) === f.regs[s];
      case '!=': return (f) => l(f) !== f.regs[s];
    }
  }
  return undefined;
}
