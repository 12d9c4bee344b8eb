/**
 * What to boot and run: a lab (lab.json in a folder) or a list of .c files. lab.json is checked
 * field by field so a mistake gets a message that names the field.
 */
import { dirname, join, normalize } from '../lang/paths';

export type ArchChoice = 'x86_64' | 'i386' | 'i386-pae';
export const ARCHES: readonly ArchChoice[] = ['x86_64', 'i386', 'i386-pae'];

export interface DriverSpec {
  path: string;
  params: Record<string, string | number | boolean>;
}

export interface ProgramSpec {
  path: string;
  args: string[];
  uid: number;
  gid: number;
}

export interface CheckSpec {
  name: string;
  /** Which program the check looks at (path as written in lab.json); default the first. */
  program?: string;
  dmesgContains?: string;
  dmesgMatches?: string;
  dmesgNotContains?: string;
  stdoutContains?: string;
  stdoutMatches?: string;
  stdoutEquals?: string;
  stderrContains?: string;
  exitCode?: number;
  signal?: string;
  oops?: boolean;
}

export interface LabSpec {
  name: string;
  title: string;
  /** Folder the paths are relative to. */
  dir: string;
  arch: ArchChoice;
  ramMiB: number;
  securelevel: number;
  drivers: DriverSpec[];
  programs: ProgramSpec[];
  checks: CheckSpec[];
  /** Unload the drivers (rmmod, in reverse order) after the programs; default true. */
  unload: boolean;
  maxSteps: number;
  /** Emulated time after which the run stops (sleeping tasks advance time without steps). */
  maxSeconds: number;
  /** The arches the lab is written for (its checks pass on each); `arch` is the default. */
  arches: ArchChoice[];
  /** Programs run side by side (scheduled round robin at each jiffy) instead of one after another. */
  concurrent: boolean;
  /** Free-form extra settings other parts of kmemlab read (devmemPolicy, machine...). */
  extra: Record<string, unknown>;
}

export const DEFAULT_RAM_MIB = 128;
export const DEFAULT_MAX_STEPS = 200_000_000;
/** An hour of emulated time: enough for any lab that sleeps on purpose, short of a task that sleeps forever in a loop. */
export const DEFAULT_MAX_SECONDS = 3600;

/** A mistake in what the user asked for: exit code 2 with this message. */
export class BadInput extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadInput';
  }
}

const CHECK_KINDS = ['dmesgContains', 'dmesgMatches', 'dmesgNotContains', 'stdoutContains', 'stdoutMatches', 'stdoutEquals', 'stderrContains', 'exitCode', 'signal', 'oops'] as const;

function expectType(v: unknown, type: string, where: string): void {
  const actual = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
  if (actual !== type) throw new BadInput(`${where}: expected ${type}, got ${actual}`);
}

/** Parses lab.json text; paths in it are made relative to `dir`. */
export function parseLab(text: string, file: string): LabSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new BadInput(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  expectType(raw, 'object', file);
  const o = raw as Record<string, unknown>;
  const dir = dirname(file);
  const known = new Set(['$schema', 'name', 'title', 'description', 'arch', 'ramMiB', 'securelevel', 'drivers', 'programs', 'checks', 'unload', 'maxSteps', 'devmemPolicy', 'devmemMode', 'machine', 'concurrent', 'maxSeconds', 'arches']);
  for (const k of Object.keys(o)) if (!known.has(k)) throw new BadInput(`${file}: unknown field '${k}'`);
  const arch = (o.arch ?? 'x86_64') as ArchChoice;
  if (!ARCHES.includes(arch)) throw new BadInput(`${file}: arch: '${String(o.arch)}' is not one of ${ARCHES.join(', ')}`);
  const arches = (o.arches ?? [arch]) as ArchChoice[];
  expectType(arches, 'array', `${file}: arches`);
  for (const a of arches) if (!ARCHES.includes(a)) throw new BadInput(`${file}: arches: '${String(a)}' is not one of ${ARCHES.join(', ')}`);
  if (!arches.includes(arch)) throw new BadInput(`${file}: arches: must include the lab's arch '${arch}'`);
  const ramMiB = o.ramMiB === undefined ? DEFAULT_RAM_MIB : Number(o.ramMiB);
  checkRam(ramMiB, `${file}: ramMiB`);
  const securelevel = o.securelevel === undefined ? 0 : Number(o.securelevel);
  if (!Number.isInteger(securelevel) || securelevel < -1 || securelevel > 2) throw new BadInput(`${file}: securelevel: must be -1, 0, 1 or 2`);
  const drivers = ((o.drivers ?? []) as unknown[]).map((d, i) => parseDriver(d, `${file}: drivers[${i}]`, dir));
  expectType(o.drivers ?? [], 'array', `${file}: drivers`);
  expectType(o.programs ?? [], 'array', `${file}: programs`);
  const programs = ((o.programs ?? []) as unknown[]).map((p, i) => parseProgram(p, `${file}: programs[${i}]`, dir));
  expectType(o.checks ?? [], 'array', `${file}: checks`);
  const checks = ((o.checks ?? []) as unknown[]).map((c, i) => parseCheck(c, `${file}: checks[${i}]`, programs));
  const maxSteps = o.maxSteps === undefined ? DEFAULT_MAX_STEPS : Number(o.maxSteps);
  if (!Number.isInteger(maxSteps) || maxSteps <= 0) throw new BadInput(`${file}: maxSteps: must be a positive integer`);
  const maxSeconds = o.maxSeconds === undefined ? DEFAULT_MAX_SECONDS : Number(o.maxSeconds);
  if (!Number.isFinite(maxSeconds) || maxSeconds <= 0) throw new BadInput(`${file}: maxSeconds: must be a positive number of emulated seconds`);
  if (o.concurrent !== undefined && typeof o.concurrent !== 'boolean') throw new BadInput(`${file}: concurrent: must be true or false`);
  const extra: Record<string, unknown> = {};
  for (const k of ['devmemPolicy', 'devmemMode', 'machine', 'concurrent', 'description']) if (o[k] !== undefined) extra[k] = o[k];
  return {
    name: typeof o.name === 'string' ? o.name : dir.split('/').pop() || 'lab',
    title: typeof o.title === 'string' ? o.title : '',
    dir,
    arch,
    arches,
    ramMiB,
    securelevel,
    drivers,
    programs,
    checks,
    unload: o.unload === undefined ? true : Boolean(o.unload),
    maxSteps,
    maxSeconds,
    concurrent: o.concurrent === true,
    extra,
  };
}

export function checkRam(ramMiB: number, where: string): void {
  if (!Number.isInteger(ramMiB) || ramMiB < 32 || ramMiB > 4096) throw new BadInput(`${where}: RAM must be a whole number of MiB from 32 to 4096`);
}

function parseDriver(d: unknown, where: string, dir: string): DriverSpec {
  if (typeof d === 'string') return { path: normalize(join(dir, d)), params: {} };
  expectType(d, 'object', where);
  const o = d as Record<string, unknown>;
  expectType(o.path, 'string', `${where}.path`);
  const params = (o.params ?? {}) as Record<string, string | number | boolean>;
  expectType(params, 'object', `${where}.params`);
  return { path: normalize(join(dir, o.path as string)), params };
}

function parseProgram(p: unknown, where: string, dir: string): ProgramSpec {
  if (typeof p === 'string') return { path: normalize(join(dir, p)), args: [], uid: 0, gid: 0 };
  expectType(p, 'object', where);
  const o = p as Record<string, unknown>;
  expectType(o.path, 'string', `${where}.path`);
  const args = (o.args ?? []) as unknown[];
  expectType(args, 'array', `${where}.args`);
  const uid = o.uid === undefined ? 0 : Number(o.uid);
  if (!Number.isInteger(uid) || uid < 0) throw new BadInput(`${where}.uid: must be a non-negative integer`);
  const gid = o.gid === undefined ? uid : Number(o.gid);
  return { path: normalize(join(dir, o.path as string)), args: args.map(String), uid, gid };
}

function parseCheck(c: unknown, where: string, programs: ProgramSpec[]): CheckSpec {
  expectType(c, 'object', where);
  const o = c as Record<string, unknown>;
  const kinds = CHECK_KINDS.filter((k) => o[k] !== undefined);
  if (kinds.length !== 1) throw new BadInput(`${where}: needs exactly one of ${CHECK_KINDS.join(', ')}`);
  for (const k of Object.keys(o)) {
    if (k !== 'name' && k !== 'program' && !(CHECK_KINDS as readonly string[]).includes(k)) throw new BadInput(`${where}: unknown field '${k}'`);
  }
  const spec: CheckSpec = { name: typeof o.name === 'string' ? o.name : `${kinds[0]} ${JSON.stringify(o[kinds[0]])}` };
  if (o.program !== undefined) {
    expectType(o.program, 'string', `${where}.program`);
    if (!programs.some((p) => p.path.endsWith(o.program as string))) throw new BadInput(`${where}.program: no program '${o.program}' in this lab`);
    spec.program = o.program as string;
  }
  for (const k of ['dmesgContains', 'dmesgMatches', 'dmesgNotContains', 'stdoutContains', 'stdoutMatches', 'stdoutEquals', 'stderrContains', 'signal'] as const) {
    if (o[k] !== undefined) {
      expectType(o[k], 'string', `${where}.${k}`);
      spec[k] = o[k] as string;
    }
  }
  for (const k of ['dmesgMatches', 'stdoutMatches'] as const) {
    if (spec[k] !== undefined) {
      try {
        new RegExp(spec[k]!, 'm');
      } catch (e) {
        throw new BadInput(`${where}.${k}: not a valid regular expression: ${(e as Error).message}`);
      }
    }
  }
  if (o.exitCode !== undefined) {
    if (!Number.isInteger(o.exitCode)) throw new BadInput(`${where}.exitCode: must be an integer`);
    spec.exitCode = o.exitCode as number;
  }
  if (o.oops !== undefined) {
    expectType(o.oops, 'boolean', `${where}.oops`);
    spec.oops = o.oops as boolean;
  }
  return spec;
}

/** Does this C source register a module (module_init)? Comments and strings are skipped. */
export function isDriverSource(text: string): boolean {
  const stripped = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ').replace(/"(?:\\.|[^"\\\n])*"/g, '""');
  return /\bmodule_init\s*\(/.test(stripped);
}

/** A lab made of loose .c files: drivers in the order given, then the programs. */
export function labFromFiles(paths: string[], texts: string[]): LabSpec {
  const drivers: DriverSpec[] = [];
  const programs: ProgramSpec[] = [];
  paths.forEach((p, i) => {
    if (isDriverSource(texts[i])) drivers.push({ path: normalize(p), params: {} });
    else programs.push({ path: normalize(p), args: [], uid: 0, gid: 0 });
  });
  return {
    name: programs[0]?.path.split('/').pop()?.replace(/\.c$/, '') ?? drivers[0]?.path.split('/').pop()?.replace(/\.c$/, '') ?? 'run',
    title: '',
    dir: dirname(normalize(paths[0])),
    arch: 'x86_64',
    arches: ['x86_64', 'i386', 'i386-pae'],
    ramMiB: DEFAULT_RAM_MIB,
    securelevel: 0,
    drivers,
    programs,
    checks: [],
    unload: true,
    maxSteps: DEFAULT_MAX_STEPS,
    maxSeconds: DEFAULT_MAX_SECONDS,
    concurrent: false,
    extra: {},
  };
}
