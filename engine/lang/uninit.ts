/**
 * The "'x' is used uninitialized" warning: a read of a local that no path from the function's
 * start can have assigned — gcc's -Wuninitialized at -O0, which does not guess about the paths
 * that may or may not assign.
 *
 * A forward analysis over the typed tree in evaluation order keeps the set of locals some path
 * may have assigned: both arms of an `if` join by union, a loop is walked until the set it
 * starts an iteration with stops growing (so a value assigned late in the body counts for the
 * next iteration), break/continue/return/goto make the following code unreachable, and a label
 * starts with what every goto to it carries (the function is walked until that is stable). Only scalar locals that live
 * in registers are judged: one whose address is taken may be assigned through the pointer.
 * Operands of sizeof and typeof are not in the tree, so they are never reads.
 */
import type { Expr, FuncDef, Initializer, Stmt, VarInfo } from './ast';
import type { SourceLoc } from './diagnostics';

/** A set of possibly assigned locals, or `unreachable` (code no path reaches). */
type State = ReadonlySet<VarInfo> | 'unreachable';

function join(a: State, b: State): State {
  if (a === 'unreachable') return b;
  if (b === 'unreachable') return a;
  if (a.size >= b.size && [...b].every((v) => a.has(v))) return a;
  return new Set([...a, ...b]);
}

function joinAll(states: State[]): State {
  let s: State = 'unreachable';
  for (const x of states) s = join(s, x);
  return s;
}

function sameState(a: State, b: State): boolean {
  if (a === 'unreachable' || b === 'unreachable') return a === b;
  return a.size === b.size && [...a].every((v) => b.has(v));
}

interface Jumps {
  breaks: State[];
  continues: State[];
}

export interface UninitializedRead {
  v: VarInfo;
  loc: SourceLoc;
}

export function uninitializedReads(fn: FuncDef): UninitializedRead[] {
  return new Analysis(fn).run();
}

class Analysis {
  /** Locals the analysis judges. */
  private readonly tracked = new Set<VarInfo>();
  private readonly found = new Map<VarInfo, SourceLoc>();
  /** Off while a loop body is walked to find its fixpoint; on for the final walk. */
  private reporting = true;
  private readonly loops: Jumps[] = [];
  private readonly breakables: Jumps[] = [];

  constructor(private readonly fn: FuncDef) {
    for (const v of fn.locals) {
      if (v.kind === 'local' && !v.inMemory && !v.name.startsWith('.') && v.type.kind !== 'struct' && v.type.kind !== 'array') this.tracked.add(v);
    }
  }

  run(): UninitializedRead[] {
    if (this.tracked.size === 0) return [];
    if (this.fn.labels.size > 0) {
      // What reaches each label by a goto, backward ones included: walk until it is stable.
      this.reporting = false;
      for (let i = 0; i < 8; i++) {
        const before = new Map(this.labelIn);
        this.stmt(this.fn.body, new Set());
        if ([...this.labelIn].every(([l, st]) => before.has(l) && sameState(before.get(l)!, st))) break;
      }
      this.reporting = true;
    }
    this.stmt(this.fn.body, new Set());
    return [...this.found].map(([v, loc]) => ({ v, loc }));
  }

  /** States that gotos carry to each label. */
  private readonly labelIn = new Map<string, State>();

  private assign(s: State, v: VarInfo): State {
    if (s === 'unreachable' || !this.tracked.has(v) || s.has(v)) return s;
    return new Set([...s, v]);
  }

  private read(s: State, v: VarInfo, loc: SourceLoc): void {
    if (s === 'unreachable' || !this.tracked.has(v) || s.has(v) || !this.reporting || this.found.has(v)) return;
    this.found.set(v, loc);
  }

  // ---- statements -------------------------------------------------------------------------------

  private stmt(st: Stmt, s: State): State {
    switch (st.k) {
      case 'expr':
        return this.expr(st.e, s);
      case 'decl': {
        if (!st.init) {
          // Each time control passes the declaration the object is indeterminate again.
          if (s === 'unreachable' || !s.has(st.v)) return s;
          const out = new Set(s);
          out.delete(st.v);
          return out;
        }
        return this.assign(this.init(st.init, s), st.v);
      }
      case 'block':
        for (const x of st.body) s = this.stmt(x, s);
        return s;
      case 'if': {
        const c = this.expr(st.c, s);
        return join(this.stmt(st.then, c), st.else ? this.stmt(st.else, c) : c);
      }
      case 'while':
        return this.loop(s, (entry, j) => {
          const c = this.expr(st.c, entry);
          const body = this.stmt(st.body, c);
          return { exit: c, back: join(body, joinAll(j.continues)) };
        });
      case 'dowhile':
        return this.loop(s, (entry, j) => {
          const body = join(this.stmt(st.body, entry), joinAll(j.continues));
          const c = this.expr(st.c, body);
          return { exit: c, back: c };
        });
      case 'for': {
        const start = st.init ? this.stmt(st.init, s) : s;
        return this.loop(start, (entry, j) => {
          const c = st.c ? this.expr(st.c, entry) : entry;
          const body = join(this.stmt(st.body, c), joinAll(j.continues));
          const back = st.step ? this.expr(st.step, body) : body;
          return { exit: st.c ? c : 'unreachable', back };
        });
      }
      case 'switch': {
        const head = this.expr(st.e, s);
        const j: Jumps = { breaks: [], continues: [] };
        this.breakables.push(j);
        const outer = this.switchHead;
        this.switchHead = head;
        const end = this.stmt(st.body, 'unreachable');
        this.switchHead = outer;
        this.breakables.pop();
        return join(join(end, joinAll(j.breaks)), st.defaultId === undefined ? head : 'unreachable');
      }
      case 'case':
        // Reached from the switch's head or by falling through.
        return join(s, this.switchHead);
      case 'break':
        this.breakables[this.breakables.length - 1]?.breaks.push(s);
        return 'unreachable';
      case 'continue':
        this.loops[this.loops.length - 1]?.continues.push(s);
        return 'unreachable';
      case 'return':
        if (st.e) this.expr(st.e, s);
        return 'unreachable';
      case 'goto':
        this.labelIn.set(st.label, join(this.labelIn.get(st.label) ?? 'unreachable', s));
        return 'unreachable';
      case 'label':
        return join(s, this.labelIn.get(st.label) ?? 'unreachable');
      case 'empty':
        return s;
    }
  }

  private switchHead: State = 'unreachable';

  /**
   * A loop: `iterate(entry)` walks one iteration from `entry` and says where the loop exits and
   * what state goes back to the top. The entry grows until it is stable; then one last walk
   * reports the reads.
   */
  private loop(start: State, iterate: (entry: State, j: Jumps) => { exit: State; back: State }): State {
    const saved = this.reporting;
    const savedHead = this.switchHead;
    let entry = start;
    this.reporting = false;
    for (let i = 0; i < 8; i++) {
      const j: Jumps = { breaks: [], continues: [] };
      this.loops.push(j);
      this.breakables.push(j);
      const r = iterate(entry, j);
      this.loops.pop();
      this.breakables.pop();
      const next = join(entry, r.back);
      if (sameState(next, entry)) break;
      entry = next;
    }
    this.reporting = saved;
    this.switchHead = savedHead;
    const j: Jumps = { breaks: [], continues: [] };
    this.loops.push(j);
    this.breakables.push(j);
    const r = iterate(entry, j);
    this.loops.pop();
    this.breakables.pop();
    return join(r.exit, joinAll(j.breaks));
  }

  // ---- expressions ------------------------------------------------------------------------------

  private init(init: Initializer, s: State): State {
    for (const it of init.items) if (it.expr) s = this.expr(it.expr, s);
    return s;
  }

  /** Walks `e` in evaluation order; returns the state after it. */
  private expr(e: Expr, s: State): State {
    switch (e.k) {
      case 'var':
        this.read(s, e.v, e.loc);
        return s;
      case 'num':
      case 'fnum':
      case 'str':
      case 'nop':
        return s;
      case 'unary':
      case 'builtin':
      case 'cast':
      case 'decay':
      case 'deref':
      case 'member':
        return this.expr(e.e, s);
      case 'addr':
        // The address escapes: the object may be written through it.
        return e.e.k === 'var' ? this.assign(s, e.e.v) : this.lvalue(e.e, s);
      case 'binary':
      case 'cmp':
      case 'ptrdiff':
      case 'comma':
        return this.expr(e.r, this.expr(e.l, s));
      case 'logand':
      case 'logor': {
        const l = this.expr(e.l, s);
        return join(l, this.expr(e.r, l));
      }
      case 'ptradd':
        return this.expr(e.i, this.expr(e.p, s));
      case 'cond': {
        const c = this.expr(e.c, s);
        return join(this.expr(e.t, c), this.expr(e.f, c));
      }
      case 'assign': {
        const t = this.lvalue(e.target, s);
        const v = this.expr(e.value, t);
        return e.target.k === 'var' ? this.assign(v, e.target.v) : v;
      }
      case 'opassign':
      case 'incdec': {
        const t = this.expr(e.target, s);
        const v = e.k === 'opassign' ? this.expr(e.value, t) : t;
        return e.target.k === 'var' ? this.assign(v, e.target.v) : v;
      }
      case 'call': {
        let x = this.expr(e.callee, s);
        for (const a of e.args) x = this.expr(a, x);
        return x;
      }
      case 'stmtexpr': {
        let x = s;
        for (const st of e.body) x = this.stmt(st, x);
        return e.result ? this.expr(e.result, x) : x;
      }
      case 'vastart':
        return e.ap.k === 'var' ? this.assign(s, e.ap.v) : this.lvalue(e.ap, s);
      case 'vaarg':
        return this.expr(e.ap, s);
      case 'vacopy': {
        const x = this.expr(e.src, s);
        return e.dst.k === 'var' ? this.assign(x, e.dst.v) : this.lvalue(e.dst, x);
      }
      case 'complit':
        return this.init(e.init, s);
    }
  }

  /** The reads inside an lvalue (its subscripts, the pointer it goes through), not of itself. */
  private lvalue(e: Expr, s: State): State {
    switch (e.k) {
      case 'var':
        return s;
      case 'member':
        return this.lvalue(e.e, s);
      default:
        return this.expr(e, s);
    }
  }
}
