/**
 * A FileAccessor over vscode.workspace.fs: how the extension host reads labs for Test Explorer
 * runs, and how the inline debug adapter reads them in a browser (vscode.dev), where there is no
 * Node fs. Paths are the POSIX paths of URIs in one file system (`scheme` + `authority`).
 */
import * as vscode from 'vscode';
import type { FileAccessor } from '../adapter/debugSession';

export function workspaceFileAccessor(base: { scheme: string; authority: string } = { scheme: 'file', authority: '' }): FileAccessor {
  const uri = (path: string) => vscode.Uri.from({ scheme: base.scheme, authority: base.authority, path });
  return {
    readFile: async (path) => vscode.workspace.fs.readFile(uri(path)),
    readDirectory: async (path) => (await vscode.workspace.fs.readDirectory(uri(path))).map(([name, type]) => [name, (type & vscode.FileType.Directory) !== 0] as [string, boolean]),
    isDirectory: async (path) => {
      try {
        return ((await vscode.workspace.fs.stat(uri(path))).type & vscode.FileType.Directory) !== 0;
      } catch {
        return false;
      }
    },
  };
}

/** The accessor for the file system a URI lives in, and the path to hand it. */
export function accessorFor(target: vscode.Uri): { files: FileAccessor; path: string } {
  return { files: workspaceFileAccessor({ scheme: target.scheme, authority: target.authority }), path: target.path };
}
