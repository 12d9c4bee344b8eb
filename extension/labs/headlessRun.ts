/**
 * Runs a lab to the end inside the extension host (or a browser worker) without a debugger, for
 * the Test Explorer: the engine's Session in slices, yielding between them so the host stays
 * responsive and a cancel is honoured. No vscode import.
 */
import { DEFAULT_MAX_STEPS } from '../../engine/session/lab';
import { Session, type RunResult } from '../../engine/session/session';
import type { LoadedLab } from './labSources';

/** Operations per slice: a few milliseconds of work. */
const SLICE_OPS = 2_000_000;

export interface HeadlessOptions {
  maxSteps?: number;
  isCancelled?: () => boolean;
  /** Lets the host breathe between slices (setTimeout in Node and browsers). */
  yieldToHost?: () => Promise<void>;
}

export class RunCancelled extends Error {
  constructor() {
    super('run cancelled');
  }
}

export async function runHeadless(loaded: LoadedLab, options: HeadlessOptions = {}): Promise<RunResult> {
  // lab.json's own maxSteps wins over the setting.
  const lab = options.maxSteps && loaded.lab.maxSteps === DEFAULT_MAX_STEPS ? { ...loaded.lab, maxSteps: options.maxSteps } : loaded.lab;
  const session = new Session(lab, { readFile: (p) => loaded.texts.get(p) });
  const pause = options.yieldToHost ?? (() => new Promise<void>((r) => setTimeout(r, 0)));
  while (session.run(SLICE_OPS) !== 'done') {
    if (options.isCancelled?.()) throw new RunCancelled();
    await pause();
  }
  return session.result();
}

/**
 * Runs the lab on each arch its lab.json names. A check passes when it passes on every one; a
 * failing check's detail says on which arch. Programs, oopses and the transcript come from every
 * run, each program's path tagged with its arch when there is more than one.
 */
export async function runOnEveryArch(loaded: LoadedLab, options: HeadlessOptions = {}): Promise<RunResult> {
  const results: RunResult[] = [];
  for (const arch of loaded.lab.arches) results.push(await runHeadless({ ...loaded, lab: { ...loaded.lab, arch } }, options));
  return mergeArchRuns(results);
}

export function mergeArchRuns(results: RunResult[]): RunResult {
  if (results.length === 1) return results[0];
  const [first] = results;
  const tag = (r: RunResult, s: string) => `[${r.arch}] ${s}`;
  return {
    ...first,
    arch: results.map((r) => r.arch).join(', '),
    dmesg: results.flatMap((r) => r.dmesg.map((d) => ({ ...d, text: tag(r, d.text) }))),
    programs: results.flatMap((r) => r.programs.map((p) => ({ ...p, path: tag(r, p.path) }))),
    oops: results.flatMap((r) => r.oops.map((o) => ({ ...o, comm: tag(r, o.comm) }))),
    checks: first.checks.map((c, i) => {
      const bad = results.find((r) => !r.checks[i]?.pass);
      return bad ? { ...c, pass: false, detail: `on ${bad.arch}: ${bad.checks[i]?.detail ?? 'not evaluated'}` } : c;
    }),
    steps: results.reduce((n, r) => n + r.steps, 0),
    stepLimit: results.find((r) => r.stepLimit)?.stepLimit,
    exitCode: results.every((r) => r.exitCode === 0) ? 0 : 1,
  };
}
