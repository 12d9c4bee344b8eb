// The Testing API: every lab in the workspace with its checks; a run from the Test Explorer (the
// workbench's own "Run All Tests") runs the labs headless and reports each check; a lab whose
// check fails reports the check's detail on the check's line in lab.json.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { requestScreenshot, requestVisibleRows } from '../runner/bridge';
import { kmemlab, labsRoot, scratchDir, stopAllSessions, tidyWorkbench, waitFor } from './helpers';

describe('kmemlab extension: labs in the Test Explorer', function () {
  this.timeout(180_000);

  before(async () => {
    await stopAllSessions();
    await tidyWorkbench();
  });

  it('lists every lab.json of the workspace with its checks', async () => {
    const api = await kmemlab();
    await api.labTests.ready;
    const onDisk = fs.readdirSync(labsRoot().fsPath).filter((d) => fs.existsSync(path.join(labsRoot().fsPath, d, 'lab.json')));
    const items: vscode.TestItem[] = [];
    api.labTests.controller.items.forEach((i) => items.push(i));
    assert.deepEqual(items.map((i) => i.label).sort(), onDisk.map((d) => JSON.parse(fs.readFileSync(path.join(labsRoot().fsPath, d, 'lab.json'), 'utf8')).name ?? d).sort());
    const lab03 = items.find((i) => i.label === '03-vmalloc-fault')!;
    assert.equal(lab03.children.size, 7);
    const first = lab03.children.get(`${lab03.id}#0`)!;
    assert.equal(first.label, 'mmap maps nothing');
    assert.ok(first.range && first.range.start.line > 0, 'placed on its line in lab.json');
  });

  it('"Run All Tests" runs every lab headless and passes their checks', async () => {
    const api = await kmemlab();
    await vscode.commands.executeCommand('workbench.view.testing.focus');
    const items: vscode.TestItem[] = [];
    api.labTests.controller.items.forEach((i) => items.push(i));
    const checkIds = items.flatMap((i) => { const c: string[] = []; i.children.forEach((x) => c.push(x.id)); return c; });
    const started = Date.now();
    await vscode.commands.executeCommand('testing.runAll');
    await waitFor('every check to be reported', () => checkIds.every((id) => api.labTests.results.has(id)) || undefined, 120_000);
    console.log(`      ${items.length} labs, ${checkIds.length} checks in ${Date.now() - started} ms`);
    const failed = checkIds.filter((id) => api.labTests.results.get(id)!.state !== 'passed');
    assert.deepEqual(failed.map((id) => `${id}: ${JSON.stringify(api.labTests.results.get(id))}`), []);
    const lab03 = items.find((i) => i.label === '03-vmalloc-fault');
    const firstCheck = lab03?.children.get(`${lab03.id}#0`);
    if (firstCheck) await vscode.commands.executeCommand('vscode.revealTestInExplorer', firstCheck).then(undefined, () => undefined);
    const rows = await requestVisibleRows('test-explorer');
    if (rows) {
      const labRows = rows.filter((r) => r.view === 'Test Explorer' && r.level === 1);
      assert.ok(labRows.length >= 5 && labRows.every((r) => r.label.includes('(Passed)')), JSON.stringify(labRows));
    }
    await requestScreenshot('08-test-explorer');
  });

  it('"Debug" runs a lab in a debug session, then reports its checks', async () => {
    const api = await kmemlab();
    let lab: vscode.TestItem | undefined;
    api.labTests.controller.items.forEach((i) => { if (i.label === '01-kmalloc-mmap') lab = i; });
    assert.ok(lab);
    for (const id of [...api.labTests.results.keys()]) api.labTests.results.delete(id);
    let sawSession = false;
    const sub = vscode.debug.onDidStartDebugSession((s) => { sawSession ||= s.type === 'kmemlab'; });
    await api.labTests.debug(new vscode.TestRunRequest([lab]), new vscode.CancellationTokenSource().token);
    sub.dispose();
    assert.ok(sawSession, 'a kmemlab debug session ran');
    const states: string[] = [];
    lab.children.forEach((c) => states.push(api.labTests.results.get(c.id)?.state ?? 'none'));
    assert.ok(states.length > 0 && states.every((s) => s === 'passed'), states.join(' '));
  });

  it('reports a failing check with its detail at its line in lab.json', async () => {
    const api = await kmemlab();
    const dir = scratchDir('failing-lab');
    fs.writeFileSync(path.join(dir, 'hello.c'), '#include <stdio.h>\n\nint main(void)\n{\n\tprintf("hello\\n");\n\treturn 3;\n}\n');
    fs.writeFileSync(path.join(dir, 'lab.json'), JSON.stringify({ name: 'failing-lab', programs: ['hello.c'], checks: [{ name: 'says hello', stdoutContains: 'hello' }, { name: 'says bye', stdoutContains: 'bye' }, { name: 'exit status', exitCode: 0 }] }, null, 2));
    const item = await api.labTests.scanOne(vscode.Uri.file(path.join(dir, 'lab.json')));
    assert.ok(item && !item.error, item?.error as string);
    const source = new vscode.CancellationTokenSource();
    await api.labTests.run(new vscode.TestRunRequest([item]), source.token);
    const r = (i: number) => api.labTests.results.get(`${item.id}#${i}`)!;
    assert.equal(r(0).state, 'passed');
    assert.equal(r(1).state, 'failed');
    assert.match(r(1).message ?? '', /bye/);
    assert.equal(r(2).state, 'failed');
    assert.match(r(2).message ?? '', /3/);
    assert.equal(api.labTests.results.get(item.id)!.state, 'failed');
    api.labTests.controller.items.delete(item.id);
  });
});
