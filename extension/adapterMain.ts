/**
 * The debug adapter as a Node process speaking DAP on stdio (package.json
 * contributes.debuggers[0].program points at the bundle of this file).
 */
import * as fs from 'node:fs/promises';
import { KmemlabDebugSession, type FileAccessor } from './adapter/debugSession';

export const nodeFiles: FileAccessor = {
  readFile: async (p) => new Uint8Array(await fs.readFile(p)),
  readDirectory: async (p) => (await fs.readdir(p, { withFileTypes: true })).map((e) => [e.name, e.isDirectory()] as [string, boolean]),
  isDirectory: async (p) => {
    try {
      return (await fs.stat(p)).isDirectory();
    } catch {
      return false;
    }
  },
};

class NodeKmemlabSession extends KmemlabDebugSession {
  constructor() {
    super(nodeFiles);
  }
}

if (require.main === module) NodeKmemlabSession.run(NodeKmemlabSession);

export { NodeKmemlabSession };
