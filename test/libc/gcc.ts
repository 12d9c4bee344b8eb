// Runs small C programs with the host's gcc and glibc, for differential tests. Returns undefined
// (and the caller skips) when gcc is absent.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GCC = '/usr/bin/gcc';
let dir: string | undefined;
let counter = 0;

export function haveGcc(): boolean {
  return existsSync(GCC);
}

/** Compiles and runs `source`; stdout of the run, or undefined without gcc. Throws on failure. */
export function runC(source: string, stdin = ''): { stdout: string; stderr: string; status: number | null; signal: string | null } | undefined {
  if (!haveGcc()) return undefined;
  dir ??= mkdtempSync(join(tmpdir(), 'kmemlab-libc-'));
  const base = join(dir, `p${counter++}`);
  writeFileSync(base + '.c', source);
  const cc = spawnSync(GCC, ['-O0', '-fno-builtin', '-w', '-o', base, base + '.c', '-lm'], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`gcc failed:\n${cc.stderr}\n${source}`);
  const run = spawnSync(base, [], { encoding: 'latin1', input: stdin, env: { ...process.env, MALLOC_ARENA_MAX: '1' } });
  return { stdout: run.stdout, stderr: run.stderr, status: run.status, signal: run.signal };
}
