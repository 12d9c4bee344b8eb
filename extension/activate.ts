/**
 * Activation shared by the desktop (extension.ts: the adapter runs as a Node process) and the
 * web (web.ts: the adapter runs inline) entries. Everything is registered here; nothing is
 * computed until a view, a command, a test run or a debug session asks for it.
 */
import * as vscode from 'vscode';
import type { KmemlabApi } from './api';
import { KmemlabCommands } from './commands';
import { KmemlabConfigurationProvider, readSettings } from './config/debugConfig';
import { newLabFromTemplate } from './labs/newLab';
import { DEBUG_TYPE, SessionTracker } from './model/sessionTracker';
import { StatusItem } from './status/statusItem';
import { LabTests } from './testing/labTests';
import { KmemlabViews, type ViewName } from './views/registerViews';
import { snapshotTree, type SnapshotOptions } from './views/snapshot';
import { startFaultLab } from './walkthrough';
import { configurationFor, targetFor } from './config/debugConfig';

export function activateKmemlab(context: vscode.ExtensionContext, platform: 'desktop' | 'web', bundleStartMs: number): KmemlabApi {
  const activateStartMs = performance.now();
  const tracker = new SessionTracker();
  let commands: KmemlabCommands | undefined;
  const views = new KmemlabViews(tracker, context.extensionUri, (pid, va) => void commands?.walkAddress(va, pid));
  commands = new KmemlabCommands(views);
  commands.register(context);
  const configurationProvider = new KmemlabConfigurationProvider();
  const labTests = new LabTests(() => readSettings().maxSteps);
  const status = new StatusItem(tracker);
  context.subscriptions.push(
    tracker,
    views,
    labTests,
    status,
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, configurationProvider, vscode.DebugConfigurationProviderTriggerKind.Initial),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, configurationProvider, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    vscode.commands.registerCommand('kmemlab.newLab', (options?: Parameters<typeof newLabFromTemplate>[1]) => newLabFromTemplate(context.extensionUri, options ?? {})),
    vscode.commands.registerCommand('kmemlab.walkthrough.startFaultLab', () => startFaultLab(context.extensionUri)),
    vscode.commands.registerCommand('kmemlab.debugLab', (uri?: vscode.Uri) => debugResource(uri)),
    vscode.commands.registerCommand('kmemlab.runLab', (uri?: vscode.Uri) => runLabChecks(labTests, uri)),
  );
  return {
    platform,
    timings: { loadMs: activateStartMs - bundleStartMs, activateMs: performance.now() - activateStartMs },
    tracker,
    views,
    commands,
    labTests,
    configurationProvider,
    status,
    rows: (view: ViewName, options?: SnapshotOptions) => snapshotTree(views.trees()[view], options),
  };
}

/** Explorer / editor "Debug This Lab": the same target F5 would pick for that resource. */
async function debugResource(uri: vscode.Uri | undefined): Promise<boolean> {
  const resource = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!resource) return false;
  const target = await targetFor(resource);
  if (!target) {
    void vscode.window.showInformationMessage('kmemlab: nothing to run here (no lab.json and no .c file).');
    return false;
  }
  return vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(resource), configurationFor(target, resource));
}

/** Explorer "Run This Lab's Checks": a Test Explorer run of that lab. */
async function runLabChecks(labTests: LabTests, uri: vscode.Uri | undefined): Promise<void> {
  const labFile = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!labFile) return;
  const item = await labTests.scanOne(labFile.path.endsWith('lab.json') ? labFile : vscode.Uri.joinPath(labFile, 'lab.json'));
  if (!item) return;
  const source = new vscode.CancellationTokenSource();
  try {
    await labTests.run(new vscode.TestRunRequest([item]), source.token);
  } finally {
    source.dispose();
  }
}
