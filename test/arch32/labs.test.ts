/**
 * Every lab on every arch it names: the five mmap labs and the page-table lab on all three,
 * the highmem lab on the two 32-bit ones. Checks are arch-neutral, so they must all pass.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../engine/cli/main';

/** The repository: the nearest folder above this file that holds the labs. */
function repoRoot(): string {
  let d = __dirname;
  while (!fs.existsSync(path.join(d, 'labs', '01-kmalloc-mmap'))) d = path.dirname(d);
  return d;
}

const ROOT = repoRoot();

interface Result {
  arch: string;
  exitCode: number;
  dmesg: { text: string }[];
  programs: { path: string; exitCode: number | null; signal: string | null }[];
  checks: { name: string; pass: boolean; detail: string }[];
}

function runLab(lab: string, arch: string): Result {
  let out = '';
  let err = '';
  main(['run', `labs/${lab}`, '--arch', arch, '--format', 'json'], { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd: ROOT });
  assert.equal(err, '', err);
  return JSON.parse(out) as Result;
}

const EVERY_ARCH = ['x86_64', 'i386', 'i386-pae'];
const LABS: [string, string[]][] = [
  ['01-kmalloc-mmap', EVERY_ARCH],
  ['02-vmalloc-remap', EVERY_ARCH],
  ['03-vmalloc-fault', EVERY_ARCH],
  ['04-vmalloc-user', EVERY_ARCH],
  ['05-ioctl-put-user', EVERY_ARCH],
  ['09-three-layouts', EVERY_ARCH],
  ['10-kmap-highmem', ['i386', 'i386-pae']],
];

describe('labs on the arches they name', () => {
  for (const [lab, arches] of LABS) {
    for (const arch of arches) {
      it(`${lab} on ${arch}`, () => {
        const r = runLab(lab, arch);
        assert.equal(r.arch, arch);
        const failed = r.checks.filter((c) => !c.pass).map((c) => `${c.name}: ${c.detail}`);
        assert.deepEqual(failed, []);
        if (lab === '10-kmap-highmem') {
          // The hog sleeps in kmap for good and is killed: the run fails, as documented.
          assert.equal(r.programs[0].signal, 'SIGKILL');
        } else assert.equal(r.exitCode, 0);
      });
    }
  }

  it('shows the same program three different layouts', () => {
    const lines = EVERY_ARCH.map((a) => runLab('09-three-layouts', a).dmesg.map((d) => d.text).find((t) => / levels, /.test(t)));
    assert.deepEqual(lines, [
      'ptwalk: 4 levels, 8-byte entries, 8-byte pointers',
      'ptwalk: 2 levels, 4-byte entries, 4-byte pointers',
      'ptwalk: 3 levels, 8-byte entries, 4-byte pointers',
    ]);
  });
});
