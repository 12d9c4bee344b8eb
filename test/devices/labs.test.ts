/** Labs 06-08 run headless as `kmemlab run` would, pass every check, and give the same output every run. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { main } from '../../engine/cli/main';

const ROOT = path.resolve(__dirname, '../../..');

function runLab(dir: string): { code: number; json: { checks: { name: string; pass: boolean; detail: string }[]; programs: { stdout: string; exitCode: number | null }[]; oops: unknown[] } } {
  let out = '';
  const code = main(['run', dir, '--format', 'json'], { stdout: (s) => (out += s), stderr: () => undefined, cwd: ROOT });
  return { code, json: JSON.parse(out) };
}

describe('the /dev/mem and /dev/ksyms labs', () => {
  for (const lab of ['labs/06-devmem-verdicts', 'labs/07-devmem-edges', 'labs/08-ksyms']) {
    it(`${lab} passes every check, with no oops, deterministically`, () => {
      const a = runLab(lab);
      for (const c of a.json.checks) assert.ok(c.pass, `${c.name}: ${c.detail}`);
      assert.ok(a.json.checks.length >= 5);
      assert.deepEqual(a.json.oops, []);
      assert.equal(a.code, 0);
      assert.deepEqual(runLab(lab).json, a.json);
    });
  }
});
