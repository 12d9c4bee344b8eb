// Labs as the extension reads them: sources through a FileAccessor, headless runs in slices,
// the Test Explorer's transcript and check lines, and lab.json's JSON schema against the labs.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nodeFiles } from '../../../extension/nodeFiles';
import { loadFiles, loadLab } from '../../../extension/labs/labSources';
import { mergeArchRuns, RunCancelled, runHeadless, runOnEveryArch } from '../../../extension/labs/headlessRun';
import { checkLines, runTranscript } from '../../../extension/testing/labReport';

const ROOT = path.resolve(__dirname, '../../../..');
const LABS = path.join(ROOT, 'labs');

describe('extension: labs read and run in the extension host', () => {
  it('loads a lab with every source it may include', async () => {
    const { lab, texts } = await loadLab(nodeFiles, path.join(LABS, '03-vmalloc-fault'));
    assert.equal(lab.name, '03-vmalloc-fault');
    assert.ok(texts.has(path.join(LABS, '03-vmalloc-fault', 'lazy.c')));
    assert.ok(texts.has(path.join(LABS, '03-vmalloc-fault', 'lab.json')));
  });

  it('runs a lab headless in slices to the same result the CLI reports', async () => {
    const r = await runHeadless(await loadLab(nodeFiles, path.join(LABS, '03-vmalloc-fault')));
    assert.equal(r.exitCode, 0);
    assert.ok(r.checks.length > 0 && r.checks.every((c) => c.pass));
    const text = runTranscript(r);
    assert.match(text, /--- checks ---\r\nPASS /);
    assert.ok(!/[^\r]\n/.test(text), 'CRLF line ends for the test output terminal');
  });

  it('runs a lab on every arch it names, and a check fails when it fails on any of them', async () => {
    const loaded = await loadLab(nodeFiles, path.join(LABS, '09-three-layouts'));
    const r = await runOnEveryArch(loaded);
    assert.equal(r.arch, 'x86_64, i386, i386-pae');
    assert.ok(r.checks.every((c) => c.pass));
    assert.equal(r.programs.length, 3 * loaded.lab.programs.length);
    const one = await runHeadless({ ...loaded, lab: { ...loaded.lab, arch: 'i386' } });
    const broken = { ...one, checks: one.checks.map((c, i) => (i === 0 ? { ...c, pass: false, detail: 'nope' } : c)) };
    const merged = mergeArchRuns([r, broken]);
    assert.equal(merged.checks[0].pass, false);
    assert.equal(merged.checks[0].detail, 'on i386: nope');
    assert.ok(merged.checks.slice(1).every((c) => c.pass));
  });

  it('stops when cancelled between slices, and honours a lower step limit', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmemlab-spin-'));
    fs.writeFileSync(path.join(dir, 'spin.c'), 'int main(void)\n{\n\tvolatile long x = 0;\n\tfor (;;)\n\t\tx++;\n}\n');
    const loaded = await loadFiles(nodeFiles, [path.join(dir, 'spin.c')]);
    let n = 0;
    await assert.rejects(runHeadless(loaded, { isCancelled: () => ++n > 2 }), RunCancelled);
    const limited = await runHeadless(loaded, { maxSteps: 100_000 });
    assert.equal(limited.stepLimit?.limit, 100_000);
  });

  it('places each check on its line of lab.json', async () => {
    const file = path.join(LABS, '03-vmalloc-fault', 'lab.json');
    const text = fs.readFileSync(file, 'utf8');
    const { lab } = await loadLab(nodeFiles, file);
    const lines = checkLines(text, lab);
    lab.checks.forEach((c, i) => assert.ok(text.split('\n')[lines[i]].includes(JSON.stringify(c.name)), c.name));
  });

  it('every lab.json uses only fields the JSON schema describes', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'media/lab.schema.json'), 'utf8'));
    const top = new Set(Object.keys(schema.properties));
    const check = new Set(Object.keys(schema.definitions.check.properties));
    for (const d of fs.readdirSync(LABS)) {
      const file = path.join(LABS, d, 'lab.json');
      if (!fs.existsSync(file)) continue;
      const lab = JSON.parse(fs.readFileSync(file, 'utf8'));
      for (const k of Object.keys(lab)) assert.ok(top.has(k), `${d}/lab.json: '${k}' is not in media/lab.schema.json`);
      for (const c of lab.checks ?? []) for (const k of Object.keys(c)) assert.ok(check.has(k), `${d}/lab.json: check field '${k}' is not in the schema`);
    }
  });

  it('the schema knows every field lab.ts accepts', () => {
    const source = fs.readFileSync(path.join(ROOT, 'engine/session/lab.ts'), 'utf8');
    const known = /const known = new Set\(\[([^\]]*)\]\)/.exec(source)?.[1];
    assert.ok(known, 'lab.ts lists its known fields');
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'media/lab.schema.json'), 'utf8'));
    for (const k of known.split(',').map((s) => s.trim().replace(/'/g, ''))) assert.ok(k in schema.properties, `lab.ts accepts '${k}' but the schema does not describe it`);
  });
});
