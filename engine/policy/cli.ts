/**
 * `kmemlab policies`, as a pure function of its arguments: the main CLI
 * prints what it returns and exits with its code.
 *
 *   kmemlab policies [--securelevel N] [--uid N] [--prot r|rw] [--format text|json|markdown]
 *   kmemlab policies --describe [--arch A] [--securelevel N] [--format ...]
 *   kmemlab policies --offset N [--length N] [--prot r|rw|rx|rwx] [--uid N] [--securelevel N] [--arch A] [--format ...]
 */
import { judgeAll, judgeOne } from './judge';
import { defaultMachines, MachineSet } from './machines';
import { buildPolicyMatrix, MatrixFilter } from './matrix';
import { parseIntegerLiteral, parseSignedLiteral } from './numbers';
import { renderMachines, renderMatrix, renderSingle, ReportFormat } from './report';
import { isPolicyArch, POLICY_ARCHES, PolicyArch, Prot } from './types';

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface PoliciesCommandOptions {
  /** The machines to judge on (from lab.json); defaults for any arch not given. */
  machines?: Partial<MachineSet>;
}

export const POLICIES_USAGE = [
  'usage: kmemlab policies [--securelevel N] [--uid N] [--prot r|rw] [--format text|json|markdown]',
  '       kmemlab policies --describe [--arch A] [--securelevel N] [--format text|json|markdown]',
  '       kmemlab policies --offset N [--length N] [--prot r|rw|rx|rwx] [--uid N] [--securelevel N] [--arch A] [--format text|json|markdown]',
  `N is decimal or 0x hex; A is one of ${POLICY_ARCHES.join(', ')}.`,
  '',
].join('\n');

const VALUE_FLAGS = ['--securelevel', '--uid', '--format', '--offset', '--length', '--prot', '--arch'] as const;
const SWITCH_FLAGS = ['--describe', '--help'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

interface ParsedArgs {
  values: Partial<Record<ValueFlag, string>>;
  describe: boolean;
  help: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { values: {}, describe: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      parsed.help = true;
      continue;
    }
    if (arg === '--describe') {
      parsed.describe = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    if (!(VALUE_FLAGS as readonly string[]).includes(name)) {
      if (arg.startsWith('-') && !(SWITCH_FLAGS as readonly string[]).includes(name)) throw new UsageError(`unknown flag '${name}'`);
      throw new UsageError(`unexpected argument '${arg}'`);
    }
    const flag = name as ValueFlag;
    if (parsed.values[flag] !== undefined) throw new UsageError(`${flag} given twice`);
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
    parsed.values[flag] = value;
  }
  return parsed;
}

function parseFormat(text: string | undefined): ReportFormat {
  if (text === undefined) return 'text';
  if (text === 'text' || text === 'json' || text === 'markdown') return text;
  throw new UsageError(`--format must be text, json or markdown, not '${text}'`);
}

function parseSecurelevel(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = parseSignedLiteral(text);
  if (v === undefined || v < -0x80000000n || v > 0x7fffffffn) throw new UsageError(`--securelevel must be an integer, not '${text}'`);
  return Number(v);
}

function parseUid(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = parseIntegerLiteral(text);
  if (v === undefined || v > 0xffffffffn) throw new UsageError(`--uid must be an integer from 0 to 4294967295, not '${text}'`);
  return Number(v);
}

function parseOffset(text: string): bigint {
  const v = parseIntegerLiteral(text);
  if (v === undefined || v >= 1n << 64n) throw new UsageError(`--offset must be a 64-bit unsigned integer (decimal or 0x hex), not '${text}'`);
  return v;
}

function parseLength(text: string | undefined): number {
  if (text === undefined) return 1;
  const v = parseIntegerLiteral(text);
  if (v === undefined || v < 1n || v > BigInt(Number.MAX_SAFE_INTEGER)) throw new UsageError(`--length must be a positive integer, not '${text}'`);
  return Number(v);
}

const PROT_NAMES: Record<string, Prot> = {
  r: { read: true, write: false },
  rw: { read: true, write: true },
  rx: { read: true, write: false, exec: true },
  rwx: { read: true, write: true, exec: true },
};

function parseProt(text: string | undefined, allowExec: boolean): Prot | undefined {
  if (text === undefined) return undefined;
  const prot = PROT_NAMES[text];
  if (prot === undefined || (!allowExec && prot.exec)) throw new UsageError(`--prot must be ${allowExec ? 'r, rw, rx or rwx' : 'r or rw'}, not '${text}'`);
  return prot;
}

function parseArch(text: string | undefined): PolicyArch | undefined {
  if (text === undefined) return undefined;
  if (!isPolicyArch(text)) throw new UsageError(`--arch must be one of ${POLICY_ARCHES.join(', ')}, not '${text}'`);
  return text;
}

function rejectFlags(args: ParsedArgs, flags: readonly ValueFlag[], mode: string): void {
  const bad = flags.find((f) => args.values[f] !== undefined);
  if (bad !== undefined) throw new UsageError(`${bad} does not apply to ${mode}`);
}

function withSecurelevel(machines: MachineSet, securelevel: number | undefined): MachineSet {
  if (securelevel === undefined) return machines;
  return Object.fromEntries(POLICY_ARCHES.map((a) => [a, { ...machines[a], securelevel }])) as MachineSet;
}

function describeCommand(args: ParsedArgs, machines: MachineSet, format: ReportFormat): string {
  rejectFlags(args, ['--uid', '--prot', '--length', '--offset'], '--describe');
  const arch = parseArch(args.values['--arch']);
  const shown = withSecurelevel(machines, parseSecurelevel(args.values['--securelevel']));
  return renderMachines(shown, arch === undefined ? POLICY_ARCHES : [arch], format);
}

function singleRequestCommand(args: ParsedArgs, machines: MachineSet, format: ReportFormat): string {
  const req = {
    offset: parseOffset(args.values['--offset']!),
    lengthBytes: parseLength(args.values['--length']),
    prot: parseProt(args.values['--prot'], true) ?? PROT_NAMES.r,
  };
  const cred = { euid: parseUid(args.values['--uid']) ?? 0 };
  const securelevel = parseSecurelevel(args.values['--securelevel']);
  const arch = parseArch(args.values['--arch']);
  const verdicts = arch === undefined ? judgeAll(req, cred, machines, securelevel) : [judgeOne(arch, req, cred, machines, securelevel)];
  return renderSingle({ req, cred, securelevel, verdicts }, format);
}

function matrixCommand(args: ParsedArgs, machines: MachineSet, format: ReportFormat): string {
  rejectFlags(args, ['--arch', '--length'], 'the matrix (use --offset)');
  const securelevel = parseSecurelevel(args.values['--securelevel']);
  const uid = parseUid(args.values['--uid']);
  const prot = parseProt(args.values['--prot'], false);
  const filter: MatrixFilter = {
    securelevels: securelevel === undefined ? undefined : [securelevel],
    euids: uid === undefined ? undefined : [uid],
    prots: prot === undefined ? undefined : [prot],
  };
  return renderMatrix(buildPolicyMatrix(machines, filter), format);
}

export function policiesCommand(argv: string[], options: PoliciesCommandOptions = {}): CommandResult {
  try {
    const args = parseArgs(argv);
    if (args.help) return { stdout: POLICIES_USAGE, stderr: '', exitCode: 0 };
    const format = parseFormat(args.values['--format']);
    const machines: MachineSet = { ...defaultMachines(), ...options.machines };
    if (args.describe && args.values['--offset'] !== undefined) throw new UsageError('--describe and --offset cannot be combined');
    let stdout: string;
    if (args.describe) stdout = describeCommand(args, machines, format);
    else if (args.values['--offset'] !== undefined) stdout = singleRequestCommand(args, machines, format);
    else stdout = matrixCommand(args, machines, format);
    return { stdout, stderr: '', exitCode: 0 };
  } catch (e) {
    if (e instanceof UsageError) return { stdout: '', stderr: `kmemlab policies: ${e.message} (see --help)\n`, exitCode: 2 };
    throw e;
  }
}
