// The workbench reads its launch options from a 'payload' query parameter: a JSON list of
// [name, value] pairs. Paths in it are URIs on the code-server side (vscode-remote://HOST).
import * as path from 'node:path';

export interface WorkbenchLaunch {
  port: number;
  workspaceDir: string;
  /** Extension folder loaded in development mode. */
  extensionDevelopmentPath?: string;
  /** Compiled suite index.js exporting run(); makes the workbench run it and report an exit code. */
  extensionTestsPath?: string;
}

export function buildWorkbenchUrl(launch: WorkbenchLaunch): string {
  const remote = (file: string) => `vscode-remote://127.0.0.1:${launch.port}${path.resolve(file)}`;
  const payload: [string, string][] = [];
  if (launch.extensionDevelopmentPath !== undefined) {
    payload.push(['extensionDevelopmentPath', remote(launch.extensionDevelopmentPath)]);
  }
  if (launch.extensionTestsPath !== undefined) {
    payload.push(['extensionTestsPath', remote(launch.extensionTestsPath)]);
  }
  payload.push(['skipWelcome', 'true']);
  const query = new URLSearchParams({ folder: path.resolve(launch.workspaceDir), payload: JSON.stringify(payload) });
  return `http://127.0.0.1:${launch.port}/?${query.toString()}`;
}
