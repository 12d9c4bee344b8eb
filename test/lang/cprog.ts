/**
 * Runs C through the real session for the language tests: user programs (stdout, exit status,
 * warnings), drivers (the kernel log), compile diagnostics as gcc prints them, and the same
 * program compiled by the host's gcc when there is one, for differential checks.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompileError, formatDiagnostic } from '../../engine/lang/diagnostics';
import { labFromFiles } from '../../engine/session/lab';
import { Session } from '../../engine/session/session';
import { dmesgText, run } from '../helpers/run';

export interface ProgramRun {
  stdout: string;
  exitCode: number | null;
  signal: string | null;
  /** `file:line:col: warning: message` lines. */
  warnings: string[];
  steps: number;
}

/** Runs `src` as the user program t/p.c. */
export function runProgram(src: string, maxSteps = 5e7): ProgramRun {
  const lab = labFromFiles(['t/p.c'], [src]);
  lab.maxSteps = maxSteps;
  const session = new Session(lab, { readFile: (p) => (p === 't/p.c' ? src : undefined) });
  const warnings = session.programs[0].tu.warnings.map(formatDiagnostic);
  const r = session.runToEnd();
  const p = r.programs[0];
  return { stdout: p.stdout, exitCode: p.exitCode, signal: p.signal, warnings, steps: r.steps };
}

/** Runs `src` as the driver t/d.c (plus optional user programs) and returns the kernel log. */
export function runDriver(src: string, programs: Record<string, string> = {}): { dmesg: string; oops: number; stdout: string } {
  const r = run({ drivers: { 'd.c': src }, programs, maxSteps: 5e7 });
  const log = dmesgText(r).split('\n');
  // The boot banner is not the driver's.
  const start = log.findIndex((l) => l.startsWith('Memory:'));
  return { dmesg: log.slice(start + 1).join('\n'), oops: r.oops.length, stdout: r.programs.map((p) => p.stdout).join('') };
}

/** Every diagnostic (warnings, then the error if compilation failed) of `src` as a program or driver. */
export function diagnostics(src: string, as: 'program' | 'driver' = 'program'): string[] {
  const path = as === 'program' ? 't/p.c' : 't/d.c';
  const lab = labFromFiles([path], [src]);
  try {
    const s = new Session(lab, { readFile: (p) => (p === path ? src : undefined) });
    return [...s.drivers, ...s.programs].flatMap((u) => u.tu.warnings.map(formatDiagnostic));
  } catch (e) {
    if (e instanceof CompileError) return e.diagnostics.map(formatDiagnostic);
    throw e;
  }
}

const GCC = '/usr/bin/gcc';
let dir: string | undefined;
let serial = 0;

/** stdout of `src` compiled by gcc -O0 and run natively; undefined without gcc. */
export function gccOutput(src: string): string | undefined {
  if (!existsSync(GCC)) return undefined;
  dir ??= mkdtempSync(join(tmpdir(), 'kmemlab-lang-'));
  const base = join(dir, `p${serial++}`);
  writeFileSync(base + '.c', src);
  const cc = spawnSync(GCC, ['-O0', '-w', '-o', base, base + '.c', '-lm'], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`gcc failed:\n${cc.stderr}`);
  return spawnSync(base, [], { encoding: 'latin1' }).stdout;
}
