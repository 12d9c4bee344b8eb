/**
 * The walkthrough's "do it for me" step: find (or create) a lab whose driver has a .fault
 * handler, open the driver, put a breakpoint in the handler and start debugging the lab.
 */
import * as vscode from 'vscode';
import { findFaultHandler } from './labs/faultHandler';
import { newLabFromTemplate } from './labs/newLab';
import { parseLab } from '../engine/session/lab';
import { configurationFor } from './config/debugConfig';

async function textOf(uri: vscode.Uri): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

/** The first lab in the workspace with a .fault handler: its folder, driver and handler line. */
async function findFaultLab(): Promise<{ labDir: vscode.Uri; driver: vscode.Uri; line: number } | undefined> {
  const labs = (await vscode.workspace.findFiles('**/lab.json', '**/node_modules/**', 200)).sort((a, b) => a.path.localeCompare(b.path));
  for (const labFile of labs) {
    try {
      const lab = parseLab(await textOf(labFile), labFile.path);
      for (const d of lab.drivers) {
        const driver = labFile.with({ path: d.path });
        const handler = findFaultHandler(await textOf(driver));
        if (handler) return { labDir: vscode.Uri.joinPath(labFile, '..'), driver, line: handler.bodyLine };
      }
    } catch {
      // A lab that does not parse is skipped here; the Test Explorer shows its error.
    }
  }
  return undefined;
}

export async function startFaultLab(extensionUri: vscode.Uri): Promise<boolean> {
  let lab = await findFaultLab();
  if (!lab) {
    if (!vscode.workspace.workspaceFolders?.length) {
      void vscode.window.showInformationMessage('kmemlab: open a folder first; the walkthrough creates a lab in it.');
      return false;
    }
    await newLabFromTemplate(extensionUri, { template: 'fault-handler', name: 'my-fault-lab', open: false });
    lab = await findFaultLab();
    if (!lab) return false;
  }
  const editor = await vscode.window.showTextDocument(lab.driver, { preview: false });
  const position = new vscode.Position(lab.line - 1, 0);
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenter);
  const already = vscode.debug.breakpoints.some((b) => b instanceof vscode.SourceBreakpoint && b.location.uri.toString() === lab!.driver.toString() && b.location.range.start.line === lab!.line - 1);
  if (!already) vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(lab.driver, position))]);
  const folder = vscode.workspace.getWorkspaceFolder(lab.labDir);
  return vscode.debug.startDebugging(folder, configurationFor({ lab: lab.labDir.path, title: `lab ${lab.labDir.path.split('/').pop()}` }, lab.labDir));
}
