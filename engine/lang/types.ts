/**
 * C types with the sizes and alignments of the target ABI (LP64 for x86_64, ILP32 for i386), and
 * the struct layout rules of the System V ABI as gcc applies them (bitfields included). The kernel
 * derives the layout of its own structures from the same declarations the driver sees, through
 * these functions — one source of layout.
 */
import type { SourceLoc } from './diagnostics';

export type IntKind = 'bool' | 'char' | 'schar' | 'uchar' | 'short' | 'ushort' | 'int' | 'uint' | 'long' | 'ulong' | 'llong' | 'ullong';

export interface Quals {
  const?: boolean;
  volatile?: boolean;
}

export interface VoidType extends Quals {
  kind: 'void';
}
export interface IntType extends Quals {
  kind: 'int';
  ik: IntKind;
  size: 1 | 2 | 4 | 8;
  align: number;
  signed: boolean;
  /** Set for enum types (their values are ints); used for display. */
  enumTag?: EnumInfo;
}
export interface FloatType extends Quals {
  kind: 'float';
  fk: 'float' | 'double' | 'ldouble';
  size: number;
  align: number;
}
export interface PtrType extends Quals {
  kind: 'ptr';
  to: CType;
  size: number;
  align: number;
}
export interface ArrayType extends Quals {
  kind: 'array';
  of: CType;
  /** undefined for an incomplete array (`int a[]`, flexible array member). */
  length: number | undefined;
}
export interface StructType extends Quals {
  kind: 'struct';
  info: StructInfo;
}
export interface FuncType extends Quals {
  kind: 'func';
  ret: CType;
  params: ParamInfo[];
  variadic: boolean;
  /** `int f()` — no prototype: any arguments are accepted. */
  unprototyped: boolean;
}

export type CType = VoidType | IntType | FloatType | PtrType | ArrayType | StructType | FuncType;

export interface ParamInfo {
  name: string | undefined;
  type: CType;
}

export interface FieldInfo {
  name: string | undefined;
  type: CType;
  offset: number;
  /** Bitfields: position of the lowest bit inside the storage unit at `offset`, and width. */
  bitOffset?: number;
  bitWidth?: number;
  /**
   * Bytes read and written to access a bitfield when that is not its type's size: a packed
   * bitfield is accessed through the bytes it covers, never more (gcc's code does the same, and
   * a type-sized access could run past the end of the struct).
   */
  unitBytes?: number;
  loc?: SourceLoc;
}

export interface StructInfo {
  tag: string | undefined;
  isUnion: boolean;
  fields: FieldInfo[];
  size: number;
  align: number;
  complete: boolean;
  /** Unique id so two structs with the same tag in different scopes stay distinct. */
  id: number;
  packed?: boolean;
  loc?: SourceLoc;
}

export interface EnumInfo {
  tag: string | undefined;
  values: Map<string, number>;
}

export interface Abi {
  name: 'lp64' | 'ilp32';
  ptrBytes: 4 | 8;
  longBytes: 4 | 8;
  /** Alignment of long long / double as struct members (4 on i386). */
  llongAlign: 4 | 8;
  doubleAlign: 4 | 8;
}

export const LP64: Abi = { name: 'lp64', ptrBytes: 8, longBytes: 8, llongAlign: 8, doubleAlign: 8 };
export const ILP32: Abi = { name: 'ilp32', ptrBytes: 4, longBytes: 4, llongAlign: 4, doubleAlign: 4 };

let structIds = 0;

export class TypeSystem {
  readonly void: VoidType = { kind: 'void' };
  readonly bool: IntType;
  readonly char: IntType;
  readonly schar: IntType;
  readonly uchar: IntType;
  readonly short: IntType;
  readonly ushort: IntType;
  readonly int: IntType;
  readonly uint: IntType;
  readonly long: IntType;
  readonly ulong: IntType;
  readonly llong: IntType;
  readonly ullong: IntType;
  readonly float: FloatType;
  readonly double: FloatType;
  readonly ldouble: FloatType;
  /** size_t / ptrdiff_t / uintptr_t as the ABI defines them. */
  readonly sizeT: IntType;
  readonly ptrdiffT: IntType;

  constructor(readonly abi: Abi) {
    const i = (ik: IntKind, size: 1 | 2 | 4 | 8, signed: boolean, align = size): IntType => ({ kind: 'int', ik, size, align, signed });
    this.bool = i('bool', 1, false);
    this.char = i('char', 1, true);
    this.schar = i('schar', 1, true);
    this.uchar = i('uchar', 1, false);
    this.short = i('short', 2, true);
    this.ushort = i('ushort', 2, false);
    this.int = i('int', 4, true);
    this.uint = i('uint', 4, false);
    this.long = i('long', abi.longBytes, true);
    this.ulong = i('ulong', abi.longBytes, false);
    this.llong = i('llong', 8, true, abi.llongAlign);
    this.ullong = i('ullong', 8, false, abi.llongAlign);
    this.float = { kind: 'float', fk: 'float', size: 4, align: 4 };
    this.double = { kind: 'float', fk: 'double', size: 8, align: abi.doubleAlign };
    // long double is carried as a double (x87 extended precision is not emulated).
    this.ldouble = { kind: 'float', fk: 'ldouble', size: abi.ptrBytes === 8 ? 16 : 12, align: abi.ptrBytes === 8 ? 16 : 4 };
    this.sizeT = this.ulong;
    this.ptrdiffT = this.long;
  }

  ptr(to: CType): PtrType {
    return { kind: 'ptr', to, size: this.abi.ptrBytes, align: this.abi.ptrBytes };
  }

  array(of: CType, length: number | undefined): ArrayType {
    return { kind: 'array', of, length };
  }

  func(ret: CType, params: ParamInfo[], variadic: boolean, unprototyped = false): FuncType {
    return { kind: 'func', ret, params, variadic, unprototyped };
  }

  newStruct(tag: string | undefined, isUnion: boolean, loc?: SourceLoc): StructInfo {
    return { tag, isUnion, fields: [], size: 0, align: 1, complete: false, id: ++structIds, loc };
  }

  intOfSize(size: number, signed: boolean): IntType {
    if (size === 1) return signed ? this.schar : this.uchar;
    if (size === 2) return signed ? this.short : this.ushort;
    if (size === 4) return signed ? this.int : this.uint;
    return signed ? (this.abi.longBytes === 8 ? this.long : this.llong) : this.abi.longBytes === 8 ? this.ulong : this.ullong;
  }

  /** Integer promotion (C11 6.3.1.1). */
  promote(t: CType): CType {
    if (t.kind === 'int' && t.size < 4) return this.int;
    if (t.kind === 'int' && t.enumTag) return this.int;
    return unqual(t);
  }

  /** Rank for the usual arithmetic conversions. */
  private rank(t: IntType): number {
    switch (t.ik) {
      case 'bool':
        return 0;
      case 'char':
      case 'schar':
      case 'uchar':
        return 1;
      case 'short':
      case 'ushort':
        return 2;
      case 'int':
      case 'uint':
        return 3;
      case 'long':
      case 'ulong':
        return 4;
      default:
        return 5;
    }
  }

  /** The usual arithmetic conversions (C11 6.3.1.8). */
  usualArith(a: CType, b: CType): CType {
    if (a.kind === 'float' || b.kind === 'float') {
      const fa = a.kind === 'float' ? a : undefined;
      const fb = b.kind === 'float' ? b : undefined;
      if (fa?.fk === 'ldouble' || fb?.fk === 'ldouble') return this.ldouble;
      if (fa?.fk === 'double' || fb?.fk === 'double') return this.double;
      return this.float;
    }
    const pa = this.promote(a) as IntType;
    const pb = this.promote(b) as IntType;
    if (pa.ik === pb.ik) return pa;
    if (pa.signed === pb.signed) return this.rank(pa) >= this.rank(pb) ? pa : pb;
    const [u, s] = pa.signed ? [pb, pa] : [pa, pb];
    if (this.rank(u) >= this.rank(s)) return u;
    if (s.size > u.size) return s;
    return this.unsignedOf(s);
  }

  unsignedOf(t: IntType): IntType {
    switch (t.ik) {
      case 'char':
      case 'schar':
        return this.uchar;
      case 'short':
        return this.ushort;
      case 'int':
        return this.uint;
      case 'long':
        return this.ulong;
      case 'llong':
        return this.ullong;
      default:
        return t;
    }
  }

  /**
   * Lays out a struct or union from its fields' declared types (gcc's rules). `packLimit` is the
   * alignment cap of `#pragma pack(n)` (n > 1; pack(1) is `packed`).
   */
  layoutStruct(info: StructInfo, members: { name: string | undefined; type: CType; bitWidth?: number; align?: number; loc?: SourceLoc }[], packed: boolean, forcedAlign?: number, packLimit?: number): void {
    let offsetBits = 0;
    let maxAlign = 1;
    let sizeBits = 0;
    const fields: FieldInfo[] = [];
    const natural = (t: CType) => (packLimit === undefined ? alignOf(t) : Math.min(alignOf(t), packLimit));
    for (const m of members) {
      const align = packed && m.align === undefined ? 1 : m.align ?? natural(m.type);
      const size = sizeOf(m.type);
      if (m.bitWidth !== undefined) {
        const unitBits = size * 8;
        const typeAlign = packed ? 1 : natural(m.type);
        if (m.bitWidth === 0) {
          // A zero-width bitfield pushes the next field to its type's alignment.
          if (!info.isUnion) offsetBits = roundUp(offsetBits, alignOf(m.type) * 8);
          continue;
        }
        let start = info.isUnion ? 0 : offsetBits;
        // A bitfield may not straddle a boundary of its declared type's alignment, unless the
        // struct is packed or under #pragma pack (gcc skips the rule then).
        const anywhere = packed || packLimit !== undefined;
        if (!anywhere && Math.floor(start / (typeAlign * 8)) !== Math.floor((start + m.bitWidth - 1) / (typeAlign * 8))) {
          start = roundUp(start, typeAlign * 8);
        }
        const unitStartBytes = anywhere ? Math.floor(start / 8) : Math.floor(start / (typeAlign * 8)) * typeAlign;
        if (m.name !== undefined) {
          const bitOffset = start - unitStartBytes * 8;
          // Packed, the bytes a bitfield covers need not be its type's unit: access just those.
          const unitBytes = anywhere ? Math.ceil((bitOffset + m.bitWidth) / 8) : size;
          fields.push({ name: m.name, type: m.type, offset: unitStartBytes, bitOffset, bitWidth: m.bitWidth, loc: m.loc, ...(unitBytes !== size ? { unitBytes } : {}) });
        }
        if (m.name !== undefined || !packed) maxAlign = Math.max(maxAlign, m.name !== undefined ? typeAlign : 1);
        void unitBits;
        if (info.isUnion) sizeBits = Math.max(sizeBits, start + m.bitWidth);
        else offsetBits = start + m.bitWidth;
        continue;
      }
      const startBytes = info.isUnion ? 0 : roundUp(Math.ceil(offsetBits / 8), align);
      fields.push({ name: m.name, type: m.type, offset: startBytes, loc: m.loc });
      maxAlign = Math.max(maxAlign, align);
      if (info.isUnion) sizeBits = Math.max(sizeBits, size * 8);
      else offsetBits = (startBytes + size) * 8;
    }
    if (forcedAlign !== undefined) maxAlign = Math.max(maxAlign, forcedAlign);
    const totalBits = info.isUnion ? sizeBits : offsetBits;
    info.fields = fields;
    info.align = maxAlign;
    info.size = roundUp(Math.ceil(totalBits / 8), maxAlign);
    info.complete = true;
    info.packed = packed;
  }
}

export function roundUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

export function unqual<T extends CType>(t: T): T {
  if (!t.const && !t.volatile) return t;
  const c = { ...t };
  delete c.const;
  delete c.volatile;
  return c;
}

export function withQuals<T extends CType>(t: T, q: Quals): T {
  if (!q.const && !q.volatile) return t;
  return { ...t, const: t.const || q.const || undefined, volatile: t.volatile || q.volatile || undefined };
}

export function sizeOf(t: CType): number {
  switch (t.kind) {
    case 'void':
      return 1; // GNU: sizeof(void) == 1, so void* arithmetic works as in the kernel.
    case 'int':
    case 'float':
    case 'ptr':
      return t.size;
    case 'array':
      return (t.length ?? 0) * sizeOf(t.of);
    case 'struct':
      return t.info.size;
    case 'func':
      return 1;
  }
}

export function alignOf(t: CType): number {
  switch (t.kind) {
    case 'void':
    case 'func':
      return 1;
    case 'int':
    case 'float':
    case 'ptr':
      return t.align;
    case 'array':
      return alignOf(t.of);
    case 'struct':
      return t.info.align;
  }
}

export const isInteger = (t: CType): t is IntType => t.kind === 'int';
export const isFloat = (t: CType): t is FloatType => t.kind === 'float';
export const isArith = (t: CType): t is IntType | FloatType => t.kind === 'int' || t.kind === 'float';
export const isPointer = (t: CType): t is PtrType => t.kind === 'ptr';
export const isScalar = (t: CType): boolean => t.kind === 'int' || t.kind === 'float' || t.kind === 'ptr';
export const isStructLike = (t: CType): t is StructType => t.kind === 'struct';
export const isVoid = (t: CType): t is VoidType => t.kind === 'void';

/** Is this object type complete (sizeof works)? */
export function isComplete(t: CType): boolean {
  if (t.kind === 'void') return false;
  if (t.kind === 'array') return t.length !== undefined && isComplete(t.of);
  if (t.kind === 'struct') return t.info.complete;
  return true;
}

/** Type compatibility, loosely as gcc checks it for assignments of pointers. */
export function sameType(a: CType, b: CType): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'void':
      return true;
    case 'int':
      return a.ik === (b as IntType).ik || (a.size === (b as IntType).size && a.signed === (b as IntType).signed && (a.enumTag !== undefined || (b as IntType).enumTag !== undefined));
    case 'float':
      return a.fk === (b as FloatType).fk;
    case 'ptr':
      return sameType(a.to, (b as PtrType).to);
    case 'array': {
      const bb = b as ArrayType;
      return (a.length === undefined || bb.length === undefined || a.length === bb.length) && sameType(a.of, bb.of);
    }
    case 'struct':
      return a.info === (b as StructType).info;
    case 'func': {
      const bf = b as FuncType;
      if (!sameType(a.ret, bf.ret)) return false;
      if (a.unprototyped || bf.unprototyped) return true;
      return a.variadic === bf.variadic && a.params.length === bf.params.length && a.params.every((p, i) => sameType(p.type, bf.params[i].type));
    }
  }
}

/** The C spelling of a type, for diagnostics and the debugger. */
export function typeToString(t: CType, inner = ''): string {
  const q = (t.const ? 'const ' : '') + (t.volatile ? 'volatile ' : '');
  switch (t.kind) {
    case 'void':
      return `${q}void${inner ? ' ' + inner : ''}`;
    case 'int':
      return `${q}${t.enumTag ? 'enum ' + (t.enumTag.tag ?? '<anonymous>') : INT_NAMES[t.ik]}${inner ? ' ' + inner : ''}`;
    case 'float':
      return `${q}${t.fk === 'ldouble' ? 'long double' : t.fk}${inner ? ' ' + inner : ''}`;
    case 'struct':
      return `${q}${t.info.isUnion ? 'union' : 'struct'} ${t.info.tag ?? '<anonymous>'}${inner ? ' ' + inner : ''}`;
    case 'ptr': {
      const star = '*' + (t.const ? 'const ' : '') + inner;
      const needParens = t.to.kind === 'array' || t.to.kind === 'func';
      return typeToString({ ...t.to }, needParens ? `(${star.trim()})` : star.trim());
    }
    case 'array':
      return typeToString(t.of, `${inner}[${t.length ?? ''}]`);
    case 'func': {
      const ps = t.params.map((p) => typeToString(p.type)).concat(t.variadic ? ['...'] : []);
      return typeToString(t.ret, `${inner}(${t.unprototyped ? '' : ps.length ? ps.join(', ') : 'void'})`);
    }
  }
}

const INT_NAMES: Record<IntKind, string> = {
  bool: '_Bool',
  char: 'char',
  schar: 'signed char',
  uchar: 'unsigned char',
  short: 'short',
  ushort: 'unsigned short',
  int: 'int',
  uint: 'unsigned int',
  long: 'long',
  ulong: 'unsigned long',
  llong: 'long long',
  ullong: 'unsigned long long',
};

/** Finds a member by name, descending into anonymous structs/unions; returns its absolute offset. */
export function findField(info: StructInfo, name: string): FieldInfo | undefined {
  for (const f of info.fields) {
    if (f.name === name) return f;
    if (f.name === undefined && f.type.kind === 'struct') {
      const inner = findField(f.type.info, name);
      if (inner) return { ...inner, offset: inner.offset + f.offset };
    }
  }
  return undefined;
}
