// Shared by the in-VS-Code tests: the extension's API, waiting for stops and rows, the labs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KmemlabApi } from '../../../extension/api';
import { requestSideBarWidth } from '../runner/bridge';

export const EXTENSION_ID = 'kmemlab.kmemlab';

/** The installed extension's API (activating it if VS Code has not yet). */
export async function kmemlab(): Promise<KmemlabApi> {
  const ext = vscode.extensions.getExtension<KmemlabApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed`);
  return ext.isActive ? ext.exports : ext.activate();
}

/** The workspace the runner opened: the repository's labs/ folder. */
export function labsRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder: run the suite with --workspace labs');
  return folder.uri;
}

export function labDir(name: string): vscode.Uri {
  return vscode.Uri.joinPath(labsRoot(), name);
}

/** 1-based line of the first line containing `needle`. */
export function lineOf(file: vscode.Uri, needle: string): number {
  const i = fs.readFileSync(file.fsPath, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`'${needle}' not in ${file.fsPath}`);
  return i + 1;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function stopAllSessions(): Promise<void> {
  const api = await kmemlab();
  if (!vscode.debug.activeDebugSession && !api.tracker.session) return;
  await vscode.debug.stopDebugging();
  await waitFor('the kmemlab session to end', () => api.tracker.session === undefined || undefined);
}

/** A scratch folder outside the workspace (labs the suite makes up). */
export function scratchDir(name: string): string {
  const dir = path.join(process.env.TMPDIR ?? '/tmp', `kmemlab-suite-${process.pid}`, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Closes editors and panels so a screenshot shows what a test opened. */
export async function tidyWorkbench(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await vscode.commands.executeCommand('notifications.clearAll');
}

const DEBUG_VIEWS = ['workbench.debug.variablesView', 'workbench.debug.watchExpressionsView', 'workbench.debug.callStackView', 'workbench.debug.breakPointsView', 'workbench.debug.loadedScriptsView'];
export const KMEMLAB_VIEWS = ['kmemlab.vmas', 'kmemlab.pageTables', 'kmemlab.policies', 'kmemlab.physical', 'kmemlab.tlb'];

/**
 * Leaves only these views visible in the Run and Debug side bar (so they get its height in a
 * screenshot or a read of the rows on screen), and closes the panel. Hidden views come back
 * with their `.focus` command.
 */
export async function showOnly(...viewIds: string[]): Promise<void> {
  await vscode.commands.executeCommand('workbench.view.debug');
  // Built-in debug views have no focus command; they are only left alone.
  for (const id of viewIds) await vscode.commands.executeCommand(`${id}.focus`).then(undefined, () => undefined);
  for (const id of [...DEBUG_VIEWS, ...KMEMLAB_VIEWS]) {
    if (!viewIds.includes(id)) await vscode.commands.executeCommand(`${id}.removeView`).then(undefined, () => undefined);
  }
  await vscode.commands.executeCommand('workbench.action.closePanel');
  await vscode.commands.executeCommand(`${viewIds[viewIds.length - 1]}.focus`).then(undefined, () => undefined);
  await sleep(200);
}

/** Sets the side bar's width (no-op without the runner); wide for tree descriptions. */
export async function sideBarWidth(widthPx = 560): Promise<void> {
  await vscode.commands.executeCommand('workbench.view.debug');
  await requestSideBarWidth(widthPx);
}
