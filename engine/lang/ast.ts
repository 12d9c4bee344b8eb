/**
 * The typed syntax tree the parser builds. Types, scopes and implicit conversions are resolved
 * while parsing (like chibicc), so every expression carries its C type and every identifier its
 * declaration; the code generator never has to look anything up by name.
 */
import type { SourceLoc } from './diagnostics';
import type { CType, FieldInfo, FuncType } from './types';
import type { I64 } from '../util/int64';

export type BinOp = '+' | '-' | '*' | '/' | '%' | '<<' | '>>' | '&' | '|' | '^';
export type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface VarInfo {
  name: string;
  type: CType;
  loc: SourceLoc;
  kind: 'local' | 'param' | 'global' | 'func';
  /** Globals and functions: file scope `static` (internal linkage) or a static local. */
  isStatic: boolean;
  /** Declared but not defined here (extern object, prototype without body). */
  isExtern: boolean;
  /** Linker name: the C name, or a unique name for statics and static locals. */
  symbol: string;
  /** Locals: its address is taken (or it is an aggregate), so it lives in stack memory. */
  inMemory: boolean;
  /** Locals: register slot or frame offset, assigned after the function is parsed. */
  slot: number;
  frameOffset: number;
  /** Function definitions. */
  func?: FuncDef;
  /** Globals: the initializer, if any. */
  init?: Initializer;
  /** A read-only object (string literals, const globals): lives in .rodata. */
  readonly?: boolean;
  /** `__attribute__((section(...)))`, `__init`, `__exit`. */
  section?: string;
  /** An alignment asked for with `__attribute__((aligned))` or `_Alignas`, beyond the type's. */
  align?: number;
}

export type Expr =
  | { k: 'num'; type: CType; value: I64; loc: SourceLoc }
  | { k: 'fnum'; type: CType; value: number; loc: SourceLoc }
  | { k: 'var'; type: CType; v: VarInfo; loc: SourceLoc }
  | { k: 'unary'; op: '-' | '~' | '!'; type: CType; e: Expr; loc: SourceLoc }
  | { k: 'binary'; op: BinOp; type: CType; l: Expr; r: Expr; loc: SourceLoc }
  /** Pointer ± integer: `scale` is the pointee size; result has the pointer's type. */
  | { k: 'ptradd'; type: CType; p: Expr; i: Expr; scale: number; neg: boolean; loc: SourceLoc }
  /** Pointer − pointer, divided by the element size. */
  | { k: 'ptrdiff'; type: CType; l: Expr; r: Expr; scale: number; loc: SourceLoc }
  /** Comparison performed in `opType` (both operands already converted to it). */
  | { k: 'cmp'; op: CmpOp; type: CType; opType: CType; l: Expr; r: Expr; loc: SourceLoc }
  | { k: 'logand' | 'logor'; type: CType; l: Expr; r: Expr; loc: SourceLoc }
  | { k: 'cond'; type: CType; c: Expr; t: Expr; f: Expr; loc: SourceLoc }
  | { k: 'assign'; type: CType; target: Expr; value: Expr; loc: SourceLoc }
  /** target op= value: computed in opType, result converted back to the target type. */
  | { k: 'opassign'; op: BinOp | 'ptradd' | 'ptrsub'; type: CType; opType: CType; target: Expr; value: Expr; scale: number; loc: SourceLoc }
  | { k: 'incdec'; prefix: boolean; delta: 1 | -1; type: CType; target: Expr; scale: number; loc: SourceLoc }
  | { k: 'deref'; type: CType; e: Expr; loc: SourceLoc }
  | { k: 'addr'; type: CType; e: Expr; loc: SourceLoc }
  | { k: 'member'; type: CType; e: Expr; field: FieldInfo; loc: SourceLoc }
  | { k: 'cast'; type: CType; e: Expr; loc: SourceLoc }
  /** An array or function used as a value: its address. */
  | { k: 'decay'; type: CType; e: Expr; loc: SourceLoc }
  | { k: 'call'; type: CType; callee: Expr; fnType: FuncType; args: Expr[]; loc: SourceLoc }
  | { k: 'comma'; type: CType; l: Expr; r: Expr; loc: SourceLoc }
  | { k: 'stmtexpr'; type: CType; body: Stmt[]; result: Expr | undefined; loc: SourceLoc }
  /** A string literal: an anonymous read-only char array. */
  | { k: 'str'; type: CType; v: VarInfo; loc: SourceLoc }
  | { k: 'vaarg'; type: CType; ap: Expr; loc: SourceLoc }
  /** A GCC bit builtin (popcount, clz, bswap...) of `e`, already converted to its operand type. */
  | { k: 'builtin'; op: import('./builtins').BitBuiltin; bits: number; type: CType; e: Expr; loc: SourceLoc }
  | { k: 'vastart'; type: CType; ap: Expr; loc: SourceLoc }
  | { k: 'vacopy'; type: CType; dst: Expr; src: Expr; loc: SourceLoc }
  /** A compound literal or other anonymous object initialized in place; value is the object. */
  | { k: 'complit'; type: CType; v: VarInfo; init: Initializer; loc: SourceLoc }
  /** __builtin_expect and friends that just pass a value through, kept for line info. */
  | { k: 'nop'; type: CType; loc: SourceLoc };

export type ExprKind = Expr['k'];

/** A flattened initializer: the object is zero-filled, then each scalar (or struct) is stored. */
export interface Initializer {
  sizeBytes: number;
  items: InitItem[];
}

export interface InitItem {
  offset: number;
  type: CType;
  /** A value to store (already converted to `type`), or raw bytes (string literal into char[]). */
  expr?: Expr;
  bytes?: Uint8Array;
  bitField?: FieldInfo;
}

export type Stmt =
  | { k: 'expr'; e: Expr; loc: SourceLoc }
  | { k: 'decl'; v: VarInfo; init: Initializer | undefined; loc: SourceLoc }
  | { k: 'block'; body: Stmt[]; loc: SourceLoc; endLoc: SourceLoc }
  | { k: 'if'; c: Expr; then: Stmt; else: Stmt | undefined; loc: SourceLoc }
  | { k: 'while'; c: Expr; body: Stmt; loc: SourceLoc }
  | { k: 'dowhile'; c: Expr; body: Stmt; loc: SourceLoc; condLoc: SourceLoc }
  | { k: 'for'; init: Stmt | undefined; c: Expr | undefined; step: Expr | undefined; body: Stmt; loc: SourceLoc }
  | { k: 'switch'; e: Expr; body: Stmt; cases: CaseLabel[]; defaultId: number | undefined; loc: SourceLoc }
  | { k: 'case'; id: number; loc: SourceLoc }
  | { k: 'break'; loc: SourceLoc }
  | { k: 'continue'; loc: SourceLoc }
  | { k: 'return'; e: Expr | undefined; loc: SourceLoc }
  | { k: 'goto'; label: string; loc: SourceLoc }
  | { k: 'label'; label: string; loc: SourceLoc }
  | { k: 'empty'; loc: SourceLoc };

export interface CaseLabel {
  id: number;
  lo: I64;
  hi: I64;
}

export interface FuncDef {
  v: VarInfo;
  type: FuncType;
  params: VarInfo[];
  body: Stmt & { k: 'block' };
  locals: VarInfo[];
  loc: SourceLoc;
  endLoc: SourceLoc;
  /** Names used as labels (for goto checks). */
  labels: Set<string>;
  /** `__init` / `__exit` / attributes the kernel cares about. */
  section?: string;
}

/** What a translation unit defines and declares. */
export interface TranslationUnit {
  file: string;
  globals: VarInfo[];
  functions: FuncDef[];
  /** Every declared function or object, defined here or not (for linking). */
  symbols: Map<string, VarInfo>;
  /** String literals and other anonymous read-only objects. */
  anon: VarInfo[];
  /** Files the preprocessor read (the main file first). */
  files: string[];
  /** File-scope struct/union tags and typedefs (the kernel derives its layouts from them). */
  tags: Map<string, import('./types').StructInfo>;
  typedefs: Map<string, CType>;
  warnings: import('./diagnostics').Diagnostic[];
}
