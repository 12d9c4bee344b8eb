/** The command-line contract: exit codes, output formats, bad input, limits, determinism. */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../engine/cli/main';

const ROOT = path.resolve(__dirname, '../../..');

function cli(args: string[], cwd = ROOT): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd });
  return { code, out, err };
}

function tmpdir(files: Record<string, string>): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kmemlab-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(d, name), text);
  return d;
}

describe('kmemlab run', () => {
  it('runs a lab and exits 0 when everything passes', () => {
    const r = cli(['run', 'labs/01-kmalloc-mmap']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^\[ {4}0\.000000\] Linux version 3\.7\.10-kmemlab \(x86_64\)/);
    assert.match(r.out, /--- reader\.c \(pid \d+\) ---\nmapped at 0x7ffff7[0-9a-f]+\n/);
    assert.match(r.out, /6\/6 checks passed\n$/);
  });

  it('prints the JSON shape other tools rely on', () => {
    const r = cli(['run', 'labs/03-vmalloc-fault/lab.json', '--format', 'json']);
    assert.equal(r.code, 0);
    const j = JSON.parse(r.out);
    assert.equal(j.arch, 'x86_64');
    assert.ok(Array.isArray(j.dmesg) && j.dmesg.every((d: { level: number; text: string }) => typeof d.level === 'number' && typeof d.text === 'string'));
    assert.deepEqual(Object.keys(j.programs[0]).slice(0, 6), ['path', 'pid', 'stdout', 'stderr', 'exitCode', 'signal']);
    assert.equal(j.programs[0].exitCode, 0);
    assert.equal(j.programs[0].signal, null);
    assert.deepEqual(j.oops, []);
    assert.ok(j.checks.length > 0 && j.checks.every((c: { pass: boolean }) => c.pass));
  });

  it('gives the same bytes every run', () => {
    const a = cli(['run', 'labs/05-ioctl-put-user', '--format', 'json']).out;
    const b = cli(['run', 'labs/05-ioctl-put-user', '--format', 'json']).out;
    assert.equal(a, b);
  });

  it('writes JUnit XML with one test case per check', () => {
    const r = cli(['run', 'labs/02-vmalloc-remap', '--format', 'junit']);
    assert.match(r.out, /<testsuite name="02-vmalloc-remap" tests="5" failures="0" errors="0">/);
    assert.equal((r.out.match(/<testcase /g) ?? []).length, 5);
  });

  it('takes .c files: drivers are the ones that call module_init', () => {
    const r = cli(['run', 'labs/04-vmalloc-user/vuser.c', 'labs/04-vmalloc-user/mapboth.c']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\/dev\/vuser: written by the driver/);
  });

  it('exits 1 when a program fails, and when an oops happens', () => {
    const d = tmpdir({
      'three.c': 'int main(void) { return 3; }',
      'oops.c': '#include <linux/module.h>\nstatic int __init o(void) { *(int *)8 = 0; return 0; }\nmodule_init(o);\nMODULE_LICENSE("GPL");\n',
      'ok.c': 'int main(void) { return 0; }',
    });
    const a = cli(['run', 'three.c'], d);
    assert.equal(a.code, 1);
    assert.match(a.out, /--- three\.c: exit status 3 ---/);
    const b = cli(['run', 'oops.c', 'ok.c'], d);
    assert.equal(b.code, 1);
    assert.match(b.out, /BUG: unable to handle kernel NULL pointer dereference at 0000000000000008/);
    assert.match(b.out, /--- ok\.c: exit status 0 ---/);
  });

  it('stops a runaway program at --max-steps and says where it was', () => {
    const d = tmpdir({ 'spin.c': 'int main(void)\n{\n\tvolatile int x = 0;\n\tfor (;;)\n\t\tx++;\n}\n' });
    const r = cli(['run', 'spin.c', '--max-steps', '100000', '--format', 'json'], d);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.out);
    assert.match(j.stepLimit.where, /spin\[\d+\] in main at spin\.c:[45]/);
    assert.match(j.programs[0].note, /step limit \(100000\) in main at spin\.c:[45]/);
    assert.ok(j.dmesg.some((x: { text: string }) => /kmemlab: step limit of 100000 reached/.test(x.text)));
  });

  it('reports a C error as file:line:col and exits 2', () => {
    const d = tmpdir({ 'bad.c': 'int main(void)\n{\n\tint x = ;\n\treturn x;\n}\n' });
    const r = cli(['run', 'bad.c'], d);
    assert.equal(r.code, 2);
    assert.equal(r.err, "bad.c:3:10: error: expected expression before ';' token\n");
    assert.equal(r.out, '');
  });

  it('names a kernel routine that is not emulated', () => {
    const d = tmpdir({ 'io.c': '#include <linux/module.h>\nstatic int __init i(void) { void *p = ioremap(0xfee00000, 4096); return !p; }\nmodule_init(i);\n' });
    const r = cli(['run', 'io.c'], d);
    assert.equal(r.code, 2);
    assert.match(r.err, /^io\.c:2:39: error: 'ioremap' is a Linux kernel routine that kmemlab does not emulate\n$/);
  });

  it('exits 2 for bad input', () => {
    assert.equal(cli(['run', 'no/such/lab']).code, 2);
    assert.equal(cli(['run', 'labs/01-kmalloc-mmap', '--format', 'xml']).code, 2);
    assert.equal(cli(['run', 'labs/01-kmalloc-mmap', '--ram', 'lots']).code, 2);
    assert.equal(cli(['run', 'labs/01-kmalloc-mmap', '--arch', 'sparc']).code, 2);
    assert.equal(cli(['frobnicate']).code, 2);
    const d = tmpdir({ 'lab.json': '{"programs": ["x.c"], "arch": "vax"}' });
    const r = cli(['run', d]);
    assert.equal(r.code, 2);
    assert.match(r.err, /arch: 'vax' is not one of x86_64, i386, i386-pae/);
  });

  it('boots with the largest RAM --ram allows, on a 64-bit and a 32-bit layout', () => {
    for (const arch of ['x86_64', 'i386-pae']) {
      const r = cli(['run', 'labs/01-kmalloc-mmap', '--ram', '4096', '--arch', arch, '--format', 'json']);
      assert.equal(r.code, 0, r.err);
      assert.match(JSON.parse(r.out).dmesg.map((d: { text: string }) => d.text).join('\n'), /Memory: \d+k\/4194304k available/);
    }
  });

  it('works as bin/kmemlab', () => {
    const out = execFileSync(path.join(ROOT, 'bin/kmemlab'), ['run', 'labs/01-kmalloc-mmap', '--format', 'json'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(JSON.parse(out).checks.length, 6);
    const bad = spawnSync(path.join(ROOT, 'bin/kmemlab'), ['run'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(bad.status, 2);
  });
});
