/** The three shapes a run's result is printed in: text for people, JSON and JUnit XML for tools. */
import type { RunResult } from './session';

export function formatText(r: RunResult): string {
  const out: string[] = [];
  for (const d of r.dmesg) out.push(`${d.time} ${d.text}`);
  for (const p of r.programs) {
    const name = p.path.split('/').pop();
    out.push('');
    out.push(`--- ${name}${p.pid !== null ? ` (pid ${p.pid})` : ''} ---`);
    if (p.stdout) out.push(p.stdout.replace(/\n$/, ''));
    if (p.stderr) {
      out.push(`--- ${name} stderr ---`);
      out.push(p.stderr.replace(/\n$/, ''));
    }
    const status = p.exitCode !== null ? `exit status ${p.exitCode}` : p.signal ? `killed by ${p.signal}` : 'did not finish';
    out.push(`--- ${name}: ${status}${p.note ? ` (${p.note})` : ''} ---`);
  }
  if (r.checks.length) {
    out.push('');
    out.push('checks:');
    for (const c of r.checks) out.push(`  ${c.pass ? 'PASS' : 'FAIL'}  ${c.name}${c.pass ? '' : `\n        ${c.detail}`}`);
    const passed = r.checks.filter((c) => c.pass).length;
    out.push(`${passed}/${r.checks.length} checks passed`);
  }
  return out.join('\n') + '\n';
}

export function formatJson(r: RunResult): string {
  return JSON.stringify(r, null, 2) + '\n';
}

function xml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

export function formatJunit(r: RunResult): string {
  const failures = r.checks.filter((c) => !c.pass).length;
  const lines = [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuite name="${xml(r.lab)}" tests="${r.checks.length}" failures="${failures}" errors="0">`];
  for (const c of r.checks) {
    lines.push(`  <testcase classname="${xml(r.lab)}" name="${xml(c.name)}">`);
    if (!c.pass) lines.push(`    <failure message="${xml(c.detail)}"/>`);
    lines.push('  </testcase>');
  }
  const dmesg = r.dmesg.map((d) => `${d.time} ${d.text}`).join('\n');
  lines.push(`  <system-out>${xml(dmesg)}</system-out>`);
  lines.push('</testsuite>');
  return lines.join('\n') + '\n';
}
