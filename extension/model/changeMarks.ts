/**
 * What changed since the previous stop, as the views ask it: "is this VMA new?", "did this PTE
 * appear?". Built from the adapter's `kmemlab/changed` event. No vscode import: unit-tested.
 */
import type { ChangeSummary } from './protocol';

export type Mark = 'added' | 'changed' | 'removed' | 'stale';

/** Canonical form of a hex address so '0x0000abc' and '0xABC' compare equal. */
export function addressKey(hex: string): string {
  try {
    return '0x' + BigInt.asUintN(64, BigInt(hex)).toString(16);
  } catch {
    return hex.toLowerCase();
  }
}

function markTable(entries: { pid: number; added: string[]; removed: string[]; changed: string[] }[]): Map<string, Mark> {
  const m = new Map<string, Mark>();
  for (const e of entries) {
    for (const a of e.added) m.set(`${e.pid}:${addressKey(a)}`, 'added');
    for (const a of e.changed) m.set(`${e.pid}:${addressKey(a)}`, 'changed');
    for (const a of e.removed) m.set(`${e.pid}:${addressKey(a)}`, 'removed');
  }
  return m;
}

export class ChangeMarks {
  private readonly vmaMarks: Map<string, Mark>;
  private readonly pteMarks: Map<string, Mark>;
  private readonly tlbMarks = new Map<string, Mark>();
  private readonly frameDeltas = new Map<string, number>();
  /** Removed VMAs and PTEs per pid, so a view can say what went. */
  readonly removedVmas: Map<number, string[]> = new Map();
  readonly removedPtes: Map<number, string[]> = new Map();

  constructor(readonly summary: ChangeSummary | undefined) {
    this.vmaMarks = markTable(summary?.vmas ?? []);
    this.pteMarks = markTable(summary?.ptes ?? []);
    for (const v of summary?.vmas ?? []) if (v.removed.length) this.removedVmas.set(v.pid, v.removed);
    for (const p of summary?.ptes ?? []) if (p.removed.length) this.removedPtes.set(p.pid, p.removed);
    for (const a of summary?.tlb.added ?? []) this.tlbMarks.set(addressKey(a), 'added');
    for (const a of summary?.tlb.stale ?? []) this.tlbMarks.set(addressKey(a), 'stale');
    for (const f of summary?.frames ?? []) this.frameDeltas.set(f.owner, f.delta);
  }

  /** A VMA by its start address. */
  vma(pid: number, start: string): Mark | undefined {
    return this.vmaMarks.get(`${pid}:${addressKey(start)}`);
  }

  /** A leaf PTE by the page address it maps. */
  pte(pid: number, va: string): Mark | undefined {
    return this.pteMarks.get(`${pid}:${addressKey(va)}`);
  }

  /** Does any changed leaf PTE of this task fall in [start, end)? (marks the tables above it) */
  ptesWithin(pid: number, start: string, end: string): Mark | undefined {
    const lo = BigInt.asUintN(64, BigInt(start));
    const hi = BigInt.asUintN(64, BigInt(end));
    let found: Mark | undefined;
    for (const [key, mark] of this.pteMarks) {
      const [p, va] = key.split(':');
      if (Number(p) !== pid) continue;
      const a = BigInt(va);
      if (a >= lo && (a < hi || hi === 0n)) {
        if (mark !== 'removed') return 'changed';
        found = 'changed';
      }
    }
    return found;
  }

  /** Does any VMA of this task change? */
  taskChanged(pid: number): boolean {
    return (this.summary?.vmas ?? []).some((v) => v.pid === pid) || (this.summary?.ptes ?? []).some((p) => p.pid === pid);
  }

  tlb(va: string): Mark | undefined {
    return this.tlbMarks.get(addressKey(va));
  }

  /** Frames gained (positive) or lost by an owner since the previous stop. */
  frameDelta(owner: string): number {
    return this.frameDeltas.get(owner) ?? 0;
  }
}
