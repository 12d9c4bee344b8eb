/** Desktop entry (package.json "main"); the debug adapter is dist/adapter.js, run by VS Code. */
import { bundleStartMs } from './loadClock';
import * as vscode from 'vscode';
import type { KmemlabApi } from './api';
import { activateKmemlab } from './activate';

export function activate(context: vscode.ExtensionContext): KmemlabApi {
  return activateKmemlab(context, 'desktop', bundleStartMs);
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
