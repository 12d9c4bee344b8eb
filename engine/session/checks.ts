/** A lab's checks against what a run produced, each with what it found when it fails. */
import type { CheckSpec, LabSpec } from './lab';

export interface CheckResult {
  name: string;
  pass: boolean;
  /** What was expected and what was seen, for a failing check. */
  detail: string;
}

interface RunView {
  dmesg: { text: string }[];
  programs: { path: string; stdout: string; stderr: string; exitCode: number | null; signal: string | null }[];
  oops: unknown[];
}

function excerpt(s: string, max = 400): string {
  const t = s.length > max ? s.slice(0, max) + '…' : s;
  return JSON.stringify(t);
}

function programFor(c: CheckSpec, run: RunView): RunView['programs'][number] | undefined {
  if (c.program === undefined) return run.programs[0];
  return run.programs.find((p) => p.path.endsWith(c.program!));
}

/**
 * Programs whose ending a check judges (an exitCode or signal check): for them the check decides,
 * so a lab can expect a program to be killed. Every other program must exit with status 0.
 */
export function endingsJudgedByChecks(lab: LabSpec, run: RunView): Set<string> {
  const judged = new Set<string>();
  for (const c of lab.checks) {
    if (c.exitCode === undefined && c.signal === undefined) continue;
    const p = programFor(c, run);
    if (p) judged.add(p.path);
  }
  return judged;
}

export function evaluateCheck(c: CheckSpec, run: RunView): CheckResult {
  const dmesg = run.dmesg.map((d) => d.text).join('\n');
  const r = (pass: boolean, detail: string): CheckResult => ({ name: c.name, pass, detail: pass ? '' : detail });
  if (c.dmesgContains !== undefined) return r(dmesg.includes(c.dmesgContains), `dmesg does not contain ${JSON.stringify(c.dmesgContains)}`);
  if (c.dmesgNotContains !== undefined) return r(!dmesg.includes(c.dmesgNotContains), `dmesg contains ${JSON.stringify(c.dmesgNotContains)}`);
  if (c.dmesgMatches !== undefined) return r(new RegExp(c.dmesgMatches, 'm').test(dmesg), `no dmesg line matches /${c.dmesgMatches}/`);
  if (c.oops !== undefined) {
    const had = run.oops.length > 0;
    return r(had === c.oops, c.oops ? 'expected an oops, and there was none' : `expected no oops, got ${run.oops.length}`);
  }
  const p = programFor(c, run);
  if (!p) return r(false, `no program ${c.program ?? ''} ran`);
  if (c.stdoutContains !== undefined) return r(p.stdout.includes(c.stdoutContains), `stdout of ${p.path} is ${excerpt(p.stdout)}, which does not contain ${JSON.stringify(c.stdoutContains)}`);
  if (c.stdoutMatches !== undefined) return r(new RegExp(c.stdoutMatches, 'm').test(p.stdout), `stdout of ${p.path} is ${excerpt(p.stdout)}, which does not match /${c.stdoutMatches}/`);
  if (c.stdoutEquals !== undefined) return r(p.stdout === c.stdoutEquals, `stdout of ${p.path} is ${excerpt(p.stdout)}, expected ${excerpt(c.stdoutEquals)}`);
  if (c.stderrContains !== undefined) return r(p.stderr.includes(c.stderrContains), `stderr of ${p.path} is ${excerpt(p.stderr)}, which does not contain ${JSON.stringify(c.stderrContains)}`);
  if (c.exitCode !== undefined) {
    const got = p.exitCode === null ? (p.signal ? `killed by ${p.signal}` : 'no exit status') : `exit status ${p.exitCode}`;
    return r(p.exitCode === c.exitCode, `${p.path}: expected exit status ${c.exitCode}, got ${got}`);
  }
  if (c.signal !== undefined) return r(p.signal === c.signal, `${p.path}: expected to be killed by ${c.signal}, got ${p.signal ?? `exit status ${p.exitCode}`}`);
  return r(false, 'check has nothing to check');
}

export function evaluateChecks(lab: LabSpec, run: RunView): CheckResult[] {
  return lab.checks.map((c) => evaluateCheck(c, run));
}
