/**
 * C values as a debugger shows them: typed, read from emulated memory or a frame's registers,
 * expanded lazily (struct fields, array elements, what a pointer points to). Reading never
 * faults and never changes the machine: an unmapped pointer says so.
 */
import type { Value } from '../exec/types';
import { fromHiLo, toUnsignedBig, type I64 } from '../util/int64';
import { sizeOf, typeToString, type CType, type FieldInfo } from './types';

export interface DebugMemory {
  /** Bytes at a virtual address, or undefined when any of them is unmapped. */
  read(va: I64, n: number): Uint8Array | undefined;
  /** Writes bytes; false when unmapped or read-only. */
  write(va: I64, bytes: Uint8Array): boolean;
  /** A symbol for a code address (function pointers), if any. */
  symbol?(va: I64): string | undefined;
}

export type ValueLocation =
  | { kind: 'mem'; va: I64 }
  | { kind: 'reg'; regs: Value[]; slot: number }
  | { kind: 'value'; value: Value };

export interface DebugValue {
  name: string;
  type: CType;
  loc: ValueLocation;
  bitField?: FieldInfo;
}

export interface FormattedValue {
  text: string;
  typeName: string;
  /** Expandable (struct, array, pointer to something readable). */
  expandable: boolean;
  /** Element count for arrays (VS Code pages them). */
  indexed?: number;
  /** Where the object or pointee lives, for VS Code's memory view. */
  memoryReference?: string;
}

function hexAddr(v: I64, ptrBytes: number): string {
  return '0x' + (ptrBytes === 8 ? toUnsignedBig(v) : BigInt.asUintN(32, BigInt(v))).toString(16);
}

/** Decodes a scalar of type t from little-endian bytes. */
export function decodeScalar(t: CType, b: Uint8Array, ptrBytes: number): Value {
  const d = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (t.kind === 'float') return t.fk === 'float' ? d.getFloat32(0, true) : d.getFloat64(0, true);
  if (t.kind === 'ptr') return ptrBytes === 8 ? fromHiLo(d.getInt32(4, true), d.getUint32(0, true)) : d.getUint32(0, true);
  if (t.kind === 'int') {
    switch (t.size) {
      case 1:
        return t.ik === 'bool' ? (b[0] ? 1 : 0) : t.signed ? d.getInt8(0) : d.getUint8(0);
      case 2:
        return t.signed ? d.getInt16(0, true) : d.getUint16(0, true);
      case 4:
        return t.signed ? d.getInt32(0, true) : d.getUint32(0, true);
      default:
        return fromHiLo(d.getInt32(4, true), d.getUint32(0, true));
    }
  }
  return 0;
}

export function encodeScalar(t: CType, v: Value, ptrBytes: number): Uint8Array {
  const size = t.kind === 'ptr' ? ptrBytes : sizeOf(t);
  const b = new Uint8Array(size);
  const d = new DataView(b.buffer);
  if (t.kind === 'float') {
    if (t.fk === 'float') d.setFloat32(0, Number(v), true);
    else d.setFloat64(0, Number(v), true);
    return b;
  }
  const u = BigInt.asUintN(size * 8, BigInt(v as number | bigint));
  for (let i = 0; i < size; i++) b[i] = Number((u >> BigInt(8 * i)) & 0xffn);
  return b;
}

export class ValueReader {
  constructor(readonly mem: DebugMemory, readonly ptrBytes: number) {}

  /** The scalar value, or undefined when its memory is unmapped. */
  scalar(v: DebugValue): Value | undefined {
    if (v.loc.kind === 'value') return v.loc.value;
    if (v.loc.kind === 'reg') return v.loc.regs[v.loc.slot];
    const size = v.type.kind === 'ptr' ? this.ptrBytes : sizeOf(v.type);
    if (v.bitField) {
      // A bitfield is read through the bytes of its storage unit (fewer than its type's in a
      // packed struct), little-endian.
      const f = v.bitField;
      const unitBytes = f.unitBytes ?? size;
      const b = this.mem.read(v.loc.va, unitBytes);
      if (!b) return undefined;
      let u = 0n;
      for (let i = unitBytes - 1; i >= 0; i--) u = (u << 8n) | BigInt(b[i]);
      let x = (u >> BigInt(f.bitOffset!)) & ((1n << BigInt(f.bitWidth!)) - 1n);
      if (v.type.kind === 'int' && v.type.signed && v.type.ik !== 'bool') x = BigInt.asIntN(f.bitWidth!, x);
      return Number(x);
    }
    const b = this.mem.read(v.loc.va, size);
    if (!b) return undefined;
    return decodeScalar(v.type, b, this.ptrBytes);
  }

  private address(v: DebugValue): I64 | undefined {
    return v.loc.kind === 'mem' ? v.loc.va : undefined;
  }

  cstring(va: I64, max = 80): string | undefined {
    let s = '';
    for (let i = 0; i < max; i++) {
      const b = this.mem.read(typeof va === 'number' ? va + i : va, 1);
      if (!b) return s.length ? s : undefined;
      if (b[0] === 0) return s;
      s += b[0] >= 32 && b[0] < 127 ? String.fromCharCode(b[0]) : `\\x${b[0].toString(16).padStart(2, '0')}`;
    }
    return s + '...';
  }

  format(v: DebugValue): FormattedValue {
    const t = v.type;
    const typeName = typeToString(t);
    const addr = this.address(v);
    switch (t.kind) {
      case 'struct': {
        if (addr === undefined) return { text: '{...}', typeName, expandable: true };
        const ok = this.mem.read(addr, Math.max(1, sizeOf(t))) !== undefined;
        return { text: ok ? '{...}' : `<unmapped ${hexAddr(addr, this.ptrBytes)}>`, typeName, expandable: ok, memoryReference: hexAddr(addr, this.ptrBytes) };
      }
      case 'array': {
        const n = t.length ?? 0;
        if (addr === undefined) return { text: `[${n}]`, typeName, expandable: n > 0, indexed: n };
        if (t.of.kind === 'int' && t.of.size === 1) {
          const s = this.cstring(addr, Math.min(n, 200));
          return { text: s === undefined ? `<unmapped ${hexAddr(addr, this.ptrBytes)}>` : JSON.stringify(s), typeName, expandable: n > 0, indexed: n, memoryReference: hexAddr(addr, this.ptrBytes) };
        }
        return { text: `[${n}]`, typeName, expandable: n > 0, indexed: n, memoryReference: hexAddr(addr, this.ptrBytes) };
      }
      case 'void':
        return { text: 'void', typeName, expandable: false };
      case 'func':
        return { text: addr !== undefined ? `${hexAddr(addr, this.ptrBytes)} <${this.mem.symbol?.(addr) ?? '?'}>` : 'function', typeName, expandable: false };
      default:
        break;
    }
    const raw = this.scalar(v);
    if (raw === undefined) return { text: `<unmapped ${addr !== undefined ? hexAddr(addr, this.ptrBytes) : '?'}>`, typeName, expandable: false };
    if (t.kind === 'ptr') {
      const p = raw as I64;
      const ref = hexAddr(p, this.ptrBytes);
      if (p === 0) return { text: '0x0', typeName, expandable: false };
      const to = t.to;
      if (to.kind === 'func') return { text: `${ref} <${this.mem.symbol?.(p) ?? '?'}>`, typeName, expandable: false, memoryReference: ref };
      if (to.kind === 'int' && to.size === 1) {
        const s = this.cstring(p);
        return { text: s === undefined ? `${ref} <unmapped>` : `${ref} ${JSON.stringify(s)}`, typeName, expandable: false, memoryReference: ref };
      }
      const readable = to.kind !== 'void' && this.mem.read(p, 1) !== undefined;
      const sym = this.mem.symbol?.(p);
      const shown = sym ? `${ref} <${sym}>` : ref;
      return { text: readable || to.kind === 'void' ? shown : `${ref} <unmapped>`, typeName, expandable: readable, memoryReference: ref };
    }
    if (t.kind === 'float') return { text: String(raw), typeName, expandable: false };
    if (t.kind === 'int') {
      if (t.enumTag) {
        for (const [name, val] of t.enumTag.values) if (val === Number(raw)) return { text: name, typeName, expandable: false };
      }
      if (t.size === 1 && t.ik !== 'bool') {
        const c = Number(raw) & 0xff;
        const ch = c >= 32 && c < 127 ? `'${String.fromCharCode(c) === "'" ? "\\'" : String.fromCharCode(c)}'` : `'\\x${c.toString(16).padStart(2, '0')}'`;
        return { text: `${raw} ${ch}`, typeName, expandable: false };
      }
      const text = t.signed ? String(raw) : t.size === 8 ? toUnsignedBig(raw as I64).toString() : String(raw);
      return { text, typeName, expandable: false };
    }
    return { text: String(raw), typeName, expandable: false };
  }

  /** Children: struct members, array elements (a slice), or the object a pointer points to. */
  children(v: DebugValue, start = 0, count = 1000): DebugValue[] {
    const t = v.type;
    const addr = this.address(v);
    if (t.kind === 'struct' && addr !== undefined) {
      return t.info.fields.map((f) => ({
        name: f.name ?? `<anonymous ${f.type.kind === 'struct' && f.type.info.isUnion ? 'union' : 'struct'}>`,
        type: f.type,
        loc: { kind: 'mem', va: typeof addr === 'number' ? addr + f.offset : addr },
        bitField: f.bitWidth !== undefined ? f : undefined,
      }));
    }
    if (t.kind === 'array' && addr !== undefined) {
      const n = t.length ?? 0;
      const size = sizeOf(t.of);
      const out: DebugValue[] = [];
      for (let i = start; i < Math.min(n, start + count); i++) out.push({ name: `[${i}]`, type: t.of, loc: { kind: 'mem', va: typeof addr === 'number' ? addr + i * size : addr } });
      return out;
    }
    if (t.kind === 'ptr') {
      const p = this.scalar(v);
      if (p === undefined || p === 0 || t.to.kind === 'void' || t.to.kind === 'func') return [];
      return [{ name: `*${v.name}`, type: t.to, loc: { kind: 'mem', va: p as I64 } }];
    }
    return [];
  }

  /** Writes a new scalar value (setVariable); returns false if it cannot be written. */
  assign(v: DebugValue, value: Value): boolean {
    if (v.loc.kind === 'reg') {
      v.loc.regs[v.loc.slot] = value;
      return true;
    }
    if (v.loc.kind !== 'mem') return false;
    if (v.bitField) return this.assignBits(v.loc.va, v.bitField, value);
    return this.mem.write(v.loc.va, encodeScalar(v.type, value, this.ptrBytes));
  }

  /** A bitfield store: read its storage unit, replace its bits (the value truncated), write back. */
  private assignBits(va: I64, f: FieldInfo, value: Value): boolean {
    if (typeof value !== 'number' && typeof value !== 'bigint') return false;
    const unitBytes = f.unitBytes ?? sizeOf(f.type);
    const b = this.mem.read(va, unitBytes);
    if (!b) return false;
    let u = 0n;
    for (let i = unitBytes - 1; i >= 0; i--) u = (u << 8n) | BigInt(b[i]);
    const mask = ((1n << BigInt(f.bitWidth!)) - 1n) << BigInt(f.bitOffset!);
    const bits = (BigInt.asUintN(64, typeof value === 'number' ? BigInt(Math.trunc(value)) : value) << BigInt(f.bitOffset!)) & mask;
    u = (u & ~mask) | bits;
    const out = new Uint8Array(unitBytes);
    for (let i = 0; i < unitBytes; i++) out[i] = Number((u >> BigInt(8 * i)) & 0xffn);
    return this.mem.write(va, out);
  }
}
