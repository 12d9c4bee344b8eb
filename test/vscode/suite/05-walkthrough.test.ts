// The walkthrough: its page opens, and its "do it for me" step ends stopped in a fault handler
// with the context key its last step waits for.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { requestScreenshot } from '../runner/bridge';
import { kmemlab, showOnly, stopAllSessions, tidyWorkbench, waitFor } from './helpers';

describe('kmemlab extension: the walkthrough', function () {
  this.timeout(90_000);

  before(async () => {
    await stopAllSessions();
    await tidyWorkbench();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
  });

  after(async () => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await stopAllSessions();
    await tidyWorkbench();
  });

  it('opens, and its F5 step stops in a .fault handler of a workspace lab', async () => {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', 'kmemlab.kmemlab#kmemlab.gettingStarted', false);
    await requestScreenshot('11-walkthrough');
    const api = await kmemlab();
    const stopped = api.tracker.nextStop(60_000);
    assert.equal(await vscode.commands.executeCommand('kmemlab.walkthrough.startFaultLab'), true);
    const stop = await stopped;
    assert.equal(stop.reason, 'breakpoint');
    const trace = (await stop.session.customRequest('stackTrace', { threadId: stop.threadId, startFrame: 0, levels: 5 })) as { stackFrames: { name: string }[] };
    assert.match(trace.stackFrames[0].name, /_fault \[/);
    assert.ok(trace.stackFrames.some((f) => f.name.startsWith('handle_mm_fault')));
    const bp = vscode.debug.breakpoints.find((b) => b instanceof vscode.SourceBreakpoint) as vscode.SourceBreakpoint | undefined;
    assert.ok(bp && bp.location.uri.path.endsWith('.c'), 'the walkthrough set a breakpoint in the driver');
    await waitFor('the status bar item', () => api.status.last !== undefined || undefined);
    await showOnly('workbench.debug.callStackView', 'kmemlab.vmas');
    await requestScreenshot('12-walkthrough-first-stop');
  });
});
