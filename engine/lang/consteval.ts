/**
 * Constant evaluation over typed expressions: integer constant expressions (array sizes, case
 * labels, enum values, #bitfield widths, static_assert) and address constants for static
 * initializers (`&x.f`, `"str" + 1`, a function's name).
 */
import type { Expr, VarInfo } from './ast';
import { add64, and64, divS64, divU64, fromDoubleS64, fromDoubleU64, ltU64, mul64, neg64, not64, or64, remS64, remU64, sar64, shl64, shr64, sub64, toDoubleS64, toDoubleU64, xor64, type I64 } from '../util/int64';
import { type CType, type IntType } from './types';
import { evalBitBuiltin } from './builtins';

/** Wraps a value to an integer type's width and signedness. */
export function wrapInt(v: I64, t: IntType): I64 {
  if (t.ik === 'bool') return v === 0 ? 0 : 1;
  if (t.size === 8) return v;
  const bits = t.size * 8;
  const b = typeof v === 'bigint' ? v : BigInt(v);
  return Number(t.signed ? BigInt.asIntN(bits, b) : BigInt.asUintN(bits, b));
}

function isUnsignedInt(t: CType): boolean {
  return t.kind === 'ptr' || (t.kind === 'int' && !t.signed);
}

function toNumberValue(v: I64 | number, from: CType): number {
  if (from.kind === 'float') return v as number;
  return isUnsignedInt(from) ? toDoubleU64(v as I64) : toDoubleS64(v as I64);
}

/** Converts a constant to a type. Values of float types are JS numbers; integer types I64. */
export function convertConst(v: I64 | number, from: CType, to: CType): I64 | number {
  if (to.kind === 'float') {
    const d = toNumberValue(v, from);
    return to.fk === 'float' ? Math.fround(d) : d;
  }
  if (to.kind === 'int' || to.kind === 'ptr') {
    let iv: I64;
    if (from.kind === 'float') {
      const d = v as number;
      if (to.kind === 'int' && to.ik === 'bool') return d !== 0 ? 1 : 0;
      iv = to.kind === 'int' && !to.signed ? fromDoubleU64(d) : fromDoubleS64(d);
    } else iv = v as I64;
    if (to.kind === 'ptr') return to.size === 8 ? iv : wrapInt(iv, { kind: 'int', ik: 'uint', size: 4, align: 4, signed: false });
    return wrapInt(iv, to);
  }
  return v;
}

/** Evaluates an integer (or floating) constant expression; undefined if it is not constant. */
export function evalConst(e: Expr): I64 | number | undefined {
  switch (e.k) {
    case 'num':
      return e.value;
    case 'fnum':
      return e.value;
    case 'cast': {
      const v = evalConst(e.e);
      if (v === undefined) return undefined;
      return convertConst(v, e.e.type, e.type);
    }
    case 'unary': {
      const v = evalConst(e.e);
      if (v === undefined) return undefined;
      if (e.op === '!') return isZero(v) ? 1 : 0;
      if (e.type.kind === 'float') return e.op === '-' ? -(v as number) : undefined;
      const t = e.type as IntType;
      return wrapInt(e.op === '-' ? neg64(v as I64) : not64(v as I64), t);
    }
    case 'binary': {
      const l = evalConst(e.l);
      const r = evalConst(e.r);
      if (l === undefined || r === undefined) return undefined;
      return binaryConst(e.op, l, r, e.type);
    }
    case 'cmp': {
      const l = evalConst(e.l);
      const r = evalConst(e.r);
      if (l === undefined || r === undefined) return undefined;
      return compareConst(e.op, l, r, e.opType) ? 1 : 0;
    }
    case 'logand': {
      const l = evalConst(e.l);
      if (l === undefined) return undefined;
      if (isZero(l)) return 0;
      const r = evalConst(e.r);
      return r === undefined ? undefined : isZero(r) ? 0 : 1;
    }
    case 'logor': {
      const l = evalConst(e.l);
      if (l === undefined) return undefined;
      if (!isZero(l)) return 1;
      const r = evalConst(e.r);
      return r === undefined ? undefined : isZero(r) ? 0 : 1;
    }
    case 'cond': {
      const c = evalConst(e.c);
      if (c === undefined) return undefined;
      return evalConst(isZero(c) ? e.f : e.t);
    }
    case 'builtin': {
      const v = evalConst(e.e);
      return v === undefined ? undefined : evalBitBuiltin(e.op, e.bits, v as I64);
    }
    case 'comma':
      return undefined;
    default:
      return undefined;
  }
}

export function isZero(v: I64 | number): boolean {
  return v === 0 || v === 0n;
}

export function binaryConst(op: string, l: I64 | number, r: I64 | number, t: CType): I64 | number | undefined {
  if (t.kind === 'float') {
    const a = l as number;
    const b = r as number;
    let x: number;
    switch (op) {
      case '+': x = a + b; break;
      case '-': x = a - b; break;
      case '*': x = a * b; break;
      case '/': x = a / b; break;
      default: return undefined;
    }
    return t.fk === 'float' ? Math.fround(x) : x;
  }
  const it: IntType = t.kind === 'int' ? t : { kind: 'int', ik: 'ulong', size: 8, align: 8, signed: false };
  const a = l as I64;
  const b = r as I64;
  const uns = !it.signed;
  const is64 = it.size === 8;
  let v: I64;
  switch (op) {
    case '+': v = add64(a, b); break;
    case '-': v = sub64(a, b); break;
    case '*': v = mul64(a, b); break;
    case '/':
      if (isZero(b)) return undefined;
      v = uns ? divU64(is64 ? a : wrapInt(a, it), is64 ? b : wrapInt(b, it)) : divS64(a, b);
      break;
    case '%':
      if (isZero(b)) return undefined;
      v = uns ? remU64(is64 ? a : wrapInt(a, it), is64 ? b : wrapInt(b, it)) : remS64(a, b);
      break;
    case '&': v = and64(a, b); break;
    case '|': v = or64(a, b); break;
    case '^': v = xor64(a, b); break;
    case '<<': v = shl64(a, Number(b) & (is64 ? 63 : 31)); break;
    case '>>': {
      const n = Number(b) & (is64 ? 63 : 31);
      v = uns ? shr64(wrapInt(a, it), n) : sar64(a, n);
      break;
    }
    default:
      return undefined;
  }
  return wrapInt(v, it);
}

export function compareConst(op: string, l: I64 | number, r: I64 | number, t: CType): boolean {
  const uns = isUnsignedInt(t) && (t.kind === 'ptr' ? t.size === 8 : (t as IntType).size === 8);
  const lt = (a: I64 | number, b: I64 | number) => (uns ? ltU64(a as I64, b as I64) : a < b);
  switch (op) {
    case '==': return l === r;
    case '!=': return l !== r;
    case '<': return lt(l, r);
    case '>': return lt(r, l);
    case '<=': return !lt(r, l);
    default: return !lt(l, r);
  }
}

/** An address constant: a symbol plus a byte offset (or a plain integer when sym is undefined). */
export interface AddrConst {
  sym: VarInfo | undefined;
  offset: I64;
}

/** Evaluates an initializer value that may be an address constant. */
export function evalAddrConst(e: Expr): AddrConst | undefined {
  switch (e.k) {
    case 'addr':
      return lvalueAddr(e.e);
    case 'decay':
      return lvalueAddr(e.e);
    case 'str':
      return { sym: e.v, offset: 0 };
    case 'cast': {
      if (e.type.kind !== 'ptr' && !(e.type.kind === 'int' && e.type.size >= (e.e.type.kind === 'ptr' ? e.e.type.size : 8))) {
        const v = evalConst(e);
        return v === undefined ? undefined : { sym: undefined, offset: v as I64 };
      }
      return evalAddrConst(e.e);
    }
    case 'ptradd': {
      const base = evalAddrConst(e.p);
      const i = evalConst(e.i);
      if (!base || i === undefined) return undefined;
      const d = mul64(i as I64, e.scale);
      return { sym: base.sym, offset: e.neg ? sub64(base.offset, d) : add64(base.offset, d) };
    }
    case 'binary': {
      if (e.op !== '+' && e.op !== '-') break;
      const l = evalAddrConst(e.l);
      const r = evalAddrConst(e.r);
      if (!l || !r) break;
      if (l.sym && r.sym) return undefined;
      if (e.op === '-' && r.sym) return undefined;
      return { sym: l.sym ?? r.sym, offset: e.op === '+' ? add64(l.offset, r.offset) : sub64(l.offset, r.offset) };
    }
    case 'complit':
      return undefined;
    default:
      break;
  }
  const v = evalConst(e);
  if (v === undefined || typeof v === 'number' && e.type.kind === 'float') return undefined;
  return { sym: undefined, offset: v as I64 };
}

function lvalueAddr(e: Expr): AddrConst | undefined {
  switch (e.k) {
    case 'var':
      if (e.v.kind === 'global' || e.v.kind === 'func') return { sym: e.v, offset: 0 };
      return undefined;
    case 'str':
      return { sym: e.v, offset: 0 };
    case 'complit':
      return e.v.kind === 'global' ? { sym: e.v, offset: 0 } : undefined;
    case 'member': {
      const b = lvalueAddr(e.e);
      return b ? { sym: b.sym, offset: add64(b.offset, e.field.offset) } : undefined;
    }
    case 'deref':
      return evalAddrConst(e.e);
    default:
      return undefined;
  }
}
