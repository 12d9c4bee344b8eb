/**
 * Browser entry (package.json "browser", vscode.dev): there are no processes, so the debug
 * adapter runs inline in the extension host, reading the lab through vscode.workspace.fs. The
 * adapter speaks in POSIX paths; this session maps them to and from the workspace's URIs.
 */
import { bundleStartMs } from './loadClock';
import * as vscode from 'vscode';
import { KmemlabDebugSession } from './adapter/debugSession';
import type { KmemlabApi } from './api';
import { activateKmemlab } from './activate';
import { workspaceFileAccessor } from './labs/workspaceFiles';
import { DEBUG_TYPE } from './model/sessionTracker';

/** The adapter with paths translated between the workspace's URIs and plain paths. */
class WebKmemlabSession extends KmemlabDebugSession {
  constructor(private readonly base: { scheme: string; authority: string }) {
    super(workspaceFileAccessor(base));
  }

  protected override convertClientPathToDebugger(clientPath: string): string {
    if (/^[a-z][a-z0-9+.-]*:/i.test(clientPath)) return vscode.Uri.parse(clientPath).path;
    return clientPath;
  }

  protected override convertDebuggerPathToClient(debuggerPath: string): string {
    if (this.base.scheme === 'file' || !debuggerPath.startsWith('/')) return debuggerPath;
    return vscode.Uri.from({ scheme: this.base.scheme, authority: this.base.authority, path: debuggerPath }).toString();
  }
}

class InlineAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    const root = session.workspaceFolder?.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file('/');
    return new vscode.DebugAdapterInlineImplementation(new WebKmemlabSession({ scheme: root.scheme, authority: root.authority }));
  }
}

export function activate(context: vscode.ExtensionContext): KmemlabApi {
  context.subscriptions.push(vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new InlineAdapterFactory()));
  return activateKmemlab(context, 'web', bundleStartMs);
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
