/**
 * F5 without launch.json: the provider turns the file or folder in front of the user into a
 * kmemlab launch configuration (see launchTarget.ts), fills in the settings (default arch, RAM,
 * step limit), and offers one configuration per lab for launch.json and the Run and Debug
 * drop-down.
 */
import * as vscode from 'vscode';
import { DEFAULT_MAX_STEPS, parseLab } from '../../engine/session/lab';
import { accessorFor } from '../labs/workspaceFiles';
import { launchTargetFor, type LaunchTarget } from './launchTarget';
import { DEBUG_TYPE } from '../model/sessionTracker';

export interface KmemlabSettings {
  defaultArch: 'x86_64' | 'i386' | 'i386-pae';
  defaultRamMiB: number;
  maxSteps: number;
  stepIntoKernel: boolean;
}

export function readSettings(): KmemlabSettings {
  const c = vscode.workspace.getConfiguration('kmemlab');
  return {
    defaultArch: c.get('defaultArch', 'x86_64'),
    defaultRamMiB: c.get('defaultRamMiB', 128),
    maxSteps: c.get('maxSteps', DEFAULT_MAX_STEPS),
    stepIntoKernel: c.get('stepIntoKernel', false),
  };
}

/** The path the adapter is given for a URI: a file path on disk, the URI's path elsewhere (web). */
export function labPathOf(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? uri.fsPath : uri.path;
}

function uriOfPath(path: string, like: vscode.Uri | undefined): vscode.Uri {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return vscode.Uri.parse(path);
  return like && like.scheme !== 'file' ? like.with({ path }) : vscode.Uri.file(path);
}

/** The resource F5 is about: the active editor's file, else the workspace folder. */
export function currentResource(folder: vscode.WorkspaceFolder | undefined): vscode.Uri | undefined {
  const editor = vscode.window.activeTextEditor?.document.uri;
  if (editor && editor.scheme !== 'untitled' && editor.scheme !== 'output') return editor;
  return folder?.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri;
}

export async function targetFor(resource: vscode.Uri): Promise<LaunchTarget | undefined> {
  const { files, path } = accessorFor(resource);
  const root = vscode.workspace.getWorkspaceFolder(resource)?.uri.path;
  return launchTargetFor(files, path, root);
}

/** A launch configuration for a target, paths in the adapter's form. */
export function configurationFor(target: LaunchTarget, like: vscode.Uri): vscode.DebugConfiguration {
  const p = (path: string) => labPathOf(uriOfPath(path, like));
  const config: vscode.DebugConfiguration = { type: DEBUG_TYPE, request: 'launch', name: `kmemlab: ${target.title}` };
  if (target.lab) config.lab = p(target.lab);
  else {
    config.drivers = (target.drivers ?? []).map(p);
    config.programs = (target.programs ?? []).map(p);
  }
  return config;
}

export class KmemlabConfigurationProvider implements vscode.DebugConfigurationProvider {
  /** launch.json's first configurations, and the dynamic list: one per lab in the folder. */
  async provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration[]> {
    const pattern = folder ? new vscode.RelativePattern(folder, '**/lab.json') : '**/lab.json';
    const labs = (await vscode.workspace.findFiles(pattern, '**/node_modules/**', 100)).sort((a, b) => a.path.localeCompare(b.path));
    if (labs.length === 0) return [{ type: DEBUG_TYPE, request: 'launch', name: 'kmemlab: this folder', lab: '${workspaceFolder}' }];
    return labs.map((u) => {
      const dir = vscode.Uri.joinPath(u, '..');
      const rel = folder ? vscode.workspace.asRelativePath(dir, false) : dir.path;
      const lab = folder && rel !== dir.path ? (rel === '' || rel === folder.name ? '${workspaceFolder}' : `\${workspaceFolder}/${rel}`) : labPathOf(dir);
      return { type: DEBUG_TYPE, request: 'launch', name: `kmemlab: ${dir.path.split('/').pop()}`, lab };
    });
  }

  /** F5 with no launch.json arrives here with an empty configuration. */
  async resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
    const empty = !config.type && !config.request && !config.name;
    if (!empty && config.type !== DEBUG_TYPE) return config;
    if (empty || (!config.lab && !config.drivers?.length && !config.programs?.length)) {
      const resource = currentResource(folder);
      const target = resource ? await targetFor(resource) : undefined;
      if (!target) {
        await vscode.window.showInformationMessage('kmemlab: open a lab.json, a lab folder or a driver/user .c file, then press F5.');
        return undefined;
      }
      config = { ...configurationFor(target, resource!), ...withoutEmpty(config) };
    }
    return config;
  }

  /** Settings apply where neither launch.json nor lab.json say otherwise. */
  async resolveDebugConfigurationWithSubstitutedVariables(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration> {
    const s = readSettings();
    const fromLab = config.lab ? await labFields(config.lab) : undefined;
    if (!config.lab) {
      config.arch ??= s.defaultArch;
      config.ramMiB ??= s.defaultRamMiB;
    }
    if (config.maxSteps === undefined && !(fromLab && fromLab.maxSteps !== DEFAULT_MAX_STEPS)) config.maxSteps = s.maxSteps;
    config.stepIntoKernel ??= s.stepIntoKernel;
    return config;
  }
}

/** What lab.json says, for deciding whether a setting applies; undefined if it cannot be read. */
async function labFields(labPath: string): Promise<{ maxSteps: number } | undefined> {
  try {
    const uri = uriOfPath(labPath, vscode.workspace.workspaceFolders?.[0]?.uri);
    const { files, path } = accessorFor(uri);
    const file = (await files.isDirectory(path)) ? `${path}/lab.json` : path;
    return parseLab(new TextDecoder().decode(await files.readFile(file)), file);
  } catch {
    return undefined;
  }
}

function withoutEmpty(c: vscode.DebugConfiguration): Record<string, unknown> {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0)));
}
