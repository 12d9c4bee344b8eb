/**
 * Reads what a lab needs before it can be compiled: every .c, .h and .json file under its folder
 * (two levels deep), through the same FileAccessor the debug adapter uses, so the extension host
 * (Test Explorer runs) and a browser (vscode.dev) read labs the same way. No vscode import.
 */
import type { FileAccessor } from '../adapter/debugSession';
import { BadInput, labFromFiles, parseLab, type LabSpec } from '../../engine/session/lab';

const MAX_FILES = 400;
const MAX_DEPTH = 2;
const SOURCE_FILE = /\.(c|h|json)$/;

export function dirnameOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function basenameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Adds the text of every source file under `dir` to `into` (path → text). */
export async function collectSources(files: FileAccessor, dir: string, into: Map<string, string>, depth = 0): Promise<void> {
  if (depth > MAX_DEPTH || into.size > MAX_FILES) return;
  for (const [name, isDir] of await files.readDirectory(dir)) {
    const path = `${dir}/${name}`;
    if (isDir) {
      if (!name.startsWith('.') && name !== 'node_modules') await collectSources(files, path, into, depth + 1);
    } else if (SOURCE_FILE.test(name)) {
      into.set(path, new TextDecoder().decode(await files.readFile(path)));
    }
  }
}

export interface LoadedLab {
  lab: LabSpec;
  /** Every source the lab may include, by path. */
  texts: Map<string, string>;
}

/** A lab folder or lab.json, with its sources. */
export async function loadLab(files: FileAccessor, labPath: string): Promise<LoadedLab> {
  const labFile = (await files.isDirectory(labPath)) ? `${labPath}/lab.json` : labPath;
  const texts = new Map<string, string>();
  await collectSources(files, dirnameOf(labFile), texts);
  const text = texts.get(labFile);
  if (text === undefined) throw new BadInput(`${labFile}: no such file`);
  return { lab: parseLab(text, labFile), texts };
}

/** Loose .c files as a lab (drivers and programs told apart by module_init), with their sources. */
export async function loadFiles(files: FileAccessor, paths: string[]): Promise<LoadedLab> {
  const texts = new Map<string, string>();
  for (const dir of new Set(paths.map(dirnameOf))) await collectSources(files, dir, texts);
  for (const p of paths) if (!texts.has(p)) throw new BadInput(`${p}: no such file`);
  return { lab: labFromFiles(paths, paths.map((p) => texts.get(p)!)), texts };
}
