/**
 * Rendering verdicts, the matrix and the machine descriptions as text
 * (aligned for a terminal), Markdown, or JSON (bigints as "0x..." strings).
 */
import { clusterEnd } from './clusters';
import { ctobInt, hex } from './cint';
import { POLICY_RULE_TEXT } from './judge';
import { MachineSet } from './machines';
import { MatrixRow, PolicyMatrix } from './matrix';
import { protShort } from './prot';
import { Credential, DevMemRequest, MachineDescription, PolicyArch, Verdict } from './types';

export type ReportFormat = 'text' | 'json' | 'markdown';

// --- shared -------------------------------------------------------------------

/** Pads every column but the last to its widest cell. */
export function alignColumns(rows: readonly string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd());
}

export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? hex(v) : v), 2) + '\n';
}

function yesNo(allowed: boolean): string {
  return allowed ? 'yes' : 'no';
}

function markdownCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function markdownTable(header: readonly string[], rows: readonly string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(markdownCell).join(' | ')} |`)];
}

function verdictJson(v: Verdict): Record<string, unknown> {
  return { arch: v.arch, allowed: v.allowed, errno: v.errno, rule: v.rule, reason: v.reason, edge: v.edge };
}

// --- one request --------------------------------------------------------------

export interface SingleReport {
  req: DevMemRequest;
  cred: Credential;
  /** undefined when each machine keeps its own. */
  securelevel: number | undefined;
  verdicts: Verdict[];
}

function requestLine(r: SingleReport): string {
  const sl = r.securelevel === undefined ? "each machine's own securelevel" : `securelevel ${r.securelevel}`;
  return `request: offset ${hex(r.req.offset)}, length ${r.req.lengthBytes}, prot ${protShort(r.req.prot)}, euid ${r.cred.euid}, ${sl}`;
}

export function renderSingle(r: SingleReport, format: ReportFormat): string {
  if (format === 'json') {
    return toJson({
      request: { offset: r.req.offset, lengthBytes: r.req.lengthBytes, prot: protShort(r.req.prot) },
      credential: { euid: r.cred.euid },
      securelevel: r.securelevel ?? null,
      verdicts: r.verdicts.map(verdictJson),
    });
  }
  if (format === 'markdown') {
    const rows = r.verdicts.map((v) => [v.arch, yesNo(v.allowed), v.errno ?? '', v.reason, v.edge ?? '']);
    const rules = r.verdicts.map((v) => `- **${v.arch}**: ${markdownCell(v.rule)}`);
    return [requestLine(r), '', ...markdownTable(['arch', 'allowed', 'errno', 'reason', 'edge'], rows), '', '### Rules', '', ...rules, ''].join('\n');
  }
  const lines: string[][] = [['arch', 'allowed', 'errno', 'reason']];
  for (const v of r.verdicts) {
    lines.push([v.arch, yesNo(v.allowed), v.errno ?? '', v.reason]);
    if (v.edge !== undefined) lines.push(['', '', '', `edge: ${v.edge}`]);
  }
  const rules = alignColumns(r.verdicts.map((v) => [v.arch, v.rule]));
  return [requestLine(r), '', ...alignColumns(lines), '', 'rules:', ...rules.map((l) => '  ' + l), ''].join('\n');
}

// --- the matrix -----------------------------------------------------------------

function rowKey(row: MatrixRow): string[] {
  return [hex(row.probe.offset), String(row.securelevel), String(row.euid), protShort(row.prot)];
}

function rowCells(row: MatrixRow): string[] {
  return row.verdicts.map((v) => yesNo(v.allowed));
}

function probeText(row: MatrixRow): string {
  return row.probe.labels.join('; ');
}

/** A matrix row; the rules are given once for the whole matrix, not per verdict. */
function matrixRowJson(row: MatrixRow): Record<string, unknown> {
  return {
    offset: row.probe.offset,
    probe: row.probe.labels,
    securelevel: row.securelevel,
    euid: row.euid,
    prot: protShort(row.prot),
    disagreement: row.disagreement,
    verdicts: row.verdicts.map((v) => ({ ...verdictJson(v), rule: undefined })),
  };
}

function splitByVerdict(row: MatrixRow): string {
  const allowed = row.verdicts.filter((v) => v.allowed).map((v) => v.arch);
  const refused = row.verdicts.filter((v) => !v.allowed).map((v) => v.arch);
  return `allowed: ${allowed.join(', ') || '-'}; refused: ${refused.join(', ') || '-'}`;
}

const MATRIX_TITLE =
  'NetBSD mmmmap(DEV_MEM) of August 2006 on seven ports, the NetBSD 4 rule and Linux 3.7, ' +
  'asked the same one-byte /dev/mem mmap at each probe offset';

export function renderMatrix(matrix: PolicyMatrix, format: ReportFormat): string {
  if (format === 'json') {
    return toJson({
      arches: matrix.arches,
      rules: Object.fromEntries(matrix.arches.map((a) => [a, POLICY_RULE_TEXT[a]])),
      probes: matrix.probes.map((p) => ({ offset: p.offset, labels: p.labels })),
      rows: matrix.rows.map(matrixRowJson),
      /** Indexes into rows, to keep the document from repeating them. */
      disagreementRows: matrix.rows.flatMap((row, i) => (row.disagreement ? [i] : [])),
    });
  }
  const header = ['offset', 'sl', 'uid', 'prot', ...matrix.arches, 'disagree', 'probe'];
  const body = matrix.rows.map((row) => [...rowKey(row), ...rowCells(row), row.disagreement ? '*' : '', probeText(row)]);
  if (format === 'markdown') {
    const disagreements = matrix.disagreements.flatMap((row) => [
      `### ${rowKey(row)[0]}, securelevel ${row.securelevel}, euid ${row.euid}, prot ${protShort(row.prot)}`,
      '',
      `${markdownCell(probeText(row))}. ${splitByVerdict(row)}.`,
      '',
      ...markdownTable(
        ['arch', 'allowed', 'reason', 'edge'],
        row.verdicts.map((v) => [v.arch, yesNo(v.allowed), v.reason, v.edge ?? '']),
      ),
      '',
    ]);
    return [`# /dev/mem mmap policies`, '', MATRIX_TITLE + '.', '', ...markdownTable(header, body), '', `## Disagreements among the 2006 ports (${matrix.disagreements.length})`, '', ...disagreements].join('\n');
  }
  const disagreements = matrix.disagreements.flatMap((row) => [
    `${rowKey(row)[0]} securelevel ${row.securelevel} euid ${row.euid} prot ${protShort(row.prot)} (${probeText(row)})`,
    `  ${splitByVerdict(row)}`,
    ...alignColumns(row.verdicts.map((v) => [`  ${v.arch}`, yesNo(v.allowed), v.reason + (v.edge ? ` [edge: ${v.edge}]` : '')])),
    '',
  ]);
  return [
    MATRIX_TITLE + '.',
    "yes = mapped, no = refused; * = the seven 2006 ports disagree. 'kmemlab policies --describe' shows the machines.",
    '',
    ...alignColumns([header, ...body]),
    '',
    `Disagreements among the 2006 ports: ${matrix.disagreements.length}`,
    '',
    ...disagreements,
  ].join('\n');
}

// --- the machines -------------------------------------------------------------------

function machineJson(m: MachineDescription): Record<string, unknown> {
  const ctob = ctobInt(m.physmemPages, m.pageSizeBytes);
  return {
    arch: m.arch,
    model: m.model,
    pageSizeBytes: m.pageSizeBytes,
    physmemPages: m.physmemPages,
    physmemBytes: ctob.trueBytes,
    ctobPhysmem: ctob.value,
    ctobOverflows: ctob.wrapped,
    clusters: m.clusters.map((c) => ({
      start: c.start,
      end: clusterEnd(c),
      sizeBytes: c.sizeBytes,
      ...(c.prot === undefined ? {} : { prot: protShort(c.prot) }),
    })),
    ...(m.lowram === undefined ? {} : { lowram: m.lowram }),
    ...(m.availStart === undefined ? {} : { availStart: m.availStart }),
    ...(m.availEnd === undefined ? {} : { availEnd: m.availEnd }),
    securelevel: m.securelevel,
    ...(m.strictDevmem === undefined ? {} : { strictDevmem: m.strictDevmem }),
  };
}

function machineFacts(m: MachineDescription): string[] {
  const ctob = ctobInt(m.physmemPages, m.pageSizeBytes);
  const clusters = m.clusters.map((c) => `[${hex(c.start)}, ${hex(clusterEnd(c))})${c.prot ? ' ' + protShort(c.prot) : ''}`).join(' ');
  const facts = [
    m.model,
    `page ${m.pageSizeBytes} bytes; physmem ${m.physmemPages} pages = ${hex(ctob.trueBytes)} bytes; ctob(physmem) as int = ${hex(ctob.value)}${ctob.wrapped ? ' (overflows)' : ''}`,
    `clusters: ${clusters || '-'}`,
  ];
  if (m.lowram !== undefined) facts.push(`lowram ${hex(m.lowram)}`);
  if (m.availStart !== undefined && m.availEnd !== undefined) facts.push(`avail_start ${hex(m.availStart)}, avail_end ${hex(m.availEnd)}`);
  facts.push(m.arch === 'linux' ? `CONFIG_STRICT_DEVMEM ${m.strictDevmem === false ? 'off' : 'on'}; no securelevel` : `securelevel ${m.securelevel}`);
  return facts;
}

export function renderMachines(machines: MachineSet, arches: readonly PolicyArch[], format: ReportFormat): string {
  const list = arches.map((a) => machines[a]);
  if (format === 'json') return toJson({ machines: list.map(machineJson) });
  if (format === 'markdown') {
    return [...list.flatMap((m) => [`## ${m.arch}`, '', ...machineFacts(m).map((f) => `- ${markdownCell(f)}`), ''])].join('\n');
  }
  return list.flatMap((m) => alignColumns(machineFacts(m).map((f, i) => [i === 0 ? m.arch : '', f])).concat([''])).join('\n');
}
