/**
 * Fused loops: the op at the top of an innermost loop whose body makes no calls runs whole
 * iterations itself, instead of returning to the run loop after every statement.
 *
 * It is exactly the plain ops run back to back: it counts every op it stands for in
 * `exec.steps` (so the machine's time and the step budget do not depend on fusion), it never
 * runs past `exec.sliceEnd` (the rest of an iteration then runs as plain ops), it stops after the
 * op that set `exec.pendingStop`, and when an op faults it reports that op's pc in
 * `exec.faultPc`, so the fault handler's return re-runs that op and execution goes on from there
 * in plain ops (it hands the exception to the run loop with OP_THROWN rather than throwing it
 * again). While a debugger steps, probes statements or has a breakpoint inside the loop,
 * the op is just the loop's condition, and every statement runs as its own op.
 */
import type { Executor } from '../exec/executor';
import type { CFrame, CompiledFunction, Op } from '../exec/types';
import type { HoistPlan } from './hoist';
import type { PageRunPlan } from './pagerun';
import { opKernel, separable, type FissionInfo, type RunKernel } from './fission';

export interface LoopShape {
  /** pc of the condition op (the fused op replaces it). */
  top: number;
  /** pc after the loop: where a false condition goes. */
  exit: number;
  /** The condition as a test (the plain op is `test ? top + 1 : exit`). */
  test: (f: CFrame) => boolean;
  /** Every op between the condition and the jump back returns the next pc (no branches). */
  straight: boolean;
  /** The condition compares an int counter that the last op (the for's step) moves by ±1. */
  counter?: Counter;
  /** Pointer variables the counted loop may read once on entry (hoist.ts). */
  hoist?: HoistPlan;
  /** The counted loop's body as it runs within pages (pagerun.ts): the plan and each op's form. */
  pageRun?: { plan: PageRunPlan; ops: ((next: number) => Op)[]; fission?: FissionInfo[] };
}

export interface Counter {
  slot: number;
  delta: 1 | -1;
  cmp: '<' | '<=' | '!=' | '>' | '>=';
  bound: { reg: number } | { value: number };
}

function hasStop(stops: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (stops[i] !== 0) return true;
  return false;
}

/** Replaces the condition op of each loop in `fn.ops` with its fused form. */
export function fuseLoops(fn: CompiledFunction, exec: Executor, loops: readonly LoopShape[]): void {
  for (const l of loops) {
    const plain = fn.ops[l.top];
    const body = fn.ops.slice(l.top + 1, l.exit - 1);
    if (l.straight && l.counter && body.length <= 4) {
      const pr = l.pageRun;
      const runBody = pr?.ops.map((make, k) => make(l.top + 2 + k));
      const run = pr && runBody && { plan: pr.plan, body: runBody, kernels: pr.fission?.map((info, k) => info.kernel ?? opKernel(runBody[k])) };
      fn.ops[l.top] = countedLoop(fn, exec, l, l.counter, plain, body.slice(0, -1), run);
    }
    else fn.ops[l.top] = l.straight && body.length <= 4 ? straightLoop(fn, exec, l, plain, body) : branchyLoop(fn, exec, l, plain);
  }
}

/** A loop whose body is a fixed sequence of ops: they are called one after the other. */
function straightLoop(fn: CompiledFunction, exec: Executor, l: LoopShape, plain: Op, body: Op[]): Op {
  const { top, exit, test } = l;
  const first = top + 1;
  // Per iteration: the body, the jump back and the next condition.
  const perIter = body.length + 2;
  const o0 = body[0];
  const o1 = body[1];
  const o2 = body[2];
  const o3 = body[3];
  const n = body.length;
  return (f) => {
    if (exec.stepping || hasStop(fn.stops, top, exit)) return plain(f);
    let steps = exec.steps;
    const end = exec.sliceEnd;
    let at = top;
    try {
      if (!test(f)) return exit;
      if (exec.pendingStop !== undefined) return first;
      while (steps + perIter <= end) {
        at = first;
        o0(f);
        if (n > 1) {
          if (exec.pendingStop !== undefined) return stopAfter(exec, steps, 1, first);
          at = first + 1;
          o1(f);
          if (n > 2) {
            if (exec.pendingStop !== undefined) return stopAfter(exec, steps, 2, first);
            at = first + 2;
            o2(f);
            if (n > 3) {
              if (exec.pendingStop !== undefined) return stopAfter(exec, steps, 3, first);
              at = first + 3;
              o3(f);
            }
          }
        }
        if (exec.pendingStop !== undefined) return stopAfter(exec, steps, n, first);
        steps += perIter;
        at = top;
        if (!test(f)) {
          exec.steps = steps;
          return exit;
        }
        if (exec.pendingStop !== undefined) {
          exec.steps = steps;
          return first;
        }
      }
      // Not enough of the slice left for a whole iteration: the plain ops take over.
      exec.steps = steps;
      return first;
    } catch (e) {
      exec.faultPc = at;
      exec.steps = steps + (at - top);
      return exec.thrownInOp(e);
    }
  };
}

/**
 * A straight loop `for (...; i < n; i++)` over an int counter in a register: the step and the
 * test are done here rather than by calling their ops. `body` is the ops before the step. With
 * `run`, iterations whose accesses all stay within their pages run the body's page-run forms
 * (pagerun.ts); the others, and every loop without it, run the plain ops.
 */
function countedLoop(fn: CompiledFunction, exec: Executor, l: LoopShape, c: Counter, plain: Op, body: Op[], run?: { plan: PageRunPlan; body: Op[]; kernels?: RunKernel[] }): Op {
  const { top, exit, test } = l;
  const first = top + 1;
  const stepPc = exit - 2;
  // Per iteration: the body, the step, the jump back and the next condition.
  const perIter = body.length + 3;
  const n = body.length;
  const slot = c.slot;
  const delta = c.delta;
  const boundReg = 'reg' in c.bound ? c.bound.reg : -1;
  const boundValue = 'value' in c.bound ? c.bound.value : 0;
  const cmp = c.cmp;
  const hoist = l.hoist;
  const plan = run?.plan;
  const kernels = run?.kernels;
  /** Iterations from counter value i until the test fails (Infinity: not before it wraps). */
  const remaining = (i: number, b: number): number => {
    if (delta > 0) return cmp === '<' ? b - i : cmp === '<=' ? b - i + 1 : cmp === '!=' && b > i ? b - i : Infinity;
    return cmp === '>' ? i - b : cmp === '>=' ? i - b + 1 : cmp === '!=' && b < i ? i - b : Infinity;
  };
  return (f) => {
    if (exec.stepping || hasStop(fn.stops, top, exit)) return plain(f);
    const regs = f.regs;
    let steps = exec.steps;
    const end = exec.sliceEnd;
    let at = top;
    const hoisted = hoist !== undefined && hoist.activate(regs);
    // Iterations to run as plain ops before asking for a page run again.
    let plainLeft = 0;
    try {
      if (!test(f)) return exit;
      if (exec.pendingStop !== undefined) return first;
      for (;;) {
        // Whole iterations the slice has room for; the plain ops take over for the rest.
        let count = Math.floor((end - steps) / perIter);
        if (count <= 0) break;
        let ops = body;
        if (plan !== undefined) {
          if (plainLeft > 0) {
            if (count > plainLeft) count = plainLeft;
            plainLeft -= count;
          } else {
            const k = plan.start(regs, kernels !== undefined, f.fp);
            if (k > 0) {
              ops = run!.body;
              if (count > k) count = k;
            } else {
              plainLeft = -k;
              if (count > plainLeft) count = plainLeft;
              plainLeft -= count;
            }
          }
        }
        if (ops !== body && kernels !== undefined && count > 1) {
          // Op by op (fission.ts): each op runs the whole run in its own loop.
          const i0 = regs[slot] as number;
          const left = remaining(i0, boundReg >= 0 ? (regs[boundReg] as number) : boundValue);
          const iters = count < left ? count : left;
          const after = i0 + iters * delta;
          if (after === (after | 0) && separable(plan!.sites, iters, delta)) {
            for (let k = 0; k < kernels.length; k++) kernels[k](f, slot, i0, delta, iters);
            plan!.splitRuns++;
            if (plan!.checkedAccesses !== 0) plan!.ranChecked(iters);
            regs[slot] = after;
            steps += iters * perIter;
            if (iters === left) {
              exec.steps = steps;
              return exit;
            }
            continue;
          }
        }
        // Accesses to checked frames are only run op by op (which counts their TLB hits); the
        // plain ops take this run otherwise.
        if (ops !== body && plan!.checkedAccesses !== 0) ops = body;
        // A page run's iterations get their own copy of the loop below: its call sites then
        // meet only page-run ops and V8 inlines them (sharing one loop with the plain ops, whose
        // sites have seen every program's ops, measured driver 6.2e7 -> 1.0e8 it/s apart).
        if (ops !== body) {
          const r0 = ops[0];
          const r1 = ops[1];
          const r2 = ops[2];
          for (; count > 0; count--) {
            at = first;
            r0(f);
            if (exec.pendingStop !== undefined) return stopAfter(exec, steps, 1, first);
            if (n > 1) {
              at = first + 1;
              r1(f);
              if (exec.pendingStop !== undefined) return stopAfter(exec, steps, 2, first);
              if (n > 2) {
                at = first + 2;
                r2(f);
                if (exec.pendingStop !== undefined) return stopAfter(exec, steps, 3, first);
              }
            }
            at = stepPc;
            const i = ((regs[slot] as number) + delta) | 0;
            regs[slot] = i;
            steps += perIter;
            at = top;
            const b = boundReg >= 0 ? (regs[boundReg] as number) : boundValue;
            const go = cmp === '<' ? i < b : cmp === '<=' ? i <= b : cmp === '!=' ? i !== b : cmp === '>' ? i > b : i >= b;
            if (!go) {
              exec.steps = steps;
              return exit;
            }
          }
          continue;
        }
        const o0 = ops[0];
        const o1 = ops[1];
        const o2 = ops[2];
        for (; count > 0; count--) {
          if (n > 0) {
            at = first;
            o0(f);
            if (exec.pendingStop !== undefined) return stopAfter(exec, steps, 1, first);
            if (n > 1) {
              at = first + 1;
              o1(f);
              if (exec.pendingStop !== undefined) return stopAfter(exec, steps, 2, first);
              if (n > 2) {
                at = first + 2;
                o2(f);
                if (exec.pendingStop !== undefined) return stopAfter(exec, steps, 3, first);
              }
            }
          }
          at = stepPc;
          const i = ((regs[slot] as number) + delta) | 0;
          regs[slot] = i;
          steps += perIter;
          at = top;
          const b = boundReg >= 0 ? (regs[boundReg] as number) : boundValue;
          const go = cmp === '<' ? i < b : cmp === '<=' ? i <= b : cmp === '!=' ? i !== b : cmp === '>' ? i > b : i >= b;
          if (!go) {
            exec.steps = steps;
            return exit;
          }
        }
      }
      exec.steps = steps;
      return first;
    } catch (e) {
      exec.faultPc = at;
      exec.steps = steps + (at - top);
      return exec.thrownInOp(e);
    } finally {
      if (hoisted) hoist.deactivate();
    }
  };
}

/** Accounts the first `done` body ops of an iteration and resumes after them. */
function stopAfter(exec: Executor, steps: number, done: number, first: number): number {
  exec.steps = steps + done;
  return first + done;
}

/** A loop with branches inside (if, break, continue): its ops are run by pc. */
function branchyLoop(fn: CompiledFunction, exec: Executor, l: LoopShape, plain: Op): Op {
  const { top, exit, test } = l;
  const ops = fn.ops;
  return (f) => {
    if (exec.stepping || hasStop(fn.stops, top, exit)) return plain(f);
    let steps = exec.steps;
    const end = exec.sliceEnd;
    let pc = top;
    try {
      if (!test(f)) return exit;
      pc = top + 1;
      for (;;) {
        if (exec.pendingStop !== undefined || steps >= end) {
          exec.steps = steps;
          return pc;
        }
        steps++;
        const next = ops[pc](f);
        if (next === top) {
          pc = top;
          if (exec.pendingStop !== undefined || steps >= end) {
            exec.steps = steps;
            return top;
          }
          steps++;
          if (!test(f)) {
            exec.steps = steps;
            return exit;
          }
          pc = top + 1;
          continue;
        }
        if (next < top || next >= exit) {
          exec.steps = steps;
          return next;
        }
        pc = next;
      }
    } catch (e) {
      exec.faultPc = pc;
      exec.steps = steps;
      return exec.thrownInOp(e);
    }
  };
}
