/**
 * How each C type is carried at run time and how it moves through memory: the value kind of a
 * type, typed loads and stores through the CPU, and conversions between kinds. Everything here
 * returns closures that the code generator composes; nothing is decided per execution.
 */
import type { Cpu, Mode } from '../machine/cpu';
import {
  add64, and64, divS64, divU64, fromDoubleS64, fromDoubleU64, ltU64, mul64, neg64, not64, or64, remS64, remU64, sar64, shl64, shr64, sub64,
  toDoubleS64, toDoubleU64, truncS, truncU, xor64, lo32, type I64,
} from '../util/int64';
import type { CType } from './types';
import { Trap } from '../machine/cpu';
import type { CFrame, Value } from '../exec/types';

export type VK = 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64' | 'u64' | 'f32' | 'f64' | 'bool' | 'struct' | 'void';

export type Rv = (f: CFrame) => Value;
export type NRv = (f: CFrame) => number;

/** The value kind of a type under an ABI with `ptrBytes`-wide pointers. */
export function vkOf(t: CType, ptrBytes: number): VK {
  switch (t.kind) {
    case 'int':
      if (t.ik === 'bool') return 'bool';
      switch (t.size) {
        case 1: return t.signed ? 'i8' : 'u8';
        case 2: return t.signed ? 'i16' : 'u16';
        case 4: return t.signed ? 'i32' : 'u32';
        default: return t.signed ? 'i64' : 'u64';
      }
    case 'ptr':
      return ptrBytes === 8 ? 'u64' : 'u32';
    case 'float':
      return t.fk === 'float' ? 'f32' : 'f64';
    case 'struct':
    case 'array':
      return 'struct';
    case 'void':
    case 'func':
      return 'void';
  }
}

export const is64 = (k: VK): boolean => k === 'i64' || k === 'u64';
export const isFloatVK = (k: VK): boolean => k === 'f32' || k === 'f64';

/** A load of kind k from the address computed by `a`. */
export function makeLoad(cpu: Cpu, mode: Mode, k: VK, a: Rv): Rv {
  switch (k) {
    case 'i8': return (f) => (cpu.r8(a(f) as I64, mode) << 24) >> 24;
    case 'u8': return (f) => cpu.r8(a(f) as I64, mode);
    case 'bool': return (f) => (cpu.r8(a(f) as I64, mode) !== 0 ? 1 : 0);
    case 'i16': return (f) => (cpu.r16(a(f) as I64, mode) << 16) >> 16;
    case 'u16': return (f) => cpu.r16(a(f) as I64, mode);
    case 'i32': return (f) => cpu.r32s(a(f) as I64, mode);
    case 'u32': return (f) => cpu.r32(a(f) as I64, mode);
    case 'i64':
    case 'u64': return (f) => cpu.r64(a(f) as I64, mode);
    case 'f32': return (f) => cpu.rf32(a(f) as I64, mode);
    case 'f64': return (f) => cpu.rf64(a(f) as I64, mode);
    default: throw new Error(`no load for ${k}`);
  }
}

/** A store of kind k: returns a function that writes v at address addr. */
export function makeStore(cpu: Cpu, mode: Mode, k: VK): (addr: I64, v: Value) => void {
  switch (k) {
    case 'i8':
    case 'u8':
    case 'bool': return (a, v) => cpu.w8(a, v as number, mode);
    case 'i16':
    case 'u16': return (a, v) => cpu.w16(a, v as number, mode);
    case 'i32':
    case 'u32': return (a, v) => cpu.w32(a, v as number, mode);
    case 'i64':
    case 'u64': return (a, v) => cpu.w64(a, v as I64, mode);
    case 'f32': return (a, v) => cpu.wf32(a, v as number, mode);
    case 'f64': return (a, v) => cpu.wf64(a, v as number, mode);
    default: throw new Error(`no store for ${k}`);
  }
}

const TWO31 = 2147483648;

/** double → int32 as cvttsd2si does: out of range gives the "integer indefinite" 0x80000000. */
function f2i32(d: number): number {
  const t = Math.trunc(d);
  return t >= -TWO31 && t < TWO31 ? t | 0 : -TWO31;
}

/** Converts a raw value of kind `from` to kind `to`, as gcc's x86 code does. */
export function convertValue(from: VK, to: VK): ((v: Value) => Value) | undefined {
  if (from === to) return undefined;
  if (to === 'void') return () => 0;
  if (to === 'bool') return (v) => (v !== 0 ? 1 : 0);
  if (isFloatVK(to)) {
    const round = to === 'f32';
    if (isFloatVK(from)) return round ? (v) => Math.fround(v as number) : undefined;
    if (from === 'i64') return round ? (v) => Math.fround(toDoubleS64(v as I64)) : (v) => toDoubleS64(v as I64);
    if (from === 'u64') return round ? (v) => Math.fround(toDoubleU64(v as I64)) : (v) => toDoubleU64(v as I64);
    return round ? (v) => Math.fround(v as number) : undefined;
  }
  if (isFloatVK(from)) {
    switch (to) {
      case 'i64': return (v) => fromDoubleS64(v as number);
      case 'u64': return (v) => fromDoubleU64(v as number);
      case 'i32': return (v) => f2i32(v as number);
      case 'u32': return (v) => lo32(fromDoubleS64(v as number));
      case 'i16': return (v) => (f2i32(v as number) << 16) >> 16;
      case 'u16': return (v) => f2i32(v as number) & 0xffff;
      case 'i8': return (v) => (f2i32(v as number) << 24) >> 24;
      case 'u8': return (v) => f2i32(v as number) & 0xff;
    }
    return undefined;
  }
  // Integer to integer.
  if (is64(to)) {
    if (is64(from)) return undefined;
    return undefined; // every narrower kind already holds its exact value
  }
  const bits = to === 'i32' || to === 'u32' ? 32 : to === 'i16' || to === 'u16' ? 16 : 8;
  const signed = to === 'i32' || to === 'i16' || to === 'i8';
  if (is64(from)) return signed ? (v) => truncS(v as I64, bits) : (v) => truncU(v as I64, bits);
  if (signed) {
    if (bits === 32) return from === 'u32' ? (v) => (v as number) | 0 : undefined;
    return bits === 16 ? (v) => ((v as number) << 16) >> 16 : (v) => ((v as number) << 24) >> 24;
  }
  if (bits === 32) return from === 'i32' || from === 'i16' || from === 'i8' ? (v) => (v as number) >>> 0 : undefined;
  return bits === 16 ? (v) => (v as number) & 0xffff : (v) => (v as number) & 0xff;
}

/** Raises #DE the way the CPU does for an integer division by zero or INT_MIN / -1. */
export function divideError(mode: Mode): Trap {
  return new Trap('divide', 0, 0, mode, false);
}

export type BinFn = (a: Value, b: Value) => Value;

/** The arithmetic of one binary operator in one value kind (operands already converted). */
export function binaryFn(op: string, k: VK, mode: Mode): BinFn {
  switch (k) {
    case 'i32':
      switch (op) {
        case '+': return (a, b) => ((a as number) + (b as number)) | 0;
        case '-': return (a, b) => ((a as number) - (b as number)) | 0;
        case '*': return (a, b) => Math.imul(a as number, b as number);
        // Operands as int32 (|0) let V8 use an integer divide even after the site saw a heap number.
        case '/': return (a, b) => {
          if (b === 0 || (a === -TWO31 && b === -1)) throw divideError(mode);
          return (((a as number) | 0) / ((b as number) | 0)) | 0;
        };
        case '%': return (a, b) => {
          if (b === 0 || (a === -TWO31 && b === -1)) throw divideError(mode);
          return ((a as number) | 0) % ((b as number) | 0) | 0;
        };
        case '<<': return (a, b) => (a as number) << (b as number);
        case '>>': return (a, b) => (a as number) >> (b as number);
        case '&': return (a, b) => (a as number) & (b as number);
        case '|': return (a, b) => (a as number) | (b as number);
        case '^': return (a, b) => (a as number) ^ (b as number);
      }
      break;
    case 'u32':
      switch (op) {
        case '+': return (a, b) => ((a as number) + (b as number)) >>> 0;
        case '-': return (a, b) => ((a as number) - (b as number)) >>> 0;
        case '*': return (a, b) => Math.imul(a as number, b as number) >>> 0;
        case '/': return (a, b) => {
          if (b === 0) throw divideError(mode);
          return Math.floor((a as number) / (b as number));
        };
        case '%': return (a, b) => {
          if (b === 0) throw divideError(mode);
          return (a as number) % (b as number);
        };
        case '<<': return (a, b) => ((a as number) << (b as number)) >>> 0;
        case '>>': return (a, b) => (a as number) >>> (b as number);
        case '&': return (a, b) => ((a as number) & (b as number)) >>> 0;
        case '|': return (a, b) => ((a as number) | (b as number)) >>> 0;
        case '^': return (a, b) => ((a as number) ^ (b as number)) >>> 0;
      }
      break;
    case 'i64':
    case 'u64': {
      const u = k === 'u64';
      switch (op) {
        case '+': return (a, b) => add64(a as I64, b as I64);
        case '-': return (a, b) => sub64(a as I64, b as I64);
        case '*': return (a, b) => mul64(a as I64, b as I64);
        case '/': return u
          ? (a, b) => {
            if (b === 0) throw divideError(mode);
            return divU64(a as I64, b as I64);
          }
          : (a, b) => {
            if (b === 0 || (a === -(2n ** 63n) && b === -1)) throw divideError(mode);
            return divS64(a as I64, b as I64);
          };
        case '%': return u
          ? (a, b) => {
            if (b === 0) throw divideError(mode);
            return remU64(a as I64, b as I64);
          }
          : (a, b) => {
            if (b === 0 || (a === -(2n ** 63n) && b === -1)) throw divideError(mode);
            return remS64(a as I64, b as I64);
          };
        case '<<': return (a, b) => shl64(a as I64, shiftCount(b));
        case '>>': return u ? (a, b) => shr64(a as I64, shiftCount(b)) : (a, b) => sar64(a as I64, shiftCount(b));
        case '&': return (a, b) => and64(a as I64, b as I64);
        case '|': return (a, b) => or64(a as I64, b as I64);
        case '^': return (a, b) => xor64(a as I64, b as I64);
      }
      break;
    }
    case 'f32':
      switch (op) {
        case '+': return (a, b) => Math.fround((a as number) + (b as number));
        case '-': return (a, b) => Math.fround((a as number) - (b as number));
        case '*': return (a, b) => Math.fround((a as number) * (b as number));
        case '/': return (a, b) => Math.fround((a as number) / (b as number));
      }
      break;
    case 'f64':
      switch (op) {
        case '+': return (a, b) => (a as number) + (b as number);
        case '-': return (a, b) => (a as number) - (b as number);
        case '*': return (a, b) => (a as number) * (b as number);
        case '/': return (a, b) => (a as number) / (b as number);
      }
      break;
  }
  throw new Error(`no operator ${op} for ${k}`);
}

/** A shift count as a small number (the right operand may be a 64-bit value). */
function shiftCount(b: Value): number {
  return typeof b === 'number' ? b & 63 : Number(BigInt.asUintN(6, b as bigint));
}

export function unaryFn(op: '-' | '~', k: VK): (a: Value) => Value {
  switch (k) {
    case 'i32': return op === '-' ? (a) => (-(a as number)) | 0 : (a) => ~(a as number);
    case 'u32': return op === '-' ? (a) => (-(a as number)) >>> 0 : (a) => ~(a as number) >>> 0;
    case 'i64':
    case 'u64': return op === '-' ? (a) => neg64(a as I64) : (a) => not64(a as I64);
    case 'f32':
    case 'f64': return (a) => -(a as number);
  }
  throw new Error(`no unary ${op} for ${k}`);
}

/** Comparison in kind k; returns a boolean. */
export function compareFn(op: string, k: VK): (a: Value, b: Value) => boolean {
  if (k === 'u64') {
    switch (op) {
      case '==': return (a, b) => a === b;
      case '!=': return (a, b) => a !== b;
      case '<': return (a, b) => ltU64(a as I64, b as I64);
      case '>': return (a, b) => ltU64(b as I64, a as I64);
      case '<=': return (a, b) => !ltU64(b as I64, a as I64);
      default: return (a, b) => !ltU64(a as I64, b as I64);
    }
  }
  switch (op) {
    case '==': return (a, b) => a === b;
    case '!=': return (a, b) => a !== b;
    case '<': return (a, b) => a < b;
    case '>': return (a, b) => a > b;
    case '<=': return (a, b) => a <= b;
    default: return (a, b) => a >= b;
  }
}

/** Adds a byte offset to an address of the given width. */
export function addressAdd(ptrBytes: number): (p: Value, d: number) => number | bigint {
  if (ptrBytes === 4) return (p, d) => ((p as number) + d) >>> 0;
  return (p, d) => {
    if (typeof p === 'number') {
      const r = p + d;
      if (r >= -Number.MAX_SAFE_INTEGER && r <= Number.MAX_SAFE_INTEGER) return r;
    }
    return add64(p as I64, d);
  };
}
