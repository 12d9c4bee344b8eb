/**
 * The matrix: offsets taken from every machine's boundaries, each asked of
 * every policy under every securelevel, credential and protection, and the
 * cases where the seven 2006 ports do not agree. Each probe is one check at
 * exactly that offset (a one-byte request), so mmmmap's own edges show
 * before any page rounding.
 */
import { clusterEnd } from './clusters';
import { hex } from './cint';
import { judgeAll } from './judge';
import { defaultMachines, MachineSet } from './machines';
import { DevMemRequest, MachineDescription, NETBSD_2006_ARCHES, POLICY_ARCHES, PolicyArch, Prot, Verdict } from './types';

export const MATRIX_SECURELEVELS: readonly number[] = [-1, 0, 1, 2];
export const MATRIX_EUIDS: readonly number[] = [0, 1000];
export const MATRIX_PROTS: readonly Prot[] = [
  { read: true, write: false },
  { read: true, write: true },
];

const GiB = 1n << 30n;
const MiB = 1n << 20n;

/** Offsets that matter to no machine in particular but to the C types involved. */
const GLOBAL_PROBES: ReadonlyArray<[bigint, string]> = [
  [2n * GiB, '2 GiB (int ctob overflow point)'],
  [4n * GiB - 4096n, '4 GiB - 4 KiB (the last page below 4 GiB)'],
  [4n * GiB - 4n, '4 GiB - 4 (hp300 top bound)'],
  [4n * GiB + MiB, '4 GiB + 1 MiB (32-bit truncation)'],
];

export interface ProbeCase {
  offset: bigint;
  /** Where the offset comes from, e.g. "cluster 1 end [i386, amd64]". */
  labels: string[];
}

export interface MatrixRow {
  probe: ProbeCase;
  securelevel: number;
  euid: number;
  prot: Prot;
  /** In POLICY_ARCHES order. */
  verdicts: Verdict[];
  /** The seven 2006 ports do not all give the same answer. */
  disagreement: boolean;
}

export interface PolicyMatrix {
  arches: readonly PolicyArch[];
  probes: ProbeCase[];
  rows: MatrixRow[];
  disagreements: MatrixRow[];
}

export interface MatrixFilter {
  securelevels?: readonly number[];
  euids?: readonly number[];
  prots?: readonly Prot[];
}

type Boundary = [offset: bigint, what: string];

/** start, end - 1, end, end + 1 page of a range. */
function rangeBoundaries(name: string, start: bigint, end: bigint, pageSizeBytes: number): Boundary[] {
  return [
    [start, `${name} start`],
    [end - 1n, `${name} end-1`],
    [end, `${name} end`],
    [end + BigInt(pageSizeBytes), `${name} end+1 page`],
  ];
}

/** A page in the middle of each gap between consecutive clusters. */
function holeBoundaries(m: MachineDescription): Boundary[] {
  const sorted = [...m.clusters].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const page = BigInt(m.pageSizeBytes);
  const out: Boundary[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const gapStart = clusterEnd(sorted[i]);
    const gapEnd = sorted[i + 1].start;
    if (gapEnd - gapStart < page) continue;
    const middle = (gapStart + gapEnd) / 2n;
    out.push([middle - (middle % page), `hole ${hex(gapStart)}-${hex(gapEnd)}`]);
  }
  return out;
}

function machineBoundaries(m: MachineDescription): Boundary[] {
  const out: Boundary[] = [];
  m.clusters.forEach((c, i) => out.push(...rangeBoundaries(`cluster ${i}`, c.start, clusterEnd(c), m.pageSizeBytes)));
  out.push(...holeBoundaries(m));
  out.push([BigInt(m.physmemPages) * BigInt(m.pageSizeBytes), 'physmem bytes']);
  if (m.lowram !== undefined) out.push([m.lowram, 'lowram']);
  if (m.availStart !== undefined && m.availEnd !== undefined) {
    out.push(...rangeBoundaries('avail', m.availStart, m.availEnd, m.pageSizeBytes));
  }
  return out.filter(([offset]) => offset >= 0n);
}

/** Every machine's boundaries plus the global ones, one probe per distinct offset, ascending. */
export function probeCases(machines: MachineSet): ProbeCase[] {
  const byOffset = new Map<bigint, Map<string, PolicyArch[]>>();
  const note = (offset: bigint, what: string, arch?: PolicyArch): void => {
    const whats = byOffset.get(offset) ?? new Map<string, PolicyArch[]>();
    byOffset.set(offset, whats);
    const arches = whats.get(what) ?? [];
    whats.set(what, arches);
    if (arch !== undefined && !arches.includes(arch)) arches.push(arch);
  };
  for (const arch of POLICY_ARCHES) {
    for (const [offset, what] of machineBoundaries(machines[arch])) note(offset, what, arch);
  }
  for (const [offset, what] of GLOBAL_PROBES) note(offset, what);
  return [...byOffset.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([offset, whats]) => ({
      offset,
      labels: [...whats.entries()].map(([what, arches]) => (arches.length === 0 ? what : `${what} [${arches.join(', ')}]`)),
    }));
}

function disagree(verdicts: readonly Verdict[]): boolean {
  const netbsd2006 = verdicts.filter((v) => (NETBSD_2006_ARCHES as readonly string[]).includes(v.arch));
  return netbsd2006.some((v) => v.allowed !== netbsd2006[0].allowed);
}

export function buildPolicyMatrix(machines: MachineSet = defaultMachines(), filter: MatrixFilter = {}): PolicyMatrix {
  const probes = probeCases(machines);
  const rows: MatrixRow[] = [];
  for (const probe of probes) {
    for (const securelevel of filter.securelevels ?? MATRIX_SECURELEVELS) {
      for (const euid of filter.euids ?? MATRIX_EUIDS) {
        for (const prot of filter.prots ?? MATRIX_PROTS) {
          const req: DevMemRequest = { offset: probe.offset, lengthBytes: 1, prot };
          const verdicts = judgeAll(req, { euid }, machines, securelevel);
          rows.push({ probe, securelevel, euid, prot, verdicts, disagreement: disagree(verdicts) });
        }
      }
    }
  }
  return { arches: POLICY_ARCHES, probes, rows, disagreements: rows.filter((r) => r.disagreement) };
}
