/**
 * Linking a translation unit into a loadable image: sections laid out like an ELF executable or a
 * kernel module (.text, .rodata, .data, .bss, each page aligned so they can carry their own
 * protections), symbols with addresses and sizes (for kallsyms and the debugger), initial data
 * with relocations applied, external references resolved against the kernel's exports or libc,
 * and every function compiled to ops.
 */
import type { Cpu, Mode } from '../machine/cpu';
import type { Executor } from '../exec/executor';
import type { Callable, CompiledFunction } from '../exec/types';
import { add64, lo32, hi32, type I64 } from '../util/int64';
import type { Expr, FuncDef, TranslationUnit, VarInfo } from './ast';
import { compileFunction } from './codegen';
import { convertConst, evalAddrConst, evalConst } from './consteval';
import { CompileError, type Diagnostic } from './diagnostics';
import { alignOf, roundUp, sizeOf, type CType, type TypeSystem } from './types';
import { vkOf } from './values';

export type SectionName = '.text' | '.rodata' | '.data' | '.bss';

export interface ImageSection {
  name: SectionName;
  start: I64;
  sizeBytes: number;
  /** Initial contents (zeros for .bss; 0xcc "int3" filler for .text). */
  bytes: Uint8Array;
  writable: boolean;
  executable: boolean;
}

export interface ImageSymbol {
  name: string;
  address: I64;
  sizeBytes: number;
  kind: 'func' | 'object';
  /** External linkage (kallsyms: upper-case type letter). */
  global: boolean;
  section: SectionName | string;
  v: VarInfo;
}

export type External = { kind: 'func'; callable: Callable; address: I64 } | { kind: 'object'; address: I64 };

export interface LinkEnv {
  ts: TypeSystem;
  cpu: Cpu;
  exec: Executor;
  mode: Mode;
  /** Name of the image (module name or program path), for frames and symbols. */
  unit: string;
  /** Something defined outside the image: a kernel export, a libc routine, another module's export. */
  lookupExternal(name: string): External | undefined;
  /** Why a name is not available, for the link error. */
  explainMissing(name: string): string;
  /** Functions of all loaded images, by address (for calls through pointers). */
  resolve(addr: I64): Callable | undefined;
}

export interface ImagePlan {
  tu: TranslationUnit;
  sections: { name: SectionName; sizeBytes: number; items: { v: VarInfo; offset: number; sizeBytes: number }[] }[];
  totalBytes: number;
}

export interface LinkedImage {
  unit: string;
  tu: TranslationUnit;
  sections: ImageSection[];
  symbols: ImageSymbol[];
  functions: CompiledFunction[];
  /** Compiled functions by their symbol. */
  byVar: Map<VarInfo, CompiledFunction>;
  /** Global objects' addresses (including string literals). */
  addressOf(v: VarInfo): I64;
  /** A defined symbol of this image by name. */
  find(name: string): ImageSymbol | undefined;
  /** Objects placed in a named section with __attribute__((section)). */
  inSection(section: string): ImageSymbol[];
  start: I64;
  end: I64;
}

const PAGE = 4096;

/** A plausible code size for a function, so symbol sizes and addresses look like a real build. */
function functionSizeBytes(fn: FuncDef): number {
  let nodes = 0;
  const walk = (x: unknown): void => {
    if (x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) {
      for (const y of x) walk(y);
      return;
    }
    const o = x as Record<string, unknown>;
    if (typeof o.k === 'string') nodes++;
    for (const key of ['body', 'e', 'l', 'r', 'c', 't', 'f', 'then', 'else', 'init', 'step', 'args', 'value', 'target', 'p', 'i', 'result']) walk(o[key]);
  };
  walk(fn.body);
  return roundUp(Math.max(16, nodes * 6), 16);
}

function sectionOf(v: VarInfo): SectionName {
  if (v.readonly) return '.rodata';
  if (v.init && v.init.items.length > 0) return '.data';
  return '.bss';
}

/** Sizes every section; the caller then chooses where the image goes (it may need the total). */
export function planImage(tu: TranslationUnit): ImagePlan {
  const text: ImagePlan['sections'][number] = { name: '.text', sizeBytes: 0, items: [] };
  const ro: ImagePlan['sections'][number] = { name: '.rodata', sizeBytes: 0, items: [] };
  const data: ImagePlan['sections'][number] = { name: '.data', sizeBytes: 0, items: [] };
  const bss: ImagePlan['sections'][number] = { name: '.bss', sizeBytes: 0, items: [] };
  const put = (sec: ImagePlan['sections'][number], v: VarInfo, size: number, align: number) => {
    const offset = roundUp(sec.sizeBytes, align);
    sec.items.push({ v, offset, sizeBytes: size });
    sec.sizeBytes = offset + size;
  };
  for (const fn of tu.functions) put(text, fn.v, functionSizeBytes(fn), 16);
  for (const v of [...tu.anon, ...tu.globals]) {
    const sec = sectionOf(v) === '.rodata' ? ro : sectionOf(v) === '.data' ? data : bss;
    put(sec, v, Math.max(1, sizeOf(v.type)), Math.max(alignOf(v.type), v.align ?? 1, sizeOf(v.type) >= 16 ? 16 : 1));
  }
  const sections = [text, ro, data, bss];
  let total = 0;
  for (const s of sections) total = roundUp(total, PAGE) + s.sizeBytes;
  return { tu, sections, totalBytes: roundUp(total, PAGE) };
}

export function linkImage(plan: ImagePlan, base: I64, env: LinkEnv): LinkedImage {
  const { tu } = plan;
  const addresses = new Map<VarInfo, I64>();
  const sections: ImageSection[] = [];
  const symbols: ImageSymbol[] = [];
  let cursor = 0;
  for (const s of plan.sections) {
    cursor = roundUp(cursor, PAGE);
    const start = add64(base, cursor);
    const bytes = new Uint8Array(s.sizeBytes);
    if (s.name === '.text') bytes.fill(0xcc);
    sections.push({ name: s.name, start, sizeBytes: s.sizeBytes, bytes, writable: s.name === '.data' || s.name === '.bss', executable: s.name === '.text' });
    for (const it of s.items) {
      const address = add64(start, it.offset);
      addresses.set(it.v, address);
      if (!it.v.name.startsWith('.') && !it.v.name.startsWith('__func__.')) {
        symbols.push({
          name: it.v.name, address, sizeBytes: it.sizeBytes, kind: it.v.kind === 'func' ? 'func' : 'object', global: !it.v.isStatic,
          section: it.v.section ?? s.name, v: it.v,
        });
      }
    }
    cursor += s.sizeBytes;
  }
  const errors: Diagnostic[] = [];
  const externals = new Map<VarInfo, External>();
  const addressOf = (v: VarInfo): I64 => {
    const a = addresses.get(v);
    if (a !== undefined) return a;
    const ext = externals.get(v);
    if (ext) return ext.address;
    throw new CompileError([{ ...v.loc, severity: 'error', message: `undefined reference to '${v.name}'` }]);
  };
  // Resolve what the unit uses but does not define.
  for (const v of tu.symbols.values()) {
    if (addresses.has(v) || !v.isExtern) continue;
    if (v.kind === 'func' && v.func) continue;
    const ext = env.lookupExternal(v.name);
    if (ext) externals.set(v, ext);
  }
  const shells = new Map<VarInfo, CompiledFunction>();
  for (const fn of tu.functions) shells.set(fn.v, { kind: 'c', name: fn.v.name } as CompiledFunction);
  const used = collectReferenced(tu);
  for (const v of used) {
    if (addresses.has(v) || externals.has(v) || shells.has(v)) continue;
    errors.push({ ...v.loc, severity: 'error', message: env.explainMissing(v.name) });
  }
  if (errors.length) throw new CompileError(errors);
  const codegenEnv = {
    ts: env.ts,
    cpu: env.cpu,
    exec: env.exec,
    mode: env.mode,
    unit: env.unit,
    addressOf,
    callableOf: (v: VarInfo): Callable | undefined => {
      const sh = shells.get(v);
      if (sh) return sh;
      const ext = externals.get(v);
      return ext?.kind === 'func' ? ext.callable : undefined;
    },
    resolve: env.resolve,
  };
  const functions: CompiledFunction[] = [];
  for (const fn of tu.functions) {
    const compiled = compileFunction(fn, codegenEnv, addressOf(fn.v));
    const shell = shells.get(fn.v)!;
    Object.assign(shell, compiled);
    functions.push(shell);
  }
  // Initial data, with relocations applied.
  for (const s of plan.sections) {
    const sec = sections.find((x) => x.name === s.name)!;
    if (s.name === '.text' || s.name === '.bss') continue;
    for (const it of s.items) {
      if (!it.v.init) continue;
      writeInitializer(sec.bytes, it.offset, it.v, addressOf, env.ts);
    }
  }
  const byVar = shells;
  const start = base;
  const end = add64(base, plan.totalBytes);
  return {
    unit: env.unit,
    tu,
    sections,
    symbols,
    functions,
    byVar,
    addressOf,
    find: (name) => symbols.find((s) => s.name === name),
    inSection: (section) => symbols.filter((s) => s.section === section),
    start,
    end,
  };
}

/** Every global, function or string a function body or initializer refers to. */
function collectReferenced(tu: TranslationUnit): Set<VarInfo> {
  const out = new Set<VarInfo>();
  const seen = new Set<unknown>();
  const walk = (x: unknown): void => {
    if (x === null || typeof x !== 'object' || seen.has(x)) return;
    if (x instanceof Uint8Array) return;
    seen.add(x);
    if (Array.isArray(x)) {
      for (const y of x) walk(y);
      return;
    }
    const o = x as Record<string, unknown>;
    if ((o.k === 'var' || o.k === 'str') && o.v) {
      const v = o.v as VarInfo;
      if (v.kind === 'global' || v.kind === 'func') out.add(v);
    }
    for (const [key, val] of Object.entries(o)) {
      if (key === 'v' || key === 'type' || key === 'loc' || key === 'fnType' || key === 'field') continue;
      walk(val);
    }
  };
  for (const fn of tu.functions) walk(fn.body);
  for (const g of tu.globals) walk(g.init);
  return out;
}

function writeScalar(view: DataView, at: number, t: CType, value: I64 | number, ts: TypeSystem): void {
  const k = vkOf(t, ts.abi.ptrBytes);
  switch (k) {
    case 'i8':
    case 'u8':
    case 'bool':
      view.setUint8(at, Number(value) & 0xff);
      return;
    case 'i16':
    case 'u16':
      view.setUint16(at, Number(value) & 0xffff, true);
      return;
    case 'i32':
    case 'u32':
      view.setUint32(at, lo32(value as I64), true);
      return;
    case 'i64':
    case 'u64':
      view.setUint32(at, lo32(value as I64), true);
      view.setInt32(at + 4, hi32(value as I64), true);
      return;
    case 'f32':
      view.setFloat32(at, value as number, true);
      return;
    case 'f64':
      view.setFloat64(at, value as number, true);
      return;
  }
}

function constValue(e: Expr, t: CType, addressOf: (v: VarInfo) => I64): I64 | number {
  if (t.kind === 'float') {
    const v = evalConst(e);
    if (v === undefined) throw new CompileError([{ ...e.loc, severity: 'error', message: 'initializer element is not constant' }]);
    return v;
  }
  const a = evalAddrConst(e);
  if (!a) {
    const v = evalConst(e);
    if (v === undefined) throw new CompileError([{ ...e.loc, severity: 'error', message: 'initializer element is not constant' }]);
    return convertConst(v, e.type, t);
  }
  const v = a.sym ? add64(addressOf(a.sym), a.offset) : a.offset;
  return convertConst(v, { kind: 'ptr', to: t, size: 8, align: 8 }, t);
}

function writeInitializer(bytes: Uint8Array, base: number, v: VarInfo, addressOf: (v: VarInfo) => I64, ts: TypeSystem): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const it of v.init!.items) {
    const at = base + it.offset;
    if (it.bytes) {
      bytes.set(it.bytes.subarray(0, Math.max(0, Math.min(it.bytes.length, bytes.length - at))), at);
      continue;
    }
    const e = it.expr!;
    if (it.type.kind === 'struct' || it.type.kind === 'array') {
      if (e.k === 'var' && e.v.init) writeInitializer(bytes, at, e.v, addressOf, ts);
      continue;
    }
    const value = constValue(e, it.type, addressOf);
    if (it.bitField) {
      const f = it.bitField;
      const unit = f.unitBytes ?? sizeOf(f.type);
      const width = BigInt(f.bitWidth!);
      const shift = BigInt(f.bitOffset!);
      let cur = 0n;
      for (let i = 0; i < unit; i++) cur |= BigInt(bytes[at + i] ?? 0) << BigInt(8 * i);
      const mask = ((1n << width) - 1n) << shift;
      cur = (cur & ~mask) | ((BigInt(value as I64) << shift) & mask);
      for (let i = 0; i < unit && at + i < bytes.length; i++) bytes[at + i] = Number((cur >> BigInt(8 * i)) & 0xffn);
      continue;
    }
    writeScalar(view, at, it.type, value, ts);
  }
}
