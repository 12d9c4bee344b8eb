/**
 * Every lab in labs/ runs headless on each arch its lab.json names, passes every check with no
 * oops, and prints the same bytes when run again.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../engine/cli/main';

const ROOT = path.resolve(__dirname, '../../..');

function runLab(dir: string, arch: string, format: 'json' | 'text'): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(['run', dir, '--arch', arch, '--format', format], { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd: ROOT });
  return { code, out, err };
}

const labs = fs
  .readdirSync(path.join(ROOT, 'labs'))
  .filter((d) => fs.existsSync(path.join(ROOT, 'labs', d, 'lab.json')))
  .sort();

describe('the labs', () => {
  it('are all here, each with a README', () => {
    assert.ok(labs.length >= 11, labs.join(' '));
    for (const d of labs) assert.ok(fs.existsSync(path.join(ROOT, 'labs', d, 'README.md')), `${d} has no README.md`);
  });

  for (const d of labs) {
    const spec = JSON.parse(fs.readFileSync(path.join(ROOT, 'labs', d, 'lab.json'), 'utf8')) as { arches?: string[]; arch?: string };
    const arches = spec.arches ?? [spec.arch ?? 'x86_64'];
    for (const arch of arches) {
      it(`${d} passes on ${arch}`, () => {
        const r = runLab(`labs/${d}`, arch, 'json');
        const json = JSON.parse(r.out) as { checks: { name: string; pass: boolean; detail: string }[]; oops: unknown[]; arch: string };
        for (const c of json.checks) assert.ok(c.pass, `${c.name}: ${c.detail}`);
        assert.deepEqual(json.oops, []);
        assert.equal(json.arch, arch);
        assert.equal(r.code, 0, r.err);
        assert.equal(r.err, '');
      });
    }
    it(`${d} prints the same bytes every run`, () => {
      const a = runLab(`labs/${d}`, arches[0], 'text');
      const b = runLab(`labs/${d}`, arches[0], 'text');
      assert.equal(b.out, a.out);
    });
  }

  it('a lab run on an arch it does not name gets a note', () => {
    const r = runLab('labs/08-ksyms', 'i386', 'json');
    assert.match(r.err, /08-ksyms is written for x86_64; on i386 its checks may not hold/);
  });
});
