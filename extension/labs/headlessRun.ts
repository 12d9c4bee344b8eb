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
