/** How a lab run is reported in the Test Explorer: where each check is, and the run's transcript. No vscode import. */
import type { LabSpec } from '../../engine/session/lab';
import type { RunResult } from '../../engine/session/session';

/** Where a check is written in lab.json: the line of its name (else of the checks array). */
export function checkLines(text: string, lab: LabSpec): number[] {
  const lines = text.split('\n');
  let from = 0;
  return lab.checks.map((c) => {
    const needle = JSON.stringify(c.name);
    const at = lines.findIndex((l, i) => i >= from && l.includes(needle));
    if (at >= 0) {
      from = at + 1;
      return at;
    }
    return Math.max(0, lines.findIndex((l) => l.includes('"checks"')));
  });
}

/** The kernel log and each program's output, as the test output shows them. */
export function runTranscript(r: RunResult): string {
  const out: string[] = [`$ kmemlab run ${r.lab} (${r.arch}, ${r.steps} steps)`, '--- dmesg ---', ...r.dmesg.map((d) => `${d.time} ${d.text}`)];
  for (const p of r.programs) {
    out.push(`--- ${p.path} (pid ${p.pid ?? '-'}): exit ${p.exitCode ?? 'none'}${p.signal ? `, ${p.signal}` : ''}${p.note ? `, ${p.note}` : ''} ---`);
    if (p.stdout) out.push(p.stdout.replace(/\n$/, ''));
    if (p.stderr) out.push(`[stderr] ${p.stderr.replace(/\n$/, '')}`);
  }
  for (const o of r.oops) out.push('--- oops ---', o.text);
  out.push('--- checks ---', ...r.checks.map((c) => `${c.pass ? 'PASS' : 'FAIL'} ${c.name}${c.pass ? '' : `: ${c.detail}`}`));
  return out.join('\r\n').replace(/\r?\n/g, '\r\n') + '\r\n';
}
