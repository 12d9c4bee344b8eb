/**
 * Differential testing against gcc with csmith: a random program is generated for a seed,
 * compiled by `gcc -O0` and run natively, then run by kmemlab as a user program; both print
 * csmith's checksum of every global, which must agree.
 *
 * csmith.h includes <float.h> and <math.h> for its floating-point wrappers (never called with
 * the options below, but compiled); the libc kmemlab ships has neither FLT_MAX nor fabsf/ldexp,
 * so the harness serves csmith's headers from an include map with a small local stand-in.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labFromFiles } from '../../engine/session/lab';
import { Session } from '../../engine/session/session';

/**
 * Options that keep programs inside what a teaching emulator must run: pointers, structs,
 * unions, bitfields, arrays, 64-bit math, packed structs and volatiles stay on (csmith's
 * defaults); floats stay off (csmith's default too).
 */
export const CSMITH_OPTIONS: readonly string[] = ['--max-funcs', '6'];

const INCLUDE_DIRS = ['/usr/include/csmith', '/usr/include/csmith-2.3.0'];

export function csmithIncludeDir(): string | undefined {
  return INCLUDE_DIRS.find((d) => existsSync(join(d, 'csmith.h')));
}

export function haveTools(): boolean {
  return csmithIncludeDir() !== undefined && spawnSync('csmith', ['--version'], { cwd: scratchDir() }).status === 0 && spawnSync('gcc', ['--version']).status === 0;
}

/** What csmith's runtime needs from <math.h> and <float.h>, written in C. */
const LOCAL_LIBM = `
#define FLT_MAX 3.40282346638528859811704183484516925e+38F
#define DBL_MAX 1.79769313486231570814527423731704357e+308
static float csmith_fabsf(float x) { return x < 0 ? -x : x; }
static double csmith_fabs(double x) { return x < 0 ? -x : x; }
static double csmith_ldexp(double x, int e) { while (e > 0) { x *= 2; e--; } while (e < 0) { x /= 2; e++; } return x; }
static float csmith_ldexpf(float x, int e) { return (float)csmith_ldexp(x, e); }
#define fabsf csmith_fabsf
#define fabs csmith_fabs
#define ldexp csmith_ldexp
#define ldexpf csmith_ldexpf
`;

let includeMap: Map<string, string> | undefined;

/** csmith's headers as files next to the program, with <float.h>/<math.h> served locally. */
function csmithHeaders(dir: string): Map<string, string> {
  if (includeMap) return includeMap;
  const m = new Map<string, string>();
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (!statSync(p).isFile() || !name.endsWith('.h')) continue;
    const text = readFileSync(p, 'utf8').replace('#include <float.h>', '').replace('#include <math.h>', '#include "csmith_libm.h"');
    m.set(`t/${name}`, text);
  }
  m.set('t/csmith_libm.h', LOCAL_LIBM);
  includeMap = m;
  return m;
}

export function generate(seed: number, options: readonly string[] = CSMITH_OPTIONS): string {
  // csmith writes platform.info into its working directory: keep it out of the checkout.
  const r = spawnSync('csmith', ['--seed', String(seed), ...options], { encoding: 'utf8', maxBuffer: 64 << 20, cwd: scratchDir() });
  if (r.status !== 0) throw new Error(`csmith --seed ${seed} failed: ${r.stderr}`);
  return r.stdout;
}

export interface NativeRun {
  stdout: string;
  /** Did it finish within the time limit? */
  finished: boolean;
}

let workDir: string | undefined;

function scratchDir(): string {
  workDir ??= mkdtempSync(join(tmpdir(), 'kmemlab-csmith-'));
  return workDir;
}

/**
 * gcc -O0 and a native run, with a time limit (some random programs loop for minutes); `gccArgs`
 * are added to the compile (csmith's include directory by default).
 */
export function runNative(source: string, timeoutMs = 2000, gccArgs: readonly string[] = [`-I${csmithIncludeDir()}`]): NativeRun {
  const c = join(scratchDir(), 'p.c');
  const exe = join(scratchDir(), 'p');
  writeFileSync(c, source);
  const cc = spawnSync('gcc', ['-O0', '-w', ...gccArgs, '-o', exe, c], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`gcc failed: ${cc.stderr}`);
  const run = spawnSync(exe, [], { encoding: 'latin1', timeout: timeoutMs });
  return { stdout: run.stdout ?? '', finished: run.status === 0 && run.signal === null };
}

export function cleanup(): void {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
}

export interface EmulatedRun {
  stdout: string;
  /** Ops the whole session executed. */
  steps: number;
  /** A compile error, an oops, a signal or the step limit. */
  problem?: string;
}

/** The program as a kmemlab user program. */
export function runKmemlab(source: string, maxSteps: number): EmulatedRun {
  const files = new Map(csmithHeaders(csmithIncludeDir()!));
  files.set('t/p.c', source);
  const lab = labFromFiles(['t/p.c'], [source]);
  lab.maxSteps = maxSteps;
  let session: Session;
  try {
    session = new Session(lab, { readFile: (p) => files.get(p) });
  } catch (e) {
    return { stdout: '', steps: 0, problem: `compile: ${(e as Error).message}` };
  }
  const r = session.runToEnd();
  const p = r.programs[0];
  let problem: string | undefined;
  if (r.stepLimit) problem = `step limit: ${p.note ?? r.stepLimit.where}`;
  else if (r.oops.length) problem = `oops: ${r.oops[0].text.split('\n')[0]}`;
  else if (p.signal) problem = `killed by ${p.signal}`;
  else if (p.exitCode !== 0) problem = `exit status ${p.exitCode}`;
  return { stdout: p.stdout, steps: r.steps, problem };
}

export type Verdict =
  | { seed: number; status: 'match'; steps: number }
  | { seed: number; status: 'mismatch'; expected: string; got: string; problem?: string }
  /** The native run did not finish in time, or kmemlab hit the step limit: no verdict. */
  | { seed: number; status: 'slow'; detail: string };

/** Generates, runs both ways and compares one seed. */
export function checkSeed(seed: number, maxSteps: number, options: readonly string[] = CSMITH_OPTIONS): Verdict {
  const source = generate(seed, options);
  const native = runNative(source);
  if (!native.finished) return { seed, status: 'slow', detail: 'the native run did not finish in 2 s' };
  const emu = runKmemlab(source, maxSteps);
  if (emu.problem?.startsWith('step limit')) return { seed, status: 'slow', detail: emu.problem };
  if (emu.problem || emu.stdout !== native.stdout) return { seed, status: 'mismatch', expected: native.stdout, got: emu.stdout, problem: emu.problem };
  return { seed, status: 'match', steps: emu.steps };
}
