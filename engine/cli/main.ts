/**
 * The command line: `kmemlab run PATH... [--arch A] [--ram MiB] [--format text|json|junit]
 * [--max-steps N]` and `kmemlab policies ...`. Exit 0 when every program exits 0 and no oops
 * happened (and every check passed), 1 otherwise, 2 for bad input. The only part of the engine
 * that touches the host's files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CompileError, formatDiagnostic } from '../lang/diagnostics';
import { policiesCommand } from '../policy/cli';
import { ARCHES, BadInput, checkRam, labFromFiles, parseLab, type ArchChoice, type LabSpec } from '../session/lab';
import { formatJson, formatJunit, formatText } from '../session/report';
import { Session } from '../session/session';

export interface CliIo {
  stdout(s: string): void;
  stderr(s: string): void;
  cwd: string;
}

const USAGE = `usage: kmemlab run PATH... [--arch x86_64|i386|i386-pae] [--ram MiB] [--format text|json|junit] [--max-steps N]
       kmemlab policies [--securelevel N] [--uid N] [--format text|json|markdown] [--describe] [--offset N --prot r|rw [--arch A]]

PATH is a lab folder, its lab.json, or .c files: a file that calls module_init() is a driver
(loaded in the order given); the others are user programs, run as root one after another.
`;

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Builds the lab a `run` command names. */
export function labFromArgs(paths: string[], cwd: string): LabSpec {
  if (paths.length === 0) throw new BadInput('run: no PATH given');
  const abs = paths.map((p) => path.resolve(cwd, p));
  const labFile = (p: string) => (fs.existsSync(p) && fs.statSync(p).isDirectory() ? path.join(p, 'lab.json') : p);
  if (abs.some((p) => fs.existsSync(p) && fs.statSync(p).isDirectory()) || abs.some((p) => p.endsWith('.json'))) {
    if (abs.length !== 1) throw new BadInput('run: give one lab (a folder or lab.json), or .c files');
    const f = labFile(abs[0]);
    const t = readText(f);
    if (t === undefined) throw new BadInput(`${paths[0]}: no lab.json here`);
    return parseLab(t, toPosix(path.relative(cwd, f)) || f);
  }
  const texts = abs.map((p, i) => {
    if (!p.endsWith('.c')) throw new BadInput(`${paths[i]}: not a .c file, lab folder or lab.json`);
    const t = readText(p);
    if (t === undefined) throw new BadInput(`${paths[i]}: no such file`);
    return t;
  });
  return labFromFiles(abs.map((p) => toPosix(path.relative(cwd, p)) || p), texts);
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

function intFlag(v: string | undefined, name: string): number {
  if (v === undefined || !/^\d+$/.test(v)) throw new BadInput(`${name} needs a whole number`);
  return Number(v);
}

export function runCommand(args: string[], io: CliIo): number {
  const paths: string[] = [];
  let format = 'text';
  let arch: ArchChoice | undefined;
  let ram: number | undefined;
  let maxSteps: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new BadInput(`${a} needs a value`);
      return v;
    };
    if (a === '--format') format = value();
    else if (a === '--arch') arch = value() as ArchChoice;
    else if (a === '--ram') ram = intFlag(value(), '--ram');
    else if (a === '--max-steps') maxSteps = intFlag(value(), '--max-steps');
    else if (a.startsWith('--')) throw new BadInput(`unknown option ${a}`);
    else paths.push(a);
  }
  if (!['text', 'json', 'junit'].includes(format)) throw new BadInput(`--format must be text, json or junit`);
  if (arch !== undefined && !ARCHES.includes(arch)) throw new BadInput(`--arch must be one of ${ARCHES.join(', ')}`);
  const lab = labFromArgs(paths, io.cwd);
  if (arch) {
    if (!lab.arches.includes(arch)) io.stderr(`kmemlab: note: ${lab.name} is written for ${lab.arches.join(', ')}; on ${arch} its checks may not hold\n`);
    lab.arch = arch;
  }
  if (ram !== undefined) {
    checkRam(ram, '--ram');
    lab.ramMiB = ram;
  }
  if (maxSteps !== undefined) {
    if (maxSteps <= 0) throw new BadInput('--max-steps must be positive');
    lab.maxSteps = maxSteps;
  }
  const files = { readFile: (p: string) => readText(path.resolve(io.cwd, p)) };
  const session = new Session(lab, files);
  for (const unit of [...session.drivers, ...session.programs]) for (const w of unit.tu.warnings) io.stderr(formatDiagnostic(w) + '\n');
  const result = session.runToEnd();
  io.stdout(format === 'json' ? formatJson(result) : format === 'junit' ? formatJunit(result) : formatText(result));
  return result.exitCode;
}

export function main(argv: string[], io: CliIo): number {
  try {
    const [cmd, ...rest] = argv;
    if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      io.stdout(USAGE);
      return cmd === undefined ? 2 : 0;
    }
    if (cmd === 'run') return runCommand(rest, io);
    if (cmd === 'policies') {
      const r = policiesCommand(rest);
      io.stdout(r.stdout);
      io.stderr(r.stderr);
      return r.exitCode;
    }
    throw new BadInput(`unknown command '${cmd}'`);
  } catch (e) {
    if (e instanceof BadInput) {
      io.stderr(`kmemlab: ${e.message}\n`);
      return 2;
    }
    if (e instanceof CompileError) {
      io.stderr(e.diagnostics.map(formatDiagnostic).join('\n') + '\n');
      return 2;
    }
    io.stderr(`kmemlab: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}

/** Runs the CLI in this Node process (bin/kmemlab and `node out/engine/cli/main.js`). */
export function cliEntry(): void {
  process.exitCode = main(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    cwd: process.cwd(),
  });
}

if (require.main === module) cliEntry();
