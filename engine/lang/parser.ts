/**
 * Recursive-descent parser for the C that drivers and test programs are written in (C11 with the
 * GNU extensions kernel code relies on), with the semantic checks a compiler gives: it resolves
 * scopes, types every expression, inserts the implicit conversions and reports errors at the
 * user's `file:line:col` in gcc's words.
 */
import type { CaseLabel, Expr, FuncDef, Initializer, InitItem, Stmt, TranslationUnit, VarInfo, BinOp, CmpOp } from './ast';
import { CompileError, type Diagnostic, type SourceLoc } from './diagnostics';
import type { Token } from './token';
import { LiteralError, parseCharLiteral, parseFloatLiteral, parseIntLiteral, parseStringLiteral } from './literals';
import {
  alignOf, findField, isArith, isComplete, isFloat, isInteger, isPointer, isScalar, sameType, sizeOf, typeToString, unqual, withQuals,
  type CType, type EnumInfo, type FieldInfo, type FuncType, type IntType, type ParamInfo, type StructInfo, TypeSystem,
} from './types';
import { convertConst, evalAddrConst, evalConst, isZero, wrapInt } from './consteval';
import { norm64, type I64 } from '../util/int64';
import { uninitializedReads } from './uninit';
import { bitBuiltin } from './builtins';

export interface ParseOptions {
  ts: TypeSystem;
  file: string;
  files?: string[];
  /** Explains why an undeclared function is not available (e.g. a kernel routine not emulated). */
  explainUndeclared?: (name: string) => string | undefined;
}

type ScopeEntry =
  | { kind: 'var'; v: VarInfo }
  | { kind: 'typedef'; type: CType }
  | { kind: 'enumconst'; value: number };

type TagEntry = { kind: 'struct'; info: StructInfo } | { kind: 'enum'; info: EnumInfo };

interface Scope {
  ids: Map<string, ScopeEntry>;
  tags: Map<string, TagEntry>;
}

interface Attr {
  name: string;
  args: (Expr | string)[];
}

interface DeclSpec {
  type: CType;
  storage: 'typedef' | 'extern' | 'static' | 'auto' | 'register' | undefined;
  inline: boolean;
  attrs: Attr[];
  /** The specifiers named a type at all (else: implicit int, which is an error in C99). */
  hasType: boolean;
}

interface Declarator {
  name: string | undefined;
  type: CType;
  loc: SourceLoc;
  attrs: Attr[];
  /** Parameter declarations, when the declarator is a function. */
  params?: { name: string | undefined; type: CType; loc: SourceLoc }[];
}

const TYPE_KEYWORDS = new Set([
  'void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '_Bool', 'struct', 'union', 'enum',
  'const', 'volatile', 'restrict', '__restrict', '__restrict__', 'typeof', '__typeof__', '__typeof', 'static', 'extern', 'typedef',
  'auto', 'register', 'inline', '__inline', '__inline__', '_Noreturn', '__attribute__', '__attribute', '__extension__', '__const', '__const__',
  '__volatile__', '__volatile', '__signed__', '__signed', '_Alignas', '_Atomic', '_Thread_local', '__thread', '_Complex', '__int128',
]);

const KEYWORDS = new Set([
  ...TYPE_KEYWORDS, 'if', 'else', 'while', 'do', 'for', 'switch', 'case', 'default', 'break', 'continue', 'return', 'goto', 'sizeof',
  '_Alignof', '__alignof__', '__alignof', '_Static_assert', 'asm', '__asm__', '__asm', '_Generic',
]);

export function parseTranslationUnit(tokens: Token[], opts: ParseOptions): TranslationUnit {
  return new Parser(tokens, opts).translationUnit();
}

/**
 * Parses one expression in the scope of a translation unit plus some locals (the debugger's
 * watch, hover and breakpoint conditions). Throws CompileError like the compiler does.
 */
export function parseExpressionIn(tokens: Token[], opts: ParseOptions, tu: TranslationUnit | undefined, locals: VarInfo[], enums?: Map<string, number>): Expr {
  return new Parser(tokens, opts).expressionIn(tu, locals, enums);
}

/** The current token, so literal errors can be reported where they are. */
let literalTok: Token | undefined;

function literal<T>(t: Token, f: (text: string) => T): T {
  literalTok = t;
  return f(t.text);
}

class Parser {
  private pos = 0;
  private readonly ts: TypeSystem;
  private scopes: Scope[] = [{ ids: new Map(), tags: new Map() }];
  private readonly tu: TranslationUnit;
  private fn: FuncDef | undefined;
  private loopDepth = 0;
  private switchStack: { cases: CaseLabel[]; defaultId: number | undefined; type: CType }[] = [];
  private breakDepth = 0;
  private caseIds = 0;
  private anonCount = 0;
  private staticLocalCount = 0;
  private readonly warnings: Diagnostic[] = [];
  private usedLabels: { name: string; loc: SourceLoc }[] = [];
  /** `#pragma pack`: the current maximum member alignment (undefined: natural) and its stack. */
  private packAlign: number | undefined;
  private readonly packStack: (number | undefined)[] = [];

  constructor(private readonly toks: Token[], private readonly opts: ParseOptions) {
    this.ts = opts.ts;
    this.tu = {
      file: opts.file, globals: [], functions: [], symbols: new Map(), anon: [], files: opts.files ?? [opts.file], warnings: this.warnings,
      tags: new Map(), typedefs: new Map(),
    };
    this.declareBuiltins();
  }

  expressionIn(tu: TranslationUnit | undefined, locals: VarInfo[], enums?: Map<string, number>): Expr {
    const file = this.scopes[0];
    if (tu) {
      for (const [name, t] of tu.typedefs) file.ids.set(name, { kind: 'typedef', type: t });
      for (const [name, info] of tu.tags) file.tags.set(name, { kind: 'struct', info });
      for (const v of tu.symbols.values()) if (v.symbol === v.name) file.ids.set(v.name, { kind: 'var', v });
    }
    for (const [name, value] of enums ?? []) file.ids.set(name, { kind: 'enumconst', value });
    this.pushScope();
    for (const v of locals) this.scope.ids.set(v.name, { kind: 'var', v: { ...v } });
    try {
      const e = this.expression();
      if (this.peek().kind !== 'eof') throw this.err(this.peek(), `unexpected ${this.describe(this.peek())} after the expression`);
      return e;
    } catch (e) {
      if (e instanceof LiteralError) throw this.err(literalTok ?? this.peek(), e.message);
      throw e;
    }
  }

  // ---- tokens ---------------------------------------------------------------------------------

  private peek(o = 0): Token {
    return this.toks[Math.min(this.pos + o, this.toks.length - 1)];
  }
  private next(): Token {
    const t = this.toks[this.pos];
    if (this.pos < this.toks.length - 1) this.pos++;
    return t;
  }
  private is(text: string, o = 0): boolean {
    const t = this.peek(o);
    return (t.kind === 'punct' || t.kind === 'ident') && t.text === text;
  }
  private accept(text: string): boolean {
    if (this.is(text)) {
      this.next();
      return true;
    }
    return false;
  }
  private expect(text: string, what?: string): Token {
    if (this.is(text)) return this.next();
    const t = this.peek();
    throw this.err(t, `expected '${text}'${what ? ' ' + what : ''} before ${this.describe(t)}`);
  }
  private describe(t: Token): string {
    if (t.kind === 'eof') return 'end of input';
    if (t.kind === 'number') return 'numeric constant';
    if (t.kind === 'string') return 'string constant';
    return `'${t.text}' token`;
  }
  private err(loc: SourceLoc, message: string): CompileError {
    return new CompileError([...this.warnings.filter((w) => w.severity === 'error'), { file: loc.file, line: loc.line, col: loc.col, severity: 'error', message }]);
  }
  private warn(loc: SourceLoc, message: string): void {
    this.warnings.push({ file: loc.file, line: loc.line, col: loc.col, severity: 'warning', message });
  }
  private loc(t: Token = this.peek()): SourceLoc {
    return { file: t.file, line: t.line, col: t.col };
  }
  private identText(): string {
    const t = this.peek();
    if (t.kind !== 'ident' || KEYWORDS.has(t.text)) throw this.err(t, `expected identifier before ${this.describe(t)}`);
    this.next();
    return t.text;
  }

  // ---- scopes ---------------------------------------------------------------------------------

  private get scope(): Scope {
    return this.scopes[this.scopes.length - 1];
  }
  private pushScope(): void {
    this.scopes.push({ ids: new Map(), tags: new Map() });
  }
  private popScope(): void {
    this.scopes.pop();
  }
  private lookup(name: string): ScopeEntry | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const e = this.scopes[i].ids.get(name);
      if (e) return e;
    }
    return undefined;
  }
  private lookupTag(name: string): TagEntry | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const e = this.scopes[i].tags.get(name);
      if (e) return e;
    }
    return undefined;
  }
  private isTypedefName(t: Token): boolean {
    if (t.kind !== 'ident' || KEYWORDS.has(t.text)) return false;
    return this.lookup(t.text)?.kind === 'typedef';
  }
  private startsType(o = 0): boolean {
    const t = this.peek(o);
    if (t.kind !== 'ident') return false;
    return TYPE_KEYWORDS.has(t.text) || this.isTypedefName(t);
  }

  private declareBuiltins(): void {
    // The va_list type: a pointer into the variadic argument area of the frame.
    this.scope.ids.set('__builtin_va_list', { kind: 'typedef', type: this.ts.ptr(this.ts.char) });
  }

  // ---- translation unit -------------------------------------------------------------------------

  translationUnit(): TranslationUnit {
    try {
      return this.translationUnitInner();
    } catch (e) {
      if (e instanceof LiteralError) throw this.err(literalTok ?? this.peek(), e.message);
      throw e;
    }
  }

  private translationUnitInner(): TranslationUnit {
    while (this.peek().kind !== 'eof') {
      if (this.accept(';')) continue;
      if (this.pragmaPack()) continue;
      if (this.is('_Static_assert')) {
        this.staticAssert();
        continue;
      }
      if (this.is('asm') || this.is('__asm__') || this.is('__asm')) throw this.err(this.peek(), 'inline assembly is not supported: kmemlab interprets C');
      this.externalDeclaration();
    }
    for (const [name, e] of this.scopes[0].tags) if (e.kind === 'struct') this.tu.tags.set(name, e.info);
    for (const [name, e] of this.scopes[0].ids) if (e.kind === 'typedef') this.tu.typedefs.set(name, e.type);
    return this.tu;
  }

  private externalDeclaration(): void {
    const startTok = this.peek();
    const spec = this.declSpec(true);
    if (!spec.hasType && !this.is(';')) {
      const at = this.peek();
      if (at.kind === 'ident' && this.is('(', 1)) {
        throw this.err(at, `return type defaults to 'int' is not supported; write the return type of '${at.text}'`);
      }
      throw this.err(at, `unknown type name '${at.text}'`);
    }
    if (this.accept(';')) return; // struct/enum declaration only
    let first = true;
    for (;;) {
      const d = this.declarator(spec.type);
      if (d.name === undefined) throw this.err(d.loc, 'expected identifier or \'(\'');
      const attrs = [...spec.attrs, ...d.attrs, ...this.attributes()];
      if (spec.storage === 'typedef') {
        this.defineTypedef(d, attrs);
      } else if (d.type.kind === 'func') {
        const v = this.declareFunction(d, spec, attrs);
        if (first && this.is('{')) {
          this.functionDefinition(v, d, attrs);
          return;
        }
      } else {
        this.globalVariable(d, spec, attrs);
      }
      first = false;
      if (this.accept(',')) continue;
      this.expect(';', 'after declaration');
      return;
    }
  }

  private defineTypedef(d: Declarator, attrs: Attr[]): void {
    let type = d.type;
    const aligned = attrs.find((a) => a.name === 'aligned');
    if (aligned && type.kind === 'struct') void aligned;
    const prev = this.scope.ids.get(d.name!);
    if (prev && (prev.kind !== 'typedef' || !sameType(prev.type, type))) {
      throw this.err(d.loc, `conflicting types for '${d.name}'`);
    }
    this.scope.ids.set(d.name!, { kind: 'typedef', type });
  }

  private sectionOf(attrs: Attr[]): string | undefined {
    const s = attrs.find((a) => a.name === 'section');
    return s && typeof s.args[0] === 'string' ? s.args[0] : undefined;
  }

  private declareFunction(d: Declarator, spec: DeclSpec, attrs: Attr[]): VarInfo {
    const name = d.name!;
    const existing = this.tu.symbols.get(name);
    const isStatic = spec.storage === 'static';
    if (existing) {
      if (existing.kind !== 'func') throw this.err(d.loc, `'${name}' redeclared as different kind of symbol`);
      if (!sameType(existing.type, d.type)) throw this.err(d.loc, `conflicting types for '${name}'`);
      if ((existing.type as FuncType).unprototyped && !(d.type as FuncType).unprototyped) existing.type = d.type;
      this.scopes[0].ids.set(name, { kind: 'var', v: existing });
      if (this.scopes.length > 1) this.scope.ids.set(name, { kind: 'var', v: existing });
      return existing;
    }
    const v: VarInfo = {
      name, type: d.type, loc: d.loc, kind: 'func', isStatic, isExtern: true, symbol: name, inMemory: false, slot: -1, frameOffset: 0,
      section: this.sectionOf(attrs),
    };
    this.tu.symbols.set(name, v);
    this.scopes[0].ids.set(name, { kind: 'var', v });
    if (this.scopes.length > 1) this.scope.ids.set(name, { kind: 'var', v });
    return v;
  }

  private globalVariable(d: Declarator, spec: DeclSpec, attrs: Attr[]): void {
    const name = d.name!;
    let v = this.tu.symbols.get(name);
    const isExtern = spec.storage === 'extern';
    if (v && v.kind === 'func') throw this.err(d.loc, `'${name}' redeclared as different kind of symbol`);
    if (v) {
      if (!sameType(v.type, d.type)) throw this.err(d.loc, `conflicting types for '${name}'`);
      if (v.type.kind === 'array' && v.type.length === undefined) v.type = d.type;
    } else {
      v = {
        name, type: d.type, loc: d.loc, kind: 'global', isStatic: spec.storage === 'static', isExtern, symbol: name, inMemory: true, slot: -1,
        frameOffset: 0, section: this.sectionOf(attrs),
      };
      this.tu.symbols.set(name, v);
    }
    this.scope.ids.set(name, { kind: 'var', v });
    this.applyAlignment(v, attrs);
    if (this.accept('=')) {
      if (v.init) throw this.err(d.loc, `redefinition of '${name}'`);
      const { init, type } = this.initializer(v.type, v.loc);
      v.type = type;
      v.init = init;
      v.isExtern = false;
      this.checkStaticInit(init);
    } else if (!isExtern) {
      v.isExtern = false;
    }
    if (!v.isExtern && !this.tu.globals.includes(v)) {
      if (!isComplete(v.type) && !(v.type.kind === 'array' && v.type.length === undefined)) {
        throw this.err(d.loc, `storage size of '${name}' isn't known`);
      }
      if (v.type.kind === 'array' && v.type.length === undefined) v.type = this.ts.array(v.type.of, 1);
      this.tu.globals.push(v);
    }
    if (v.type.const && !v.section) v.readonly = true;
  }

  /** `__attribute__((aligned(n)))` / `_Alignas(n)` on an object: at least that alignment. */
  private applyAlignment(v: VarInfo, attrs: Attr[]): void {
    for (const a of attrs) {
      if (a.name !== 'aligned') continue;
      const n = this.attrInt(a, 16)!;
      if (n > (v.align ?? 0)) v.align = n;
    }
  }

  /** Static initializers must be constant: check now so the error points at the declaration. */
  private checkStaticInit(init: Initializer): void {
    for (const it of init.items) {
      if (!it.expr) continue;
      if (it.expr.k === 'complit') continue;
      if (evalAddrConst(it.expr) === undefined && evalConst(it.expr) === undefined) {
        throw this.err(it.expr.loc, 'initializer element is not constant');
      }
    }
  }

  private functionDefinition(v: VarInfo, d: Declarator, attrs: Attr[]): void {
    if (v.func) throw this.err(d.loc, `redefinition of '${v.name}'`);
    const ft = d.type as FuncType;
    v.isExtern = false;
    const fn: FuncDef = {
      v, type: ft, params: [], body: undefined as never, locals: [], loc: d.loc, endLoc: d.loc, labels: new Set(), section: this.sectionOf(attrs),
    };
    v.func = fn;
    v.type = ft;
    this.fn = fn;
    this.pushScope();
    for (const p of d.params ?? []) {
      if (p.name === undefined) {
        if (p.type.kind === 'void') continue;
        throw this.err(p.loc, 'parameter name omitted');
      }
      const pv = this.newLocal(p.name, p.type, p.loc, 'param');
      fn.params.push(pv);
    }
    this.usedLabels = [];
    const body = this.compoundStatement(false);
    fn.body = body;
    fn.endLoc = body.endLoc;
    this.popScope();
    for (const u of this.usedLabels) {
      if (!fn.labels.has(u.name)) throw this.err(u.loc, `label '${u.name}' used but not defined`);
    }
    for (const r of uninitializedReads(fn)) this.warn(r.loc, `'${r.v.name}' is used uninitialized`);
    this.tu.functions.push(fn);
    this.fn = undefined;
  }

  private newLocal(name: string, type: CType, loc: SourceLoc, kind: 'local' | 'param'): VarInfo {
    const prev = this.scope.ids.get(name);
    if (prev && prev.kind === 'var' && (prev.v.kind === 'local' || prev.v.kind === 'param')) {
      throw this.err(loc, `redeclaration of '${name}' with no linkage`);
    }
    const v: VarInfo = {
      name, type, loc, kind, isStatic: false, isExtern: false, symbol: name, inMemory: type.kind === 'array' || type.kind === 'struct', slot: -1, frameOffset: 0,
    };
    this.scope.ids.set(name, { kind: 'var', v });
    this.fn!.locals.push(v);
    return v;
  }

  private staticAssert(): void {
    const t = this.next();
    this.expect('(');
    const e = this.conditional();
    let msg = '';
    if (this.accept(',')) msg = this.stringBytesAsText();
    this.expect(')');
    this.expect(';');
    const v = evalConst(e);
    if (v === undefined) throw this.err(e.loc, 'expression in static assertion is not constant');
    if (isZero(v)) throw this.err(t, `static assertion failed${msg ? ': "' + msg + '"' : ''}`);
  }

  /** `#pragma pack(n)`, `(push[, n])`, `(pop)`, `()`, as the preprocessor hands them on. */
  private pragmaPack(): boolean {
    if (!this.is('__pragma_pack')) return false;
    const at = this.next();
    this.expect('(');
    const args: Token[] = [];
    while (!this.is(')')) {
      if (this.peek().kind === 'eof') throw this.err(at, "missing ')' after '#pragma pack'");
      const t = this.next();
      if (t.text !== ',') args.push(t);
    }
    this.next();
    const value = (t: Token | undefined): number | undefined => {
      if (t === undefined) return undefined;
      const n = t.kind === 'number' ? Number(t.text) : NaN;
      if (!(n === 1 || n === 2 || n === 4 || n === 8 || n === 16)) throw this.err(t, "alignment must be a small power of two, not '" + t.text + "'");
      return n;
    };
    if (args[0]?.text === 'push') {
      this.packStack.push(this.packAlign);
      if (args[1] !== undefined) this.packAlign = value(args[1]);
    } else if (args[0]?.text === 'pop') {
      this.packAlign = this.packStack.length ? this.packStack.pop() : undefined;
    } else this.packAlign = value(args[0]);
    return true;
  }

  private stringBytesAsText(): string {
    let s = '';
    while (this.peek().kind === 'string') s += String.fromCharCode(...parseStringLiteral(this.next().text).bytes);
    return s;
  }

  // ---- attributes -------------------------------------------------------------------------------

  private attributes(): Attr[] {
    const out: Attr[] = [];
    for (;;) {
      if (this.is('__attribute__') || this.is('__attribute')) {
        this.next();
        this.expect('(');
        this.expect('(');
        while (!this.is(')')) {
          if (this.accept(',')) continue;
          const nameTok = this.next();
          const name = nameTok.text.replace(/^__(.*)__$/, '$1');
          const args: (Expr | string)[] = [];
          if (this.accept('(')) {
            while (!this.is(')')) {
              if (this.peek().kind === 'string') args.push(this.stringBytesAsText());
              else if (this.peek().kind === 'ident' && (this.is(',', 1) || this.is(')', 1)) && !this.lookup(this.peek().text)) args.push(this.next().text);
              else args.push(this.assignment());
              if (!this.accept(',')) break;
            }
            this.expect(')');
          }
          if (name === 'vector_size' || name === 'mode') throw this.err(nameTok, `__attribute__((${name})) is not supported`);
          out.push({ name, args });
        }
        this.expect(')');
        this.expect(')');
        continue;
      }
      if (this.is('asm') || this.is('__asm__') || this.is('__asm')) {
        // `int x asm("name")` renames a symbol; only plain labels are accepted.
        const t = this.next();
        this.expect('(');
        if (this.peek().kind !== 'string') throw this.err(t, 'inline assembly is not supported: kmemlab interprets C');
        this.stringBytesAsText();
        this.expect(')');
        continue;
      }
      return out;
    }
  }

  private attrInt(a: Attr | undefined, dflt: number): number | undefined {
    if (!a) return undefined;
    if (a.args.length === 0) return dflt;
    const e = a.args[0];
    if (typeof e === 'string') return dflt;
    const v = evalConst(e);
    return v === undefined ? dflt : Number(v);
  }

  // ---- declaration specifiers -----------------------------------------------------------------

  private declSpec(allowStorage: boolean): DeclSpec {
    let storage: DeclSpec['storage'];
    let inline = false;
    const attrs: Attr[] = [];
    let isConst = false;
    let isVolatile = false;
    let base: CType | undefined;
    let signed = 0;
    let unsigned = 0;
    let char = 0, short = 0, int = 0, long = 0, float = 0, double = 0, voidN = 0, bool = 0;
    let hasType = false;
    const startTok = this.peek();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'ident') break;
      const s = t.text;
      if (s === 'typedef' || s === 'extern' || s === 'static' || s === 'auto' || s === 'register') {
        if (!allowStorage) throw this.err(t, `storage class specified for a type name`);
        if (storage && storage !== s) throw this.err(t, 'multiple storage classes in declaration specifiers');
        storage = s;
        this.next();
        continue;
      }
      if (s === '_Thread_local' || s === '__thread') {
        this.next();
        continue;
      }
      if (s === 'inline' || s === '__inline' || s === '__inline__' || s === '_Noreturn') {
        inline = true;
        this.next();
        continue;
      }
      if (s === 'const' || s === '__const' || s === '__const__') {
        isConst = true;
        this.next();
        continue;
      }
      if (s === 'volatile' || s === '__volatile__' || s === '__volatile') {
        isVolatile = true;
        this.next();
        continue;
      }
      if (s === 'restrict' || s === '__restrict' || s === '__restrict__' || s === '__extension__' || s === '_Atomic') {
        this.next();
        continue;
      }
      if (s === '__attribute__' || s === '__attribute') {
        attrs.push(...this.attributes());
        continue;
      }
      if (s === '_Alignas') {
        this.next();
        this.expect('(');
        const n = this.startsType() ? alignOf(this.typeName()) : Number(this.constInt(this.conditional()));
        this.expect(')');
        attrs.push({ name: 'aligned', args: [{ k: 'num', type: this.ts.int, value: n, loc: this.loc(t) }] });
        continue;
      }
      if (s === '_Complex' || s === '__int128') throw this.err(t, `'${s}' is not supported`);
      if (s === 'struct' || s === 'union') {
        if (base || hasType) break;
        base = this.structSpec();
        hasType = true;
        continue;
      }
      if (s === 'enum') {
        if (base || hasType) break;
        base = this.enumSpec();
        hasType = true;
        continue;
      }
      if (s === 'typeof' || s === '__typeof__' || s === '__typeof') {
        if (base || hasType) break;
        this.next();
        this.expect('(');
        base = this.startsType() ? this.typeName() : this.expression().type;
        this.expect(')');
        hasType = true;
        continue;
      }
      if (s === 'signed' || s === '__signed__' || s === '__signed') { signed++; hasType = true; this.next(); continue; }
      if (s === 'unsigned') { unsigned++; hasType = true; this.next(); continue; }
      if (s === 'char') { char++; hasType = true; this.next(); continue; }
      if (s === 'short') { short++; hasType = true; this.next(); continue; }
      if (s === 'int') { int++; hasType = true; this.next(); continue; }
      if (s === 'long') { long++; hasType = true; this.next(); continue; }
      if (s === 'float') { float++; hasType = true; this.next(); continue; }
      if (s === 'double') { double++; hasType = true; this.next(); continue; }
      if (s === 'void') { voidN++; hasType = true; this.next(); continue; }
      if (s === '_Bool') { bool++; hasType = true; this.next(); continue; }
      if (!hasType && this.isTypedefName(t)) {
        base = (this.lookup(s) as { type: CType }).type;
        hasType = true;
        this.next();
        continue;
      }
      break;
    }
    let type: CType;
    if (base) {
      if (signed || unsigned || char || short || int || long || float || double || voidN || bool) throw this.err(startTok, 'two or more data types in declaration specifiers');
      type = base;
    } else if (voidN) type = this.ts.void;
    else if (bool) type = this.ts.bool;
    else if (float) type = this.ts.float;
    else if (double) type = long ? this.ts.ldouble : this.ts.double;
    else if (char) type = unsigned ? this.ts.uchar : signed ? this.ts.schar : this.ts.char;
    else if (short) type = unsigned ? this.ts.ushort : this.ts.short;
    else if (long >= 2) type = unsigned ? this.ts.ullong : this.ts.llong;
    else if (long === 1) type = unsigned ? this.ts.ulong : this.ts.long;
    else type = unsigned ? this.ts.uint : this.ts.int;
    if (signed && unsigned) throw this.err(startTok, "both 'signed' and 'unsigned' in declaration specifiers");
    type = withQuals(type, { const: isConst, volatile: isVolatile });
    return { type, storage, inline, attrs, hasType };
  }

  private structSpec(): CType {
    const kw = this.next();
    const isUnion = kw.text === 'union';
    const attrs = this.attributes();
    let tag: string | undefined;
    if (this.peek().kind === 'ident' && !KEYWORDS.has(this.peek().text)) tag = this.next().text;
    if (!this.is('{')) {
      if (tag === undefined) throw this.err(kw, `expected '{' after '${kw.text}'`);
      const found = this.lookupTag(tag);
      if (found) {
        if (found.kind !== 'struct' || found.info.isUnion !== isUnion) throw this.err(kw, `'${tag}' defined as wrong kind of tag`);
        return { kind: 'struct', info: found.info };
      }
      const info = this.ts.newStruct(tag, isUnion, this.loc(kw));
      this.scope.tags.set(tag, { kind: 'struct', info });
      return { kind: 'struct', info };
    }
    let info: StructInfo;
    const inThisScope = tag !== undefined ? this.scope.tags.get(tag) : undefined;
    if (inThisScope && inThisScope.kind === 'struct' && !inThisScope.info.complete && inThisScope.info.isUnion === isUnion) info = inThisScope.info;
    else if (inThisScope && inThisScope.kind === 'struct' && inThisScope.info.complete) throw this.err(kw, `redefinition of '${kw.text} ${tag}'`);
    else {
      info = this.ts.newStruct(tag, isUnion, this.loc(kw));
      if (tag !== undefined) this.scope.tags.set(tag, { kind: 'struct', info });
    }
    this.expect('{');
    const members: { name: string | undefined; type: CType; bitWidth?: number; align?: number; loc?: SourceLoc }[] = [];
    while (!this.accept('}')) {
      if (this.is('_Static_assert')) {
        this.staticAssert();
        continue;
      }
      if (this.accept(';') || this.pragmaPack()) continue;
      const spec = this.declSpec(false);
      if (!spec.hasType) throw this.err(this.peek(), `expected specifier-qualifier-list before ${this.describe(this.peek())}`);
      if (this.accept(';')) {
        // An anonymous struct/union member.
        if (spec.type.kind === 'struct' && spec.type.info.tag === undefined) members.push({ name: undefined, type: spec.type });
        continue;
      }
      for (;;) {
        let d: Declarator;
        if (this.is(':')) d = { name: undefined, type: spec.type, loc: this.loc(), attrs: [] };
        else d = this.declarator(spec.type);
        let bitWidth: number | undefined;
        if (this.accept(':')) {
          const w = this.constInt(this.conditional());
          if (!isInteger(d.type)) throw this.err(d.loc, `bit-field '${d.name ?? '<anonymous>'}' has invalid type`);
          if (w < 0 || w > sizeOf(d.type) * 8) throw this.err(d.loc, `width of '${d.name ?? '<anonymous>'}' exceeds its type`);
          bitWidth = Number(w);
        }
        const mattrs = [...spec.attrs, ...d.attrs, ...this.attributes()];
        const al = this.attrInt(mattrs.find((a) => a.name === 'aligned'), 16);
        const packedMember = mattrs.some((a) => a.name === 'packed');
        if (d.type.kind === 'func') throw this.err(d.loc, `field '${d.name}' declared as a function`);
        if (!isComplete(d.type) && !(d.type.kind === 'array' && d.type.length === undefined)) {
          throw this.err(d.loc, `field '${d.name}' has incomplete type`);
        }
        if (d.name !== undefined && members.some((m) => m.name === d.name)) throw this.err(d.loc, `duplicate member '${d.name}'`);
        members.push({ name: d.name, type: d.type, bitWidth, align: al ?? (packedMember ? 1 : undefined), loc: d.loc });
        if (this.accept(',')) continue;
        this.expect(';', 'at end of declaration');
        break;
      }
    }
    const after = this.attributes();
    const all = [...attrs, ...after];
    const packed = all.some((a) => a.name === 'packed') || this.packAlign === 1;
    const forced = this.attrInt(all.find((a) => a.name === 'aligned'), 16);
    this.ts.layoutStruct(info, members, packed, forced, packed ? undefined : this.packAlign);
    return { kind: 'struct', info };
  }

  private enumSpec(): CType {
    const kw = this.next();
    this.attributes();
    let tag: string | undefined;
    if (this.peek().kind === 'ident' && !KEYWORDS.has(this.peek().text)) tag = this.next().text;
    if (!this.is('{')) {
      if (tag === undefined) throw this.err(kw, "expected '{' after 'enum'");
      const found = this.lookupTag(tag);
      if (found && found.kind !== 'enum') throw this.err(kw, `'${tag}' defined as wrong kind of tag`);
      const info = found ? (found.info as EnumInfo) : { tag, values: new Map() };
      if (!found) this.scope.tags.set(tag, { kind: 'enum', info });
      return { ...this.ts.uint, enumTag: info };
    }
    this.next();
    const info: EnumInfo = { tag, values: new Map() };
    if (tag !== undefined) this.scope.tags.set(tag, { kind: 'enum', info });
    let value = 0n;
    let anyNegative = false;
    while (!this.accept('}')) {
      const nameTok = this.peek();
      const name = this.identText();
      this.attributes();
      if (this.accept('=')) value = BigInt(this.constInt(this.conditional()));
      if (value < 0n) anyNegative = true;
      info.values.set(name, Number(value));
      if (this.scope.ids.has(name)) throw this.err(nameTok, `redeclaration of '${name}'`);
      this.scope.ids.set(name, { kind: 'enumconst', value: Number(value) });
      value++;
      if (!this.accept(',')) {
        this.expect('}');
        break;
      }
    }
    this.attributes();
    // gcc picks unsigned int for enums without negative values; the difference shows in comparisons.
    return { ...(anyNegative ? this.ts.int : this.ts.uint), enumTag: info };
  }

  // ---- declarators ------------------------------------------------------------------------------

  private pointers(base: CType): CType {
    while (this.accept('*')) {
      let q = { const: false, volatile: false };
      for (;;) {
        const s = this.peek().text;
        if (this.peek().kind !== 'ident') break;
        if (s === 'const' || s === '__const' || s === '__const__') q.const = true;
        else if (s === 'volatile' || s === '__volatile__' || s === '__volatile') q.volatile = true;
        else if (s === 'restrict' || s === '__restrict' || s === '__restrict__' || s === '_Atomic') void 0;
        else if (s === '__attribute__' || s === '__attribute') {
          this.attributes();
          continue;
        } else break;
        this.next();
      }
      base = withQuals(this.ts.ptr(base), q);
    }
    return base;
  }

  /** A declarator (abstract when no name appears). */
  private declarator(base: CType): Declarator {
    const attrs = this.attributes();
    base = this.pointers(base);
    attrs.push(...this.attributes());
    const loc = this.loc();
    if (this.is('(') && !this.looksLikeParamList(1)) {
      // Nested declarator: parse the suffixes first, then the inside with that type (chibicc's trick).
      const start = this.pos;
      this.next();
      this.skipBalanced();
      const outer = this.suffixes(base);
      const end = this.pos;
      this.pos = start + 1;
      const inner = this.declarator(outer.type);
      this.expect(')');
      this.pos = end;
      return { ...inner, attrs: [...attrs, ...inner.attrs], params: inner.params ?? outer.params };
    }
    let name: string | undefined;
    if (this.peek().kind === 'ident' && !KEYWORDS.has(this.peek().text)) name = this.next().text;
    const s = this.suffixes(base, name);
    return { name, type: s.type, loc, attrs: [...attrs, ...this.attributes()], params: s.params };
  }

  /** After '(' at offset o: is this a parameter list (abstract function declarator) rather than a nested declarator? */
  private looksLikeParamList(o: number): boolean {
    return this.is(')', o) || this.startsType(o) || this.is('...', o);
  }

  private skipBalanced(): void {
    let depth = 1;
    while (depth > 0) {
      const t = this.next();
      if (t.kind === 'eof') throw this.err(t, "expected ')'");
      if (t.text === '(' && t.kind === 'punct') depth++;
      else if (t.text === ')' && t.kind === 'punct') depth--;
    }
  }

  private suffixes(base: CType, name?: string): { type: CType; params?: Declarator['params'] } {
    if (this.accept('[')) {
      while (this.accept('static') || this.accept('const') || this.accept('restrict') || this.accept('volatile')) void 0;
      let length: number | undefined;
      if (!this.is(']')) {
        const e = this.assignment();
        const v = evalConst(e);
        if (v === undefined) throw this.err(e.loc, 'variable-length arrays are not supported; use a constant size');
        if (v < 0) throw this.err(e.loc, name === undefined ? 'size of unnamed array is negative' : `size of array '${name}' is negative`);
        length = Number(v);
      }
      this.expect(']');
      const inner = this.suffixes(base, name);
      if (inner.type.kind === 'func') throw this.err(this.peek(), 'declaration of array of functions');
      if (inner.type.kind === 'void') throw this.err(this.peek(), 'declaration of array of voids');
      return { type: this.ts.array(inner.type, length) };
    }
    if (this.accept('(')) {
      const { params, variadic, unprototyped } = this.paramList();
      const ret = this.suffixes(base);
      if (ret.type.kind === 'array') throw this.err(this.peek(), 'function returns an array');
      if (ret.type.kind === 'func') throw this.err(this.peek(), 'function returns a function');
      const infos: ParamInfo[] = params.map((p) => ({ name: p.name, type: p.type }));
      return { type: this.ts.func(ret.type, infos, variadic, unprototyped), params };
    }
    return { type: base };
  }

  private paramList(): { params: NonNullable<Declarator['params']>; variadic: boolean; unprototyped: boolean } {
    const params: NonNullable<Declarator['params']> = [];
    if (this.accept(')')) return { params, variadic: false, unprototyped: true };
    if (this.is('void') && this.is(')', 1)) {
      this.next();
      this.next();
      return { params, variadic: false, unprototyped: false };
    }
    let variadic = false;
    for (;;) {
      if (this.accept('...')) {
        variadic = true;
        break;
      }
      const tok = this.peek();
      if (!this.startsType()) {
        if (params.length === 0 && this.looksLikeKandR()) {
          throw this.err(tok, 'old-style (K&R) parameter declarations are not supported: give each parameter its type inside the parentheses');
        }
        if (tok.kind === 'ident' && !KEYWORDS.has(tok.text) && (this.is(',', 1) || this.is(')', 1) || this.peek(1).kind === 'ident' || this.is('*', 1))) {
          throw this.err(tok, `unknown type name '${tok.text}'`);
        }
        throw this.err(tok, `expected declaration specifiers or '...' before ${this.describe(tok)}`);
      }
      const spec = this.declSpec(true);
      const d = this.declarator(spec.type);
      let type = d.type;
      // Parameters of array or function type are adjusted to pointers (C11 6.7.6.3).
      if (type.kind === 'array') type = withQuals(this.ts.ptr(type.of), {});
      else if (type.kind === 'func') type = this.ts.ptr(type);
      params.push({ name: d.name, type, loc: d.loc });
      if (!this.accept(',')) break;
    }
    this.expect(')');
    return { params, variadic, unprototyped: false };
  }

  /** `f(a, b) int a; ... {`: only names in the list, then declarations or the body. */
  private looksLikeKandR(): boolean {
    let o = 0;
    for (;;) {
      const t = this.peek(o);
      if (t.kind !== 'ident' || KEYWORDS.has(t.text) || this.isTypedefName(t)) return false;
      if (this.is(')', o + 1)) break;
      if (!this.is(',', o + 1)) return false;
      o += 2;
    }
    return this.is('{', o + 2) || this.startsType(o + 2);
  }

  private typeName(): CType {
    const spec = this.declSpec(false);
    if (!spec.hasType) throw this.err(this.peek(), `expected type name before ${this.describe(this.peek())}`);
    const d = this.declarator(spec.type);
    if (d.name !== undefined) throw this.err(d.loc, `unexpected identifier '${d.name}' in type name`);
    return d.type;
  }

  // ---- initializers ------------------------------------------------------------------------------

  private initializer(type: CType, loc: SourceLoc): { init: Initializer; type: CType } {
    const items: InitItem[] = [];
    const finalType = this.initElement(type, 0, items, undefined);
    return { init: { sizeBytes: sizeOf(finalType), items }, type: finalType };
  }

  private isCharArray(t: CType): boolean {
    return t.kind === 'array' && t.of.kind === 'int' && t.of.size === 1;
  }

  /** Initializes an object of type t at byte offset base; returns t with an array length filled in. */
  private initElement(t: CType, base: number, items: InitItem[], pending: Expr | undefined): CType {
    if (pending === undefined && this.isCharArray(t) && (this.peek().kind === 'string' || (this.is('{') && this.peek(1).kind === 'string'))) {
      const braced = this.accept('{');
      const e = this.primary() as Expr & { k: 'str' };
      if (braced) {
        this.accept(',');
        this.expect('}');
      }
      return this.initCharArray(t as CType & { kind: 'array' }, base, items, e);
    }
    if (pending && pending.k === 'str' && this.isCharArray(t)) return this.initCharArray(t as CType & { kind: 'array' }, base, items, pending);
    if (pending === undefined && this.is('{')) {
      this.next();
      if (t.kind === 'array' || t.kind === 'struct') {
        const r = this.initMembers(t, base, items, true);
        this.expect('}');
        return r;
      }
      // Braces around a scalar: `int x = { 3 };`
      if (this.accept('}')) {
        items.push({ offset: base, type: t, expr: { k: 'num', type: t, value: 0, loc: this.loc() } });
        return t;
      }
      this.initElement(t, base, items, undefined);
      this.accept(',');
      this.expect('}');
      return t;
    }
    if (t.kind === 'array' || t.kind === 'struct') {
      const e = pending ?? this.assignment();
      if (t.kind === 'struct' && e.type.kind === 'struct' && e.type.info === t.info) {
        items.push({ offset: base, type: t, expr: e });
        return t;
      }
      // Brace elision: the value initializes the first scalar inside the aggregate.
      return this.initMembers(t, base, items, false, e);
    }
    const e = pending ?? this.assignment();
    items.push({ offset: base, type: t, expr: this.assignConvert(e, t, 'initialization') });
    return t;
  }

  private initCharArray(t: CType & { kind: 'array' }, base: number, items: InitItem[], s: Expr & { k: 'str' }): CType {
    const bytes = (s.v.init!.items[0].bytes as Uint8Array);
    const length = t.length ?? bytes.length;
    const n = Math.min(length, bytes.length);
    if (t.length !== undefined && bytes.length - 1 > t.length) this.warn(s.loc, 'initializer-string for array of chars is too long');
    items.push({ offset: base, type: t, bytes: bytes.subarray(0, n) });
    return t.length === undefined ? this.ts.array(t.of, length) : t;
  }

  private isDesignator(): boolean {
    return this.is('.') || this.is('[') || (this.peek().kind === 'ident' && this.is(':', 1));
  }

  private initMembers(t: CType, base: number, items: InitItem[], braced: boolean, pending?: Expr): CType {
    const isArr = t.kind === 'array';
    const fields = t.kind === 'struct' ? t.info.fields : [];
    const isUnion = t.kind === 'struct' && t.info.isUnion;
    const elemType = isArr ? (t as CType & { kind: 'array' }).of : undefined;
    const elemSize = elemType ? sizeOf(elemType) : 0;
    let length = isArr ? (t as CType & { kind: 'array' }).length : fields.length;
    let idx = 0;
    let maxIdx = 0;
    for (;;) {
      if (pending === undefined && this.is('}')) break;
      if (pending === undefined && this.isDesignator()) {
        if (!braced) break;
        const r = this.designated(t, base, items);
        idx = r.next;
        maxIdx = Math.max(maxIdx, idx);
        if (isArr && length === undefined) void 0;
      } else {
        const full = length !== undefined && idx >= length;
        if (full || (isUnion && idx >= 1)) {
          if (!braced) break;
          const what = isArr ? 'array' : isUnion ? 'union' : 'struct';
          this.warn(this.peek(), `excess elements in ${what} initializer`);
          this.assignment();
        } else if (isArr) {
          this.initElement(elemType!, base + idx * elemSize, items, pending);
        } else {
          const f = fields[idx];
          if (f.name === undefined && f.bitWidth === undefined && f.type.kind !== 'struct') {
            idx++;
            continue;
          }
          this.initField(f, base, items, pending);
        }
        pending = undefined;
        idx++;
        maxIdx = Math.max(maxIdx, idx);
      }
      if (!braced) {
        if (length !== undefined && idx >= length) break;
        if (isUnion) break;
        if (this.is(',') && !this.is('}', 1) && !this.isDesignatorAt(1)) {
          this.next();
          continue;
        }
        break;
      }
      if (!this.accept(',')) break;
    }
    if (isArr && length === undefined) {
      length = maxIdx;
      return this.ts.array(elemType!, length);
    }
    return t;
  }

  private isDesignatorAt(o: number): boolean {
    return this.is('.', o) || this.is('[', o) || (this.peek(o).kind === 'ident' && this.is(':', o + 1));
  }

  private initField(f: FieldInfo, base: number, items: InitItem[], pending: Expr | undefined): void {
    if (f.bitWidth !== undefined) {
      const e = pending ?? (this.accept('{') ? this.bracedScalar() : this.assignment());
      items.push({ offset: base + f.offset, type: f.type, expr: this.assignConvert(e, f.type, 'initialization'), bitField: f });
      return;
    }
    this.initElement(f.type, base + f.offset, items, pending);
  }

  private bracedScalar(): Expr {
    const e = this.assignment();
    this.accept(',');
    this.expect('}');
    return e;
  }

  /** `.a.b[2] = v`, `[1 ... 3] = v`, GNU `field: v`; returns the index after the first designator. */
  private designated(t: CType, base: number, items: InitItem[]): { next: number } {
    if (this.peek().kind === 'ident' && this.is(':', 1)) {
      const nameTok = this.next();
      this.next();
      const { idx, field } = this.fieldIndex(t, nameTok);
      this.initField(field, base, items, undefined);
      return { next: idx + 1 };
    }
    const r = this.designatorChain(t, base);
    this.expect('=');
    const start = items.length;
    if (r.field?.bitWidth !== undefined) this.initField(r.field, r.fieldBase, items, undefined);
    else this.initElement(r.type, r.offset, items, undefined);
    // A range designator applies the same initializer to every element.
    if (r.rangeCount > 1) {
      const made = items.slice(start);
      for (let k = 1; k < r.rangeCount; k++) for (const it of made) items.push({ ...it, offset: it.offset + k * r.rangeStride });
    }
    return { next: r.firstNext };
  }

  private fieldIndex(t: CType, tok: Token): { idx: number; field: FieldInfo } {
    if (t.kind !== 'struct') throw this.err(tok, 'field name not in record or union initializer');
    const idx = t.info.fields.findIndex((f) => f.name === tok.text);
    if (idx >= 0) return { idx, field: t.info.fields[idx] };
    const nested = findField(t.info, tok.text);
    if (!nested) throw this.err(tok, `unknown field '${tok.text}' specified in initializer`);
    // A member of an anonymous struct/union: designate through it.
    const anonIdx = t.info.fields.findIndex((f) => f.name === undefined && f.type.kind === 'struct' && findField(f.type.info, tok.text));
    return { idx: anonIdx, field: nested };
  }

  private designatorChain(t: CType, base: number): { type: CType; offset: number; field?: FieldInfo; fieldBase: number; firstNext: number; rangeCount: number; rangeStride: number } {
    let type = t;
    let offset = base;
    let firstNext = -1;
    let field: FieldInfo | undefined;
    let fieldBase = base;
    let rangeCount = 1;
    let rangeStride = 0;
    for (;;) {
      if (this.accept('.')) {
        const tok = this.peek();
        this.identText();
        const r = this.fieldIndex(type, tok);
        if (firstNext < 0) firstNext = r.idx + 1;
        fieldBase = offset;
        field = r.field;
        offset += r.field.offset;
        type = r.field.type;
        continue;
      }
      if (this.is('[')) {
        const tok = this.next();
        if (type.kind !== 'array') throw this.err(tok, 'array index in non-array initializer');
        const lo = Number(this.constInt(this.conditional()));
        let hi = lo;
        if (this.accept('...')) hi = Number(this.constInt(this.conditional()));
        this.expect(']');
        if (type.length !== undefined && hi >= type.length) throw this.err(tok, 'array index in initializer exceeds array bounds');
        if (firstNext < 0) {
          firstNext = hi + 1;
          rangeCount = hi - lo + 1;
          rangeStride = sizeOf(type.of);
        }
        field = undefined;
        offset += lo * sizeOf(type.of);
        type = type.of;
        continue;
      }
      break;
    }
    return { type, offset, field, fieldBase, firstNext, rangeCount, rangeStride };
  }

  // ---- statements -------------------------------------------------------------------------------

  private compoundStatement(newScope = true): Stmt & { k: 'block' } {
    const open = this.expect('{');
    if (newScope) this.pushScope();
    const body: Stmt[] = [];
    while (!this.is('}')) {
      if (this.peek().kind === 'eof') throw this.err(open, "expected '}' at end of input");
      body.push(...this.blockItem());
    }
    const close = this.next();
    if (newScope) this.popScope();
    return { k: 'block', body, loc: this.loc(open), endLoc: this.loc(close) };
  }

  private blockItem(): Stmt[] {
    if (this.is('_Static_assert')) {
      this.staticAssert();
      return [];
    }
    if (this.pragmaPack()) return [];
    if (this.startsType() && !(this.peek().kind === 'ident' && this.is(':', 1) && !TYPE_KEYWORDS.has(this.peek().text))) {
      return this.localDeclaration();
    }
    if (this.looksLikeUnknownType()) throw this.err(this.peek(), `unknown type name '${this.peek().text}'`);
    return [this.statement()];
  }

  /** `name x ...` or `name *x = ...` with `name` declared nowhere: a type the code forgot to declare. */
  private looksLikeUnknownType(): boolean {
    const t = this.peek();
    if (t.kind !== 'ident' || KEYWORDS.has(t.text) || this.lookup(t.text)) return false;
    const n = this.peek(1);
    if (n.kind === 'ident' && !KEYWORDS.has(n.text)) return true;
    let o = 1;
    while (this.is('*', o)) o++;
    return o > 1 && this.peek(o).kind === 'ident' && (this.is('=', o + 1) || this.is(';', o + 1) || this.is(',', o + 1) || this.is('[', o + 1));
  }

  private localDeclaration(): Stmt[] {
    const startTok = this.peek();
    const spec = this.declSpec(true);
    const out: Stmt[] = [];
    if (this.accept(';')) return out;
    for (;;) {
      const d = this.declarator(spec.type);
      if (d.name === undefined) throw this.err(d.loc, "expected identifier or '('");
      const attrs = [...spec.attrs, ...d.attrs, ...this.attributes()];
      if (spec.storage === 'typedef') {
        this.scope.ids.set(d.name, { kind: 'typedef', type: d.type });
      } else if (d.type.kind === 'func') {
        this.declareFunction(d, spec, attrs);
      } else if (spec.storage === 'extern') {
        const existing = this.tu.symbols.get(d.name);
        if (existing) this.scope.ids.set(d.name, { kind: 'var', v: existing });
        else this.globalVariable(d, spec, attrs);
      } else if (spec.storage === 'static') {
        out.push(...this.staticLocal(d, attrs));
      } else {
        if (d.type.kind === 'void') throw this.err(d.loc, `variable or field '${d.name}' declared void`);
        const v = this.newLocal(d.name, d.type, d.loc, 'local');
        this.applyAlignment(v, attrs);
        let init: Initializer | undefined;
        if (this.accept('=')) {
          const r = this.initializer(v.type, d.loc);
          v.type = r.type;
          init = r.init;
        }
        if (!isComplete(v.type)) throw this.err(d.loc, `storage size of '${d.name}' isn't known`);
        out.push({ k: 'decl', v, init, loc: d.loc });
      }
      if (this.accept(',')) continue;
      this.expect(';', 'after declaration');
      void startTok;
      return out;
    }
  }

  private staticLocal(d: Declarator, attrs: Attr[]): Stmt[] {
    const symbol = `${this.fn?.v.name ?? 'file'}.${d.name}.${++this.staticLocalCount}`;
    const v: VarInfo = {
      name: d.name!, type: d.type, loc: d.loc, kind: 'global', isStatic: true, isExtern: false, symbol, inMemory: true, slot: -1, frameOffset: 0,
      section: this.sectionOf(attrs),
    };
    this.applyAlignment(v, attrs);
    this.scope.ids.set(d.name!, { kind: 'var', v });
    if (this.accept('=')) {
      const r = this.initializer(v.type, d.loc);
      v.type = r.type;
      v.init = r.init;
      this.checkStaticInit(r.init);
    }
    if (!isComplete(v.type)) throw this.err(d.loc, `storage size of '${d.name}' isn't known`);
    this.tu.globals.push(v);
    this.tu.symbols.set(symbol, v);
    return [];
  }

  private statement(): Stmt {
    const t = this.peek();
    const loc = this.loc(t);
    if (t.kind === 'ident') {
      switch (t.text) {
        case 'if': {
          this.next();
          this.expect('(');
          const c = this.condition(this.expression());
          this.expect(')');
          const then = this.statement();
          const els = this.accept('else') ? this.statement() : undefined;
          return { k: 'if', c, then, else: els, loc };
        }
        case 'while': {
          this.next();
          this.expect('(');
          const c = this.condition(this.expression());
          this.expect(')');
          const body = this.loopBody();
          return { k: 'while', c, body, loc };
        }
        case 'do': {
          this.next();
          const body = this.loopBody();
          const wt = this.expect('while');
          this.expect('(');
          const c = this.condition(this.expression());
          this.expect(')');
          this.expect(';');
          return { k: 'dowhile', c, body, loc, condLoc: this.loc(wt) };
        }
        case 'for': {
          this.next();
          this.expect('(');
          this.pushScope();
          let init: Stmt | undefined;
          if (this.accept(';')) init = undefined;
          else if (this.startsType()) {
            const decls = this.localDeclaration();
            init = { k: 'block', body: decls, loc, endLoc: loc };
          } else {
            const e = this.expression();
            this.expect(';');
            init = { k: 'expr', e, loc: e.loc };
          }
          const c = this.is(';') ? undefined : this.condition(this.expression());
          this.expect(';');
          const step = this.is(')') ? undefined : this.expression();
          this.expect(')');
          const body = this.loopBody();
          this.popScope();
          return { k: 'for', init, c, step, body, loc };
        }
        case 'switch': {
          this.next();
          this.expect('(');
          let e = this.rvalue(this.expression());
          if (!isInteger(e.type)) throw this.err(e.loc, 'switch quantity not an integer');
          e = this.convert(e, this.ts.promote(e.type));
          this.expect(')');
          this.switchStack.push({ cases: [], defaultId: undefined, type: e.type });
          this.breakDepth++;
          const body = this.statement();
          this.breakDepth--;
          const sw = this.switchStack.pop()!;
          return { k: 'switch', e, body, cases: sw.cases, defaultId: sw.defaultId, loc };
        }
        case 'case': {
          this.next();
          const sw = this.switchStack[this.switchStack.length - 1];
          if (!sw) throw this.err(t, "case label not within a switch statement");
          const lo = this.caseValue(sw.type);
          let hi = lo;
          if (this.accept('...')) hi = this.caseValue(sw.type);
          this.expect(':');
          for (const c of sw.cases) {
            if (!(hi < c.lo || lo > c.hi)) throw this.err(t, 'duplicate case value');
          }
          const id = ++this.caseIds;
          sw.cases.push({ id, lo, hi });
          return this.labeled({ k: 'case', id, loc });
        }
        case 'default': {
          this.next();
          this.expect(':');
          const sw = this.switchStack[this.switchStack.length - 1];
          if (!sw) throw this.err(t, "'default' label not within a switch statement");
          if (sw.defaultId !== undefined) throw this.err(t, "multiple default labels in one switch");
          const id = ++this.caseIds;
          sw.defaultId = id;
          return this.labeled({ k: 'case', id, loc });
        }
        case 'break':
          this.next();
          this.expect(';');
          if (this.breakDepth === 0) throw this.err(t, 'break statement not within loop or switch');
          return { k: 'break', loc };
        case 'continue':
          this.next();
          this.expect(';');
          if (this.loopDepth === 0) throw this.err(t, 'continue statement not within a loop');
          return { k: 'continue', loc };
        case 'return': {
          this.next();
          const ret = this.fn!.type.ret;
          if (this.accept(';')) {
            if (ret.kind !== 'void') this.warn(t, "'return' with no value, in function returning non-void");
            return { k: 'return', e: undefined, loc };
          }
          let e = this.expression();
          this.expect(';');
          if (ret.kind === 'void') {
            if (e.type.kind !== 'void') this.warn(t, "'return' with a value, in function returning void");
            return { k: 'return', e: { k: 'cast', type: this.ts.void, e, loc: e.loc }, loc };
          }
          e = this.assignConvert(e, ret, 'return');
          return { k: 'return', e, loc };
        }
        case 'goto': {
          this.next();
          if (this.is('*')) throw this.err(t, 'computed goto is not supported');
          const nameTok = this.peek();
          const label = this.identText();
          this.expect(';');
          this.usedLabels.push({ name: label, loc: this.loc(nameTok) });
          return { k: 'goto', label, loc };
        }
        case 'asm':
        case '__asm__':
        case '__asm':
          return this.asmStatement();
        default:
          if (!KEYWORDS.has(t.text) && this.is(':', 1)) {
            this.next();
            this.next();
            this.attributes();
            if (this.fn!.labels.has(t.text)) throw this.err(t, `duplicate label '${t.text}'`);
            this.fn!.labels.add(t.text);
            return this.labeled({ k: 'label', label: t.text, loc });
          }
      }
    }
    if (this.is('{')) return this.compoundStatement();
    if (this.accept(';')) return { k: 'empty', loc };
    const e = this.expression();
    this.expect(';', 'after expression');
    return { k: 'expr', e, loc };
  }

  /** A label applies to the statement after it; a label at the end of a block is allowed (C23/GNU). */
  private labeled(label: Stmt): Stmt {
    if (this.is('}')) return label;
    const next = this.startsType() ? { k: 'block' as const, body: this.localDeclaration(), loc: label.loc, endLoc: label.loc } : this.statement();
    return { k: 'block', body: [label, next], loc: label.loc, endLoc: label.loc };
  }

  private asmStatement(): Stmt {
    const t = this.next();
    while (this.accept('volatile') || this.accept('__volatile__') || this.accept('goto') || this.accept('inline')) void 0;
    this.expect('(');
    const tmpl = this.peek().kind === 'string' ? this.stringBytesAsText() : 'x';
    // An empty template is a compiler barrier (`barrier()`): nothing to do for an interpreter.
    if (tmpl.trim() !== '') throw this.err(t, 'inline assembly is not supported: kmemlab interprets C');
    let depth = 1;
    while (depth > 0) {
      const x = this.next();
      if (x.kind === 'eof') throw this.err(t, "expected ')'");
      if (x.text === '(') depth++;
      if (x.text === ')') depth--;
    }
    this.expect(';');
    return { k: 'empty', loc: this.loc(t) };
  }

  private loopBody(): Stmt {
    this.loopDepth++;
    this.breakDepth++;
    const s = this.statement();
    this.loopDepth--;
    this.breakDepth--;
    return s;
  }

  private caseValue(t: CType): I64 {
    const e = this.conditional();
    const v = evalConst(e);
    if (v === undefined || !isInteger(e.type)) throw this.err(e.loc, 'case label does not reduce to an integer constant');
    return convertConst(v, e.type, t) as I64;
  }

  private constInt(e: Expr): I64 {
    const v = evalConst(e);
    if (v === undefined || !isInteger(e.type)) throw this.err(e.loc, 'expression is not an integer constant');
    return v as I64;
  }

  // ---- expressions ------------------------------------------------------------------------------

  expression(): Expr {
    let e = this.assignment();
    while (this.is(',')) {
      const t = this.next();
      const r = this.assignment();
      e = { k: 'comma', type: this.rvalueType(r), l: e, r: this.rvalue(r), loc: this.loc(t) };
    }
    return e;
  }

  private rvalueType(e: Expr): CType {
    return this.rvalue(e).type;
  }

  /** Array-to-pointer and function-to-pointer decay; qualifiers drop off rvalues. */
  rvalue(e: Expr): Expr {
    if (e.type.kind === 'array') return { k: 'decay', type: this.ts.ptr(e.type.of), e, loc: e.loc };
    if (e.type.kind === 'func') return { k: 'decay', type: this.ts.ptr(e.type), e, loc: e.loc };
    return e;
  }

  private isLvalue(e: Expr): boolean {
    return e.k === 'var' || e.k === 'deref' || (e.k === 'member' && (this.isLvalue(e.e) || e.e.k === 'call' || e.e.k === 'stmtexpr')) || e.k === 'str' || e.k === 'complit';
  }

  private checkAssignable(e: Expr, loc: SourceLoc, what: string): void {
    if (!this.isLvalue(e) || e.k === 'str' || (e.k === 'var' && e.v.kind === 'func')) throw this.err(loc, `lvalue required as ${what}`);
    if (e.type.kind === 'array') throw this.err(loc, 'assignment to expression with array type');
    if (e.type.const) {
      const name = e.k === 'var' ? ` '${e.v.name}'` : e.k === 'member' ? ` '${e.field.name}'` : '';
      throw this.err(loc, `assignment of read-only ${e.k === 'var' ? 'variable' : e.k === 'member' ? 'member' : 'location'}${name}`);
    }
    if (e.type.kind === 'struct' && this.structHasConst(e.type.info)) throw this.err(loc, 'assignment of read-only location');
  }

  private structHasConst(info: StructInfo): boolean {
    return info.fields.some((f) => f.type.const || (f.type.kind === 'struct' && this.structHasConst(f.type.info)));
  }

  private assignment(): Expr {
    const l = this.conditional();
    const t = this.peek();
    if (t.kind !== 'punct') return l;
    const op = t.text;
    if (op === '=') {
      this.next();
      this.checkAssignable(l, this.loc(t), 'left operand of assignment');
      const r = this.assignment();
      const value = this.assignConvert(r, l.type, 'assignment', undefined, this.loc(t));
      return { k: 'assign', type: unqual(l.type), target: l, value, loc: this.loc(t) };
    }
    const binop = ASSIGN_OPS[op];
    if (!binop) return l;
    this.next();
    this.checkAssignable(l, this.loc(t), 'left operand of assignment');
    const r = this.rvalue(this.assignment());
    const lt = unqual(l.type);
    if (lt.kind === 'ptr' && (binop === '+' || binop === '-')) {
      if (!isInteger(r.type)) throw this.err(t, `invalid operands to binary ${binop}`);
      this.checkPointerArith(lt, t);
      return { k: 'opassign', op: binop === '+' ? 'ptradd' : 'ptrsub', type: lt, opType: lt, target: l, value: this.convert(r, this.ts.long), scale: sizeOf(lt.to), loc: this.loc(t) };
    }
    if (!isArith(lt) || !isArith(r.type)) throw this.err(t, `invalid operands to binary ${binop} (have '${typeToString(lt)}' and '${typeToString(r.type)}')`);
    if ((binop === '%' || binop === '&' || binop === '|' || binop === '^' || binop === '<<' || binop === '>>') && (!isInteger(lt) || !isInteger(r.type))) {
      throw this.err(t, `invalid operands to binary ${binop} (have '${typeToString(lt)}' and '${typeToString(r.type)}')`);
    }
    const opType = binop === '<<' || binop === '>>' ? this.ts.promote(lt) : this.ts.usualArith(lt, r.type);
    const rConv = binop === '<<' || binop === '>>' ? this.convert(r, this.ts.promote(r.type)) : this.convert(r, opType);
    return { k: 'opassign', op: binop, type: lt, opType, target: l, value: rConv, scale: 1, loc: this.loc(t) };
  }

  private conditional(): Expr {
    const c = this.logOr();
    if (!this.is('?')) return c;
    const qt = this.next();
    const cond = this.condition(c);
    // GNU `a ?: b`: the condition's value is reused (evaluated once).
    if (this.accept(':')) {
      const f = this.rvalue(this.conditional());
      const cv = this.rvalue(c);
      const { type, t: tt, f: ff } = this.condTypes(cv, f, qt);
      const tmp = this.tempLocal(type, qt);
      const assign: Expr = { k: 'assign', type, target: tmp, value: tt, loc: this.loc(qt) };
      return { k: 'cond', type, c: this.condition(assign), t: tmp, f: ff, loc: this.loc(qt) };
    }
    const t = this.rvalue(this.expression());
    this.expect(':');
    const f = this.rvalue(this.conditional());
    const r = this.condTypes(t, f, qt);
    return { k: 'cond', type: r.type, c: cond, t: r.t, f: r.f, loc: this.loc(qt) };
  }

  /** A compiler temporary (for `?:` and similar), as an unnamed local. */
  private tempLocal(type: CType, at: SourceLoc): Expr {
    if (!this.fn) throw this.err(at, 'initializer element is not constant');
    const v = this.newLocal(`.tmp${++this.anonCount}`, type, at, 'local');
    return { k: 'var', type, v, loc: this.loc(at as Token) };
  }

  private condTypes(t: Expr, f: Expr, at: Token): { type: CType; t: Expr; f: Expr } {
    if (isArith(t.type) && isArith(f.type)) {
      const type = this.ts.usualArith(t.type, f.type);
      return { type, t: this.convert(t, type), f: this.convert(f, type) };
    }
    if (t.type.kind === 'void' || f.type.kind === 'void') return { type: this.ts.void, t, f };
    if (t.type.kind === 'struct' && f.type.kind === 'struct' && t.type.info === f.type.info) return { type: unqual(t.type), t, f };
    if (t.type.kind === 'ptr' && f.type.kind === 'ptr') {
      const type = t.type.to.kind === 'void' ? t.type : f.type.to.kind === 'void' ? f.type : t.type;
      if (!sameType(unqual(t.type.to), unqual(f.type.to)) && t.type.to.kind !== 'void' && f.type.to.kind !== 'void') this.warn(at, 'pointer type mismatch in conditional expression');
      return { type, t: this.convert(t, type), f: this.convert(f, type) };
    }
    if (t.type.kind === 'ptr' && this.isNullConstant(f)) return { type: t.type, t, f: this.convert(f, t.type) };
    if (f.type.kind === 'ptr' && this.isNullConstant(t)) return { type: f.type, t: this.convert(t, f.type), f };
    if (t.type.kind === 'ptr' && isInteger(f.type)) {
      this.warn(at, 'pointer/integer type mismatch in conditional expression');
      return { type: t.type, t, f: this.convert(f, t.type) };
    }
    if (f.type.kind === 'ptr' && isInteger(t.type)) {
      this.warn(at, 'pointer/integer type mismatch in conditional expression');
      return { type: f.type, t: this.convert(t, f.type), f };
    }
    throw this.err(at, 'type mismatch in conditional expression');
  }

  /** A scalar used as a condition. */
  private condition(e: Expr): Expr {
    const r = this.rvalue(e);
    if (!isScalar(r.type)) throw this.err(e.loc, `used ${typeToString(r.type)} type value where scalar is required`);
    return r;
  }

  private logOr(): Expr {
    let l = this.logAnd();
    while (this.is('||')) {
      const t = this.next();
      const r = this.logAnd();
      l = { k: 'logor', type: this.ts.int, l: this.condition(l), r: this.condition(r), loc: this.loc(t) };
    }
    return l;
  }

  private logAnd(): Expr {
    let l = this.bitOr();
    while (this.is('&&')) {
      const t = this.next();
      const r = this.bitOr();
      l = { k: 'logand', type: this.ts.int, l: this.condition(l), r: this.condition(r), loc: this.loc(t) };
    }
    return l;
  }

  private bitOr(): Expr {
    let l = this.bitXor();
    while (this.is('|')) {
      const t = this.next();
      l = this.arith('|', l, this.bitXor(), t);
    }
    return l;
  }

  private bitXor(): Expr {
    let l = this.bitAnd();
    while (this.is('^')) {
      const t = this.next();
      l = this.arith('^', l, this.bitAnd(), t);
    }
    return l;
  }

  private bitAnd(): Expr {
    let l = this.equality();
    while (this.is('&')) {
      const t = this.next();
      l = this.arith('&', l, this.equality(), t);
    }
    return l;
  }

  private equality(): Expr {
    let l = this.relational();
    while (this.is('==') || this.is('!=')) {
      const t = this.next();
      l = this.compare(t.text as CmpOp, l, this.relational(), t);
    }
    return l;
  }

  private relational(): Expr {
    let l = this.shift();
    while (this.is('<') || this.is('>') || this.is('<=') || this.is('>=')) {
      const t = this.next();
      l = this.compare(t.text as CmpOp, l, this.shift(), t);
    }
    return l;
  }

  private shift(): Expr {
    let l = this.additive();
    while (this.is('<<') || this.is('>>')) {
      const t = this.next();
      l = this.arith(t.text as BinOp, l, this.additive(), t);
    }
    return l;
  }

  private additive(): Expr {
    let l = this.multiplicative();
    while (this.is('+') || this.is('-')) {
      const t = this.next();
      l = this.add(t.text as '+' | '-', l, this.multiplicative(), t);
    }
    return l;
  }

  private multiplicative(): Expr {
    let l = this.castExpr();
    while (this.is('*') || this.is('/') || this.is('%')) {
      const t = this.next();
      l = this.arith(t.text as BinOp, l, this.castExpr(), t);
    }
    return l;
  }

  /** Inserts a conversion node (folded when the operand is a constant). */
  convert(e: Expr, to: CType): Expr {
    const from = e.type;
    if (to.kind === 'void') return { k: 'cast', type: to, e, loc: e.loc };
    if (sameType(unqual(from), unqual(to)) && from.kind !== 'array' && from.kind !== 'func') {
      return from.const || from.volatile ? { ...e, type: unqual(from) } as Expr : e;
    }
    if ((e.k === 'num' || e.k === 'fnum') && (isArith(to) || to.kind === 'ptr')) {
      const v = convertConst(e.value, from, to);
      return to.kind === 'float' ? { k: 'fnum', type: to, value: v as number, loc: e.loc } : { k: 'num', type: to, value: v as I64, loc: e.loc };
    }
    return { k: 'cast', type: unqual(to), e, loc: e.loc };
  }

  private isNullConstant(e: Expr): boolean {
    if (e.k === 'cast' && e.type.kind === 'ptr' && e.type.to.kind === 'void') return this.isNullConstant(e.e);
    if (!isInteger(e.type)) return false;
    const v = evalConst(e);
    return v !== undefined && isZero(v);
  }

  /** Conversion as if by assignment, with gcc's diagnostics. */
  /**
   * Conversion as if by assignment, with gcc's diagnostics. `arg` names the argument being
   * passed; `opLoc` is where gcc reports an assignment's warnings (its `=`).
   */
  assignConvert(e: Expr, to: CType, ctx: ConvContext, arg?: { index: number; fn: string | undefined }, opLoc?: SourceLoc): Expr {
    const r = this.rvalue(e);
    const from = r.type;
    const target = unqual(to);
    const at = r.loc;
    const warnAt = opLoc ?? at;
    if (from.kind === 'void' && target.kind !== 'void') throw this.err(at, 'void value not ignored as it ought to be');
    if (target.kind === 'struct') {
      if (from.kind !== 'struct' || from.info !== target.info) throw this.err(at, incompatibleTypes(ctx, target, from));
      return r;
    }
    if (target.kind === 'ptr') {
      if (from.kind === 'ptr') {
        const a = target.to;
        const b = from.to;
        if (a.kind !== 'void' && b.kind !== 'void' && !sameType(unqual(a), unqual(b))) {
          this.warn(warnAt, incompatiblePointer(ctx, target, from, arg));
        } else if (b.const && !a.const) {
          this.warn(warnAt, `${ctx === 'argument' ? `passing argument ${argName(arg)}` : ctx} discards 'const' qualifier from pointer target type`);
        }
        return this.convert(r, target);
      }
      if (isInteger(from)) {
        if (!this.isNullConstant(r)) this.warn(warnAt, intPointerMix(ctx, target, from, arg, 'pointer from integer'));
        return this.convert(r, target);
      }
      throw this.err(at, incompatibleTypes(ctx, target, from));
    }
    if (isArith(target)) {
      if (from.kind === 'ptr') {
        if (!isInteger(target)) throw this.err(at, incompatibleTypes(ctx, target, from));
        if (target.ik !== 'bool') this.warn(warnAt, intPointerMix(ctx, target, from, arg, 'integer from pointer'));
        return this.convert(r, target);
      }
      if (!isArith(from)) throw this.err(at, incompatibleTypes(ctx, target, from));
      if (isInteger(target) && isInteger(from)) this.checkConstantOverflow(r, target);
      return this.convert(r, target);
    }
    if (target.kind === 'void') throw this.err(at, 'void value not ignored as it ought to be');
    throw this.err(at, incompatibleTypes(ctx, target, from));
  }

  /**
   * gcc's -Woverflow: a constant that fits neither the target type nor the type of the other
   * signedness changes value (so `unsigned u = -1` and `signed char c = 200` pass).
   */
  private checkConstantOverflow(e: Expr, target: IntType): void {
    if (target.ik === 'bool') return;
    const v = evalConst(e);
    if (v === undefined) return;
    const value = BigInt(v as I64);
    const fromUnsigned = e.type.kind === 'int' && !e.type.signed;
    const exact = fromUnsigned ? BigInt.asUintN(sizeOf(e.type) * 8, value) : value;
    const bits = BigInt(target.size * 8);
    const fits = (signed: boolean) => (signed ? exact >= -(1n << (bits - 1n)) && exact < 1n << (bits - 1n) : exact >= 0n && exact < 1n << bits);
    if (fits(target.signed) || fits(!target.signed)) return;
    const now = target.signed ? BigInt.asIntN(Number(bits), exact) : BigInt.asUintN(Number(bits), exact);
    const kind = target.signed ? 'overflow in conversion' : 'unsigned conversion';
    this.warn(e.loc, `${kind} from '${typeToString(e.type)}' to '${typeToString(target)}' changes value from '${exact}' to '${now}'`);
  }

  private arith(op: BinOp, le: Expr, re: Expr, t: Token): Expr {
    const l = this.rvalue(le);
    const r = this.rvalue(re);
    const intOnly = op === '%' || op === '&' || op === '|' || op === '^' || op === '<<' || op === '>>';
    const ok = intOnly ? isInteger(l.type) && isInteger(r.type) : isArith(l.type) && isArith(r.type);
    if (!ok) throw this.err(t, `invalid operands to binary ${op} (have '${typeToString(l.type)}' and '${typeToString(r.type)}')`);
    if (op === '<<' || op === '>>') {
      const type = this.ts.promote(l.type);
      const rr = this.convert(r, this.ts.promote(r.type));
      return this.fold({ k: 'binary', op, type, l: this.convert(l, type), r: rr, loc: this.loc(t) });
    }
    const type = this.ts.usualArith(l.type, r.type);
    const node: Expr = { k: 'binary', op, type, l: this.convert(l, type), r: this.convert(r, type), loc: this.loc(t) };
    if ((op === '/' || op === '%') && isInteger(type)) {
      const rv = evalConst(r);
      if (rv !== undefined && isZero(rv)) this.warn(t, 'division by zero');
    }
    return this.fold(node);
  }

  /** Folds constant integer expressions so array sizes and case labels see numbers. */
  private fold(e: Expr): Expr {
    const v = evalConst(e);
    if (v === undefined) return e;
    if (e.type.kind === 'float') return { k: 'fnum', type: e.type, value: v as number, loc: e.loc };
    if (isInteger(e.type)) return { k: 'num', type: e.type, value: v as I64, loc: e.loc };
    return e;
  }

  private checkPointerArith(p: CType & { kind: 'ptr' }, t: Token): void {
    if (p.to.kind === 'struct' && !p.to.info.complete) throw this.err(t, `invalid use of undefined type '${typeToString(p.to)}'`);
  }

  private add(op: '+' | '-', le: Expr, re: Expr, t: Token): Expr {
    const l = this.rvalue(le);
    const r = this.rvalue(re);
    if (isArith(l.type) && isArith(r.type)) return this.arith(op, l, r, t);
    if (l.type.kind === 'ptr' && isInteger(r.type)) {
      this.checkPointerArith(l.type, t);
      return { k: 'ptradd', type: l.type, p: l, i: this.convert(r, this.ts.long), scale: sizeOf(l.type.to), neg: op === '-', loc: this.loc(t) };
    }
    if (op === '+' && isInteger(l.type) && r.type.kind === 'ptr') {
      this.checkPointerArith(r.type, t);
      return { k: 'ptradd', type: r.type, p: r, i: this.convert(l, this.ts.long), scale: sizeOf(r.type.to), neg: false, loc: this.loc(t) };
    }
    if (op === '-' && l.type.kind === 'ptr' && r.type.kind === 'ptr') {
      if (!sameType(unqual(l.type.to), unqual(r.type.to))) throw this.err(t, 'invalid operands to binary - (pointers to different types)');
      return { k: 'ptrdiff', type: this.ts.ptrdiffT, l, r, scale: sizeOf(l.type.to) || 1, loc: this.loc(t) };
    }
    throw this.err(t, `invalid operands to binary ${op} (have '${typeToString(l.type)}' and '${typeToString(r.type)}')`);
  }

  private compare(op: CmpOp, le: Expr, re: Expr, t: Token): Expr {
    const l = this.rvalue(le);
    const r = this.rvalue(re);
    if (isArith(l.type) && isArith(r.type)) {
      const opType = this.ts.usualArith(l.type, r.type);
      return this.fold({ k: 'cmp', op, type: this.ts.int, opType, l: this.convert(l, opType), r: this.convert(r, opType), loc: this.loc(t) });
    }
    const ptrInt = this.ts.intOfSize(this.ts.abi.ptrBytes, false);
    if (l.type.kind === 'ptr' && r.type.kind === 'ptr') {
      if (l.type.to.kind !== 'void' && r.type.to.kind !== 'void' && !sameType(unqual(l.type.to), unqual(r.type.to))) this.warn(t, 'comparison of distinct pointer types lacks a cast');
      return { k: 'cmp', op, type: this.ts.int, opType: ptrInt, l: this.convert(l, ptrInt), r: this.convert(r, ptrInt), loc: this.loc(t) };
    }
    if ((l.type.kind === 'ptr' && isInteger(r.type)) || (r.type.kind === 'ptr' && isInteger(l.type))) {
      const intSide = l.type.kind === 'ptr' ? r : l;
      if (!this.isNullConstant(intSide)) this.warn(t, 'comparison between pointer and integer');
      return { k: 'cmp', op, type: this.ts.int, opType: ptrInt, l: this.convert(l, ptrInt), r: this.convert(r, ptrInt), loc: this.loc(t) };
    }
    throw this.err(t, `invalid operands to binary ${op} (have '${typeToString(l.type)}' and '${typeToString(r.type)}')`);
  }

  private castExpr(): Expr {
    if (this.is('(') && this.startsType(1)) {
      const open = this.next();
      const type = this.typeName();
      this.expect(')');
      if (this.is('{')) return this.postfixOps(this.compoundLiteral(type, open));
      const e = this.rvalue(this.castExpr());
      if (type.kind === 'void') return { k: 'cast', type, e, loc: this.loc(open) };
      if (!isScalar(type)) throw this.err(open, `conversion to non-scalar type requested`);
      if (!isScalar(e.type)) throw this.err(open, `aggregate value used where ${isInteger(type) ? 'an integer' : isFloat(type) ? 'a floating-point' : 'a pointer'} was expected`);
      if (type.kind === 'ptr' && isFloat(e.type)) throw this.err(open, 'cannot convert to a pointer type');
      if (isFloat(type) && e.type.kind === 'ptr') throw this.err(open, 'pointer value used where a floating-point was expected');
      const c = this.convert(e, type);
      return c === e ? { k: 'cast', type: unqual(type), e, loc: this.loc(open) } : c;
    }
    return this.unary();
  }

  private compoundLiteral(type: CType, at: Token): Expr {
    const { init, type: t } = this.initializer(type, this.loc(at));
    const name = `.compoundliteral${++this.anonCount}`;
    if (!this.fn) {
      const v: VarInfo = { name, type: t, loc: this.loc(at), kind: 'global', isStatic: true, isExtern: false, symbol: name, inMemory: true, slot: -1, frameOffset: 0, init };
      this.checkStaticInit(init);
      this.tu.globals.push(v);
      return { k: 'complit', type: t, v, init, loc: this.loc(at) };
    }
    const v = this.newLocal(name, t, this.loc(at), 'local');
    v.inMemory = true;
    return { k: 'complit', type: t, v, init, loc: this.loc(at) };
  }

  private unary(): Expr {
    const t = this.peek();
    const loc = this.loc(t);
    if (t.kind === 'punct') {
      switch (t.text) {
        case '+': {
          this.next();
          const e = this.rvalue(this.castExpr());
          if (!isArith(e.type)) throw this.err(t, 'wrong type argument to unary plus');
          return this.convert(e, this.ts.promote(e.type));
        }
        case '-':
        case '~': {
          this.next();
          const e = this.rvalue(this.castExpr());
          if (t.text === '~' ? !isInteger(e.type) : !isArith(e.type)) throw this.err(t, `wrong type argument to ${t.text === '~' ? 'bit-complement' : 'unary minus'}`);
          const type = this.ts.promote(e.type);
          return this.fold({ k: 'unary', op: t.text, type, e: this.convert(e, type), loc });
        }
        case '!': {
          this.next();
          const e = this.condition(this.castExpr());
          return this.fold({ k: 'unary', op: '!', type: this.ts.int, e, loc });
        }
        case '&': {
          this.next();
          if (this.is('&')) throw this.err(t, 'labels as values are not supported');
          const e = this.castExpr();
          return this.addressOf(e, t);
        }
        case '*': {
          this.next();
          const e = this.rvalue(this.castExpr());
          return this.deref(e, t);
        }
        case '++':
        case '--': {
          this.next();
          const e = this.unary();
          return this.incdec(e, true, t.text === '++' ? 1 : -1, t);
        }
        case '&&':
          throw this.err(t, 'labels as values are not supported');
      }
    }
    if (t.kind === 'ident') {
      if (t.text === 'sizeof') {
        this.next();
        let type: CType;
        if (this.is('(') && this.startsType(1)) {
          this.next();
          type = this.typeName();
          this.expect(')');
          if (this.is('{')) type = this.postfixOps(this.compoundLiteral(type, t)).type;
        } else {
          type = this.unary().type;
        }
        if (type.kind === 'func') throw this.err(t, "invalid application of 'sizeof' to a function type");
        if (!isComplete(type) && type.kind !== 'void') throw this.err(t, `invalid application of 'sizeof' to incomplete type '${typeToString(type)}'`);
        return { k: 'num', type: this.ts.sizeT, value: sizeOf(type), loc };
      }
      if (t.text === '_Alignof' || t.text === '__alignof__' || t.text === '__alignof') {
        this.next();
        let type: CType;
        if (this.is('(') && this.startsType(1)) {
          this.next();
          type = this.typeName();
          this.expect(')');
        } else type = this.unary().type;
        // gcc reports the preferred alignment of a standalone object, 8 for long long/double on i386.
        const al = type.kind === 'int' && type.size === 8 ? 8 : type.kind === 'float' && type.fk === 'double' ? 8 : alignOf(type);
        return { k: 'num', type: this.ts.sizeT, value: al, loc };
      }
      if (t.text === '__extension__') {
        this.next();
        return this.castExpr();
      }
    }
    return this.postfix();
  }

  private addressOf(e: Expr, t: Token): Expr {
    if (e.type.kind === 'func') return { k: 'decay', type: this.ts.ptr(e.type), e, loc: this.loc(t) };
    if (!this.isLvalue(e)) throw this.err(t, "lvalue required as unary '&' operand");
    if (e.k === 'member' && e.field.bitWidth !== undefined) throw this.err(t, `cannot take address of bit-field '${e.field.name}'`);
    this.markInMemory(e);
    return { k: 'addr', type: this.ts.ptr(e.type), e, loc: this.loc(t) };
  }

  private markInMemory(e: Expr): void {
    if (e.k === 'var' && (e.v.kind === 'local' || e.v.kind === 'param')) {
      e.v.inMemory = true;
    } else if (e.k === 'member') this.markInMemory(e.e);
  }

  private deref(e: Expr, t: Token): Expr {
    if (e.type.kind !== 'ptr') throw this.err(t, `invalid type argument of unary '*' (have '${typeToString(e.type)}')`);
    const to = e.type.to;
    if (to.kind === 'func') return e.k === 'decay' ? e.e : { k: 'deref', type: to, e, loc: this.loc(t) };
    return { k: 'deref', type: to, e, loc: this.loc(t) };
  }

  private incdec(e: Expr, prefix: boolean, delta: 1 | -1, t: Token): Expr {
    const what = delta > 0 ? (prefix ? 'increment' : 'increment') : 'decrement';
    this.checkAssignable(e, this.loc(t), `${what} operand`);
    const type = unqual(e.type);
    if (!isArith(type) && type.kind !== 'ptr') throw this.err(t, `wrong type argument to ${what}`);
    if (type.kind === 'ptr') this.checkPointerArith(type, t);
    return { k: 'incdec', prefix, delta, type, target: e, scale: type.kind === 'ptr' ? sizeOf(type.to) : 1, loc: this.loc(t) };
  }

  private postfix(): Expr {
    return this.postfixOps(this.primary());
  }

  private postfixOps(e: Expr): Expr {
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'punct') return e;
      if (t.text === '[') {
        this.next();
        const idx = this.rvalue(this.expression());
        this.expect(']');
        const base = this.rvalue(e);
        let ptr: Expr;
        if (base.type.kind === 'ptr' && isInteger(idx.type)) ptr = this.add('+', base, idx, t);
        else if (isInteger(base.type) && idx.type.kind === 'ptr') ptr = this.add('+', idx, base, t);
        else throw this.err(t, 'subscripted value is neither array nor pointer nor vector');
        e = this.deref(ptr, t);
        continue;
      }
      if (t.text === '(') {
        e = this.call(e, t);
        continue;
      }
      if (t.text === '.') {
        this.next();
        const nameTok = this.peek();
        const name = this.identText();
        if (e.type.kind !== 'struct') throw this.err(t, `request for member '${name}' in something not a structure or union`);
        e = this.member(e, e.type.info, name, nameTok, t);
        continue;
      }
      if (t.text === '->') {
        this.next();
        const nameTok = this.peek();
        const name = this.identText();
        const p = this.rvalue(e);
        if (p.type.kind !== 'ptr' || p.type.to.kind !== 'struct') throw this.err(t, `invalid type argument of '->' (have '${typeToString(p.type)}')`);
        const s = p.type.to;
        if (!s.info.complete) throw this.err(t, `invalid use of undefined type '${typeToString(s)}'`);
        e = this.member({ k: 'deref', type: s, e: p, loc: this.loc(t) }, s.info, name, nameTok, t);
        continue;
      }
      if (t.text === '++' || t.text === '--') {
        this.next();
        e = this.incdec(e, false, t.text === '++' ? 1 : -1, t);
        continue;
      }
      return e;
    }
  }

  /** `e.name` or `p->name`; errors point at the operator, as gcc's do. */
  private member(e: Expr, info: StructInfo, name: string, at: Token, op: Token): Expr {
    if (!info.complete) throw this.err(op, `invalid use of undefined type '${info.isUnion ? 'union' : 'struct'} ${info.tag ?? ''}'`);
    const f = findField(info, name);
    if (!f) throw this.err(op, `'${info.isUnion ? 'union' : 'struct'} ${info.tag ?? '<anonymous>'}' has no member named '${name}'`);
    // Members of a const object are const.
    const type = e.type.const ? withQuals(f.type, { const: true }) : f.type;
    return { k: 'member', type, e, field: f, loc: this.loc(at) };
  }

  private call(calleeExpr: Expr, t: Token): Expr {
    this.next();
    let callee = this.rvalue(calleeExpr);
    let ft: FuncType;
    if (callee.type.kind === 'ptr' && callee.type.to.kind === 'func') ft = callee.type.to;
    else throw this.err(calleeExpr.loc, `called object ${calleeExpr.k === 'var' ? `'${calleeExpr.v.name}' ` : ''}is not a function or function pointer`);
    const args: Expr[] = [];
    const name = calleeExpr.k === 'var' ? calleeExpr.v.name : undefined;
    if (!this.is(')')) {
      for (;;) {
        const argTok = this.peek();
        const a = this.assignment();
        const i = args.length;
        if (!ft.unprototyped && i >= ft.params.length) {
          if (!ft.variadic) throw this.err(calleeExpr.loc, `too many arguments to function${name ? ` '${name}'` : ''}`);
          args.push(this.defaultPromote(this.rvalue(a)));
        } else if (!ft.unprototyped) {
          args.push(this.assignConvert(a, ft.params[i].type, 'argument', { index: i + 1, fn: name }));
        } else args.push(this.defaultPromote(this.rvalue(a)));
        if (!this.accept(',')) break;
      }
    }
    this.expect(')');
    if (!ft.unprototyped && args.length < ft.params.length) throw this.err(calleeExpr.loc, `too few arguments to function${name ? ` '${name}'` : ''}`);
    if (ft.ret.kind === 'struct' && !ft.ret.info.complete) throw this.err(t, 'calling function with incomplete return type');
    return { k: 'call', type: unqual(ft.ret), callee, fnType: ft, args, loc: this.loc(calleeExpr.loc as Token) };
  }

  private defaultPromote(e: Expr): Expr {
    if (e.type.kind === 'float' && e.type.fk === 'float') return this.convert(e, this.ts.double);
    if (isInteger(e.type)) return this.convert(e, this.ts.promote(e.type));
    return e;
  }

  private primary(): Expr {
    const t = this.peek();
    const loc = this.loc(t);
    switch (t.kind) {
      case 'number':
        this.next();
        return this.numberLiteral(t);
      case 'char': {
        this.next();
        const c = literal(t, parseCharLiteral);
        if (c.warning) this.warn(t, c.warning);
        return { k: 'num', type: c.prefix === '' ? this.ts.int : c.prefix === 'L' ? this.ts.int : c.prefix === 'u' ? this.ts.ushort : this.ts.uint, value: c.value, loc };
      }
      case 'string':
        return this.stringLiteral();
      case 'punct':
        if (t.text === '(') {
          this.next();
          if (this.is('{')) return this.statementExpression(t);
          const e = this.expression();
          this.expect(')');
          return e;
        }
        throw this.err(t, `expected expression before ${this.describe(t)}`);
      case 'ident':
        return this.identifier(t);
      default:
        throw this.err(t, `expected expression before ${this.describe(t)}`);
    }
  }

  private statementExpression(open: Token): Expr {
    if (!this.fn) throw this.err(open, 'braced-group within expression allowed only inside a function');
    const block = this.compoundStatementKeepingLast();
    this.expect(')');
    return block;
  }

  /** `({ ...; e; })`: the value is that of the last expression statement. */
  private compoundStatementKeepingLast(): Expr {
    const open = this.expect('{');
    this.pushScope();
    const body: Stmt[] = [];
    while (!this.is('}')) {
      if (this.peek().kind === 'eof') throw this.err(open, "expected '}' at end of input");
      body.push(...this.blockItem());
    }
    this.next();
    this.popScope();
    let result: Expr | undefined;
    const last = body[body.length - 1];
    if (last && last.k === 'expr') {
      body.pop();
      result = this.rvalue(last.e);
    }
    const type = result ? result.type : this.ts.void;
    return { k: 'stmtexpr', type, body, result, loc: this.loc(open) };
  }

  private numberLiteral(t: Token): Expr {
    const loc = this.loc(t);
    const iv = parseIntLiteral(t.text);
    if (iv) {
      const type = this.intLiteralType(iv, t);
      return { k: 'num', type, value: norm64(iv.value), loc };
    }
    const fv = parseFloatLiteral(t.text);
    if (fv) {
      const type = fv.suffix === 'f' ? this.ts.float : fv.suffix === 'l' ? this.ts.ldouble : this.ts.double;
      return { k: 'fnum', type, value: fv.suffix === 'f' ? Math.fround(fv.value) : fv.value, loc };
    }
    throw this.err(t, `invalid suffix on integer constant '${t.text}'`);
  }

  /** C11 6.4.4.1: the first type in the list that can represent the value. */
  private intLiteralType(iv: { value: bigint; unsigned: boolean; longs: 0 | 1 | 2; decimal: boolean }, t: Token): IntType {
    const ts = this.ts;
    const cands: IntType[] = [];
    const add = (...xs: IntType[]) => cands.push(...xs);
    if (iv.longs === 0) iv.unsigned ? add(ts.uint, ts.ulong, ts.ullong) : iv.decimal ? add(ts.int, ts.long, ts.llong) : add(ts.int, ts.uint, ts.long, ts.ulong, ts.llong, ts.ullong);
    else if (iv.longs === 1) iv.unsigned ? add(ts.ulong, ts.ullong) : iv.decimal ? add(ts.long, ts.llong) : add(ts.long, ts.ulong, ts.llong, ts.ullong);
    else iv.unsigned ? add(ts.ullong) : iv.decimal ? add(ts.llong) : add(ts.llong, ts.ullong);
    for (const c of cands) {
      const max = c.signed ? (1n << BigInt(c.size * 8 - 1)) - 1n : (1n << BigInt(c.size * 8)) - 1n;
      if (iv.value <= max) return c;
    }
    if (iv.value <= 0xffffffffffffffffn) {
      this.warn(t, 'integer constant is so large that it is unsigned');
      return ts.ullong;
    }
    throw this.err(t, 'integer constant is too large for its type');
  }

  private stringLiteral(): Expr {
    const first = this.peek();
    const bytes: number[] = [];
    let prefix = '';
    while (this.peek().kind === 'string') {
      const s = literal(this.next(), parseStringLiteral);
      if (s.prefix !== '' && s.prefix !== 'u8') {
        if (prefix === '' || prefix === s.prefix) prefix = s.prefix;
      }
      bytes.push(...s.bytes);
    }
    if (prefix !== '' && prefix !== 'u8') throw this.err(first, 'wide string literals are not supported');
    bytes.push(0);
    const type = this.ts.array(this.ts.char, bytes.length);
    const name = `.str${++this.anonCount}`;
    const v: VarInfo = {
      name, type, loc: this.loc(first), kind: 'global', isStatic: true, isExtern: false, symbol: name, inMemory: true, slot: -1, frameOffset: 0, readonly: true,
      init: { sizeBytes: bytes.length, items: [{ offset: 0, type, bytes: Uint8Array.from(bytes) }] },
    };
    this.tu.anon.push(v);
    return { k: 'str', type, v, loc: this.loc(first) };
  }

  private identifier(t: Token): Expr {
    const loc = this.loc(t);
    const name = t.text;
    switch (name) {
      case '__func__':
      case '__FUNCTION__':
      case '__PRETTY_FUNCTION__':
        return this.funcName(t);
      case '__builtin_offsetof':
        return this.builtinOffsetof(t);
      case '__builtin_expect':
      case '__builtin_expect_with_probability': {
        this.next();
        this.expect('(');
        const e = this.rvalue(this.assignment());
        this.expect(',');
        this.assignment();
        if (this.accept(',')) this.assignment();
        this.expect(')');
        return e;
      }
      case '__builtin_constant_p': {
        this.next();
        this.expect('(');
        const e = this.assignment();
        this.expect(')');
        return { k: 'num', type: this.ts.int, value: evalConst(e) !== undefined ? 1 : 0, loc };
      }
      case '__builtin_types_compatible_p': {
        this.next();
        this.expect('(');
        const a = this.typeName();
        this.expect(',');
        const b = this.typeName();
        this.expect(')');
        return { k: 'num', type: this.ts.int, value: sameType(unqual(a), unqual(b)) ? 1 : 0, loc };
      }
      case '__builtin_choose_expr': {
        this.next();
        this.expect('(');
        const c = this.assignment();
        this.expect(',');
        const a = this.assignment();
        this.expect(',');
        const b = this.assignment();
        this.expect(')');
        const v = evalConst(c);
        if (v === undefined) throw this.err(c.loc, 'first argument to __builtin_choose_expr not a constant');
        return isZero(v) ? b : a;
      }
      case '__builtin_va_arg': {
        this.next();
        this.expect('(');
        const ap = this.assignment();
        this.expect(',');
        const type = this.typeName();
        this.expect(')');
        return { k: 'vaarg', type, ap, loc };
      }
      case '__builtin_va_start': {
        this.next();
        this.expect('(');
        const ap = this.assignment();
        this.expect(',');
        this.assignment();
        this.expect(')');
        if (!this.fn?.type.variadic) throw this.err(t, "'va_start' used in function with fixed arguments");
        return { k: 'vastart', type: this.ts.void, ap, loc };
      }
      case '__builtin_va_end': {
        this.next();
        this.expect('(');
        const ap = this.assignment();
        this.expect(')');
        return { k: 'cast', type: this.ts.void, e: this.rvalue(ap), loc };
      }
      case '__builtin_va_copy': {
        this.next();
        this.expect('(');
        const dst = this.assignment();
        this.expect(',');
        const src = this.assignment();
        this.expect(')');
        return { k: 'vacopy', type: this.ts.void, dst, src: this.rvalue(src), loc };
      }
      case '_Generic':
        throw this.err(t, "'_Generic' is not supported");
      case '__builtin_unreachable':
        this.next();
        this.expect('(');
        this.expect(')');
        return { k: 'cast', type: this.ts.void, e: { k: 'num', type: this.ts.int, value: 0, loc }, loc };
      case '__builtin_prefetch': {
        this.next();
        this.expect('(');
        const p = this.rvalue(this.assignment());
        while (this.accept(',')) this.assignment();
        this.expect(')');
        return { k: 'cast', type: this.ts.void, e: p, loc };
      }
    }
    if (name.startsWith('__builtin_')) return this.builtinCall(t);
    this.next();
    const entry = this.lookup(name);
    if (!entry) {
      if (this.is('(')) {
        const why = this.opts.explainUndeclared?.(name);
        throw this.err(t, why ?? `implicit declaration of function '${name}'`);
      }
      throw this.err(t, `'${name}' undeclared${this.fn ? ' (first use in this function)' : ' here (not in a function)'}`);
    }
    if (entry.kind === 'typedef') throw this.err(t, `expected expression before '${name}'`);
    if (entry.kind === 'enumconst') return { k: 'num', type: this.ts.int, value: entry.value, loc };
    const v = entry.v;
    return { k: 'var', type: v.type, v, loc };
  }

  /**
   * `__builtin_popcount(x)` and the other bit builtins; `__builtin_memcpy` and friends are the
   * library routine of the same name when it is declared; anything else is named as unsupported.
   */
  private builtinCall(t: Token): Expr {
    const plain = t.text.slice('__builtin_'.length);
    const bit = bitBuiltin(plain, this.ts.abi.longBytes * 8);
    if (!bit) {
      const lib = this.lookup(plain);
      if (lib?.kind === 'var' && lib.v.kind === 'func') {
        this.next();
        return { k: 'var', type: lib.v.type, v: lib.v, loc: this.loc(t) };
      }
      throw this.err(t, `'${t.text}' is not supported`);
    }
    this.next();
    this.expect('(');
    const arg = this.rvalue(this.assignment());
    this.expect(')');
    if (!isInteger(arg.type)) throw this.err(arg.loc, `argument of '${t.text}' must be an integer`);
    const operand = bit.op === 'abs' ? this.ts.intOfSize(bit.bits / 8, true) : this.ts.intOfSize(bit.bits / 8, false);
    const type = bit.op === 'bswap' || bit.op === 'abs' ? operand : this.ts.int;
    return this.fold({ k: 'builtin', op: bit.op, bits: bit.bits, type, e: this.convert(arg, operand), loc: this.loc(t) });
  }

  private funcName(t: Token): Expr {
    this.next();
    if (!this.fn) throw this.err(t, `'${t.text}' is not defined outside of function scope`);
    const bytes = [...new TextEncoder().encode(this.fn.v.name), 0];
    const type = withQuals(this.ts.array(withQuals(this.ts.char, { const: true }), bytes.length), {});
    const name = `__func__.${this.fn.v.name}.${++this.anonCount}`;
    const v: VarInfo = {
      name, type, loc: this.loc(t), kind: 'global', isStatic: true, isExtern: false, symbol: name, inMemory: true, slot: -1, frameOffset: 0, readonly: true,
      init: { sizeBytes: bytes.length, items: [{ offset: 0, type, bytes: Uint8Array.from(bytes) }] },
    };
    this.tu.anon.push(v);
    return { k: 'str', type, v, loc: this.loc(t) };
  }

  private builtinOffsetof(t: Token): Expr {
    this.next();
    this.expect('(');
    const type = this.typeName();
    this.expect(',');
    let offset = 0;
    let cur = type;
    let first = true;
    for (;;) {
      if (first || this.accept('.')) {
        first = false;
        const nameTok = this.peek();
        const name = this.identText();
        if (cur.kind !== 'struct') throw this.err(nameTok, `request for member '${name}' in something not a structure or union`);
        const f = findField(cur.info, name);
        if (!f) throw this.err(nameTok, `'${typeToString(cur)}' has no member named '${name}'`);
        if (f.bitWidth !== undefined) throw this.err(nameTok, `attempt to take address of bit-field '${name}'`);
        offset += f.offset;
        cur = f.type;
        continue;
      }
      if (this.is('[')) {
        const b = this.next();
        const idx = this.constInt(this.expression());
        this.expect(']');
        if (cur.kind !== 'array') throw this.err(b, 'subscripted value is not an array');
        offset += Number(idx) * sizeOf(cur.of);
        cur = cur.of;
        continue;
      }
      break;
    }
    this.expect(')');
    return { k: 'num', type: this.ts.sizeT, value: offset, loc: this.loc(t) };
  }
}

const ASSIGN_OPS: Record<string, BinOp | undefined> = {
  '+=': '+', '-=': '-', '*=': '*', '/=': '/', '%=': '%', '<<=': '<<', '>>=': '>>', '&=': '&', '|=': '|', '^=': '^',
};

/** gcc's words for a value of type `from` where `target` is needed. */
function incompatibleTypes(ctx: string, target: CType, from: CType): string {
  if (ctx === 'return') return `incompatible types when returning type '${typeToString(from)}' but '${typeToString(target)}' was expected`;
  return `incompatible types when ${ctxWord(ctx)} type '${typeToString(target)}' using type '${typeToString(from)}'`;
}

function ctxWord(ctx: string): string {
  return ctx === 'assignment' ? 'assigning to' : ctx === 'initialization' ? 'initializing' : ctx === 'return' ? 'returning' : 'passing argument of';
}

type ConvContext = 'assignment' | 'initialization' | 'return' | 'argument';

function argName(arg: { index: number; fn: string | undefined } | undefined): string {
  return `${arg?.index ?? 1}${arg?.fn ? ` of '${arg.fn}'` : ''}`;
}

/** gcc's -Wincompatible-pointer-types wording for each context. */
function incompatiblePointer(ctx: ConvContext, target: CType, from: CType, arg: { index: number; fn: string | undefined } | undefined): string {
  const t = typeToString(target);
  const f = typeToString(from);
  switch (ctx) {
    case 'assignment': return `assignment to '${t}' from incompatible pointer type '${f}'`;
    case 'initialization': return `initialization of '${t}' from incompatible pointer type '${f}'`;
    case 'return': return `returning '${f}' from a function with incompatible return type '${t}'`;
    case 'argument': return `passing argument ${argName(arg)} from incompatible pointer type`;
  }
}

/** gcc's -Wint-conversion wording: `what` is 'pointer from integer' or 'integer from pointer'. */
function intPointerMix(ctx: ConvContext, target: CType, from: CType, arg: { index: number; fn: string | undefined } | undefined, what: string): string {
  const t = typeToString(target);
  const f = typeToString(from);
  switch (ctx) {
    case 'assignment': return `assignment to '${t}' from '${f}' makes ${what} without a cast`;
    case 'initialization': return `initialization of '${t}' from '${f}' makes ${what} without a cast`;
    case 'return': return `returning '${f}' from a function with return type '${t}' makes ${what} without a cast`;
    case 'argument': return `passing argument ${argName(arg)} makes ${what} without a cast`;
  }
}

export { wrapInt };
