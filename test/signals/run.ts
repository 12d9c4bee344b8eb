/** Runs one user program (and drivers) on an arch and returns what the signal tests look at. */
import type { ArchChoice } from '../../engine/session/lab';
import { dmesgText, run } from '../helpers/run';

export interface ProgramOutcome {
  stdout: string;
  exitCode: number | null;
  signal: string | null;
  dmesg: string;
  note: string | undefined;
}

export const ARCH_PAIR: readonly ArchChoice[] = ['x86_64', 'i386'];

export function runProgram(source: string, arch: ArchChoice = 'x86_64', opts: { drivers?: Record<string, string>; maxSteps?: number } = {}): ProgramOutcome {
  const r = run({ programs: { 'p.c': source }, drivers: opts.drivers, maxSteps: opts.maxSteps ?? 5_000_000, tweak: (lab) => (lab.arch = arch) });
  const p = r.programs[0];
  return { stdout: p.stdout, exitCode: p.exitCode, signal: p.signal, dmesg: dmesgText(r), note: p.note };
}

/** Lines of the form `key=value key=value` printed by a program, as a map per line prefix. */
export function fields(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of line.matchAll(/(\w+)=(\S+)/g)) out[m[1]] = m[2];
  return out;
}

export function lineStarting(stdout: string, prefix: string): string {
  const l = stdout.split('\n').find((x) => x.startsWith(prefix));
  if (l === undefined) throw new Error(`no line starting with ${JSON.stringify(prefix)} in:\n${stdout}`);
  return l;
}

export const PRELUDE = `
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>
#include <sys/mman.h>
#include <ucontext.h>
`;
