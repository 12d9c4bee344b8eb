// The packaged extension as VS Code sees it: contributions, lazy activation, the web bundle.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { EXTENSION_ID, kmemlab } from './helpers';

describe('kmemlab extension: package and activation', () => {
  it('is installed with the debugger, views, commands, schema and walkthrough it contributes', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'installed');
    const pkg = ext.packageJSON as Record<string, any>;
    assert.equal(pkg.contributes.debuggers[0].type, 'kmemlab');
    assert.equal(pkg.contributes.debuggers[0].program, './dist/adapter.js');
    assert.deepEqual(pkg.contributes.views.debug.map((v: { id: string }) => v.id), ['kmemlab.vmas', 'kmemlab.pageTables', 'kmemlab.policies', 'kmemlab.physical', 'kmemlab.tlb']);
    assert.equal(pkg.contributes.jsonValidation[0].url, './media/lab.schema.json');
    assert.ok(!pkg.activationEvents.includes('*'), 'no eager activation');
    for (const file of ['dist/extension.js', 'dist/adapter.js', 'dist/web/extension.js', 'media/lab.schema.json', 'media/icon.png']) {
      assert.ok(fs.existsSync(vscode.Uri.joinPath(ext.extensionUri, file).fsPath), file);
    }
  });

  it('activates (workspaceContains lab.json) and registers its commands', async () => {
    const api = await kmemlab();
    console.log(`      bundle load ${api.timings.loadMs.toFixed(0)} ms, activate() ${api.timings.activateMs.toFixed(0)} ms`);
    assert.ok(api.timings.activateMs < 500, 'activate() only registers things');
    assert.equal(api.platform, 'desktop');
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['kmemlab.walkAddress', 'kmemlab.newLab', 'kmemlab.showAddressSpace', 'kmemlab.judgeRequest', 'kmemlab.revealVma']) assert.ok(commands.includes(c), c);
  });
});
