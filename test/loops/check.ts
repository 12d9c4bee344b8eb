/**
 * One generated loop program (gen.ts) run by gcc -O0 natively and by kmemlab: the outputs must
 * agree, and with `plain` also kmemlab's fused run and its plain-op run (the same steps). On a
 * 32-bit arch (no 32-bit gcc here) the fused run is compared with the plain-op run only.
 */
import { runNative } from '../csmith/harness';
import { makeSession } from '../helpers/run';
import { loopProgram } from './gen';

/** What C leaves open, pinned the way kmemlab's machine does it. */
const GCC_ARGS = ['-fwrapv', '-fno-strict-aliasing'];

export type LoopVerdict = { seed: number; ok: true } | { seed: number; ok: false; why: string; source: string };

/** The output of a program, or the dmesg lines of a driver (its pr_info line). */
function kmemlab(source: string, kernel: boolean, plain: boolean, arch: string): { stdout: string; steps: number; problem?: string } {
  const s = makeSession({ [kernel ? 'drivers' : 'programs']: { 'p.c': source }, maxSteps: 5e8, tweak: (lab) => void (lab.arch = arch as typeof lab.arch) });
  // A statement probe makes every loop run as plain ops.
  if (plain) s.kernel.exec.stmtProbe = () => undefined;
  const r = s.runToEnd();
  if (kernel) {
    // The driver's line among the boot messages: the numbers it prints.
    const line = r.dmesg.map((d) => d.text).find((t) => /^-?\d+ -?\d+ -?\d+ -?\d+ \d+\n?$/.test(t)) ?? '(no line)';
    const problem = r.stepLimit ? 'step limit' : r.oops.length ? `oops: ${r.oops[0].text.split('\n')[0]}` : undefined;
    return { stdout: line.endsWith('\n') ? line : `${line}\n`, steps: r.steps, problem };
  }
  const p = r.programs[0];
  const problem = r.stepLimit ? 'step limit' : p.signal ? `killed by ${p.signal}` : p.exitCode !== 0 ? `exit status ${p.exitCode}` : undefined;
  return { stdout: p.stdout, steps: r.steps, problem };
}

/** One seed as a user program, or (`kernel`) as a driver, on x86_64 or (`arch`) a 32-bit arch. */
export function checkLoopSeed(seed: number, plain: boolean, kernel = false, arch = 'x86_64'): LoopVerdict {
  const source = loopProgram(seed, kernel);
  const fused = kmemlab(source, kernel, false, arch);
  if (arch === 'x86_64') {
    const native = runNative(kernel ? loopProgram(seed, true, true) : source, 5000, GCC_ARGS);
    if (!native.finished) return { seed, ok: false, why: 'the native run did not finish', source };
    if (fused.problem || fused.stdout !== native.stdout) return { seed, ok: false, why: `gcc printed ${JSON.stringify(native.stdout)}, kmemlab ${JSON.stringify(fused.stdout)}${fused.problem ? ` (${fused.problem})` : ''}`, source };
  } else if (fused.problem) return { seed, ok: false, why: `kmemlab on ${arch}: ${fused.problem}`, source };
  if (plain || arch !== 'x86_64') {
    const p = kmemlab(source, kernel, true, arch);
    if (p.stdout !== fused.stdout || p.steps !== fused.steps) return { seed, ok: false, why: `plain ops printed ${JSON.stringify(p.stdout)} in ${p.steps} steps, fused ${fused.steps}`, source };
  }
  return { seed, ok: true };
}
