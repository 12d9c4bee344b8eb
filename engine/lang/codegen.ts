/**
 * Compiles a typed function into ops for the executor.
 *
 * An op is the unit the machine can stop between and restart: every op first computes (loads may
 * fault), then performs at most one store, then writes registers. A fault therefore never leaves
 * an op half done, and the run loop can re-run it after the kernel handled the fault — the way a
 * CPU restarts the faulting instruction. To keep that invariant, side effects inside expressions
 * (assignments, ++, calls, statement expressions) are hoisted into their own ops and their values
 * parked in temporary registers.
 */
import type { Cpu, Mode } from '../machine/cpu';
import type { Executor } from '../exec/executor';
import { OP_SWITCH, type Callable, type CFrame, type CompiledFunction, type LocalDebug, type Op, type ParamSlot, type Value } from '../exec/types';
import { add64, mul64, sub64, divS64, norm64, type I64 } from '../util/int64';
import type { SourceLoc } from '../util/loc';
import type { Expr, FuncDef, Initializer, Stmt, VarInfo } from './ast';
import { alignOf, roundUp, sizeOf, typeToString, type CType, type FieldInfo, type TypeSystem } from './types';
import {
  addressAdd, binaryFn, compareFn, convertValue, is64, isFloatVK, makeLoad, makeStore, unaryFn, vkOf, type Rv, type VK,
} from './values';
import { evalConst } from './consteval';
import { fuseLoops, type Counter, type LoopShape } from './fuse';
import { HoistPlan, PointerCell, type CellStore } from './hoist';
import { ArrayBase, FrameBase, PageRunPlan, RunSite, regUpdateRunOp, siteLoad, storeRunOp, type RunForm } from './pagerun';
import { accumulateKernel, fissionLegal, storeKernel, type FissionInfo } from './fission';
import { evalBitBuiltin } from './builtins';
import { accumulatorKind, binaryI32, compareTest, loadAt, loadIndexed, loadKindIndex, storeIndexedOp, ptrAddConstReg, ptrAddLoadedReg, ptrAddReg, ptrAddRegs, regStepOp, regStoreOp, regUpdateOp, regUpdateIndexedOp, storeOp, type AddrShape, type Leaf } from './hotops';

export interface CodegenEnv {
  ts: TypeSystem;
  cpu: Cpu;
  exec: Executor;
  mode: Mode;
  unit: string;
  /** Address of a global object, string literal or function. */
  addressOf(v: VarInfo): I64;
  /** What a direct call to this function symbol reaches. */
  callableOf(v: VarInfo): Callable | undefined;
  resolve(addr: I64): Callable | undefined;
}

type Temp = { k: 'temp'; type: CType; slot: number; loc: SourceLoc };
type MemTemp = { k: 'memtemp'; type: CType; offset: number; loc: SourceLoc };
type CExpr = Expr | Temp | MemTemp;

class Label {
  pc = -1;
}

interface OpSpec {
  make: (next: number, targets: number[]) => Op;
  targets: Label[];
  loc: SourceLoc;
  stmt: boolean;
  /** Ops that leave the frame (a call, a return) end a fused loop's reach. */
  leaves?: boolean;
  /** All the op writes, when it is one of the shapes hoist.ts reasons about. */
  effect?: OpEffect;
  /** How the op runs inside a page run (pagerun.ts), when it can. */
  run?: RunForm;
}

/**
 * A register write, a store `p[i] = v` through a pointer variable's cell, or a store `p[i] = v`
 * with p in a register (which hoist.ts cannot reason about, but a page run can).
 */
/** What runShape finds in a value. */
interface RunShape {
  reads: number[];
  loads: boolean;
  trapFree: boolean;
  conditionalLoads: boolean;
}

type OpEffect = { k: 'reg'; slot: number } | { k: 'cellStore'; store: CellStore; index: number } | { k: 'store' };

export function compileFunction(def: FuncDef, env: CodegenEnv, address: I64): CompiledFunction {
  return new FnCompiler(def, env).compile(address);
}

/**
 * Compiles a side-effect-free expression for the debugger: its value, and its address when it
 * designates an object in memory. Assignments and calls are refused (the caller handles a
 * top-level assignment itself).
 */
export function compileDebugExpression(e: Expr, env: CodegenEnv): { value: Rv; address: Rv | undefined } {
  const stub = { v: { name: '<expr>' }, type: { ret: e.type, variadic: false }, params: [], locals: [], loc: e.loc, endLoc: e.loc } as unknown as FuncDef;
  const c = new FnCompiler(stub, env);
  const lvalue = e.k === 'var' ? e.v.kind !== 'func' && (e.v.inMemory || (e.v.kind !== 'local' && e.v.kind !== 'param')) : e.k === 'deref' || e.k === 'member' || e.k === 'str';
  const pure = c.isPure(e);
  if (!pure) throw new Error('only expressions without side effects can be evaluated here (no assignments, increments or calls)');
  const value = e.type.kind === 'struct' || e.type.kind === 'array' ? c.addr(e) : c.value(e);
  return { value, address: lvalue ? c.addr(e) : undefined };
}

class FnCompiler {
  private readonly specs: OpSpec[] = [];
  private regCount = 0;
  private frameBytes = 0;
  private readonly ptrBytes: number;
  private readonly cpu: Cpu;
  private readonly mode: Mode;
  private readonly exec: Executor;
  private readonly addAddr: (p: Value, d: number) => number | bigint;
  private breakLabels: Label[] = [];
  private continueLabels: Label[] = [];
  private readonly gotoLabels = new Map<string, Label>();
  private caseLabels = new Map<number, Label>();
  private pendingStmt: SourceLoc | undefined;
  private curLoc: SourceLoc;
  private readonly locals: LocalDebug[] = [];
  private readonly openLocals: LocalDebug[][] = [];
  /** Innermost loops without calls, fused once the ops exist. */
  private readonly loops: LoopShape[] = [];
  /** Pointer variables at fixed addresses that `p[i]` reads, by address (hoist.ts). */
  private readonly pointerCells = new Map<number, PointerCell>();
  /** While runValue compiles: the `p[i]` loads met so far (read from run sites), and a miss. */
  private runLoads: RunSite[] | undefined;
  private runLoadsFailed = false;

  constructor(private readonly def: FuncDef, private readonly env: CodegenEnv) {
    this.ptrBytes = env.ts.abi.ptrBytes;
    this.cpu = env.cpu;
    this.mode = env.mode;
    this.exec = env.exec;
    this.addAddr = addressAdd(this.ptrBytes);
    this.curLoc = def.loc;
  }

  compile(address: I64): CompiledFunction {
    this.assignStorage();
    const params: ParamSlot[] = this.def.params.map((p) => {
      if (!p.inMemory) return { reg: p.slot, frameOffset: 0 };
      const k = this.vk(p.type);
      const store = k === 'struct' ? this.bytesStore(sizeOf(p.type)) : makeStore(this.cpu, this.mode, k);
      return { reg: -1, frameOffset: p.frameOffset, store };
    });
    this.openLocals.push([]);
    for (const p of this.def.params) this.declareDebug(p, true);
    this.block(this.def.body.body);
    // Falling off the end returns (garbage for non-void, like the real thing: 0 here).
    this.startStmt(this.def.endLoc);
    this.emit(() => () => this.exec.returnFromC(this.def.type.ret.kind === 'struct' ? new Uint8Array(sizeOf(this.def.type.ret)) : 0), [], this.def.endLoc);
    this.markLeaves();
    this.closeLocals();
    for (const [name, l] of this.gotoLabels) if (l.pc < 0) throw new Error(`label ${name} not placed`);
    const n = this.specs.length;
    const ops: Op[] = new Array(n);
    const locs: SourceLoc[] = new Array(n);
    const stmtStart = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const s = this.specs[i];
      ops[i] = s.make(i + 1, s.targets.map((l) => l.pc));
      locs[i] = s.loc;
      stmtStart[i] = s.stmt ? 1 : 0;
    }
    const fn: CompiledFunction = {
      kind: 'c',
      name: this.def.v.name,
      address,
      mode: this.mode,
      ops,
      locs,
      stmtStart,
      stops: new Uint8Array(n),
      regCount: this.regCount,
      frameBytes: roundUp(this.frameBytes, 16),
      params,
      variadic: this.def.type.variadic,
      vaSlotBytes: 8,
      locals: this.locals,
      file: this.def.loc.file,
      loc: this.def.loc,
      endLoc: this.def.endLoc,
      unit: this.env.unit,
      def: this.def,
    };
    fuseLoops(fn, this.exec, this.loops);
    return fn;
  }

  // ---- storage ----------------------------------------------------------------------------------

  private assignStorage(): void {
    for (const v of [...this.def.params, ...this.def.locals]) {
      if (v.inMemory || v.type.kind === 'struct' || v.type.kind === 'array') {
        v.inMemory = true;
        v.frameOffset = this.allocFrame(sizeOf(v.type), Math.max(alignOf(v.type), v.align ?? 1));
      } else {
        v.slot = this.regCount++;
      }
    }
  }

  private allocFrame(size: number, align: number): number {
    this.frameBytes = roundUp(this.frameBytes, Math.max(align, 1));
    const off = this.frameBytes;
    this.frameBytes += Math.max(size, 1);
    return off;
  }

  private newTemp(type: CType, loc: SourceLoc): Temp | MemTemp {
    if (type.kind === 'struct' || type.kind === 'array') return { k: 'memtemp', type, offset: this.allocFrame(sizeOf(type), alignOf(type)), loc };
    return { k: 'temp', type, slot: this.regCount++, loc };
  }

  private declareDebug(v: VarInfo, isParam: boolean): void {
    if (v.name.startsWith('.')) return;
    const d: LocalDebug = {
      name: v.name, typeName: typeToString(v.type), type: v.type, storage: v.inMemory ? 'mem' : 'reg', slot: v.slot, frameOffset: v.frameOffset,
      fromPc: this.specs.length, toPc: -1, isParam,
    };
    this.locals.push(d);
    this.openLocals[this.openLocals.length - 1].push(d);
  }

  private closeLocals(): void {
    for (const d of this.openLocals.pop() ?? []) d.toPc = this.specs.length;
  }

  // ---- emission ---------------------------------------------------------------------------------

  private vk(t: CType): VK {
    return vkOf(t, this.ptrBytes);
  }

  private emit(make: OpSpec['make'], targets: Label[] = [], loc: SourceLoc = this.curLoc): void {
    const stmt = this.pendingStmt !== undefined;
    this.specs.push({ make, targets, loc: this.pendingStmt ?? loc, stmt });
    this.pendingStmt = undefined;
  }

  /** Emits an op whose only write is `effect` (and how it runs in a page run, if it can). */
  private emitEffect(effect: OpEffect, make: OpSpec['make'], run?: RunForm): void {
    this.emit(make);
    const spec = this.specs[this.specs.length - 1];
    spec.effect = effect;
    spec.run = run;
  }

  private place(l: Label): void {
    l.pc = this.specs.length;
  }

  private startStmt(loc: SourceLoc): void {
    this.pendingStmt = loc;
    this.curLoc = loc;
  }

  private jump(l: Label): void {
    this.emit((_, [t]) => () => t, [l]);
  }

  /** Jumps to `l` when the condition is false (or true with `when`). */
  private branch(c: Expr, l: Label, when: boolean): (f: CFrame) => boolean {
    const e = this.hoist(c);
    const test = this.truth(e);
    this.emit((next, [t]) => (when ? (f) => (test(f) ? t : next) : (f) => (test(f) ? next : t)), [l]);
    return test;
  }

  /**
   * Records a loop for fusion: its condition is the single op at `top`, the jump back is the op
   * before `exit`, nothing in between calls or returns, and no loop inside it was fused.
   */
  private noteLoop(top: number, exit: number, condOps: number, test: (f: CFrame) => boolean, counter?: Counter): void {
    if (condOps !== 1) return;
    let straight = true;
    for (let pc = top + 1; pc < exit - 1; pc++) {
      const s = this.specs[pc];
      if (s.leaves) return;
      if (s.targets.length > 0) straight = false;
    }
    if (this.loops.some((l) => l.top > top && l.top < exit)) return;
    const hoist = straight && counter ? this.hoistPlan(top + 1, exit - 2, counter) : undefined;
    const pageRun = straight && counter ? this.pageRunPlan(top + 1, exit - 2, counter, hoist) : undefined;
    this.loops.push({ top, exit, test, straight, counter, hoist, pageRun });
  }

  /**
   * Page runs for a counted loop (pagerun.ts): when every op of the body (pcs from..to-1) has a
   * run form (its memory accesses are all `p[i]`, runShape), every `p[i]` is indexed by the
   * counter with p a register the body leaves alone, a pointer variable the loop hoists or an
   * array, and no op writes the counter or the bound.
   */
  private pageRunPlan(from: number, to: number, counter: Counter, hoist: HoistPlan | undefined): LoopShape['pageRun'] {
    const bound = 'reg' in counter.bound ? counter.bound.reg : -1;
    const written = new Set<number>();
    const sites: RunSite[] = [];
    for (let pc = from; pc < to; pc++) {
      const { effect, run } = this.specs[pc];
      if (effect === undefined || run === undefined) return undefined;
      if (effect.k === 'reg') written.add(effect.slot);
      sites.push(...run.sites);
    }
    if (sites.length === 0 || written.has(counter.slot) || written.has(bound)) return undefined;
    for (const s of sites) {
      if (s.index !== counter.slot) return undefined;
      if (typeof s.base === 'number' ? written.has(s.base) || s.base === counter.slot : s.base instanceof PointerCell && hoist === undefined) return undefined;
    }
    const ops = [];
    const infos: FissionInfo[] = [];
    for (let pc = from; pc < to; pc++) {
      const run = this.specs[pc].run!;
      ops.push(run.make ?? ((next: number) => this.specs[pc].make(next, [])));
      infos.push(run.fission);
      for (const s of run.sites) s.op = pc - from;
    }
    const plan = new PageRunPlan(this.cpu, this.mode, sites, counter.slot, counter.delta, this.ptrBytes === 4);
    return { plan, ops, fission: fissionLegal(infos, counter.slot) ? infos : undefined };
  }

  /**
   * What a page run needs to know of a value, in one walk: undefined when it touches memory other
   * than by `p[i]` loads (runIndexed) or calls anything; else the registers it reads (the loads'
   * pointer and index included), whether it loads at all, whether it can trap (a division by
   * anything but a constant other than 0 and -1) and whether a load sits under ?:, && or ||
   * (it then happens on some iterations only).
   */
  private runShape(e: CExpr): RunShape | undefined {
    const shape: RunShape = { reads: [], loads: false, trapFree: true, conditionalLoads: false };
    const walk = (x: CExpr, under: boolean): boolean => {
      const l = this.leaf(x);
      if (l !== undefined) {
        if (l.k === 'reg') shape.reads.push(l.slot);
        return true;
      }
      switch (x.k) {
        case 'unary':
        case 'cast':
        case 'builtin':
          return walk(x.e, under);
        case 'binary':
          if (x.op === '/' || x.op === '%') {
            const d = this.leaf(x.r);
            if (d?.k !== 'const' || d.v === 0 || d.v === -1 || d.v === 0n || d.v === -1n) shape.trapFree = false;
          }
          return walk(x.l, under) && walk(x.r, under);
        case 'cmp':
        case 'ptrdiff':
          return walk(x.l, under) && walk(x.r, under);
        case 'logand':
        case 'logor':
          return walk(x.l, under) && walk(x.r, true);
        case 'ptradd':
          return walk(x.p, under) && walk(x.i, under);
        case 'cond':
          return walk(x.c, under) && walk(x.t, true) && walk(x.f, true);
        case 'deref': {
          const ix = this.runIndexed(x);
          if (ix === undefined) return false;
          shape.loads = true;
          shape.conditionalLoads ||= under;
          shape.reads.push(ix.i);
          if (typeof ix.base === 'number') shape.reads.push(ix.base);
          return true;
        }
        default:
          return false;
      }
    };
    return walk(e, false) ? shape : undefined;
  }

  /**
   * How a value the op computes (`plain` is its closure) is computed inside a page run: the same
   * closure when it reads no memory, else one whose `p[i]` loads read their run sites.
   */
  private runValue(e: CExpr, plain: Rv): (RunShape & { v: Rv; sites: RunSite[] }) | undefined {
    const shape = this.runShape(e);
    if (shape === undefined) return undefined;
    if (!shape.loads) return { ...shape, v: plain, sites: [] };
    const sites: RunSite[] = [];
    this.runLoads = sites;
    this.runLoadsFailed = false;
    try {
      const v = this.value(e);
      if (shape.conditionalLoads) for (const s of sites) s.conditional = true;
      return this.runLoadsFailed ? undefined : { ...shape, v, sites };
    } finally {
      this.runLoads = undefined;
    }
  }

  /**
   * Pointer variables a counted loop may read once on entry (hoist.ts): when each op of the body
   * (pcs from..to-1, the step excluded) writes only a register that is neither the counter nor
   * the bound, or stores through a pointer variable indexed by the counter.
   */
  private hoistPlan(from: number, to: number, counter: Counter): HoistPlan | undefined {
    if (this.pointerCells.size === 0) return undefined;
    const bound = 'reg' in counter.bound ? counter.bound.reg : -1;
    const stores: CellStore[] = [];
    for (let pc = from; pc < to; pc++) {
      const e = this.specs[pc].effect;
      // A store through a register pointer could reach a pointer variable.
      if (e === undefined || e.k === 'store') return undefined;
      if (e.k === 'reg' && (e.slot === counter.slot || e.slot === bound)) return undefined;
      if (e.k === 'cellStore') {
        if (e.index !== counter.slot) return undefined;
        stores.push(e.store);
      }
    }
    return new HoistPlan(this.cpu, this.mode, [...this.pointerCells.values()], stores, counter);
  }

  /**
   * `i < n` (or <=, !=, >, >=) with `i++`/`i--` on an int in a register and n a register or
   * constant: the fused loop then steps and tests the counter itself.
   */
  private counterOf(c: Expr, step: Expr): Counter | undefined {
    if (c.k !== 'cmp' || this.vk(c.opType) !== 'i32' || c.op === '==') return undefined;
    if (step.k !== 'incdec' || this.vk(step.type) !== 'i32') return undefined;
    const target = this.leaf(step.target);
    const l = this.leaf(c.l);
    const r = this.leaf(c.r);
    if (target?.k !== 'reg' || l?.k !== 'reg' || l.slot !== target.slot || !r) return undefined;
    if (r.k === 'const' && typeof r.v !== 'number') return undefined;
    return { slot: target.slot, delta: step.delta, cmp: c.op, bound: r.k === 'reg' ? { reg: r.slot } : { value: r.v as number } };
  }

  // ---- statements -----------------------------------------------------------------------------

  private block(body: Stmt[]): void {
    for (const s of body) this.stmt(s);
  }

  private stmt(s: Stmt): void {
    switch (s.k) {
      case 'expr':
        this.startStmt(s.loc);
        this.effect(s.e);
        return;
      case 'decl':
        this.startStmt(s.loc);
        this.declareDebug(s.v, false);
        if (s.init) this.initLocal(s.v, s.init);
        return;
      case 'block':
        this.openLocals.push([]);
        this.block(s.body);
        this.closeLocals();
        return;
      case 'if': {
        this.startStmt(s.loc);
        const elseL = new Label();
        const endL = new Label();
        this.branch(s.c, elseL, false);
        this.stmt(s.then);
        if (s.else) {
          this.jump(endL);
          this.place(elseL);
          this.stmt(s.else);
          this.place(endL);
        } else this.place(elseL);
        return;
      }
      case 'while': {
        const top = new Label();
        const end = new Label();
        this.place(top);
        this.startStmt(s.loc);
        const test = this.branch(s.c, end, false);
        const condOps = this.specs.length - top.pc;
        this.loop(s.body, end, top);
        this.jump(top);
        this.place(end);
        this.noteLoop(top.pc, end.pc, condOps, test);
        return;
      }
      case 'dowhile': {
        const top = new Label();
        const cont = new Label();
        const end = new Label();
        this.place(top);
        this.loop(s.body, end, cont);
        this.place(cont);
        this.startStmt(s.condLoc);
        this.branch(s.c, top, true);
        this.place(end);
        return;
      }
      case 'for': {
        this.openLocals.push([]);
        if (s.init) {
          if (s.init.k === 'expr') {
            this.startStmt(s.loc);
            this.effect(s.init.e);
          } else this.stmt(s.init);
        }
        const top = new Label();
        const cont = new Label();
        const end = new Label();
        this.place(top);
        let test: ((f: CFrame) => boolean) | undefined;
        if (s.c) {
          this.curLoc = s.loc;
          test = this.branch(s.c, end, false);
        }
        const condOps = this.specs.length - top.pc;
        this.loop(s.body, end, cont);
        this.place(cont);
        const stepAt = this.specs.length;
        if (s.step) {
          this.startStmt(s.loc);
          this.effect(s.step);
        }
        const counter = s.c && s.step && this.specs.length === stepAt + 1 ? this.counterOf(s.c, s.step) : undefined;
        this.jump(top);
        this.place(end);
        if (test) this.noteLoop(top.pc, end.pc, condOps, test, counter);
        this.closeLocals();
        return;
      }
      case 'switch':
        return this.switchStmt(s);
      case 'case': {
        const l = this.caseLabels.get(s.id)!;
        this.place(l);
        return;
      }
      case 'break':
        this.startStmt(s.loc);
        this.jump(this.breakLabels[this.breakLabels.length - 1]);
        return;
      case 'continue':
        this.startStmt(s.loc);
        this.jump(this.continueLabels[this.continueLabels.length - 1]);
        return;
      case 'return':
        this.startStmt(s.loc);
        return this.returnStmt(s.e);
      case 'goto':
        this.startStmt(s.loc);
        this.jump(this.gotoLabel(s.label));
        return;
      case 'label':
        this.place(this.gotoLabel(s.label));
        return;
      case 'empty':
        return;
    }
  }

  private gotoLabel(name: string): Label {
    let l = this.gotoLabels.get(name);
    if (!l) {
      l = new Label();
      this.gotoLabels.set(name, l);
    }
    return l;
  }

  private loop(body: Stmt, brk: Label, cont: Label): void {
    this.breakLabels.push(brk);
    this.continueLabels.push(cont);
    this.stmt(body);
    this.breakLabels.pop();
    this.continueLabels.pop();
  }

  private switchStmt(s: Stmt & { k: 'switch' }): void {
    this.startStmt(s.loc);
    const e = this.hoist(s.e);
    const v = this.value(e);
    const end = new Label();
    const saved = this.caseLabels;
    this.caseLabels = new Map();
    const labels: Label[] = [];
    const singles: { value: I64; idx: number }[] = [];
    const ranges: { lo: I64; hi: I64; idx: number }[] = [];
    for (const c of s.cases) {
      const l = new Label();
      this.caseLabels.set(c.id, l);
      const idx = labels.push(l) - 1;
      if (c.lo === c.hi) singles.push({ value: c.lo, idx });
      else ranges.push({ lo: c.lo, hi: c.hi, idx });
    }
    const dflt = new Label();
    if (s.defaultId !== undefined) this.caseLabels.set(s.defaultId, dflt);
    const hasDefault = s.defaultId !== undefined;
    const unsigned = this.vk(s.e.type) === 'u64' || this.vk(s.e.type) === 'u32';
    const cmp = compareFn('<=', unsigned ? 'u64' : 'i64');
    this.emit((next, t) => {
      const table = new Map<Value, number>();
      for (const x of singles) table.set(x.value, t[x.idx]);
      const rs = ranges.map((r) => ({ lo: r.lo, hi: r.hi, pc: t[r.idx] }));
      const fallback = hasDefault ? t[labels.length] : t[labels.length + 1];
      return (f) => {
        const x = v(f);
        const hit = table.get(x);
        if (hit !== undefined) return hit;
        for (const r of rs) if (cmp(r.lo, x) && cmp(x, r.hi)) return r.pc;
        return fallback;
      };
    }, [...labels, dflt, end]);
    this.breakLabels.push(end);
    this.stmt(s.body);
    this.breakLabels.pop();
    this.place(end);
    this.caseLabels = saved;
  }

  private returnStmt(e: Expr | undefined): void {
    if (!e) {
      this.emit(() => () => this.exec.returnFromC(0));
      this.markLeaves();
      return;
    }
    if (e.type.kind === 'void') {
      this.effect(e);
      this.emit(() => () => this.exec.returnFromC(0));
      this.markLeaves();
      return;
    }
    const h = this.hoist(e);
    const v = this.value(h);
    this.emit(() => (f) => this.exec.returnFromC(v(f)));
    this.markLeaves();
  }

  /** The op just emitted leaves the frame. */
  private markLeaves(): void {
    this.specs[this.specs.length - 1].leaves = true;
  }

  // ---- locals with initializers --------------------------------------------------------------

  private initLocal(v: VarInfo, init: Initializer): void {
    const target: CExpr = { k: 'var', type: v.type, v, loc: v.loc };
    this.initObject(target, init);
  }

  /** Zero-fills an object in memory (when the initializer does not cover it), then stores each item. */
  private initObject(target: CExpr, init: Initializer): void {
    const t = target.type;
    if (t.kind !== 'struct' && t.kind !== 'array') {
      const item = init.items[0];
      const value: Expr = item?.expr ?? { k: 'num', type: t, value: 0, loc: target.loc };
      this.assignTo(target, value, undefined);
      return;
    }
    const base = this.addr(target);
    const size = init.sizeBytes;
    const covered = init.items.length === 1 && init.items[0].offset === 0 && (init.items[0].bytes?.length === size || (init.items[0].expr !== undefined && sizeOf(init.items[0].type) === size));
    if (!covered && size > 0) {
      const zeros = new Uint8Array(size);
      this.emit((next) => (f) => {
        this.cpu.writeBytes(base(f) as I64, zeros, this.mode);
        return next;
      }, [], target.loc);
    }
    for (const it of init.items) {
      const at: Rv = it.offset === 0 ? base : (f) => this.addAddr(base(f), it.offset);
      if (it.bytes) {
        const bytes = it.bytes;
        this.emit((next) => (f) => {
          this.cpu.writeBytes(at(f) as I64, bytes, this.mode);
          return next;
        });
        continue;
      }
      const place: CExpr = it.bitField
        ? { k: 'member', type: it.type, e: { k: 'deref', type: t, e: { k: 'nop', type: t, loc: target.loc }, loc: target.loc }, field: { ...it.bitField, offset: 0 }, loc: target.loc }
        : { k: 'deref', type: it.type, e: { k: 'nop', type: this.env.ts.ptr(it.type), loc: target.loc }, loc: target.loc };
      this.withAddressOverride(at, () => this.assignTo(place, it.expr!, undefined));
    }
  }

  private addressOverride: Rv | undefined;

  private withAddressOverride(at: Rv, fn: () => void): void {
    const saved = this.addressOverride;
    this.addressOverride = at;
    try {
      fn();
    } finally {
      this.addressOverride = saved;
    }
  }

  // ---- expressions as statements ------------------------------------------------------------

  /** Compiles an expression evaluated for its side effects. */
  private effect(e: Expr): void {
    switch (e.k) {
      case 'assign':
        return this.assignTo(this.hoistLvalue(e.target), e.value, undefined);
      case 'opassign':
        return this.opAssign(e, undefined);
      case 'incdec':
        return this.incDec(e, undefined);
      case 'call':
        return this.call(e, -1);
      case 'comma':
        this.effect(e.l);
        this.effect(e.r);
        return;
      case 'cast':
        if (e.type.kind === 'void') return this.effect(e.e);
        break;
      case 'stmtexpr':
        this.stmtExpr(e, undefined);
        return;
      case 'vastart':
      case 'vacopy':
      case 'vaarg':
        this.hoist(e);
        return;
      case 'cond':
        if (this.hasSE(e.t) || this.hasSE(e.f)) {
          const elseL = new Label();
          const end = new Label();
          this.branch(e.c, elseL, false);
          this.effect(e.t);
          this.jump(end);
          this.place(elseL);
          this.effect(e.f);
          this.place(end);
          return;
        }
        break;
      case 'logand':
      case 'logor':
        if (this.hasSE(e.r)) {
          const end = new Label();
          this.branch(e.l, end, e.k === 'logor');
          this.effect(e.r);
          this.place(end);
          return;
        }
        break;
      case 'complit':
        this.hoist(e);
        return;
    }
    // A pure expression: evaluate it anyway, for its loads (a NULL dereference must still fault).
    const h = this.hoist(e);
    if (h.type.kind === 'void' || h.k === 'num' || h.k === 'fnum' || h.k === 'temp') return;
    const v = h.type.kind === 'struct' || h.type.kind === 'array' ? this.addr(h) : this.value(h);
    this.emit((next) => (f) => {
      v(f);
      return next;
    });
  }

  isPure(e: Expr): boolean {
    return !this.hasSE(e);
  }

  private hasSE(e: CExpr): boolean {
    switch (e.k) {
      case 'assign':
      case 'opassign':
      case 'incdec':
      case 'call':
      case 'stmtexpr':
      case 'vaarg':
      case 'vastart':
      case 'vacopy':
      case 'complit':
        return true;
      case 'num':
      case 'fnum':
      case 'var':
      case 'str':
      case 'temp':
      case 'memtemp':
      case 'nop':
        return false;
      case 'unary':
      case 'builtin':
      case 'cast':
      case 'decay':
      case 'deref':
      case 'addr':
      case 'member':
        return this.hasSE(e.e);
      case 'binary':
      case 'cmp':
      case 'logand':
      case 'logor':
      case 'comma':
      case 'ptrdiff':
        return this.hasSE(e.l) || this.hasSE(e.r);
      case 'ptradd':
        return this.hasSE(e.p) || this.hasSE(e.i);
      case 'cond':
        return this.hasSE(e.c) || this.hasSE(e.t) || this.hasSE(e.f);
    }
  }

  /** Moves side effects out of an expression into ops before it; returns a pure expression. */
  private hoist(e: CExpr): CExpr {
    if (!this.hasSE(e)) return e;
    switch (e.k) {
      case 'assign': {
        const t = this.newTemp(e.type, e.loc);
        this.assignTo(this.hoistLvalue(e.target), e.value, t);
        return t;
      }
      case 'opassign': {
        const t = this.newTemp(e.type, e.loc);
        this.opAssign(e, t as Temp);
        return t;
      }
      case 'incdec': {
        const t = this.newTemp(e.type, e.loc);
        this.incDec(e, t as Temp);
        return t;
      }
      case 'call': {
        if (e.type.kind === 'void') {
          this.call(e, -1);
          return { k: 'num', type: e.type, value: 0, loc: e.loc };
        }
        const t = this.newTemp(e.type, e.loc);
        if (t.k === 'temp') this.call(e, t.slot);
        else {
          const r = this.newTemp(this.env.ts.long, e.loc) as Temp;
          this.call(e, r.slot);
          const dst = t.offset;
          const n = sizeOf(e.type);
          this.emit((next) => (f) => {
            this.cpu.writeBytes(f.fp + dst, (f.regs[r.slot] as Uint8Array).subarray(0, n), this.mode);
            return next;
          }, [], e.loc);
        }
        return t;
      }
      case 'comma':
        this.effect(e.l as Expr);
        return this.hoist(e.r);
      case 'stmtexpr': {
        const t = e.type.kind === 'void' ? undefined : this.newTemp(e.type, e.loc);
        this.stmtExpr(e, t);
        return t ?? { k: 'num', type: e.type, value: 0, loc: e.loc };
      }
      case 'complit': {
        this.initObject({ k: 'var', type: e.type, v: e.v, loc: e.loc }, e.init);
        return { k: 'var', type: e.type, v: e.v, loc: e.loc };
      }
      case 'vastart': {
        const ap = this.hoistLvalue(e.ap);
        this.storeTo(ap, (f) => f.vaBase, e.loc);
        return { k: 'num', type: e.type, value: 0, loc: e.loc };
      }
      case 'vacopy': {
        const dst = this.hoistLvalue(e.dst);
        const src = this.value(this.hoist(e.src));
        this.storeTo(dst, src, e.loc);
        return { k: 'num', type: e.type, value: 0, loc: e.loc };
      }
      case 'vaarg':
        return this.vaArg(e);
      case 'logand':
      case 'logor': {
        // Lowered to branches: the right side runs only when needed.
        const t = this.newTemp(this.env.ts.int, e.loc) as Temp;
        const end = new Label();
        const isOr = e.k === 'logor';
        const l = this.truth(this.hoist(e.l));
        this.emit((next, [target]) => (f) => {
          const b = l(f);
          f.regs[t.slot] = b ? 1 : 0;
          return b === isOr ? target : next;
        }, [end], e.loc);
        const r = this.truth(this.hoist(e.r));
        this.emit((next) => (f) => {
          f.regs[t.slot] = r(f) ? 1 : 0;
          return next;
        }, [], e.loc);
        this.place(end);
        return t;
      }
      case 'cond':
        return this.lowerCond(e);
      case 'unary':
      case 'builtin':
        return { ...e, e: this.hoist(e.e) } as Expr;
      case 'cast':
      case 'decay':
      case 'deref':
        return { ...e, e: this.hoist(e.e) } as Expr;
      case 'addr':
        return { ...e, e: this.hoistLvalue(e.e) } as Expr;
      case 'member':
        return { ...e, e: this.hoistMemberBase(e.e) } as Expr;
      case 'binary':
      case 'cmp':
      case 'ptrdiff': {
        const l = this.hoist(e.l);
        const r = this.hoist(e.r);
        return { ...e, l, r } as Expr;
      }
      case 'ptradd': {
        const p = this.hoist(e.p);
        const i = this.hoist(e.i);
        return { ...e, p, i } as Expr;
      }
      default:
        return e;
    }
  }

  /** `c ? t : f` as branches that move the chosen value into a temporary. */
  private lowerCond(e: CExpr & { k: 'cond' }): CExpr {
    const t = e.type.kind === 'void' ? undefined : this.newTemp(e.type, e.loc);
    const elseL = new Label();
    const end = new Label();
    this.branch(e.c as Expr, elseL, false);
    this.moveInto(t, e.t);
    this.jump(end);
    this.place(elseL);
    this.moveInto(t, e.f);
    this.place(end);
    return t ?? { k: 'num', type: e.type, value: 0, loc: e.loc };
  }

  /** The base of a member access must be an object in memory: struct rvalues get a memory temp. */
  private hoistMemberBase(e: CExpr): CExpr {
    const h = this.hoist(e);
    if (h.k === 'temp') throw new Error('struct value in a register');
    return h;
  }

  private hoistLvalue(e: CExpr): CExpr {
    switch (e.k) {
      case 'var':
      case 'str':
      case 'temp':
      case 'memtemp':
        return e;
      case 'deref':
        return { ...e, e: this.hoist(e.e) } as Expr;
      case 'member':
        return { ...e, e: this.hoistMemberBase(e.e) } as Expr;
      case 'complit':
        return this.hoist(e);
      default:
        return this.hoist(e);
    }
  }

  /** Evaluates `e` into temp t (or just for effect when t is undefined). */
  private moveInto(t: Temp | MemTemp | undefined, e: CExpr): void {
    if (!t) {
      this.effect(e as Expr);
      return;
    }
    const h = this.hoist(e);
    if (t.k === 'memtemp') {
      const src = this.addr(h);
      const n = sizeOf(t.type);
      this.emit((next) => (f) => {
        this.cpu.writeBytes(f.fp + t.offset, this.cpu.readBytes(src(f) as I64, n, this.mode), this.mode);
        return next;
      });
      return;
    }
    const v = this.value(h);
    this.emit((next) => (f) => {
      f.regs[t.slot] = v(f);
      return next;
    });
  }

  private stmtExpr(e: Expr & { k: 'stmtexpr' }, t: Temp | MemTemp | undefined): void {
    this.openLocals.push([]);
    this.block(e.body);
    if (e.result) this.moveInto(t, e.result);
    this.closeLocals();
  }

  private vaArg(e: Expr & { k: 'vaarg' }): CExpr {
    const ap = this.hoistLvalue(e.ap);
    const apv = this.value(ap);
    const t = this.newTemp(e.type, e.loc);
    const k = this.vk(e.type);
    const slot = 8;
    const advance = (f: CFrame) => this.addAddr(apv(f), slot);
    if (t.k === 'memtemp') {
      const n = sizeOf(e.type);
      const adv = Math.max(8, roundUp(n, 8));
      const bytesStore = (f: CFrame) => this.cpu.writeBytes(f.fp + t.offset, this.cpu.readBytes(apv(f) as I64, n, this.mode), this.mode);
      this.emit((next) => (f) => {
        bytesStore(f);
        return next;
      }, [], e.loc);
      this.storeTo(ap, (f) => this.addAddr(apv(f), adv), e.loc);
      return t;
    }
    const load = makeLoad(this.cpu, this.mode, k, apv);
    if (ap.k === 'temp' || (ap.k === 'var' && !ap.v.inMemory)) {
      const slotIdx = ap.k === 'temp' ? ap.slot : (ap as Expr & { k: 'var' }).v.slot;
      this.emit((next) => (f) => {
        const v = load(f);
        f.regs[slotIdx] = advance(f);
        f.regs[t.slot] = v;
        return next;
      }, [], e.loc);
      return t;
    }
    this.emit((next) => (f) => {
      f.regs[t.slot] = load(f);
      return next;
    }, [], e.loc);
    this.storeTo(ap, advance, e.loc);
    return t;
  }

  /** One op storing a computed value into a (pure) lvalue. */
  private storeTo(target: CExpr, v: Rv, loc: SourceLoc): void {
    const set = this.setter(target);
    this.emit((next) => (f) => {
      set(f, v(f));
      return next;
    }, [], loc);
  }

  /** A function writing a value to an lvalue (a register or memory through the MMU). */
  private setter(target: CExpr): (f: CFrame, v: Value) => void {
    if (target.k === 'temp') {
      const s = target.slot;
      return (f, v) => {
        f.regs[s] = v;
      };
    }
    if (target.k === 'var' && !target.v.inMemory && (target.v.kind === 'local' || target.v.kind === 'param')) {
      const s = target.v.slot;
      return (f, v) => {
        f.regs[s] = v;
      };
    }
    if (target.k === 'member' && target.field.bitWidth !== undefined) return this.bitfieldSetter(target);
    const a = this.addr(target);
    const k = this.vk(target.type);
    if (k === 'struct') {
      const n = sizeOf(target.type);
      return (f, v) => this.cpu.writeBytes(a(f) as I64, (v as Uint8Array).subarray(0, n), this.mode);
    }
    const store = makeStore(this.cpu, this.mode, k);
    return (f, v) => store(a(f) as I64, v);
  }

  private bitfieldSetter(target: CExpr & { k: 'member' }): (f: CFrame, v: Value) => void {
    const fld = target.field;
    const unitAddr = this.addr(target);
    const unitSize = fld.unitBytes ?? sizeOf(fld.type);
    const uk: VK = unitSize === 8 ? 'u64' : unitSize === 4 ? 'u32' : unitSize === 2 ? 'u16' : 'u8';
    const load = makeLoad(this.cpu, this.mode, uk, unitAddr);
    const store = makeStore(this.cpu, this.mode, uk);
    const width = fld.bitWidth!;
    const shift = fld.bitOffset!;
    if (unitSize !== 1 && unitSize !== 2 && unitSize !== 4 && unitSize !== 8) {
      const n = unitSize;
      const mask = ((1n << BigInt(width)) - 1n) << BigInt(shift);
      return (f, v) => {
        const a = unitAddr(f) as I64;
        const old = bytesToBig(this.cpu.readBytes(a, n, this.mode));
        this.cpu.writeBytes(a, bigToBytes((old & ~mask) | ((BigInt(v as I64) << BigInt(shift)) & mask), n), this.mode);
      };
    }
    if (unitSize === 8) {
      const mask = ((1n << BigInt(width)) - 1n) << BigInt(shift);
      return (f, v) => {
        const a = unitAddr(f) as I64;
        const old = BigInt.asUintN(64, BigInt(load(f) as I64));
        const nv = (old & ~mask) | ((BigInt(v as I64) << BigInt(shift)) & mask);
        store(a, BigInt.asIntN(64, nv) >= BigInt(Number.MIN_SAFE_INTEGER) && BigInt.asIntN(64, nv) <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(BigInt.asIntN(64, nv)) : BigInt.asIntN(64, nv));
      };
    }
    const mask = width === 32 ? 0xffffffff : ((1 << width) - 1) << shift;
    return (f, v) => {
      const a = unitAddr(f) as I64;
      const old = load(f) as number;
      const low = typeof v === 'bigint' ? Number(BigInt.asUintN(32, v)) : (v as number);
      const nv = ((old & ~mask) | ((low << shift) & mask)) >>> 0;
      store(a, nv);
    };
  }

  /** One op storing the (pure) value into the (pure) lvalue, in the cheapest form its shape allows. */
  private emitStore(target: CExpr, value: CExpr): void {
    const reg = this.leaf(target);
    if (reg?.k === 'reg') {
      const v = this.value(value);
      const rv = this.runValue(value, v);
      const run = rv && { sites: rv.sites, make: (next: number) => regStoreOp(reg.slot, rv.v, next), fission: { reads: rv.reads, writes: [reg.slot], trapFree: rv.trapFree } };
      this.emitEffect({ k: 'reg', slot: reg.slot }, (next) => regStoreOp(reg.slot, v, next), run);
      return;
    }
    const k = this.vk(target.type);
    if ((target.k === 'member' && target.field.bitWidth !== undefined) || k === 'struct' || k === 'void') {
      const v = this.value(value);
      const set = this.setter(target);
      this.emit((next) => (f) => {
        set(f, v(f));
        return next;
      });
      return;
    }
    // A narrowing integer conversion right before a store is the store's own truncation.
    const v = this.value(isNarrowInt(k) ? this.throughTruncation(value) : value);
    const ix = this.indexed(target);
    if (ix) {
      const slow = this.ptrAdd(ix.scale, false);
      const narrow = this.ptrBytes === 4;
      if (storeIndexedOp(this.cpu, this.mode, k, ix.base, ix.i, ix.scale, slow, narrow, v, 0)) {
        const make = (next: number) => storeIndexedOp(this.cpu, this.mode, k, ix.base, ix.i, ix.scale, slow, narrow, v, next)!;
        const sizeBytes = sizeOf(target.type);
        const run = this.storeRunForm(k, ix, sizeBytes, value, v);
        if (typeof ix.base === 'number') this.emitEffect({ k: 'store' }, make, run);
        else this.emitEffect({ k: 'cellStore', store: { cell: ix.base, scale: ix.scale, sizeBytes }, index: ix.i }, make, run);
        return;
      }
    }
    const at = this.addrShape(target);
    const generic = this.setter(target);
    const make = (next: number) => storeOp(this.cpu, this.mode, k, at, v, next) ?? ((f) => {
      generic(f, v(f));
      return next;
    });
    // An array's element (`buf[i]` with `char buf[N]`, global or local) can still be a run site.
    const ax = this.runIndexed(target);
    if (ax && (ax.base instanceof ArrayBase || ax.base instanceof FrameBase)) this.emitEffect({ k: 'store' }, make, this.storeRunForm(k, ax, sizeOf(target.type), value, v));
    else this.emit(make);
  }

  /** How `p[i] = value` (v computes it) runs in a page run, if it can. */
  private storeRunForm(k: VK, ix: { base: RunSite['base']; i: number; scale: number }, sizeBytes: number, value: CExpr, v: Rv): RunForm | undefined {
    const site = new RunSite(ix.base, ix.i, ix.scale, sizeBytes, true);
    const rv = storeRunOp(k, site, v, 0) ? this.runValue(value, v) : undefined;
    if (!rv) return undefined;
    const reads = [...rv.reads, ix.i, ...(typeof ix.base === 'number' ? [ix.base] : [])];
    const fission = { reads, writes: [], trapFree: rv.trapFree, kernel: storeKernel(k, site, rv.v) };
    return { sites: [site, ...rv.sites], make: (next: number) => storeRunOp(k, site, rv.v, next)!, fission };
  }

  /** Looks through integer casts that a store of at most 32 bits would make anyway. */
  private throughTruncation(e: CExpr): CExpr {
    if (e.k === 'cast' && isNarrowInt(this.vk(e.e.type)) && isNarrowInt(this.vk(e.type))) return this.throughTruncation(e.e);
    return e;
  }

  /** Casts that leave the carried value unchanged (int to long, float to double...). */
  private throughNopCasts(e: CExpr): CExpr {
    while (e.k === 'cast' && e.type.kind !== 'void' && e.e.type.kind !== 'struct' && e.e.type.kind !== 'array' && e.e.type.kind !== 'func') {
      const from = this.vk(e.e.type);
      if (from === 'void' || convertValue(from, this.vk(e.type)) !== undefined) break;
      e = e.e;
    }
    return e;
  }

  /** A register or a constant: an operand a fast path reads without a closure. */
  private leaf(e: CExpr): Leaf | undefined {
    const x = this.throughNopCasts(e);
    if (x.k === 'temp') return { k: 'reg', slot: x.slot };
    if (x.k === 'var' && (x.v.kind === 'local' || x.v.kind === 'param') && !x.v.inMemory) return { k: 'reg', slot: x.v.slot };
    if (x.k === 'num' || x.k === 'fnum') return { k: 'const', v: x.value };
    return undefined;
  }

  private leafOrValue(e: CExpr): Leaf | Rv {
    return this.leaf(e) ?? this.value(e);
  }

  /**
   * A pointer operand that is a global array's address (`array`), or the value of a pointer
   * object at a fixed address (`pointer`, e.g. a driver's `static char *buf`).
   */
  private fixedBase(e: CExpr): { k: 'array' | 'pointer'; a: number } | undefined {
    if (e.k === 'decay' && e.e.type.kind === 'array') {
      const at = this.addrShape(e.e);
      return at.k === 'const' && typeof at.a === 'number' ? { k: 'array', a: at.a } : undefined;
    }
    if ((e.k === 'var' || e.k === 'member' || e.k === 'deref') && e.type.kind === 'ptr' && this.leaf(e) === undefined) {
      const at = this.addrShape(e);
      return at.k === 'const' && typeof at.a === 'number' ? { k: 'pointer', a: at.a } : undefined;
    }
    return undefined;
  }

  /** Where a memory lvalue is: a fixed address, a frame slot, or a computed address. */
  private addrShape(e: CExpr): AddrShape {
    switch (e.k) {
      case 'var':
        if (e.v.kind === 'local' || e.v.kind === 'param') {
          if (e.v.inMemory) return { k: 'frame', off: e.v.frameOffset };
          break;
        }
        return { k: 'const', a: this.env.addressOf(e.v) };
      case 'str':
      case 'complit':
        return e.v.kind === 'local' ? { k: 'frame', off: e.v.frameOffset } : { k: 'const', a: this.env.addressOf(e.v) };
      case 'memtemp':
        return { k: 'frame', off: e.offset };
      case 'member': {
        if (e.field.bitWidth !== undefined) break;
        const base = this.addrShape(e.e);
        if (base.k === 'frame') return { k: 'frame', off: base.off + e.field.offset };
        if (base.k === 'const' && typeof base.a === 'number') return { k: 'const', a: this.addAddr(base.a, e.field.offset) };
        break;
      }
    }
    return { k: 'fn', fn: this.addr(e) };
  }

  /** `target = value` as one op (value's side effects hoisted first); optionally keeps the value in t. */
  private assignTo(target: CExpr, value: Expr, t: Temp | MemTemp | undefined): void {
    if (target.type.kind === 'struct' || target.type.kind === 'array') {
      const src = this.hoist(value);
      const srcAddr = this.addr(src);
      const dst = this.addr(target);
      const n = sizeOf(target.type);
      this.emit((next) => (f) => {
        const bytes = this.cpu.readBytes(srcAddr(f) as I64, n, this.mode);
        this.cpu.writeBytes(dst(f) as I64, bytes, this.mode);
        if (t?.k === 'memtemp') this.cpu.writeBytes(f.fp + t.offset, bytes, this.mode);
        return next;
      });
      return;
    }
    if (!t) {
      this.emitStore(target, this.hoist(value));
      return;
    }
    this.emitStoreWithValue(target, this.setter(target), this.value(this.hoist(value)), (t as Temp).slot);
  }

  /**
   * Stores compute(f) into target and leaves the expression's value in `slot`: the value stored,
   * or for a bitfield what reading it back gives (the store truncates it). The read-back is an op
   * of its own, so a fault in it re-runs the read, not the store.
   */
  private emitStoreWithValue(target: CExpr, set: (f: CFrame, v: Value) => void, compute: Rv, slot: number): void {
    if (target.k === 'member' && target.field.bitWidth !== undefined) {
      const readBack = this.value(target);
      this.emit((next) => (f) => {
        set(f, compute(f));
        return next;
      });
      this.emit((next) => (f) => {
        f.regs[slot] = readBack(f);
        return next;
      });
      return;
    }
    this.emit((next) => (f) => {
      const x = compute(f);
      set(f, x);
      f.regs[slot] = x;
      return next;
    });
  }

  private opAssign(e: Expr & { k: 'opassign' }, t: Temp | undefined): void {
    const target = this.hoistLvalue(e.target);
    const rhsExpr = this.hoist(e.value);
    const rhs = this.value(rhsExpr);
    const cur = this.value(target);
    const tk = this.vk(e.type);
    const reg = this.leaf(target);
    if (!t && reg?.k === 'reg' && e.op !== 'ptradd' && e.op !== 'ptrsub' && tk === this.vk(e.opType)) {
      const op = e.op;
      const loaded = this.throughNopCasts(rhsExpr);
      const ix = this.indexed(loaded);
      if (ix) {
        const lk = this.vk(loaded.type);
        const slow = this.ptrAdd(ix.scale, false);
        const make = (next: number) => regUpdateIndexedOp(this.cpu, this.mode, op, tk, reg.slot, lk, ix.base, ix.i, ix.scale, slow, this.ptrBytes === 4, next);
        if (make(0)) {
          const site = new RunSite(ix.base, ix.i, ix.scale, sizeOf(loaded.type), false);
          const inRun = (next: number) => regUpdateRunOp(op, tk, reg.slot, loadKindIndex(lk), site, next);
          const fission: FissionInfo = {
            reads: [reg.slot, ix.i, ...(typeof ix.base === 'number' ? [ix.base] : [])],
            writes: [reg.slot],
            trapFree: true,
            kernel: accumulateKernel(accumulatorKind(op, tk, loadKindIndex(lk)), op === '-', reg.slot, loadKindIndex(lk), site),
          };
          this.emitEffect({ k: 'reg', slot: reg.slot }, (next) => make(next)!, inRun(0) ? { sites: [site], make: (next) => inRun(next)!, fission } : undefined);
          return;
        }
      }
      const fast = (next: number) => regUpdateOp(op, tk, reg.slot, rhs, next);
      if (fast(0)) {
        const rv = this.runValue(rhsExpr, rhs);
        const inRun = rv && ((next: number) => regUpdateOp(op, tk, reg.slot, rv.v, next));
        const run = rv && inRun && inRun(0) ? { sites: rv.sites, make: (next: number) => inRun(next)!, fission: { reads: [reg.slot, ...rv.reads], writes: [reg.slot], trapFree: rv.trapFree } } : undefined;
        this.emitEffect({ k: 'reg', slot: reg.slot }, (next) => fast(next)!, run);
        return;
      }
    }
    let compute: Rv;
    if (e.op === 'ptradd' || e.op === 'ptrsub') {
      const scale = e.scale;
      const neg = e.op === 'ptrsub';
      const padd = this.ptrAdd(scale, neg);
      compute = (f) => padd(cur(f), rhs(f));
    } else {
      const ok = this.vk(e.opType);
      const up = convertValue(tk, ok);
      const down = convertValue(ok, tk);
      const fn = binaryFn(e.op, ok, this.mode);
      const lhs: Rv = up ? (f) => up(cur(f)) : cur;
      compute = down ? (f) => down(fn(lhs(f), rhs(f))) : (f) => fn(lhs(f), rhs(f));
    }
    this.finishUpdate(target, compute, t, false, cur);
  }

  private incDec(e: Expr & { k: 'incdec' }, t: Temp | undefined): void {
    const target = this.hoistLvalue(e.target);
    const cur = this.value(target);
    const k = this.vk(e.type);
    const reg = this.leaf(target);
    if (!t && reg?.k === 'reg') {
      const delta = e.delta * (e.type.kind === 'ptr' ? e.scale : 1);
      const slot = reg.slot;
      if (regStepOp(k, slot, delta, 0)) {
        this.emitEffect({ k: 'reg', slot }, (next) => regStepOp(k, slot, delta, next)!, { sites: [], fission: { reads: [slot], writes: [slot], trapFree: true } });
        return;
      }
    }
    let compute: Rv;
    if (e.type.kind === 'ptr') {
      const padd = this.ptrAdd(e.scale, e.delta < 0);
      compute = (f) => padd(cur(f), 1);
    } else if (k === 'bool') {
      // ++ on _Bool sets it; -- toggles it.
      compute = e.delta > 0 ? () => 1 : (f) => ((cur(f) as number) === 0 ? 1 : 0);
    } else {
      const one: Value = isFloatVK(k) ? 1 : 1;
      const fn = binaryFn(e.delta > 0 ? '+' : '-', widen(k), this.mode);
      const down = convertValue(widen(k), k);
      compute = down ? (f) => down(fn(cur(f), one)) : (f) => fn(cur(f), one);
    }
    this.finishUpdate(target, compute, t, !e.prefix, cur);
  }

  /** Read-modify-write of an lvalue as one op; the op's value (old or new) goes to t. */
  private finishUpdate(target: CExpr, compute: Rv, t: Temp | undefined, wantOld: boolean, cur: Rv): void {
    const set = this.setter(target);
    if (!t) {
      this.emit((next) => (f) => {
        set(f, compute(f));
        return next;
      });
      return;
    }
    const slot = t.slot;
    if (wantOld) {
      this.emit((next) => (f) => {
        const old = cur(f);
        set(f, compute(f));
        f.regs[slot] = old;
        return next;
      });
      return;
    }
    this.emitStoreWithValue(target, set, compute, slot);
  }

  private ptrAdd(scale: number, neg: boolean): (p: Value, i: Value) => Value {
    if (this.ptrBytes === 4) {
      return neg ? (p, i) => ((p as number) - Math.imul(i as number, scale)) >>> 0 : (p, i) => ((p as number) + Math.imul(i as number, scale)) >>> 0;
    }
    return (p, i) => {
      if (typeof p === 'number' && typeof i === 'number') {
        const r = neg ? p - i * scale : p + i * scale;
        if (r >= -Number.MAX_SAFE_INTEGER && r <= Number.MAX_SAFE_INTEGER) return r;
      }
      const d = mul64(i as I64, scale);
      return neg ? sub64(p as I64, d) : add64(p as I64, d);
    };
  }

  private call(e: Expr & { k: 'call' }, dest: number): void {
    const calleeE = e.callee;
    let direct: Callable | undefined;
    let directAddr: I64 = 0;
    let calleeFn: Rv | undefined;
    if (calleeE.k === 'decay' && calleeE.e.k === 'var' && calleeE.e.v.kind === 'func') {
      direct = this.env.callableOf(calleeE.e.v);
      directAddr = this.env.addressOf(calleeE.e.v);
    } else calleeFn = this.value(this.hoist(calleeE));
    const args = e.args.map((a) => this.hoist(a));
    const argFns = args.map((a) => (a.type.kind === 'struct' ? this.structBytes(a) : this.value(a)));
    const nParams = e.fnType.params.length;
    const dbl = e.fnType.variadic || e.fnType.unprototyped ? args.map((a, i) => i >= nParams && isFloatVK(this.vk(a.type))) : undefined;
    const exec = this.exec;
    const n = argFns.length;
    this.emit((next) => {
      if (direct) {
        const target = direct;
        return (f) => {
          const av = new Array<Value>(n);
          for (let i = 0; i < n; i++) av[i] = argFns[i](f);
          return exec.callFromC(f, target, directAddr, av, dest, next, dbl);
        };
      }
      const cf = calleeFn!;
      return (f) => {
        const addr = cf(f) as I64;
        const av = new Array<Value>(n);
        for (let i = 0; i < n; i++) av[i] = argFns[i](f);
        return exec.callFromC(f, this.env.resolve(addr), addr, av, dest, next, dbl);
      };
    }, [], e.loc);
    this.markLeaves();
  }

  private structBytes(e: CExpr): Rv {
    const a = this.addr(e);
    const n = sizeOf(e.type);
    return (f) => this.cpu.readBytes(a(f) as I64, n, this.mode);
  }

  // ---- pure expressions -------------------------------------------------------------------------

  /** A closure computing a pure expression's value. */
  value(e: CExpr): Rv {
    switch (e.k) {
      case 'num': {
        const v = e.value;
        return () => v;
      }
      case 'fnum': {
        const v = e.value;
        return () => v;
      }
      case 'temp': {
        const s = e.slot;
        return (f) => f.regs[s];
      }
      case 'memtemp':
        return this.structBytes(e);
      case 'nop':
        return this.addressOverride!;
      case 'var': {
        const v = e.v;
        if ((v.kind === 'local' || v.kind === 'param') && !v.inMemory) {
          const s = v.slot;
          return (f) => f.regs[s];
        }
        return this.load(e);
      }
      case 'str':
        return this.addr(e);
      case 'deref':
      case 'member':
        return this.load(e);
      case 'decay':
        return this.addr(e.e);
      case 'addr':
        return this.addr(e.e);
      case 'cast':
        return this.cast(e);
      case 'unary': {
        const a = this.value(e.e);
        if (e.op === '!') {
          const t = this.truth(e.e);
          return (f) => (t(f) ? 0 : 1);
        }
        const fn = unaryFn(e.op, this.vk(e.type));
        return (f) => fn(a(f));
      }
      case 'binary':
        return this.binary(e);
      case 'builtin': {
        const a = this.value(e.e);
        const { op, bits } = e;
        return (f) => evalBitBuiltin(op, bits, a(f) as I64);
      }
      case 'ptradd': {
        const add = this.ptrAdd(e.scale, e.neg);
        const iLeaf = this.leaf(e.i);
        if (this.ptrBytes === 8 && iLeaf?.k === 'reg') {
          const pLeaf = this.leaf(e.p);
          if (pLeaf?.k === 'reg') return ptrAddRegs(pLeaf.slot, iLeaf.slot, e.scale, e.neg, add);
          const base = this.fixedBase(e.p);
          if (base?.k === 'array') return ptrAddConstReg(base.a, iLeaf.slot, e.scale, e.neg, add);
          if (base?.k === 'pointer') return ptrAddLoadedReg(this.cpu, this.mode, base.a, iLeaf.slot, e.scale, e.neg, add);
          return ptrAddReg(this.value(e.p), iLeaf.slot, e.scale, e.neg, add);
        }
        const p = this.value(e.p);
        const cI = evalConst(e.i as Expr);
        if (cI !== undefined && typeof cI === 'number') {
          const d = (e.neg ? -cI : cI) * e.scale;
          const aa = this.addAddr;
          return (f) => aa(p(f), d);
        }
        const i = this.value(e.i);
        return (f) => add(p(f), i(f));
      }
      case 'ptrdiff': {
        const l = this.value(e.l);
        const r = this.value(e.r);
        const scale = e.scale;
        if (this.ptrBytes === 4) return (f) => Math.trunc((((l(f) as number) - (r(f) as number)) | 0) / scale);
        return (f) => divS64(sub64(l(f) as I64, r(f) as I64), scale);
      }
      case 'cmp': {
        const k = this.vk(e.opType);
        const l = this.value(e.l);
        const r = this.value(e.r);
        const c = compareFn(e.op, k);
        return (f) => (c(l(f), r(f)) ? 1 : 0);
      }
      case 'logand': {
        const l = this.truth(e.l);
        const r = this.truth(e.r);
        return (f) => (l(f) && r(f) ? 1 : 0);
      }
      case 'logor': {
        const l = this.truth(e.l);
        const r = this.truth(e.r);
        return (f) => (l(f) || r(f) ? 1 : 0);
      }
      case 'cond': {
        const c = this.truth(e.c);
        const t = this.value(e.t);
        const fl = this.value(e.f);
        return (f) => (c(f) ? t(f) : fl(f));
      }
      case 'comma': {
        const l = this.value(e.l);
        const r = this.value(e.r);
        return (f) => {
          l(f);
          return r(f);
        };
      }
      default:
        throw new Error(`expression ${e.k} should have been hoisted`);
    }
  }

  /** A closure testing a scalar for non-zero. */
  truth(e: CExpr): (f: CFrame) => boolean {
    if (e.k === 'cmp') {
      const k = this.vk(e.opType);
      const fast = compareTest(e.op, k, this.leafOrValue(e.l), this.leafOrValue(e.r));
      if (fast) return fast;
      const l = this.value(e.l);
      const r = this.value(e.r);
      const c = compareFn(e.op, k);
      return (f) => c(l(f), r(f));
    }
    if (e.k === 'unary' && e.op === '!') {
      const t = this.truth(e.e);
      return (f) => !t(f);
    }
    if (e.k === 'logand') {
      const l = this.truth(e.l);
      const r = this.truth(e.r);
      return (f) => l(f) && r(f);
    }
    if (e.k === 'logor') {
      const l = this.truth(e.l);
      const r = this.truth(e.r);
      return (f) => l(f) || r(f);
    }
    const v = this.value(e);
    // NaN is true, like any non-zero; a bigint is never zero by construction.
    return (f) => v(f) !== 0;
  }

  private binary(e: Expr & { k: 'binary' }): Rv {
    const k = this.vk(e.type);
    // Hot shapes get their own closures so the loop makes a call or two less.
    if (k === 'i32') {
      const fast = binaryI32(e.op, this.leafOrValue(e.l), this.leafOrValue(e.r));
      if (fast) return fast;
    }
    const l = this.value(e.l);
    const r = this.value(e.r);
    if (e.op === '<<' || e.op === '>>') {
      const rk = this.vk(e.r.type);
      const cnt = is64(rk) ? (f: CFrame) => Number(BigInt.asUintN(8, BigInt(r(f) as I64))) : r;
      const fn = binaryFn(e.op, k, this.mode);
      return (f) => fn(l(f), cnt(f));
    }
    const fn = binaryFn(e.op, k, this.mode);
    return (f) => fn(l(f), r(f));
  }

  private cast(e: Expr & { k: 'cast' }): Rv {
    const inner = e.e;
    if (e.type.kind === 'void') {
      const v = inner.type.kind === 'struct' || inner.type.kind === 'array' ? this.addr(inner) : this.value(inner);
      return (f) => {
        v(f);
        return 0;
      };
    }
    const from = this.vk(inner.type);
    const to = this.vk(e.type);
    const v = this.value(inner);
    const conv = convertValue(from, to);
    return conv ? (f) => conv(v(f)) : v;
  }

  private load(e: CExpr): Rv {
    if (this.runLoads !== undefined) {
      // Compiling for a page run (runValue): a `p[i]` load reads its run site.
      const ix = this.runIndexed(e);
      const site = ix && new RunSite(ix.base, ix.i, ix.scale, sizeOf(e.type), false);
      const read = site && siteLoad(this.vk(e.type), site);
      if (read) {
        this.runLoads.push(site);
        return read;
      }
      this.runLoadsFailed = true;
    }
    if (e.k === 'member' && e.field.bitWidth !== undefined) return this.bitfieldLoad(e);
    const k = this.vk(e.type);
    if (k === 'struct') return this.structBytes(e);
    if (k === 'void') {
      this.addr(e);
      return () => 0;
    }
    const ix = this.indexed(e);
    const indexed = ix && loadIndexed(this.cpu, this.mode, k, ix.base, ix.i, ix.scale, this.ptrAdd(ix.scale, false), this.ptrBytes === 4);
    if (indexed) return indexed;
    const at = this.addrShape(e);
    return loadAt(this.cpu, this.mode, k, at) ?? makeLoad(this.cpu, this.mode, k, at.k === 'fn' ? at.fn : this.addr(e));
  }

  /**
   * `*(p + i)` (so `p[i]`) with i in a register and p in a register (its slot) or a pointer
   * variable at a fixed address, a global (its cell, hoist.ts).
   */
  private indexed(e: CExpr): { base: number | PointerCell; i: number; scale: number } | undefined {
    if (e.k !== 'deref' || e.e.k !== 'ptradd' || e.e.neg) return undefined;
    const i = this.leaf(e.e.i);
    if (i?.k !== 'reg') return undefined;
    const p = this.leaf(e.e.p);
    if (p?.k === 'reg') return { base: p.slot, i: i.slot, scale: e.e.scale };
    const fixed = p === undefined ? this.fixedBase(e.e.p) : undefined;
    if (fixed?.k !== 'pointer') return undefined;
    let cell = this.pointerCells.get(fixed.a);
    if (!cell) {
      cell = new PointerCell(fixed.a, this.ptrBytes === 4 ? 4 : 8);
      this.pointerCells.set(fixed.a, cell);
    }
    return { base: cell, i: i.slot, scale: e.e.scale };
  }

  /**
   * `p[i]` as a page run sees it: what `indexed` finds, or an element of an array, global (its
   * address a constant) or local (at a fixed offset in the frame), which no fast plain op has
   * but a run site can be.
   */
  private runIndexed(e: CExpr): { base: RunSite['base']; i: number; scale: number } | undefined {
    const ix = this.indexed(e);
    if (ix) return ix;
    if (e.k !== 'deref' || e.e.k !== 'ptradd' || e.e.neg) return undefined;
    const i = this.leaf(e.e.i);
    if (i?.k !== 'reg') return undefined;
    const p = e.e.p;
    if (p.k === 'decay' && p.e.type.kind === 'array') {
      const at = this.addrShape(p.e);
      if (at.k === 'const' && typeof at.a === 'number') return { base: new ArrayBase(at.a), i: i.slot, scale: e.e.scale };
      if (at.k === 'frame') return { base: new FrameBase(at.off), i: i.slot, scale: e.e.scale };
    }
    return undefined;
  }

  private bitfieldLoad(e: CExpr & { k: 'member' }): Rv {
    const fld: FieldInfo = e.field;
    const unitSize = fld.unitBytes ?? sizeOf(fld.type);
    const a = this.addr(e);
    const width = fld.bitWidth!;
    const shift = fld.bitOffset!;
    const signed = fld.type.kind === 'int' && fld.type.signed && fld.type.ik !== 'bool';
    if (unitSize !== 1 && unitSize !== 2 && unitSize !== 4 && unitSize !== 8) {
      const n = unitSize;
      return (f) => {
        let x = (bytesToBig(this.cpu.readBytes(a(f) as I64, n, this.mode)) >> BigInt(shift)) & ((1n << BigInt(width)) - 1n);
        if (signed) x = BigInt.asIntN(width, x);
        return norm64(x);
      };
    }
    if (unitSize === 8) {
      const load = makeLoad(this.cpu, this.mode, 'u64', a);
      return (f) => {
        const raw = BigInt.asUintN(64, BigInt(load(f) as I64));
        let x = (raw >> BigInt(shift)) & ((1n << BigInt(width)) - 1n);
        if (signed) x = BigInt.asIntN(width, x);
        const n = BigInt.asIntN(64, x);
        return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
      };
    }
    const uk: VK = unitSize === 4 ? 'u32' : unitSize === 2 ? 'u16' : 'u8';
    const load = makeLoad(this.cpu, this.mode, uk, a);
    if (signed) return (f) => (((load(f) as number) >>> shift) << (32 - width)) >> (32 - width);
    if (width === 32) return (f) => (load(f) as number) >>> 0;
    const mask = (2 ** width) - 1;
    return (f) => ((load(f) as number) >>> shift) & mask;
  }

  /** A closure computing the address of a memory lvalue. */
  addr(e: CExpr): Rv {
    switch (e.k) {
      case 'var': {
        const v = e.v;
        if (v.kind === 'local' || v.kind === 'param') {
          if (!v.inMemory) throw new Error(`register variable ${v.name} has no address`);
          const off = v.frameOffset;
          return (f) => f.fp + off;
        }
        const a = this.env.addressOf(v);
        return () => a;
      }
      case 'str':
      case 'complit': {
        if (e.v.kind === 'local') {
          const off = e.v.frameOffset;
          return (f) => f.fp + off;
        }
        const a = this.env.addressOf(e.v);
        return () => a;
      }
      case 'memtemp': {
        const off = e.offset;
        return (f) => f.fp + off;
      }
      case 'deref':
        return this.value(e.e);
      case 'nop':
        return this.addressOverride!;
      case 'member': {
        const base = this.addr(e.e);
        const off = e.field.offset;
        if (off === 0) return base;
        const aa = this.addAddr;
        return (f) => aa(base(f), off);
      }
      case 'decay':
        return this.addr(e.e);
      case 'cond':
        // A struct-valued `?:` is an object only once the chosen side is copied somewhere.
        return this.addr(this.hasSE(e) ? this.hoist(e) : this.lowerCond(e));
      case 'comma':
        return this.hasSE(e) ? this.addr(this.hoist(e)) : this.addr(e.r);
      case 'call':
      case 'stmtexpr':
      case 'assign':
        return this.addr(this.hoist(e));
      default:
        throw new Error(`not an lvalue: ${e.k}`);
    }
  }

  private bytesStore(n: number): (addr: I64, v: Value) => void {
    return (a, v) => this.cpu.writeBytes(a, (v as Uint8Array).subarray(0, n), this.mode);
  }
}

/** Little-endian bytes as an unsigned bigint, and back. */
function bytesToBig(b: Uint8Array): bigint {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
  return x;
}

function bigToBytes(x: bigint, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Number((x >> BigInt(8 * i)) & 0xffn);
  return b;
}

function isNarrowInt(k: VK): boolean {
  return k === 'i8' || k === 'u8' || k === 'i16' || k === 'u16' || k === 'i32' || k === 'u32';
}

/** Increment arithmetic happens in at least int width. */
function widen(k: VK): VK {
  switch (k) {
    case 'i8':
    case 'u8':
    case 'i16':
    case 'u16':
      return 'i32';
    default:
      return k;
  }
}

export { OP_SWITCH };
