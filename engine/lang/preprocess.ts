/**
 * The C preprocessor (C11 6.10 plus the GNU extensions kernel code relies on).
 *
 * Macro expansion follows Prosser's hide-set algorithm: every token carries the set of macro
 * names it must not be expanded by again, so `#define foo foo` and `#define f(x) f(x+1)` stop
 * where gcc stops. Tokens keep where the user wrote them (`file:line:col` of the outermost
 * invocation, `spelling`, and the chain of expansions), so the parser, diagnostics and the
 * debugger all speak about lines the user can see.
 */
import { CompileError, errorAt, type Diagnostic, type SourceLoc } from './diagnostics';
import { DIGRAPHS, lexForPreprocessor, type LexToken } from './lexer';
import { dirname, join, normalize } from './paths';
import { evaluateCondition } from './ppexpr';
import type { MacroExpansion, Token } from './token';

export interface PreprocessOptions {
  /** Built-in headers by include name ('linux/module.h' → text). Used for <...> includes, and
   *  for "..." includes when the including file's folder has no such file. */
  systemHeaders: ReadonlyMap<string, string>;
  /** Reads a user file by (posix) path; undefined if absent. Used for "..." includes, resolved
   *  against the including file's folder. */
  readFile(path: string): string | undefined;
  /** Predefined object-like macros, e.g. { __x86_64__: '1', __KERNEL__: '1', LINUX_VERSION_CODE: '198410' }. */
  defines?: Record<string, string>;
  /** Limit on the number of output tokens (a macro bomb must not exhaust the host); default 2_000_000. */
  maxTokens?: number;
}

export interface PreprocessResult {
  /** Ends with one { kind: 'eof' } token. */
  tokens: Token[];
  /** #warning, macro redefinitions and similar. */
  warnings: Diagnostic[];
  /** Every file read (the main file first), each once, in the order first read. */
  includedFiles: string[];
}

export function preprocess(file: string, text: string, opts: PreprocessOptions): PreprocessResult {
  return new Preprocessor(file, opts).run(text);
}

const DEFAULT_MAX_TOKENS = 2_000_000;
/** Macro bodies and arguments are copied as they are substituted; this bounds that work too. */
const WORK_PER_OUTPUT_TOKEN = 2;
const MAX_INCLUDE_DEPTH = 200;
const MAX_ARGUMENT_NESTING = 200;

/** Fixed so that a run of the engine never depends on the host clock. */
const FIXED_DATE = '"Jan  1 2013"';
const FIXED_TIME = '"00:00:00"';
const FIXED_TIMESTAMP = '"Tue Jan  1 00:00:00 2013"';

const STANDARD_DEFINES = '#define __STDC__ 1\n#define __STDC_VERSION__ 201112L\n#define __STDC_HOSTED__ 1\n';

/** A token inside the preprocessor: its hide set travels with it. */
interface PPToken extends LexToken {
  hideSet?: HideSet;
}

// ---------------------------------------------------------------------------------------------
// Hide sets

/** An interned set of macro names; set operations are cached because the same few sets recur. */
class HideSet {
  private readonly added = new Map<string, HideSet>();
  private readonly unions = new Map<HideSet, HideSet>();
  private readonly intersections = new Map<HideSet, HideSet>();

  constructor(
    readonly names: ReadonlySet<string>,
    private readonly pool: HideSetPool,
  ) {}

  has(name: string): boolean {
    return this.names.has(name);
  }

  with(name: string): HideSet {
    let result = this.added.get(name);
    if (!result) {
      result = this.names.has(name) ? this : this.pool.intern([...this.names, name]);
      this.added.set(name, result);
    }
    return result;
  }

  union(other: HideSet): HideSet {
    if (other === this || other.names.size === 0) return this;
    if (this.names.size === 0) return other;
    let result = this.unions.get(other);
    if (!result) {
      result = this.pool.intern([...this.names, ...other.names]);
      this.unions.set(other, result);
    }
    return result;
  }

  intersect(other: HideSet): HideSet {
    if (other === this) return this;
    let result = this.intersections.get(other);
    if (!result) {
      result = this.pool.intern([...this.names].filter((n) => other.names.has(n)));
      this.intersections.set(other, result);
    }
    return result;
  }
}

class HideSetPool {
  private readonly byKey = new Map<string, HideSet>();
  readonly empty = this.intern([]);

  intern(names: string[]): HideSet {
    const sorted = [...new Set(names)].sort();
    const key = sorted.join(' ');
    let set = this.byKey.get(key);
    if (!set) {
      set = new HideSet(new Set(sorted), this);
      this.byKey.set(key, set);
    }
    return set;
  }
}

// ---------------------------------------------------------------------------------------------
// Macros

interface BodyItem {
  token: PPToken;
  spelling: SourceLoc;
  spaceBefore: boolean;
  /** Index of the parameter this token names, or -1. */
  param: number;
  /** `#param`. */
  stringize: boolean;
  /** Followed by `##`. */
  pasteAfter: boolean;
  /** GNU `, ## __VA_ARGS__`: the comma goes away when the variable arguments are left out. */
  gnuComma: boolean;
  /** `__VA_OPT__(...)`: its content, used only when the variable arguments expand to something. */
  vaOpt?: BodyItem[];
}

interface DefinedMacro {
  name: string;
  definedAt: SourceLoc;
  body: BodyItem[];
  /** Parameters and body with their spacing: equal signatures are not a redefinition (6.10.3p2). */
  signature: string;
}

interface ObjectMacro extends DefinedMacro {
  kind: 'object';
}

interface FunctionMacro extends DefinedMacro {
  kind: 'function';
  params: string[];
  variadic: boolean;
}

/** __LINE__ and friends: computed where they are used. */
interface BuiltinMacro {
  kind: 'builtin';
  name: string;
  value(at: PPToken): { kind: 'number' | 'string'; text: string };
}

/** Names with their own syntax (`_Pragma(...)`, `__has_include(...)`); `#ifdef` sees them. */
interface OperatorMacro {
  kind: 'operator';
  name: string;
}

type Macro = ObjectMacro | FunctionMacro | BuiltinMacro | OperatorMacro;

const OPERATOR_NAMES = ['_Pragma', '__has_include', '__has_include_next', '__has_attribute', '__has_cpp_attribute', '__has_builtin'];

// ---------------------------------------------------------------------------------------------
// Token sources

interface ListSource {
  kind: 'list';
  tokens: PPToken[];
  pos: number;
}

interface Conditional {
  /** The directive name token (`if`, `ifdef`, ...), where gcc reports an unterminated group. */
  directive: PPToken;
  /** Tokens of the current group are emitted. */
  active: boolean;
  /** A group of this chain was taken (or the whole chain sits in a skipped group). */
  taken: boolean;
  sawElse: boolean;
}

/** Where the file is relative to a `#ifndef X ... #endif` that might wrap all of it. */
type GuardState = 'start' | 'inside' | 'after' | 'none';

class FileFrame {
  readonly kind = 'file';
  pos = 0;
  readonly conds: Conditional[] = [];
  /** `#line` shifts: presumed line = physical line + lineDelta. */
  lineDelta = 0;
  presumedFile: string;
  guard: GuardState = 'start';
  guardEntry?: Conditional;
  guardMacro?: string;
  /** Tokens a directive hands to the parser (`#pragma pack`), read before the rest of the file. */
  readonly injected: PPToken[] = [];

  constructor(
    readonly path: string,
    /** Identity for #pragma once and include guards (a user file and a built-in header may share a name). */
    readonly key: string,
    readonly isSystem: boolean,
    readonly tokens: readonly LexToken[],
  ) {
    this.presumedFile = path;
  }

  skipping(): boolean {
    const conds = this.conds;
    return conds.length > 0 && !conds[conds.length - 1].active;
  }

  /** Something other than the guard's own #ifndef/#endif: the file is not wrapped by a guard. */
  touchOutsideGuard(): void {
    if (this.guard === 'start' || this.guard === 'after') this.guard = 'none';
  }

  /** The token at its presumed position (after `#line`). */
  remap(t: LexToken): PPToken {
    if (this.lineDelta === 0 && this.presumedFile === this.path) return t;
    return { ...t, file: this.presumedFile, line: t.line + this.lineDelta };
  }
}

type Source = ListSource | FileFrame;

/** readFileToken's answer when a directive pushed an included file: read from the new top. */
const INCLUDED = Symbol('included');

function isHash(t: LexToken): boolean {
  return t.kind === 'punct' && (t.text === '#' || t.text === '%:');
}

function isPaste(t: LexToken): boolean {
  return t.kind === 'punct' && (t.text === '##' || t.text === '%:%:');
}

function locOf(t: SourceLoc): SourceLoc {
  return { file: t.file, line: t.line, col: t.col };
}

/** Where the characters of `t` were written. */
function spellingOf(t: PPToken): SourceLoc {
  return t.spelling ?? locOf(t);
}

/** Directive text the way gcc quotes it in #error/#warning: tokens joined with single spaces. */
function lineText(tokens: readonly PPToken[]): string {
  return tokens.map((t, i) => (i > 0 && t.spaceBefore ? ' ' : '') + t.text).join('');
}

function rejectLexErrors(tokens: readonly PPToken[]): void {
  for (const t of tokens) if (t.lexError) throw errorAt(t, t.lexError);
}

function quoteString(s: string): string {
  return '"' + s.replace(/[\\"]/g, '\\$&') + '"';
}

/**
 * The token as the parser gets it, without the preprocessor's bookkeeping. A file's own token
 * (no hide set, no digraph) is handed on as the lexer made it, which halves the allocations
 * of plain code.
 */
function publicToken(t: PPToken): Token {
  if (!('hideSet' in t) && t.expansion === undefined && !(t.kind === 'punct' && DIGRAPHS.has(t.text))) return t;
  const text = t.kind === 'punct' ? (DIGRAPHS.get(t.text) ?? t.text) : t.text;
  const out: Token = { kind: t.kind, text, file: t.file, line: t.line, col: t.col };
  if (t.spelling) out.spelling = t.spelling;
  if (t.expansion) out.expansion = t.expansion;
  if (t.spaceBefore) out.spaceBefore = true;
  if (t.lineStart) out.lineStart = true;
  return out;
}

// ---------------------------------------------------------------------------------------------
// The preprocessor: directives, files, macro table

interface FoundFile {
  path: string;
  key: string;
  isSystem: boolean;
  text: string;
}

interface HeaderSpec {
  name: string;
  angled: boolean;
  at: PPToken;
}

class Preprocessor {
  readonly macros = new Map<string, Macro>();
  readonly hideSets = new HideSetPool();
  private readonly warnings: Diagnostic[] = [];
  private readonly includedFiles: string[] = [];
  private readonly seenFiles = new Set<string>();
  private readonly lexed = new Map<string, LexToken[]>();
  private readonly onceFiles = new Set<string>();
  private readonly guardMacros = new Map<string, string>();
  /** Creation order of expansion records, to tell which ones an argument's pre-expansion made. */
  private readonly expansionSerials = new Map<MacroExpansion, number>();
  private expansionCount = 0;
  private counter = 0;
  private fileDepth = 0;
  private argumentNesting = 0;
  private work = 0;
  private readonly maxTokens: number;
  private readonly main: Expander;
  /** The file whose directive is being processed (for `__has_include` resolution). */
  private directiveFrame?: FileFrame;

  constructor(
    private readonly mainFile: string,
    private readonly opts: PreprocessOptions,
  ) {
    this.maxTokens = opts.maxTokens ?? DEFAULT_MAX_TOKENS;
    this.main = new Expander(this, false, undefined);
  }

  run(text: string): PreprocessResult {
    this.definePredefined();
    const mainTokens = lexForPreprocessor(text, this.mainFile);
    this.enterFile({ path: this.mainFile, key: this.mainFile, isSystem: false, text }, mainTokens);
    const tokens: Token[] = [];
    for (let t = this.main.next(); t !== undefined; t = this.main.next()) {
      if (tokens.length >= this.maxTokens) throw this.tooManyTokens(t);
      tokens.push(publicToken(t));
    }
    tokens.push({ kind: 'eof', text: '', ...endOf(this.mainFile, mainTokens) });
    return { tokens, warnings: this.warnings, includedFiles: this.includedFiles };
  }

  private tooManyTokens(at: SourceLoc): CompileError {
    return errorAt(at, `macro expansion exceeds the limit of ${this.maxTokens} tokens`);
  }

  /** Counts a token read or made; a macro bomb fails here instead of exhausting the host. */
  countWork(at: SourceLoc): void {
    if (++this.work > this.maxTokens * WORK_PER_OUTPUT_TOKEN) throw this.tooManyTokens(at);
  }

  warn(at: SourceLoc, message: string): void {
    this.warnings.push({ ...locOf(at), severity: 'warning', message });
  }

  private definePredefined(): void {
    for (const name of OPERATOR_NAMES) this.macros.set(name, { kind: 'operator', name });
    this.defineBuiltins();
    this.defineFromText(STANDARD_DEFINES, '<built-in>');
    const defines = Object.entries(this.opts.defines ?? {});
    for (const [name, value] of defines) {
      this.defineFromText(`#define ${name} ${value.replace(/\r?\n/g, ' ')}\n`, '<command-line>');
    }
  }

  private defineBuiltins(): void {
    const builtin = (name: string, value: BuiltinMacro['value']): void => {
      this.macros.set(name, { kind: 'builtin', name, value });
    };
    // Where the name stands: in a macro body that is the outermost invocation; in an argument
    // it is where the argument was written (gcc 12 does the same).
    builtin('__FILE__', (t) => ({ kind: 'string', text: quoteString(t.file) }));
    builtin('__LINE__', (t) => ({ kind: 'number', text: String(t.line) }));
    builtin('__COUNTER__', () => ({ kind: 'number', text: String(this.counter++) }));
    builtin('__INCLUDE_LEVEL__', () => ({ kind: 'number', text: String(this.fileDepth - 1) }));
    builtin('__BASE_FILE__', () => ({ kind: 'string', text: quoteString(this.mainFile) }));
    builtin('__DATE__', () => ({ kind: 'string', text: FIXED_DATE }));
    builtin('__TIME__', () => ({ kind: 'string', text: FIXED_TIME }));
    builtin('__TIMESTAMP__', () => ({ kind: 'string', text: FIXED_TIMESTAMP }));
  }

  /** Runs `#define` lines that do not come from a file the user sees. */
  private defineFromText(text: string, origin: string): void {
    const tokens = lexForPreprocessor(text, origin);
    let start = 0;
    while (start < tokens.length) {
      let end = start + 1;
      while (end < tokens.length && !tokens[end].lineStart) end++;
      const line = tokens.slice(start + 1, end);
      rejectLexErrors(line);
      this.define(line);
      start = end;
    }
  }

  // --- files -----------------------------------------------------------------------------------

  private enterFile(found: FoundFile, tokens?: LexToken[]): void {
    let fileTokens = tokens ?? this.lexed.get(found.key);
    if (!fileTokens) {
      fileTokens = lexForPreprocessor(found.text, found.path);
      this.lexed.set(found.key, fileTokens);
    }
    if (!this.seenFiles.has(found.key)) {
      this.seenFiles.add(found.key);
      this.includedFiles.push(found.path);
    }
    this.main.stack.push(new FileFrame(found.path, found.key, found.isSystem, fileTokens));
    this.fileDepth++;
  }

  /** End of a file: its conditionals must be closed; remember a guard that wrapped all of it. */
  leaveFile(f: FileFrame): void {
    const open = f.conds[0];
    if (open) throw errorAt(open.directive, `unterminated #${open.directive.text}`);
    if (f.guard === 'after' && f.guardMacro !== undefined) this.guardMacros.set(f.key, f.guardMacro);
    this.fileDepth--;
  }

  /** The next token of `f` outside directives and skipped groups, or undefined at its end. */
  readFileToken(f: FileFrame): PPToken | undefined | typeof INCLUDED {
    const tokens = f.tokens;
    while (f.pos < tokens.length || f.injected.length > 0) {
      if (f.injected.length > 0) return f.injected.shift();
      const t = tokens[f.pos];
      if (t.lineStart && isHash(t)) {
        if (this.directive(f)) return INCLUDED;
        continue;
      }
      f.pos++;
      if (f.skipping()) continue;
      f.touchOutsideGuard();
      this.countWork(t);
      if (t.lexError) throw errorAt(t, t.lexError);
      return f.remap(t);
    }
    return undefined;
  }

  /** The next token of `f` if it is ordinary text; a directive line ends the look (as gcc). */
  peekFileToken(f: FileFrame): LexToken | undefined {
    const t = f.tokens[f.pos];
    if (t === undefined || (t.lineStart && isHash(t))) return undefined;
    return t;
  }

  private resolveInclude(name: string, angled: boolean, from: FileFrame): FoundFile | undefined {
    const headers = this.opts.systemHeaders;
    if (!angled) {
      const path = join(dirname(from.path), name);
      if (from.isSystem) {
        const text = headers.get(path);
        if (text !== undefined) return { path, key: `<${path}>`, isSystem: true, text };
      } else {
        const text = this.opts.readFile(path);
        if (text !== undefined) return { path, key: path, isSystem: false, text };
      }
    }
    for (const path of [name, normalize(name)]) {
      const text = headers.get(path);
      if (text !== undefined) return { path, key: `<${path}>`, isSystem: true, text };
    }
    return undefined;
  }

  // --- directives --------------------------------------------------------------------------------

  /** Runs the directive at `f.pos`; true if it pushed an included file. */
  private directive(f: FileFrame): boolean {
    const tokens = f.tokens;
    const hashIndex = f.pos;
    let end = hashIndex + 1;
    while (end < tokens.length && !tokens[end].lineStart) end++;
    f.pos = end;
    const line: PPToken[] = tokens.slice(hashIndex + 1, end);
    for (let k = 0; k < line.length; k++) line[k] = f.remap(line[k]);
    const name = line[0];
    if (name === undefined) return false;
    if (name.kind === 'ident' && CONDITIONAL_DIRECTIVES.has(name.text)) {
      this.conditional(f, name, line.slice(1));
      return false;
    }
    if (f.skipping()) return false;
    f.touchOutsideGuard();
    if (name.kind === 'number') {
      rejectLexErrors(line);
      this.lineMarker(f, line, tokens[end - 1].line + 1);
      return false;
    }
    if (name.kind !== 'ident') throw errorAt(name, `invalid preprocessing directive`);
    const rest = line.slice(1);
    if (name.text !== 'error' && name.text !== 'warning') rejectLexErrors(rest);
    this.directiveFrame = f;
    switch (name.text) {
      case 'define':
        this.define(line);
        return false;
      case 'undef':
        this.undef(line);
        return false;
      case 'include':
      case 'include_next':
      case 'import':
        return this.include(f, name, rest);
      case 'line':
        this.lineDirective(f, name, rest, tokens[end - 1].line + 1);
        return false;
      case 'error':
        throw errorAt(name, `#error ${lineText(rest)}`);
      case 'warning':
        this.warn(name, `#warning ${lineText(rest)}`);
        return false;
      case 'pragma':
        this.pragma(f, rest);
        return false;
      case 'ident':
      case 'sccs':
      case 'assert':
      case 'unassert':
        return false;
      default:
        throw errorAt(name, `invalid preprocessing directive #${name.text}`);
    }
  }

  private warnExtraTokens(directive: PPToken, extra: readonly PPToken[]): void {
    if (extra.length > 0) this.warn(extra[0], `extra tokens at end of #${directive.text} directive`);
  }

  private conditional(f: FileFrame, name: PPToken, rest: PPToken[]): void {
    const conds = f.conds;
    const top = conds[conds.length - 1];
    switch (name.text) {
      case 'if':
      case 'ifdef':
      case 'ifndef': {
        const parentActive = !f.skipping();
        const active = parentActive && this.testCondition(f, name, rest);
        const entry: Conditional = { directive: name, active, taken: active || !parentActive, sawElse: false };
        const guardMacro = parentActive && f.guard === 'start' ? guardMacroOf(name, rest) : undefined;
        conds.push(entry);
        if (guardMacro !== undefined) {
          f.guard = 'inside';
          f.guardEntry = entry;
          f.guardMacro = guardMacro;
        } else if (parentActive) {
          f.touchOutsideGuard();
        }
        return;
      }
      case 'elif':
        if (!top) throw errorAt(name, '#elif without #if');
        if (top.sawElse) throw errorAt(name, '#elif after #else');
        if (top === f.guardEntry) f.guard = 'none';
        // A group already taken (or a skipped parent) leaves the expression unevaluated (DR 412).
        top.active = !top.taken && this.testCondition(f, name, rest);
        top.taken ||= top.active;
        return;
      case 'else':
        if (!top) throw errorAt(name, '#else without #if');
        if (top.sawElse) throw errorAt(name, '#else after #else');
        if (top === f.guardEntry) f.guard = 'none';
        top.sawElse = true;
        top.active = !top.taken;
        top.taken = true;
        if (top.active) this.warnExtraTokens(name, rest);
        return;
      default:
        if (!top) throw errorAt(name, '#endif without #if');
        conds.pop();
        if (top === f.guardEntry && f.guard === 'inside') f.guard = 'after';
        if (!f.skipping()) this.warnExtraTokens(name, rest);
    }
  }

  private testCondition(f: FileFrame, name: PPToken, rest: PPToken[]): boolean {
    rejectLexErrors(rest);
    if (name.text === 'if' || name.text === 'elif') {
      this.directiveFrame = f;
      const expanded = this.expandList(rest, true, undefined);
      return evaluateCondition(expanded, name, name.text);
    }
    const id = rest[0];
    if (id === undefined) throw errorAt(name, `no macro name given in #${name.text} directive`);
    if (id.kind !== 'ident') throw errorAt(id, 'macro names must be identifiers');
    this.warnExtraTokens(name, rest.slice(1));
    return this.macros.has(id.text) === (name.text === 'ifdef');
  }

  isDefined(name: string): boolean {
    return this.macros.has(name);
  }

  private macroName(directive: PPToken, t: PPToken | undefined): PPToken {
    if (t === undefined) throw errorAt(directive, `no macro name given in #${directive.text} directive`);
    if (t.kind !== 'ident') throw errorAt(t, 'macro names must be identifiers');
    if (t.text === 'defined' || this.macros.get(t.text)?.kind === 'operator') {
      throw errorAt(t, `"${t.text}" cannot be used as a macro name`);
    }
    return t;
  }

  /** `line` starts with the `define` token. */
  private define(line: PPToken[]): void {
    const directive = line[0];
    const nameTok = this.macroName(directive, line[1]);
    let macro: ObjectMacro | FunctionMacro;
    const open = line[2];
    if (open !== undefined && open.text === '(' && !open.spaceBefore) {
      const { params, variadic, bodyStart } = parseParams(line, 3);
      const body = line.slice(bodyStart);
      macro = {
        kind: 'function', name: nameTok.text, params, variadic, definedAt: locOf(nameTok),
        body: this.analyzeBody(body, params, variadic, true),
        signature: `(${params.join(',')}${variadic ? '...' : ''})` + bodySignature(body),
      };
    } else {
      const body = line.slice(2);
      macro = {
        kind: 'object', name: nameTok.text, definedAt: locOf(nameTok),
        body: this.analyzeBody(body, [], false, false),
        signature: bodySignature(body),
      };
    }
    this.noteRedefinition(nameTok, macro);
    this.macros.set(macro.name, macro);
  }

  private noteRedefinition(nameTok: PPToken, macro: ObjectMacro | FunctionMacro): void {
    const old = this.macros.get(macro.name);
    if (old === undefined) return;
    if (old.kind === 'object' || old.kind === 'function') {
      if (old.kind === macro.kind && old.signature === macro.signature) return;
      this.warn(nameTok, `"${macro.name}" redefined`);
      this.warnings.push({ ...old.definedAt, severity: 'note', message: 'this is the location of the previous definition' });
    } else {
      this.warn(nameTok, `"${macro.name}" redefined`);
    }
  }

  /** Resolves parameters, `#`, `##` and `__VA_OPT__` once, at definition time. */
  private analyzeBody(body: PPToken[], params: string[], variadic: boolean, functionLike: boolean, within = 'a macro expansion'): BodyItem[] {
    const items: BodyItem[] = [];
    const paramIndex = (t: PPToken | undefined): number => (t !== undefined && t.kind === 'ident' ? params.indexOf(t.text) : -1);
    const vaName = variadic ? params[params.length - 1] : undefined;
    const item = (token: PPToken, at: PPToken, param: number, stringize: boolean): BodyItem =>
      ({ token, spelling: locOf(at), spaceBefore: !!at.spaceBefore, param, stringize, pasteAfter: false, gnuComma: false });
    for (let k = 0; k < body.length; k++) {
      const t = body[k];
      if (isPaste(t)) {
        if (items.length === 0 || k === body.length - 1) throw errorAt(t, `'##' cannot appear at either end of ${within}`);
        items[items.length - 1].pasteAfter = true;
      } else if (functionLike && isHash(t)) {
        const param = paramIndex(body[k + 1]);
        if (param < 0) throw errorAt(t, "'#' is not followed by a macro parameter");
        items.push(item(body[++k], t, param, true));
      } else if (variadic && t.kind === 'ident' && t.text === '__VA_OPT__' && body[k + 1]?.text === '(') {
        const close = closingParen(body, k + 1);
        if (close < 0) throw errorAt(t, 'unterminated __VA_OPT__');
        const vaOpt = this.analyzeBody(body.slice(k + 2, close), params, variadic, functionLike, '__VA_OPT__');
        items.push({ ...item(t, t, -1, false), vaOpt });
        k = close;
      } else {
        if (t.kind === 'ident' && t.text === '__VA_ARGS__' && vaName !== '__VA_ARGS__') {
          this.warn(t, '__VA_ARGS__ can only appear in the expansion of a C99 variadic macro');
        }
        items.push(item(t, t, paramIndex(t), false));
      }
    }
    if (variadic) markGnuCommas(items, params.length - 1);
    return items;
  }

  private undef(line: PPToken[]): void {
    const nameTok = this.macroName(line[0], line[1]);
    this.warnExtraTokens(line[0], line.slice(2));
    if (this.macros.get(nameTok.text)?.kind === 'builtin') this.warn(nameTok, `undefining "${nameTok.text}"`);
    this.macros.delete(nameTok.text);
  }

  private include(f: FileFrame, directive: PPToken, rest: PPToken[]): boolean {
    const spec = this.headerSpec(directive, rest, true);
    if (spec.name === '') throw errorAt(spec.at, `empty filename in #${directive.text}`);
    const found = this.resolveInclude(spec.name, spec.angled, f);
    if (!found) throw errorAt(spec.at, `'${spec.name}': no such file`);
    if (this.onceFiles.has(found.key)) return false;
    const guard = this.guardMacros.get(found.key);
    if (guard !== undefined && this.macros.has(guard)) return false;
    if (this.fileDepth >= MAX_INCLUDE_DEPTH) {
      throw errorAt(directive, `#include nested depth ${this.fileDepth + 1} exceeds maximum of ${MAX_INCLUDE_DEPTH} (recursive #include?)`);
    }
    if (directive.text === 'import') this.onceFiles.add(found.key);
    this.enterFile(found);
    return true;
  }

  /**
   * The header named by `tokens`: a `"..."` or `<...>` token as written, or else the
   * macro-expanded tokens (6.10.2p4), whose `<...>` is rebuilt with single spaces as gcc does.
   */
  private headerSpec(directive: PPToken, tokens: PPToken[], isDirective: boolean): HeaderSpec {
    const expects = isDirective
      ? `#${directive.text} expects "FILENAME" or <FILENAME>`
      : `operator "${directive.text}" requires a header-name`;
    const first = tokens[0];
    if (first === undefined) throw errorAt(directive, expects);
    if (first.kind === 'string' && (first.text[0] === '"' || first.text[0] === '<')) {
      if (isDirective) this.warnExtraTokens(directive, tokens.slice(1));
      return { name: first.text.slice(1, -1), angled: first.text[0] === '<', at: first };
    }
    const expanded = this.expandList(tokens, false, undefined);
    const head = expanded[0];
    if (head !== undefined && head.kind === 'string' && head.text[0] === '"') {
      return { name: head.text.slice(1, -1), angled: false, at: first };
    }
    if (head === undefined || head.text !== '<') throw errorAt(first, expects);
    let name = '';
    for (let k = 1; k < expanded.length; k++) {
      const t = expanded[k];
      if (t.text === '>') return { name, angled: true, at: first };
      name += (k > 1 && t.spaceBefore ? ' ' : '') + t.text;
    }
    throw errorAt(first, 'missing terminating > character');
  }

  /** `__has_include(...)`: whether the header would be found from the current file. */
  hasInclude(operator: PPToken, operand: PPToken[]): boolean {
    const spec = this.headerSpec(operator, operand, false);
    const from = this.directiveFrame;
    return from !== undefined && this.resolveInclude(spec.name, spec.angled, from) !== undefined;
  }

  private lineDirective(f: FileFrame, directive: PPToken, rest: PPToken[], nextPhysicalLine: number): void {
    const expanded = this.expandList(rest, false, undefined);
    this.applyLine(f, directive, expanded, nextPhysicalLine);
  }

  /** GNU line marker `# 12 "file" flags`, as gcc -E writes them. */
  private lineMarker(f: FileFrame, line: PPToken[], nextPhysicalLine: number): void {
    this.applyLine(f, line[0], line, nextPhysicalLine, true);
  }

  private applyLine(f: FileFrame, at: PPToken, args: PPToken[], nextPhysicalLine: number, marker = false): void {
    const num = args[0];
    if (num === undefined || num.kind !== 'number' || !/^\d+$/.test(num.text)) {
      throw errorAt(num ?? at, `"${num?.text ?? ''}" after #line is not a positive integer`);
    }
    const fileTok = args[1];
    if (fileTok !== undefined) {
      if (fileTok.kind !== 'string' || fileTok.text[0] !== '"') throw errorAt(fileTok, `invalid filename "${fileTok.text}"`);
      f.presumedFile = fileTok.text.slice(1, -1).replace(/\\(.)/g, '$1');
      if (!marker) this.warnExtraTokens(at, args.slice(2));
    }
    f.lineDelta = Number(num.text) - nextPhysicalLine;
  }

  private pragma(f: FileFrame, rest: PPToken[]): void {
    const [first, second, third] = rest;
    if (first?.text === 'once') {
      this.onceFiles.add(f.key);
    } else if (first?.text === 'GCC' && (second?.text === 'warning' || second?.text === 'error')) {
      const message = third?.kind === 'string' ? third.text.slice(1, -1) : lineText(rest.slice(2));
      if (second.text === 'error') throw errorAt(second, message);
      this.warn(second, message);
    } else if (first?.text === 'pack') {
      // Structure packing is the parser's business: it gets `__pragma_pack(args)` in the stream.
      f.injected.push({ ...first, text: '__pragma_pack', kind: 'ident' }, ...rest.slice(1).map((t) => ({ ...t, hideSet: undefined })));
    }
    // Other pragmas (GCC diagnostic, ...) do not change what the preprocessor emits.
  }

  // --- macro expansion -----------------------------------------------------------------------------

  /** Fully macro-expands a token list on its own (an argument, or a directive's operands). */
  expandList(tokens: PPToken[], inCondition: boolean, anchor: SourceLoc | undefined): PPToken[] {
    const sub = new Expander(this, inCondition, { kind: 'list', tokens, pos: 0 }, anchor);
    const out: PPToken[] = [];
    for (let t = sub.next(); t !== undefined; t = sub.next()) out.push(t);
    return out;
  }

  /** An argument's pre-expansion (6.10.3.1); nested calls are bounded to protect the host stack. */
  expandArgument(tokens: PPToken[], inCondition: boolean, anchor: SourceLoc): PPToken[] {
    if (++this.argumentNesting > MAX_ARGUMENT_NESTING) throw errorAt(anchor, 'macro arguments nested too deeply');
    try {
      return this.expandList(tokens, inCondition, anchor);
    } finally {
      this.argumentNesting--;
    }
  }

  newExpansion(macro: string, at: SourceLoc, parent: MacroExpansion | undefined): MacroExpansion {
    const e: MacroExpansion = parent ? { macro, at, parent } : { macro, at };
    this.expansionSerials.set(e, ++this.expansionCount);
    return e;
  }

  serialOf(e: MacroExpansion): number {
    return this.expansionSerials.get(e) ?? 0;
  }

  builtinToken(macro: BuiltinMacro, t: PPToken): PPToken {
    const { kind, text } = macro.value(t);
    return { ...t, kind, text, spelling: t.spelling, hideSet: undefined };
  }
}

const CONDITIONAL_DIRECTIVES = new Set(['if', 'ifdef', 'ifndef', 'elif', 'else', 'endif']);

/** Index of the `)` matching the `(` at `open`, or -1. */
function closingParen(tokens: readonly PPToken[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    if (tokens[k].text === '(') depth++;
    else if (tokens[k].text === ')' && --depth === 0) return k;
  }
  return -1;
}

function markGnuCommas(items: BodyItem[], variadicParam: number): void {
  for (let k = 0; k + 1 < items.length; k++) {
    const item = items[k];
    const next = items[k + 1];
    if (item.token.text === ',' && item.param < 0 && item.pasteAfter && next.param === variadicParam && !next.stringize) {
      item.gnuComma = true;
    }
  }
}

/** The X of a leading `#ifndef X` or `#if !defined X` / `#if !defined(X)`. */
function guardMacroOf(directive: PPToken, rest: PPToken[]): string | undefined {
  const texts = rest.map((t) => t.text);
  if (directive.text === 'ifndef' && rest.length === 1) return texts[0];
  if (directive.text !== 'if' || texts[0] !== '!' || texts[1] !== 'defined') return undefined;
  if (rest.length === 3 && rest[2].kind === 'ident') return texts[2];
  if (rest.length === 5 && texts[2] === '(' && rest[3].kind === 'ident' && texts[4] === ')') return texts[3];
  return undefined;
}

function bodySignature(body: readonly PPToken[]): string {
  return body.map((t, i) => (i > 0 && t.spaceBefore ? ' ' : '') + t.text).join('\n');
}

/** Parameters of a function-like `#define`, from the token after `(` at `start`. */
function parseParams(line: PPToken[], start: number): { params: string[]; variadic: boolean; bodyStart: number } {
  const params: string[] = [];
  let k = start;
  const missingParen = (at: PPToken): CompileError => errorAt(at, "missing ')' in macro parameter list");
  const last = (): PPToken => line[line.length - 1];
  if (line[k]?.text === ')') return { params, variadic: false, bodyStart: k + 1 };
  for (;;) {
    const t = line[k++];
    if (t === undefined) throw missingParen(last());
    if (t.text === '...') {
      params.push('__VA_ARGS__');
      if (line[k]?.text !== ')') throw missingParen(line[k] ?? t);
      return { params, variadic: true, bodyStart: k + 1 };
    }
    if (t.kind !== 'ident') throw errorAt(t, `expected parameter name, found "${t.text}"`);
    if (t.text === '__VA_ARGS__') throw errorAt(t, '__VA_ARGS__ can only appear in the expansion of a C99 variadic macro');
    if (params.includes(t.text)) throw errorAt(t, `duplicate macro parameter "${t.text}"`);
    params.push(t.text);
    const sep = line[k++];
    if (sep?.text === '...') {
      if (line[k]?.text !== ')') throw missingParen(line[k] ?? sep);
      return { params, variadic: true, bodyStart: k + 1 };
    }
    if (sep?.text === ')') return { params, variadic: false, bodyStart: k };
    if (sep === undefined) throw missingParen(t);
    if (sep.text !== ',') throw errorAt(sep, `expected ',' or ')', found "${sep.text}"`);
  }
}

/** Position just after the last token of the main file, for the eof token. */
function endOf(file: string, tokens: readonly LexToken[]): SourceLoc {
  const last = tokens[tokens.length - 1];
  if (last === undefined) return { file, line: 1, col: 1 };
  return { file, line: last.line, col: last.col + last.text.length };
}

// ---------------------------------------------------------------------------------------------
// Expansion of a token stream

/**
 * Reads tokens from a stack of sources (files at the bottom of the main stream, macro
 * replacement lists pushed above them) and expands macros as it goes: a replacement list is
 * pushed back and rescanned together with the rest of the input (6.10.3.4).
 */
class Expander {
  readonly stack: Source[] = [];

  constructor(
    private readonly pp: Preprocessor,
    /** Expanding an #if line: `defined` and `__has_include` are operators. */
    private readonly inCondition: boolean,
    bottom: Source | undefined,
    /** The outermost invocation while pre-expanding its arguments: where a runaway expansion is reported. */
    private readonly anchor?: SourceLoc,
  ) {
    if (bottom) this.stack.push(bottom);
  }

  next(): PPToken | undefined {
    for (;;) {
      const t = this.nextRaw(true);
      if (t === undefined || t.kind !== 'ident') return t;
      if (this.inCondition && t.text === 'defined') return this.definedOperator(t);
      const macro = this.pp.macros.get(t.text);
      if (macro === undefined || t.hideSet?.has(t.text)) return t;
      switch (macro.kind) {
        case 'object':
          this.push(new Substitution(this.pp, macro, t, NO_ARGUMENTS, t.hideSet ?? this.pp.hideSets.empty, this.inCondition, this.anchor).run());
          break;
        case 'function': {
          if (!this.peekIsLeftParen()) return t;
          const args = this.collectArguments(macro, t);
          const hideSet = (t.hideSet ?? this.pp.hideSets.empty).intersect(args.rparen?.hideSet ?? this.pp.hideSets.empty);
          this.push(new Substitution(this.pp, macro, t, args, hideSet, this.inCondition, this.anchor).run());
          break;
        }
        case 'builtin':
          return this.pp.builtinToken(macro, t);
        case 'operator': {
          const result = this.operator(t);
          if (result !== undefined) return result;
        }
      }
    }
  }

  private push(tokens: PPToken[]): void {
    if (tokens.length > 0) this.stack.push({ kind: 'list', tokens, pos: 0 });
  }

  /**
   * The next unexpanded token. With `crossFiles` false the end of the current file ends the
   * stream: a macro's arguments cannot run past the end of the file that invoked it.
   */
  private nextRaw(crossFiles: boolean): PPToken | undefined {
    const stack = this.stack;
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) return undefined;
      if (top.kind === 'list') {
        if (top.pos < top.tokens.length) return top.tokens[top.pos++];
        stack.pop();
        continue;
      }
      const t = this.pp.readFileToken(top);
      if (t === INCLUDED) continue;
      if (t !== undefined) return t;
      if (!crossFiles) return undefined;
      this.pp.leaveFile(top);
      stack.pop();
    }
  }

  /** Whether a `(` comes next, looking through finished replacement lists and line breaks. */
  private peekIsLeftParen(): boolean {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const s = this.stack[i];
      if (s.kind === 'list') {
        if (s.pos < s.tokens.length) return s.tokens[s.pos].text === '(';
        continue;
      }
      return this.pp.peekFileToken(s)?.text === '(';
    }
    return false;
  }

  private collectArguments(macro: FunctionMacro, name: PPToken): Arguments {
    this.nextRaw(false); // the '(' seen by peekIsLeftParen
    const args: PPToken[][] = [];
    let current: PPToken[] = [];
    let depth = 0;
    const variadicIndex = macro.variadic ? macro.params.length - 1 : -1;
    for (;;) {
      const t = this.nextRaw(false);
      if (t === undefined) throw errorAt(name, `unterminated argument list invoking macro "${macro.name}"`);
      if (t.kind === 'punct') {
        if (t.text === '(') {
          depth++;
        } else if (t.text === ')') {
          if (depth === 0) {
            args.push(current);
            return checkArity(macro, name, args, t);
          }
          depth--;
        } else if (t.text === ',' && depth === 0 && args.length !== variadicIndex) {
          args.push(current);
          current = [];
          continue;
        }
      }
      current.push(t);
    }
  }

  /** `defined X` / `defined(X)` inside #if, also when a macro produced it (as gcc). */
  private definedOperator(op: PPToken): PPToken {
    let name = this.nextRaw(false);
    const paren = name?.text === '(';
    if (paren) name = this.nextRaw(false);
    if (name === undefined || name.kind !== 'ident') throw errorAt(name ?? op, 'operator "defined" requires an identifier');
    if (paren) {
      const close = this.nextRaw(false);
      if (close?.text !== ')') throw errorAt(close ?? name, 'missing \')\' after "defined"');
    }
    return numberAt(op, this.pp.isDefined(name.text));
  }

  /** `_Pragma("...")` is dropped; `__has_include(...)` and `__has_*(...)` answer inside #if. */
  private operator(op: PPToken): PPToken | undefined {
    if (op.text === '_Pragma') {
      if (this.inCondition) return op;
      const open = this.nextRaw(false);
      const str = this.nextRaw(false);
      const close = this.nextRaw(false);
      if (open?.text !== '(' || str?.kind !== 'string' || close?.text !== ')') {
        throw errorAt(op, '_Pragma takes a parenthesized string literal');
      }
      return undefined;
    }
    if (!this.inCondition) return op;
    const operand = this.parenthesizedOperand(op);
    if (op.text === '__has_include' || op.text === '__has_include_next') {
      return numberAt(op, this.pp.hasInclude(op, operand));
    }
    // No attribute or builtin is promised to be there; code then takes its portable branch.
    return numberAt(op, false);
  }

  private parenthesizedOperand(op: PPToken): PPToken[] {
    const open = this.nextRaw(false);
    if (open?.text !== '(') throw errorAt(open ?? op, `missing '(' after "${op.text}"`);
    const operand: PPToken[] = [];
    let depth = 0;
    for (;;) {
      const t = this.nextRaw(false);
      if (t === undefined) throw errorAt(op, `missing ')' after "${op.text}" operand`);
      if (t.text === '(') depth++;
      if (t.text === ')' && depth-- === 0) return operand;
      operand.push(t);
    }
  }
}

function numberAt(at: PPToken, value: boolean): PPToken {
  return { ...at, kind: 'number', text: value ? '1' : '0', hideSet: undefined };
}

/** A function-like invocation's arguments, as written. */
interface Arguments {
  values: PPToken[][];
  rparen?: PPToken;
  /** The variable arguments were left out (`f(a)` for `f(a, ...)`, or `g()` for `g(...)`). */
  variadicOmitted: boolean;
}

const NO_ARGUMENTS: Arguments = { values: [], variadicOmitted: false };

function checkArity(macro: FunctionMacro, name: PPToken, args: PPToken[][], rparen: PPToken): Arguments {
  const want = macro.params.length;
  if (want === 0 && args.length === 1 && args[0].length === 0) return { values: [], rparen, variadicOmitted: false };
  if (macro.variadic) {
    // gcc removes the comma of `, ## __VA_ARGS__` only for left-out variable arguments, not
    // for empty ones; a lone empty argument of a `(...)` macro counts as left out (GNU mode).
    const omitted = args.length === want - 1 || (args.length === 1 && args[0].length === 0);
    if (args.length === want - 1) return { values: [...args, []], rparen, variadicOmitted: true };
    if (args.length === want) return { values: args, rparen, variadicOmitted: omitted };
  }
  if (args.length < want) {
    throw errorAt(name, `macro "${macro.name}" requires ${want} arguments, but only ${args.length} given`);
  }
  if (args.length > want) {
    throw errorAt(name, `macro "${macro.name}" passed ${args.length} arguments, but takes just ${want}`);
  }
  return { values: args, rparen, variadicOmitted: false };
}

// ---------------------------------------------------------------------------------------------
// One macro invocation's replacement list

/**
 * Builds the replacement of one invocation (6.10.3.1-3): parameters replaced by their
 * pre-expanded arguments (raw next to `#`/`##`), `#` stringizing, `##` pasting with
 * placemarkers, GNU comma elision, `__VA_OPT__`; then every token gets the invocation's hide set.
 */
class Substitution {
  private readonly expansion: MacroExpansion;
  /** Expansion records made after this one belong to this invocation's argument pre-expansion. */
  private readonly serial: number;
  /** Made on first use: most invocations have no argument that expanded further. */
  private relinked?: Map<MacroExpansion, MacroExpansion>;
  private expandedArgs?: (PPToken[] | undefined)[];
  private readonly anchor: SourceLoc;

  constructor(
    private readonly pp: Preprocessor,
    private readonly macro: ObjectMacro | FunctionMacro,
    private readonly name: PPToken,
    private readonly args: Arguments,
    /** The invocation's hide set before adding the macro's own name. */
    private readonly baseHideSet: HideSet,
    private readonly inCondition: boolean,
    anchor: SourceLoc | undefined,
  ) {
    this.expansion = pp.newExpansion(macro.name, spellingOf(name), name.expansion);
    this.serial = pp.serialOf(this.expansion);
    this.anchor = anchor ?? locOf(name);
  }

  run(): PPToken[] {
    const out = this.substitute(this.macro.body);
    const hideSet = this.baseHideSet.with(this.macro.name);
    for (const t of out) t.hideSet = t.hideSet ? t.hideSet.union(hideSet) : hideSet;
    if (out.length > 0) {
      out[0].spaceBefore = this.name.spaceBefore;
      out[0].lineStart = this.name.lineStart;
    }
    return out;
  }

  private substitute(body: readonly BodyItem[]): PPToken[] {
    const out: PPToken[] = [];
    let pendingPaste = false;
    let leftIsPlacemarker = true;
    for (let k = 0; k < body.length; k++) {
      const item = body[k];
      let piece: PPToken[];
      let pasteAfter = item.pasteAfter;
      if (item.gnuComma) {
        const vaItem = body[++k];
        const va = this.args.values[vaItem.param];
        piece = this.args.variadicOmitted ? [] : [this.bodyToken(item), ...this.argumentTokens(va, vaItem)];
        pasteAfter = vaItem.pasteAfter;
      } else if (item.vaOpt) {
        piece = this.variadicPresent() ? this.substitute(item.vaOpt) : this.preExpandOnly(item.vaOpt);
      } else if (item.stringize) {
        piece = [this.stringize(item)];
      } else if (item.param >= 0) {
        const raw = pendingPaste || item.pasteAfter;
        piece = this.argumentTokens(raw ? this.args.values[item.param] : this.expandedArgument(item.param), item);
      } else {
        piece = [this.bodyToken(item)];
      }
      if (pendingPaste && !leftIsPlacemarker) {
        // An empty right operand (a placemarker) leaves the left one as it is.
        if (piece.length > 0) {
          out.push(this.paste(out.pop()!, piece[0]));
          for (let p = 1; p < piece.length; p++) out.push(piece[p]);
        }
      } else {
        for (const p of piece) out.push(p);
        leftIsPlacemarker = piece.length === 0;
      }
      pendingPaste = pasteAfter;
    }
    return out;
  }

  /**
   * An absent __VA_OPT__ group still has its arguments pre-expanded, as gcc does, so that
   * errors and __COUNTER__ inside them behave the same.
   */
  private preExpandOnly(items: readonly BodyItem[]): PPToken[] {
    items.forEach((item, k) => {
      const raw = item.stringize || item.pasteAfter || (k > 0 && items[k - 1].pasteAfter);
      if (item.param >= 0 && !raw) this.expandedArgument(item.param);
      if (item.vaOpt) this.preExpandOnly(item.vaOpt);
    });
    return [];
  }

  /** For __VA_OPT__: whether the variable arguments expand to at least one token (as gcc 12). */
  private variadicPresent(): boolean {
    const macro = this.macro;
    return macro.kind === 'function' && this.expandedArgument(macro.params.length - 1).length > 0;
  }

  private expandedArgument(index: number): PPToken[] {
    this.expandedArgs ??= [];
    let expanded = this.expandedArgs[index];
    if (expanded === undefined) {
      expanded = this.pp.expandArgument(this.args.values[index], this.inCondition, this.anchor);
      this.expandedArgs[index] = expanded;
    }
    return expanded;
  }

  /** A token of the replacement: it stands where the invocation stands. */
  private derive(kind: Token['kind'], text: string, spelling: SourceLoc, expansion: MacroExpansion, spaceBefore: boolean | undefined, hideSet: HideSet | undefined): PPToken {
    const at = this.name;
    this.pp.countWork(this.anchor);
    return { kind, text, file: at.file, line: at.line, col: at.col, spelling, expansion, spaceBefore, lineStart: undefined, hideSet };
  }

  private bodyToken(item: BodyItem): PPToken {
    return this.derive(item.token.kind, item.token.text, item.spelling, this.expansion, item.spaceBefore, undefined);
  }

  private argumentTokens(tokens: readonly PPToken[], param: BodyItem): PPToken[] {
    const out = tokens.map((t) => this.derive(t.kind, t.text, spellingOf(t), this.relink(t.expansion), t.spaceBefore, t.hideSet));
    if (out.length > 0) out[0].spaceBefore = param.spaceBefore;
    return out;
  }

  /**
   * The expansion chain of an argument token as part of this invocation: records made while
   * pre-expanding the argument are re-parented onto this expansion; older context is this
   * expansion's own parent chain already.
   */
  private relink(chain: MacroExpansion | undefined): MacroExpansion {
    if (chain === undefined || this.pp.serialOf(chain) <= this.serial) return this.expansion;
    this.relinked ??= new Map();
    let copy = this.relinked.get(chain);
    if (copy === undefined) {
      copy = this.pp.newExpansion(chain.macro, chain.at, this.relink(chain.parent));
      this.relinked.set(chain, copy);
    }
    return copy;
  }

  /** `#param` (6.10.3.2): spelling with single spaces, `"` and `\` escaped inside literals. */
  private stringize(item: BodyItem): PPToken {
    let text = '';
    this.args.values[item.param].forEach((t, i) => {
      if (i > 0 && t.spaceBefore) text += ' ';
      text += t.kind === 'string' || t.kind === 'char' ? t.text.replace(/[\\"]/g, '\\$&') : t.text;
    });
    if (/(^|[^\\])(\\\\)*\\$/.test(text)) {
      this.pp.warn(this.name, "invalid string literal, ignoring final '\\'");
      text = text.slice(0, -1);
    }
    return this.derive('string', `"${text}"`, item.spelling, this.expansion, item.spaceBefore, undefined);
  }

  /** `left ## right` (6.10.3.3): the joined spelling must lex as exactly one token. */
  private paste(left: PPToken, right: PPToken): PPToken {
    const text = left.text + right.text;
    let lexed: LexToken[] = [];
    try {
      lexed = lexForPreprocessor(text, left.file);
    } catch (e) {
      if (!(e instanceof CompileError)) throw e;
    }
    const only = lexed[0];
    if (lexed.length !== 1 || only.text !== text || only.lexError) {
      throw new CompileError([
        { ...spellingOf(left), severity: 'error', message: `pasting "${left.text}" and "${right.text}" does not give a valid preprocessing token` },
        { ...locOf(this.name), severity: 'note', message: `in expansion of macro '${this.macro.name}'` },
      ]);
    }
    return this.derive(only.kind, text, spellingOf(left), this.expansion, left.spaceBefore, undefined);
  }
}
