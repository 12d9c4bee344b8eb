/**
 * "New Lab from Template": copies a template from media/templates into the workspace (under
 * labs/ when the workspace has one), with the lab's name and module name filled in, and opens
 * its README and driver.
 */
import * as vscode from 'vscode';
import { fillTemplate, moduleNameFor } from './template';

interface TemplateManifest {
  label: string;
  description: string;
  /** Template file → file name in the lab ({{module}} allowed). */
  files: Record<string, string>;
}

export interface NewLabOptions {
  template?: string;
  name?: string;
  /** Folder to create the lab in (default: <workspace>/labs or the workspace folder). */
  parent?: vscode.Uri;
  /** Open README and driver (default true). */
  open?: boolean;
}

const NAME_PATTERN = /^[a-z][a-z0-9-]{0,40}$/;

async function readJson<T>(uri: vscode.Uri): Promise<T> {
  return JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri))) as T;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

async function defaultParent(): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) return undefined;
  const labs = vscode.Uri.joinPath(folder, 'labs');
  return (await exists(labs)) ? labs : folder;
}

export async function newLabFromTemplate(extensionUri: vscode.Uri, options: NewLabOptions = {}): Promise<vscode.Uri | undefined> {
  const templatesDir = vscode.Uri.joinPath(extensionUri, 'media', 'templates');
  const ids = (await vscode.workspace.fs.readDirectory(templatesDir)).filter(([, t]) => t === vscode.FileType.Directory).map(([n]) => n).sort();
  const manifests = new Map<string, TemplateManifest>();
  for (const id of ids) manifests.set(id, await readJson<TemplateManifest>(vscode.Uri.joinPath(templatesDir, id, 'template.json')));
  const template = options.template ?? (await vscode.window.showQuickPick(ids.map((id) => ({ label: manifests.get(id)!.label, detail: manifests.get(id)!.description, id })), { title: 'New kmemlab lab', placeHolder: 'What should the driver do?' }))?.id;
  if (!template || !manifests.has(template)) return undefined;
  const parent = options.parent ?? (await defaultParent()) ?? (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Create the lab here' }))?.[0];
  if (!parent) return undefined;
  const name = options.name ?? (await vscode.window.showInputBox({
    title: 'New kmemlab lab',
    prompt: 'Name of the lab folder (lower case, digits and dashes)',
    value: template === 'fault-handler' ? 'my-fault-lab' : 'my-remap-lab',
    validateInput: async (v) => (!NAME_PATTERN.test(v) ? 'lower-case letters, digits and dashes, starting with a letter' : (await exists(vscode.Uri.joinPath(parent, v))) ? 'a folder of that name exists' : undefined),
  }));
  if (!name) return undefined;
  if (!NAME_PATTERN.test(name)) throw new Error(`'${name}' is not a lab name: use lower-case letters, digits and dashes`);
  const labDir = vscode.Uri.joinPath(parent, name);
  if (await exists(labDir)) throw new Error(`${labDir.path} exists already`);
  // lab.json gets its schema from the extension's jsonValidation, so templates carry no $schema.
  const vars = { name, module: moduleNameFor(name) };
  const manifest = manifests.get(template)!;
  const written: vscode.Uri[] = [];
  for (const [source, target] of Object.entries(manifest.files)) {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(templatesDir, template, source)));
    const uri = vscode.Uri.joinPath(labDir, fillTemplate(target, vars));
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(fillTemplate(text, vars)));
    written.push(uri);
  }
  if (options.open !== false) {
    const readme = written.find((u) => u.path.endsWith('README.md'));
    const driver = written.find((u) => u.path.endsWith(`${vars.module}.c`));
    if (readme) await vscode.commands.executeCommand('markdown.showPreview', readme).then(undefined, () => vscode.window.showTextDocument(readme, { preview: true }));
    if (driver) await vscode.window.showTextDocument(driver, { preview: false });
  }
  return labDir;
}
