/**
 * Posix path helpers for include resolution. The engine also runs in a browser worker, so it
 * cannot use Node's `path`; include names and lab files are always '/'-separated.
 */

/** The folder part of `path`: '' for a bare name, '/' for a file in the root. */
export function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  if (slash < 0) return '';
  if (slash === 0) return '/';
  return path.slice(0, slash);
}

/** Collapses '.', '..' and repeated slashes; keeps leading '..' of a relative path. */
export function normalize(path: string): string {
  const absolute = path.startsWith('/');
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!absolute) parts.push('..');
      continue;
    }
    parts.push(part);
  }
  const joined = parts.join('/');
  if (absolute) return '/' + joined;
  return joined === '' ? '.' : joined;
}

/** `name` resolved against folder `dir`; an absolute `name` ignores `dir`. */
export function join(dir: string, name: string): string {
  if (name.startsWith('/') || dir === '') return normalize(name);
  return normalize(dir + '/' + name);
}
