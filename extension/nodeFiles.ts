/** The debug adapter's file access on Node (desktop VS Code, the tests). */
import * as fs from 'node:fs/promises';
import type { FileAccessor } from './adapter/debugSession';

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
