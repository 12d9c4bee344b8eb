// Runs small C programs with the host's gcc and glibc, for differential tests. Returns undefined
// (and the caller skips) when gcc is absent.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GCC = '/usr/bin/gcc';
let dir: string | undefined;
let counter = 0;

export function haveGcc(): boolean {
  return existsSync(GCC);
}

const SCRIPT = '/usr/bin/script';
const SIGNALS: Record<number, string> = { 6: 'SIGABRT', 8: 'SIGFPE', 11: 'SIGSEGV' };

export interface RunOutcome {
  stdout: string;
  stderr: string;
  status: number | null;
  signal: string | null;
}

/**
 * Compiles and runs `source`; undefined without gcc. Throws if it does not compile. With `tty`
 * stdout is a terminal (util-linux script), as kmemlab's stdout behaves: line buffered, its
 * buffer 1024 bytes; stderr goes to a file. Without a way to get a terminal, undefined too.
 */
export function runC(source: string, opts: { tty?: boolean } = {}): RunOutcome | undefined {
  if (!haveGcc() || (opts.tty && !existsSync(SCRIPT))) return undefined;
  dir ??= mkdtempSync(join(tmpdir(), 'kmemlab-libc-'));
  const base = join(dir, `p${counter++}`);
  writeFileSync(base + '.c', source);
  const cc = spawnSync(GCC, ['-O0', '-fno-builtin', '-w', '-o', base, base + '.c', '-lm'], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`gcc failed:\n${cc.stderr}\n${source}`);
  if (!opts.tty) {
    const run = spawnSync(base, [], { encoding: 'latin1' });
    return { stdout: run.stdout, stderr: run.stderr, status: run.signal ? null : run.status, signal: run.signal };
  }
  const errFile = base + '.err';
  const run = spawnSync(SCRIPT, ['-qec', `exec ${base} 2>${errFile} </dev/null`, '/dev/null'], { encoding: 'latin1' });
  const status = run.status ?? 0;
  const stdout = run.stdout.replace(/\r\n/g, '\n');
  const stderr = readFileSync(errFile, 'latin1');
  return status > 128 ? { stdout, stderr, status: null, signal: SIGNALS[status - 128] ?? `signal ${status - 128}` } : { stdout, stderr, status, signal: null };
}
