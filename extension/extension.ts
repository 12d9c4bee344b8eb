/**
 * Desktop entry (package.json "main"). The debug adapter is the Node program package.json's
 * debugger contribution names (dist/adapter.js). It is started here with the extension host's
 * own Node binary as a plain process: VS Code's built-in "runtime": "node" path loads the
 * program with require() from `node -e`, where adapterMain.ts's `require.main === module` guard
 * is false and the adapter would exit at once.
 */
import { bundleStartMs } from './loadClock';
import * as vscode from 'vscode';
import type { KmemlabApi } from './api';
import { activateKmemlab } from './activate';
import { DEBUG_TYPE } from './model/sessionTracker';

class NodeAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly adapterPath: string) {}

  createDebugAdapterDescriptor(): vscode.DebugAdapterDescriptor {
    // ELECTRON_RUN_AS_NODE makes VS Code's Electron binary behave as Node; code-server's is Node.
    return new vscode.DebugAdapterExecutable(process.execPath, [this.adapterPath], { env: { ELECTRON_RUN_AS_NODE: '1' } });
  }
}

export function activate(context: vscode.ExtensionContext): KmemlabApi {
  context.subscriptions.push(vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new NodeAdapterFactory(context.asAbsolutePath('dist/adapter.js'))));
  return activateKmemlab(context, 'desktop', bundleStartMs);
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
