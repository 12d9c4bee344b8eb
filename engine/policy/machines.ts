/**
 * The machine each policy is judged on. Every architecture gets a plausible
 * machine of its era, built from a RAM size the way its kernel would record
 * it; lab.json can replace the RAM size or any single fact.
 *
 * The NetBSD machines start at securelevel 1: init(8) raises 0 to 1 when it
 * goes multi-user (sbin/init/init.c), so that is what a running system has.
 */
import { PROT_EXEC, PROT_READ, PROT_WRITE, protFromBits } from './prot';
import { parseIntegerLiteral, parseSignedLiteral } from './numbers';
import { isPolicyArch, MachineDescription, MemCluster, POLICY_ARCHES, PolicyArch, Prot } from './types';

const KiB = 1n << 10n;
const MiB = 1n << 20n;
const GiB = 1n << 30n;
const FOUR_GIB = 4n * GiB;

const MULTI_USER_SECURELEVEL = 1;

/** What each default machine is, and why its RAM size is plausible for August 2006. */
const DEFAULT_RAM_BYTES: Record<PolicyArch, bigint> = {
  i386: 512n * MiB, // a 2006 desktop PC
  amd64: 2n * GiB, // a 2006 Athlon 64 / Opteron workstation
  alpha: 256n * MiB, // AlphaStation 500 (EV5), a common NetBSD/alpha machine
  vax: 32n * MiB, // VAXstation 4000/90
  hp300: 16n * MiB, // HP 9000/425t
  powerpc: 512n * MiB, // Power Macintosh G4 (macppc)
  sun3: 8n * MiB, // Sun 3/60
  netbsd4: 2n * GiB, // the amd64 PC again, judged by the fixed rule
  linux: 2n * GiB, // the same PC running Linux 3.7 x86_64
};

// --- x86 PC: the BIOS memory map ------------------------------------------

/** Base memory ends where the Extended BIOS Data Area starts (639 KiB). */
const PC_BASE_MEMORY_END = 0x9fc00n;
const PC_EXTENDED_START = 0x100000n;
/** ACPI tables and NVS occupy the last 64 KiB below the top of low RAM. */
const PC_ACPI_BYTES = 64n * KiB;
/** 2006 chipsets put PCI MMIO in the top 512 MiB below 4 GiB and remap RAM above 4 GiB. */
const PC_PCI_HOLE_START = 0xe0000000n;

interface PcRamRange {
  start: bigint;
  end: bigint;
}

/** The BIOS "Memory" (e820 type 1) ranges of a PC with ramBytes of DIMMs, byte exact. */
function pcUsableRam(ramBytes: bigint): PcRamRange[] {
  const lowTop = ramBytes < PC_PCI_HOLE_START ? ramBytes : PC_PCI_HOLE_START;
  const ranges: PcRamRange[] = [
    { start: 0n, end: PC_BASE_MEMORY_END },
    { start: PC_EXTENDED_START, end: lowTop - PC_ACPI_BYTES },
  ];
  if (ramBytes > lowTop) ranges.push({ start: FOUR_GIB, end: FOUR_GIB + (ramBytes - lowTop) });
  return ranges;
}

function roundDown(x: bigint, page: bigint): bigint {
  return x - (x % page);
}

function roundUp(x: bigint, page: bigint): bigint {
  return roundDown(x + page - 1n, page);
}

/** NetBSD's x86 mem_clusters: each BIOS "Memory" range with its start rounded up and its end down to pages. */
function netbsdX86Clusters(ramBytes: bigint, keepAbove4G: boolean): MemCluster[] {
  const page = 4096n;
  return pcUsableRam(ramBytes)
    .filter((r) => keepAbove4G || r.end <= FOUR_GIB) // i386 in 2006 skipped entries beyond 4 GiB
    .map((r) => ({ start: roundUp(r.start, page), sizeBytes: roundDown(r.end, page) - roundUp(r.start, page) }))
    .filter((c) => c.sizeBytes > 0n);
}

/** Linux's "System RAM": the e820 ranges after trim_bios_range() has made page 0 reserved. */
function linuxSystemRam(ramBytes: bigint): MemCluster[] {
  return pcUsableRam(ramBytes).map((r) => {
    const start = r.start === 0n ? 0x1000n : r.start;
    return { start, sizeBytes: r.end - start };
  });
}

function pagesIn(clusters: readonly MemCluster[], pageSizeBytes: number): number {
  return Number(clusters.reduce((n, c) => n + c.sizeBytes, 0n) / BigInt(pageSizeBytes));
}

// --- the machines ------------------------------------------------------------

function x86Machine(arch: 'i386' | 'amd64' | 'netbsd4', ramBytes: bigint): MachineDescription {
  const clusters = netbsdX86Clusters(ramBytes, arch !== 'i386');
  return {
    arch,
    model:
      `PC with ${sizeText(ramBytes)} of RAM; mem_clusters are the BIOS "Memory" ranges page-rounded ` +
      `(639 KiB of base memory, extended memory up to the 64 KiB of ACPI tables${arch === 'i386' ? '' : ', RAM remapped above 4 GiB'})` +
      (arch === 'netbsd4' ? '; the amd64 PC judged by the NetBSD 4 rule' : ''),
    pageSizeBytes: 4096,
    physmemPages: pagesIn(clusters, 4096), // init386/init_x86_64 add atop(size) per cluster
    clusters,
    securelevel: MULTI_USER_SECURELEVEL,
  };
}

/** SRM consoles of the EV5 era report the console and PALcode in a first cluster of 192 8-KiB pages. */
const ALPHA_PALCODE_BYTES = 192n * 8192n;

function alphaMachine(ramBytes: bigint): MachineDescription {
  const clusters: MemCluster[] = [
    // alpha machdep.c ORs PROT_READ into a PALcode cluster's size, READ|WRITE|EXEC into plain RAM.
    { start: 0n, sizeBytes: ALPHA_PALCODE_BYTES, prot: protFromBits(PROT_READ) },
    { start: ALPHA_PALCODE_BYTES, sizeBytes: ramBytes - ALPHA_PALCODE_BYTES, prot: protFromBits(PROT_READ | PROT_WRITE | PROT_EXEC) },
  ];
  return {
    arch: 'alpha',
    model: `AlphaStation 500 with ${sizeText(ramBytes)}; SRM reports a PALcode/console cluster (READ) and a RAM cluster (READ|WRITE|EXEC)`,
    pageSizeBytes: 8192,
    physmemPages: Number((ramBytes - ALPHA_PALCODE_BYTES) / 8192n), // PALcode clusters are not counted in physmem
    clusters,
    securelevel: MULTI_USER_SECURELEVEL,
  };
}

function flatRamMachine(arch: 'vax' | 'powerpc', ramBytes: bigint, model: string): MachineDescription {
  return {
    arch,
    model,
    pageSizeBytes: 4096,
    physmemPages: Number(ramBytes / 4096n),
    clusters: [{ start: 0n, sizeBytes: ramBytes }],
    securelevel: MULTI_USER_SECURELEVEL,
  };
}

function hp300Machine(ramBytes: bigint): MachineDescription {
  const lowram = FOUR_GIB - ramBytes; // RAM ends at 0xFFFFFFFF; the boot ROM reports its lowest address
  return {
    arch: 'hp300',
    model: `HP 9000/425t with ${sizeText(ramBytes)}; RAM occupies the top of the address space, lowram = 4 GiB - RAM`,
    pageSizeBytes: 4096,
    physmemPages: Number(ramBytes / 4096n),
    clusters: [{ start: lowram, sizeBytes: ramBytes }],
    lowram,
    securelevel: MULTI_USER_SECURELEVEL,
  };
}

/** Where a GENERIC sun3 kernel's image, symbols and bootstrap tables end: a round 1.5 MiB. */
const SUN3_AVAIL_START = 0x180000n;
/** The pmap's fallback for PROMs that do not say: the monitor keeps two pages at the top. */
const SUN3_PROM_BYTES = 2n * 8192n;

function sun3Machine(ramBytes: bigint): MachineDescription {
  const availEnd = ramBytes - SUN3_PROM_BYTES;
  return {
    arch: 'sun3',
    model:
      `Sun 3/60 with ${sizeText(ramBytes)}; avail_start is the end of the kernel's bootstrap allocations, ` +
      `avail_end the PROM's memoryAvail (RAM minus the monitor's two pages)`,
    pageSizeBytes: 8192,
    physmemPages: (Number(availEnd / 8192n) + 0xf) & ~0xf, // pmap_bootstrap rounds it up to 16 pages
    clusters: [{ start: 0n, sizeBytes: ramBytes }],
    availStart: SUN3_AVAIL_START,
    availEnd,
    securelevel: MULTI_USER_SECURELEVEL,
  };
}

function linuxMachine(ramBytes: bigint): MachineDescription {
  const clusters = linuxSystemRam(ramBytes);
  return {
    arch: 'linux',
    model: `the same ${sizeText(ramBytes)} PC under Linux 3.7 x86_64; clusters are the "System RAM" entries of /proc/iomem`,
    pageSizeBytes: 4096,
    physmemPages: pagesIn(clusters, 4096),
    clusters,
    securelevel: 0,
    strictDevmem: true, // distribution kernels of the 3.x era enable CONFIG_STRICT_DEVMEM
  };
}

function sizeText(bytes: bigint): string {
  if (bytes % GiB === 0n) return `${bytes / GiB} GiB`;
  if (bytes % MiB === 0n) return `${bytes / MiB} MiB`;
  return `${bytes} bytes`;
}

/** The default machine of an architecture, with ramBytes of RAM. */
export function machineForRam(arch: PolicyArch, ramBytes: bigint): MachineDescription {
  switch (arch) {
    case 'i386':
    case 'amd64':
    case 'netbsd4':
      return x86Machine(arch, ramBytes);
    case 'alpha':
      return alphaMachine(ramBytes);
    case 'vax':
      return flatRamMachine('vax', ramBytes, `VAXstation 4000/90 with ${sizeText(ramBytes)}; physmem = btoc(avail_end) in 4 KiB logical pages`);
    case 'powerpc':
      return flatRamMachine('powerpc', ramBytes, `Power Macintosh G4 with ${sizeText(ramBytes)} of RAM from address 0`);
    case 'hp300':
      return hp300Machine(ramBytes);
    case 'sun3':
      return sun3Machine(ramBytes);
    case 'linux':
      return linuxMachine(ramBytes);
  }
}

export function defaultMachine(arch: PolicyArch): MachineDescription {
  return machineForRam(arch, DEFAULT_RAM_BYTES[arch]);
}

export type MachineSet = Record<PolicyArch, MachineDescription>;

export function defaultMachines(): MachineSet {
  return Object.fromEntries(POLICY_ARCHES.map((a) => [a, defaultMachine(a)])) as MachineSet;
}

// --- lab.json overrides -------------------------------------------------------

export class PolicyConfigError extends Error {}

/** What lab.json may say about one architecture's machine; numbers may be JSON numbers or "0x..." strings. */
export type MachineOverride = Partial<Omit<MachineDescription, 'arch'>> & { ramBytes?: bigint };

function configNumber(where: string, v: unknown, allowUnits: boolean): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string') {
    const parsed = parseIntegerLiteral(v, allowUnits);
    if (parsed !== undefined) return parsed;
  }
  throw new PolicyConfigError(`${where}: expected a non-negative integer (decimal or "0x..." hex${allowUnits ? ', or a size like "512MiB"' : ''}), got ${JSON.stringify(v)}`);
}

function configInt(where: string, v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string') {
    const parsed = parseSignedLiteral(v);
    if (parsed !== undefined) return Number(parsed);
  }
  throw new PolicyConfigError(`${where}: expected an integer, got ${JSON.stringify(v)}`);
}

function configProt(where: string, v: unknown): Prot {
  if (typeof v === 'string' && /^(-|r?w?x?)$/.test(v) && v !== '') {
    return { read: v.includes('r'), write: v.includes('w'), exec: v.includes('x') };
  }
  throw new PolicyConfigError(`${where}: expected a protection like "r", "rw" or "rwx", got ${JSON.stringify(v)}`);
}

function configCluster(where: string, v: unknown): MemCluster {
  if (typeof v !== 'object' || v === null) throw new PolicyConfigError(`${where}: expected {"start", "sizeBytes"}`);
  const o = v as Record<string, unknown>;
  const cluster: MemCluster = { start: configNumber(`${where}.start`, o.start, false), sizeBytes: configNumber(`${where}.sizeBytes`, o.sizeBytes, true) };
  if (o.prot !== undefined) cluster.prot = configProt(`${where}.prot`, o.prot);
  return cluster;
}

const OVERRIDE_KEYS = ['ramBytes', 'model', 'pageSizeBytes', 'physmemPages', 'physmemBytes', 'clusters', 'lowram', 'availStart', 'availEnd', 'securelevel', 'strictDevmem'];

/** One architecture's entry of lab.json's machine overrides. */
export function parseMachineOverride(arch: PolicyArch, json: unknown): MachineOverride {
  const where = `machines.${arch}`;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new PolicyConfigError(`${where}: expected an object`);
  const o = json as Record<string, unknown>;
  const unknownKey = Object.keys(o).find((k) => !OVERRIDE_KEYS.includes(k));
  if (unknownKey !== undefined) throw new PolicyConfigError(`${where}: unknown key "${unknownKey}" (known: ${OVERRIDE_KEYS.join(', ')})`);
  const out: MachineOverride = {};
  if (o.ramBytes !== undefined) out.ramBytes = configNumber(`${where}.ramBytes`, o.ramBytes, true);
  if (o.model !== undefined) {
    if (typeof o.model !== 'string') throw new PolicyConfigError(`${where}.model: expected a string`);
    out.model = o.model;
  }
  if (o.pageSizeBytes !== undefined) out.pageSizeBytes = Number(configNumber(`${where}.pageSizeBytes`, o.pageSizeBytes, true));
  if (o.physmemPages !== undefined) out.physmemPages = Number(configNumber(`${where}.physmemPages`, o.physmemPages, false));
  if (o.physmemBytes !== undefined) {
    const pageSize = BigInt(out.pageSizeBytes ?? defaultMachine(arch).pageSizeBytes);
    out.physmemPages = Number(configNumber(`${where}.physmemBytes`, o.physmemBytes, true) / pageSize);
  }
  if (o.clusters !== undefined) {
    if (!Array.isArray(o.clusters)) throw new PolicyConfigError(`${where}.clusters: expected an array`);
    out.clusters = o.clusters.map((c, i) => configCluster(`${where}.clusters[${i}]`, c));
  }
  if (o.lowram !== undefined) out.lowram = configNumber(`${where}.lowram`, o.lowram, false);
  if (o.availStart !== undefined) out.availStart = configNumber(`${where}.availStart`, o.availStart, false);
  if (o.availEnd !== undefined) out.availEnd = configNumber(`${where}.availEnd`, o.availEnd, false);
  if (o.securelevel !== undefined) out.securelevel = configInt(`${where}.securelevel`, o.securelevel);
  if (o.strictDevmem !== undefined) {
    if (typeof o.strictDevmem !== 'boolean') throw new PolicyConfigError(`${where}.strictDevmem: expected true or false`);
    out.strictDevmem = o.strictDevmem;
  }
  return out;
}

/** lab.json's `{ "i386": {...}, "sun3": {...} }`. */
export function parseMachineOverrides(json: unknown): Partial<Record<PolicyArch, MachineOverride>> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new PolicyConfigError('machines: expected an object keyed by architecture');
  const out: Partial<Record<PolicyArch, MachineOverride>> = {};
  for (const [arch, value] of Object.entries(json as Record<string, unknown>)) {
    if (!isPolicyArch(arch)) throw new PolicyConfigError(`machines: unknown architecture "${arch}" (known: ${POLICY_ARCHES.join(', ')})`);
    out[arch] = parseMachineOverride(arch, value);
  }
  return out;
}

/** Checks what the policies rely on; throws PolicyConfigError naming the first problem. */
export function validateMachine(m: MachineDescription): MachineDescription {
  const where = `machines.${m.arch}`;
  const fail = (msg: string): never => {
    throw new PolicyConfigError(`${where}: ${msg}`);
  };
  if (!Number.isInteger(m.pageSizeBytes) || m.pageSizeBytes < 512 || (m.pageSizeBytes & (m.pageSizeBytes - 1)) !== 0) {
    fail(`pageSizeBytes ${m.pageSizeBytes} is not a power of two >= 512`);
  }
  if (!Number.isInteger(m.physmemPages) || m.physmemPages < 0 || m.physmemPages > 0x7fffffff) fail(`physmemPages ${m.physmemPages} does not fit the kernel's int physmem`);
  if (!Number.isInteger(m.securelevel)) fail(`securelevel ${m.securelevel} is not an integer`);
  const pageMask = BigInt(m.pageSizeBytes - 1);
  m.clusters.forEach((c, i) => {
    if (c.start < 0n || c.sizeBytes < 0n) fail(`clusters[${i}] has a negative start or size`);
    if (m.arch === 'alpha' && (c.sizeBytes & pageMask) !== 0n) fail(`clusters[${i}].sizeBytes must be a whole number of pages: alpha keeps the protection in its low bits`);
  });
  if (m.arch === 'hp300' && m.lowram === undefined) fail('hp300 needs lowram');
  if (m.arch === 'sun3' && (m.availStart === undefined || m.availEnd === undefined)) fail('sun3 needs availStart and availEnd');
  return m;
}

export function applyMachineOverride(arch: PolicyArch, override: MachineOverride | undefined): MachineDescription {
  if (override === undefined) return defaultMachine(arch);
  const { ramBytes, ...facts } = override;
  const base = ramBytes === undefined ? defaultMachine(arch) : machineForRam(arch, ramBytes);
  return validateMachine({ ...base, ...facts, arch });
}

/** Every architecture's machine, with lab.json's overrides applied. */
export function machinesWithOverrides(overrides: Partial<Record<PolicyArch, MachineOverride>> = {}): MachineSet {
  return Object.fromEntries(POLICY_ARCHES.map((a) => [a, applyMachineOverride(a, overrides[a])])) as MachineSet;
}
