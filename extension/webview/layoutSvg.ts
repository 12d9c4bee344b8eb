/**
 * Draws the address-space model as SVG: the regions from the top of the address space down (not
 * to scale — a 128 TiB gap and a 4 KiB page cannot share a linear axis — with the gaps named),
 * the user/kernel split, the selected address, and beside it the page-table walk of that address
 * level by level. Colours are CSS classes the webview's stylesheet maps to theme variables.
 * No vscode import: unit-tested.
 */
import type { AddressSpaceModel, Region } from './layoutModel';
import { formatSize } from '../model/format';

const WIDTH = 900;
const BAR_X = 16;
const BAR_W = 470;
const WALK_X = 530;
const WALK_W = 350;
const ROW_H = 22;
const BAND_PAD = 8;
const GAP_H = 18;
/** Width of one character of the 11px monospace font the stylesheet sets. */
const CHAR_PX = 6.7;


/** Cuts a text to what fits in `px`, with an ellipsis. */
export function fit(s: string, px: number): string {
  const max = Math.max(1, Math.floor(px / CHAR_PX));
  return s.length <= max ? s : s.slice(0, max - 1) + '…';
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function hex(v: bigint): string {
  return '0x' + v.toString(16);
}

interface Band {
  region: Region;
  children: Region[];
}

/** Top-level regions with the nested ones inside them, highest address first. */
export function bandsOf(regions: Region[]): Band[] {
  const bands: Band[] = regions.filter((r) => !r.nested).map((r) => ({ region: r, children: [] }));
  for (const r of regions.filter((x) => x.nested)) {
    const home = bands.find((b) => r.start >= b.region.start && r.end <= b.region.end);
    if (home) home.children.push(r);
    else bands.push({ region: { ...r, nested: false }, children: [] });
  }
  for (const b of bands) b.children.sort((a, c) => (a.start > c.start ? -1 : 1));
  return bands.sort((a, b) => (a.region.start > b.region.start ? -1 : 1));
}

function contains(r: Region, va: bigint | undefined): boolean {
  return va !== undefined && va >= r.start && va < r.end;
}

function text(x: number, y: number, s: string, cls: string, anchor: 'start' | 'end' | 'middle' = 'start'): string {
  return `<text x="${x}" y="${y}" class="${cls}" text-anchor="${anchor}">${escapeXml(s)}</text>`;
}

function regionRow(r: Region, x: number, y: number, w: number, selected: bigint | undefined): string {
  const sel = contains(r, selected);
  const range = `${hex(r.start)}–${hex(r.end)}`;
  const labelX = 16 + Math.ceil(range.length * CHAR_PX);
  return [
    `<g class="region ${r.kind}${sel ? ' selected' : ''}" data-start="${hex(r.start)}" tabindex="0"><title>${escapeXml(`${r.label}: [${hex(r.start)}, ${hex(r.end)}) ${formatSize(r.end - r.start)} ${r.detail}`)}</title>`,
    `<rect x="${x}" y="${y}" width="${w}" height="${ROW_H - 3}" rx="3" class="fill ${r.kind}"/>`,
    text(x + 6, y + 14, range, 'addr'),
    text(x + labelX, y + 14, fit(`${r.label} · ${formatSize(r.end - r.start)}${r.detail ? ` · ${r.detail}` : ''}`, w - labelX - 6), 'label'),
    '</g>',
  ].join('');
}

function drawBands(model: AddressSpaceModel): { svg: string; height: number } {
  const out: string[] = [];
  let y = 40;
  let previous: Band | undefined;
  let splitDrawn = false;
  for (const band of bandsOf(model.regions)) {
    const r = band.region;
    if (previous && previous.region.start > r.end) {
      const gap = previous.region.start - r.end;
      const crossesSplit = !splitDrawn && r.end <= model.userTop && previous.region.start >= model.kernelBase;
      out.push(`<line x1="${BAR_X + 20}" y1="${y + 2}" x2="${BAR_X + 20}" y2="${y + GAP_H - 4}" class="gap"/>`);
      out.push(text(BAR_X + 30, y + 13, `${formatSize(gap)} unused${crossesSplit && model.vaBits === 64 ? ' (the non-canonical hole)' : ''}`, 'gaplabel'));
      y += GAP_H;
    }
    if (!splitDrawn && r.end <= model.userTop) {
      out.push(`<line x1="${BAR_X}" y1="${y + 2}" x2="${BAR_X + BAR_W}" y2="${y + 2}" class="split"/>`);
      out.push(text(BAR_X, y + 15, fit(`user/kernel split · TASK_SIZE ${hex(model.userTop)} · PAGE_OFFSET ${hex(model.kernelBase)}`, BAR_W), 'splitlabel'));
      y += 22;
      splitDrawn = true;
    }
    const h = BAND_PAD * 2 + ROW_H + band.children.length * ROW_H;
    const sel = contains(r, model.selected);
    out.push(`<g class="band ${r.kind}${sel ? ' selected' : ''}" data-start="${hex(r.start)}"><title>${escapeXml(`${r.label}: [${hex(r.start)}, ${hex(r.end)}) ${formatSize(r.end - r.start)}`)}</title>`);
    out.push(`<rect x="${BAR_X}" y="${y}" width="${BAR_W}" height="${h}" rx="4" class="bandbox ${r.kind}"/>`);
    out.push(text(BAR_X + 8, y + BAND_PAD + 13, r.label, 'bandlabel'));
    out.push(text(BAR_X + BAR_W - 8, y + BAND_PAD + 13, `${hex(r.start)}–${hex(r.end)} · ${formatSize(r.end - r.start)}`, 'addr', 'end'));
    out.push('</g>');
    band.children.forEach((c, i) => out.push(regionRow(c, BAR_X + 14, y + BAND_PAD + ROW_H * (i + 1), BAR_W - 28, model.selected)));
    if (sel && model.selected !== undefined) {
      out.push(`<path d="M ${BAR_X + BAR_W + 4} ${y + h / 2} l 12 -6 l 0 12 z" class="marker"/>`);
    }
    y += h + 4;
    previous = band;
  }
  return { svg: out.join('\n'), height: y };
}

function drawWalk(model: AddressSpaceModel): { svg: string; height: number } {
  const w = model.walk;
  if (!w) return { svg: text(WALK_X, 56, 'Walk an address (Page Tables ▸ Walk Address…) to draw its walk here.', 'hint'), height: 80 };
  const out: string[] = [text(WALK_X, 34, `walk of ${w.va} (mm ${w.mm})`, 'walktitle')];
  let y = 46;
  const box = (label: string, detail: string, cls: string) => {
    out.push(`<rect x="${WALK_X}" y="${y}" width="${WALK_W}" height="40" rx="4" class="step ${cls}"/>`);
    out.push(text(WALK_X + 8, y + 16, label, 'steplabel'));
    out.push(text(WALK_X + 8, y + 32, detail, 'stepdetail'));
    y += 40;
    out.push(`<line x1="${WALK_X + 24}" y1="${y}" x2="${WALK_X + 24}" y2="${y + 12}" class="arrow"/>`);
    y += 14;
  };
  box('cr3 → pgd', `page-table root of mm ${w.mm}`, 'root');
  for (const s of w.steps) {
    if (s.folded) box(`${s.level} (folded)`, 'same entry as the level above', 'folded');
    else box(`${s.level}[${s.index}] at ${s.entryPa}`, `${s.raw} ${s.flags.join(' ')}`.slice(0, 56), s.present ? 'present' : 'absent');
    if (!s.present && !s.folded) break;
  }
  if (w.pfn !== undefined) box(`page frame ${hex(BigInt(w.pfn))}`, `physical address ${w.pa}`, 'frame');
  else box('no translation', w.fault ?? 'not mapped', 'fault');
  return { svg: out.join('\n'), height: y };
}

export function renderAddressSpaceSvg(model: AddressSpaceModel): string {
  const bands = drawBands(model);
  const walk = drawWalk(model);
  const height = Math.max(bands.height, walk.height) + 16;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeXml(`address space of ${model.title}`)}">`,
    text(BAR_X, 22, `address space of ${model.title} (not to scale; highest address at the top)`, 'title'),
    bands.svg,
    walk.svg,
    '</svg>',
  ].join('\n');
}
