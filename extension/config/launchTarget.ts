/**
 * What F5 runs when there is no launch.json: the lab around the file or folder in front of the
 * user, or, outside any lab, the .c file with the companions it needs — a user program gets the
 * drivers of its folder loaded first, a driver gets the programs of its folder run against it.
 * Driver or program is decided the way `kmemlab run` decides (a module_init() call). No vscode
 * import: unit-tested.
 */
import type { FileAccessor } from '../adapter/debugSession';
import { isDriverSource } from '../../engine/session/lab';
import { basenameOf, dirnameOf } from '../labs/labSources';

export interface LaunchTarget {
  /** A lab folder (its lab.json decides the rest). */
  lab?: string;
  drivers?: string[];
  programs?: string[];
  /** For the configuration's name: 'lab 03-vmalloc-fault', 'lazy.c + toucher.c'. */
  title: string;
}

/** How many folders above a .c file to look for its lab.json. */
const LAB_SEARCH_DEPTH = 2;

async function exists(files: FileAccessor, path: string): Promise<boolean> {
  try {
    await files.readFile(path);
    return true;
  } catch {
    return false;
  }
}

async function textOf(files: FileAccessor, path: string): Promise<string> {
  return new TextDecoder().decode(await files.readFile(path));
}

/** The nearest folder at or above `dir` (not above `root`) that holds a lab.json. */
export async function enclosingLab(files: FileAccessor, dir: string, root: string | undefined): Promise<string | undefined> {
  let d = dir;
  for (let i = 0; i <= LAB_SEARCH_DEPTH; i++) {
    if (await exists(files, `${d}/lab.json`)) return d;
    if (d === root || d === '/' || (root !== undefined && !d.startsWith(root))) return undefined;
    d = dirnameOf(d);
  }
  return undefined;
}

async function cFilesIn(files: FileAccessor, dir: string): Promise<string[]> {
  return (await files.readDirectory(dir))
    .filter(([name, isDir]) => !isDir && name.endsWith('.c'))
    .map(([name]) => `${dir}/${name}`)
    .sort();
}

/** A .c file outside any lab: it, plus the other kind of file from its folder. */
export async function looseFilesTarget(files: FileAccessor, file: string): Promise<LaunchTarget> {
  const siblings = (await cFilesIn(files, dirnameOf(file))).filter((p) => p !== file);
  const kinds = await Promise.all(siblings.map(async (p) => ({ path: p, driver: isDriverSource(await textOf(files, p)) })));
  if (isDriverSource(await textOf(files, file))) {
    const programs = kinds.filter((k) => !k.driver).map((k) => k.path);
    return { drivers: [file], programs, title: [file, ...programs].map(basenameOf).join(' + ') };
  }
  const drivers = kinds.filter((k) => k.driver).map((k) => k.path);
  return { drivers, programs: [file], title: [...drivers, file].map(basenameOf).join(' + ') };
}

/**
 * The launch target for a path (a folder, a lab.json or a .c file), or undefined when there is
 * nothing kmemlab could run there. `root` bounds the search for an enclosing lab.
 */
export async function launchTargetFor(files: FileAccessor, path: string, root?: string): Promise<LaunchTarget | undefined> {
  if (await files.isDirectory(path)) {
    if (await exists(files, `${path}/lab.json`)) return { lab: path, title: `lab ${basenameOf(path)}` };
    const cs = await cFilesIn(files, path);
    if (cs.length === 0) return undefined;
    const kinds = await Promise.all(cs.map(async (p) => ({ path: p, driver: isDriverSource(await textOf(files, p)) })));
    return { drivers: kinds.filter((k) => k.driver).map((k) => k.path), programs: kinds.filter((k) => !k.driver).map((k) => k.path), title: cs.map(basenameOf).join(' + ') };
  }
  if (basenameOf(path) === 'lab.json') return { lab: dirnameOf(path), title: `lab ${basenameOf(dirnameOf(path))}` };
  if (!path.endsWith('.c')) return undefined;
  const lab = await enclosingLab(files, dirnameOf(path), root);
  if (lab) return { lab, title: `lab ${basenameOf(lab)}` };
  return looseFilesTarget(files, path);
}
