/**
 * Read-only views of the machine, as plain JSON: VMAs, page tables (lazily, by path), the walk
 * of one address, physical frames, the TLB, tasks, and the text of the crash/drgn-style console
 * commands. They read kernel memory the way drgn reads a live kernel and never change state
 * (no accessed bits set, no TLB fills).
 */
import { PAGE_SIZE } from '../machine/physmem';
import type { Kernel } from '../kernel/kernel';
import { VM_FLAG_NAMES, type Mm } from '../kernel/mm';
import { formatTimestamp } from '../kernel/printk';
import type { Task } from '../kernel/task';
import { VM_USERMAP } from '../kernel/vmalloc';

export function hex(v: number | bigint, width = 0): string {
  const u = typeof v === 'bigint' ? BigInt.asUintN(64, v) : BigInt.asUintN(64, BigInt(v));
  return '0x' + u.toString(16).padStart(width, '0');
}

export interface VmaInfo {
  start: string;
  end: string;
  sizeBytes: number;
  perms: string;
  flags: string;
  flagNames: string[];
  pgoff: number;
  file: string;
  name: string;
  vmOps: string;
  /** Resident pages: va → pfn. */
  residentPages: number;
  vmaAddress: string;
}

export interface KmapInfo {
  /** Undefined on x86_64, which has no pkmap area (kmap returns page_address). */
  pkmapBase: string | undefined;
  lastPkmap: number;
  pkmap: { nr: number; va: string; pfn: number | undefined; count: number; users: number; state: string }[];
  atomic: { slot: number; va: string; pfn: number }[];
}

export interface VmallocInfo {
  start: string;
  end: string;
  sizeBytes: number;
  pages: number;
  flags: string[];
  caller: string;
  kind: string;
  lazyFree: boolean;
  guardPage: string;
}

export interface TaskVmas {
  pid: number;
  comm: string;
  vmas: VmaInfo[];
}

export interface PageTableNode {
  /** Path of indices from the root, e.g. [272, 0, 5]. */
  path: number[];
  level: string;
  index: number;
  /** Virtual address range this entry covers. */
  vaStart: string;
  vaEnd: string;
  raw: string;
  flags: string[];
  pfn: number | undefined;
  present: boolean;
  leaf: boolean;
  /** Folded levels (i386) are listed with the entry they share. */
  folded: string[];
}

export interface WalkStep {
  level: string;
  index: number;
  entryPa: string;
  raw: string;
  flags: string[];
  present: boolean;
  folded: boolean;
}

export interface WalkResult {
  va: string;
  mm: string;
  steps: WalkStep[];
  pfn: number | undefined;
  pa: string | undefined;
  /** Why the walk stopped short. */
  fault?: string;
}

export interface FrameInfo {
  pfn: number;
  owner: string;
  count: number;
  mapcount: number;
  flags: string[];
  zone: string;
}

export interface TlbInfo {
  vpn: string;
  va: string;
  pfn: number;
  writable: boolean;
  user: boolean;
  nx: boolean;
  global: boolean;
  dirty: boolean;
  stale: boolean;
}

const PAGE_FLAG_NAMES: [number, string][] = [[0, 'locked'], [4, 'dirty'], [7, 'slab'], [10, 'reserved'], [14, 'head'], [15, 'tail']];

export class Inspector {
  constructor(private readonly k: Kernel) {}

  private tasks(): Task[] {
    return [...this.k.tasks.values()].filter((t) => !t.exited);
  }

  taskByPid(pid: number): Task | undefined {
    const t = this.k.tasks.get(pid);
    return t && !t.exited ? t : undefined;
  }

  private mmOf(pid: number | undefined): Mm {
    if (pid === undefined || pid === 0) return this.k.initMm;
    const t = this.k.tasks.get(pid);
    return t?.mm ?? t?.activeMm ?? this.k.initMm;
  }

  // ---- VMAs ---------------------------------------------------------------------------------

  vmas(pid: number): TaskVmas | undefined {
    const t = this.taskByPid(pid);
    if (!t || !t.mm) return undefined;
    const mm = t.mm;
    const V = this.k.structs.get('vm_area_struct');
    const vmas = mm.vmas().map((v): VmaInfo => {
      const flags = V.num(v, 'vm_flags');
      const start = V.num(v, 'vm_start');
      const end = V.num(v, 'vm_end');
      let resident = 0;
      for (let a = start; a < end && resident < 1 << 20; a += PAGE_SIZE) if (this.k.pt.lookup(mm.pgdPa, a)) resident++;
      const ops = V.num(v, 'vm_ops');
      return {
        start: hex(start),
        end: hex(end),
        sizeBytes: end - start,
        perms: `${flags & 1 ? 'r' : '-'}${flags & 2 ? 'w' : '-'}${flags & 4 ? 'x' : '-'}${flags & 0x80 ? 's' : 'p'}`,
        flags: hex(flags),
        flagNames: VM_FLAG_NAMES.filter(([bit]) => flags & bit).map(([, n]) => n),
        pgoff: V.num(v, 'vm_pgoff'),
        file: V.num(v, 'vm_file') ? this.k.vfs.describeFile(V.num(v, 'vm_file')).path : '',
        name: this.k.procfs.vmaName(t, v),
        vmOps: ops ? (this.k.kallsyms.lookup(ops)?.name ?? hex(ops)) : '',
        residentPages: resident,
        vmaAddress: hex(v),
      };
    });
    return { pid: t.pid, comm: t.comm, vmas };
  }

  /** The resident pages of one VMA (its children in the VMAs view). */
  vmaPages(pid: number, start: number, end: number, limit = 256): { va: string; pfn: number; flags: string[] }[] {
    const mm = this.mmOf(pid);
    const out: { va: string; pfn: number; flags: string[] }[] = [];
    for (let a = start; a < end && out.length < limit; a += PAGE_SIZE) {
      const e = this.k.pt.lookup(mm.pgdPa, a);
      if (e) out.push({ va: hex(a), pfn: this.k.pt.translate(mm.pgdPa, a)!, flags: this.k.pt.describe(e.level, e.value) });
    }
    return out;
  }

  /**
   * The kmap areas of a 32-bit kernel: pkmap slots that are in use or still owe a flush (count
   * 1: the PTE stays until flush_all_zero_pkmaps), and the kmap_atomic fixmap slots now mapped.
   */
  kmaps(): KmapInfo {
    const hm = this.k.highmem;
    if (!hm.enabled) return { pkmapBase: undefined, lastPkmap: 0, pkmap: [], atomic: [] };
    const pkmap = hm
      .slots()
      .filter((sl) => sl.count > 0 || sl.pfn !== undefined)
      .map((sl) => ({ nr: sl.nr, va: hex(sl.va), pfn: sl.pfn, count: sl.count, users: Math.max(0, sl.count - 1), state: sl.count === 0 ? 'free' : sl.count === 1 ? 'unused, flush owed' : 'in use' }));
    const atomic = hm.atomicSlots().map((a) => ({ slot: a.slot, va: hex(a.va), pfn: a.pfn }));
    return { pkmapBase: hex(hm.pkmapBase), lastPkmap: hm.lastPkmap, pkmap, atomic };
  }

  vmallocAreas(): VmallocInfo[] {
    return this.k.vmalloc.areas.map((a) => {
      const flags = this.k.vmalloc.flagsOf(a);
      const names = [['VM_IOREMAP', 1], ['VM_ALLOC', 2], ['VM_MAP', 4], ['VM_USERMAP', VM_USERMAP], ['VM_VPAGES', 0x10], ['VM_UNLIST', 0x20]].filter(([, b]) => flags & (b as number)).map(([n]) => n as string);
      return {
        start: hex(a.start),
        end: hex(a.end),
        sizeBytes: a.end - a.start,
        pages: a.pfns.length,
        flags: names,
        caller: a.caller,
        kind: a.kind,
        lazyFree: a.lazyFree,
        guardPage: hex(a.end - PAGE_SIZE),
      };
    });
  }

  // ---- page tables ------------------------------------------------------------------------------

  /**
   * The entries of one table: `path` selects it ([] is the pgd). Only present entries are
   * listed, so a huge mapping stays cheap to show; children load when asked for.
   */
  pageTable(pid: number, path: number[]): PageTableNode[] {
    const mm = this.mmOf(pid);
    const pt = this.k.pt;
    const levels = pt.levels;
    let tablePa = mm.pgdPa;
    let vaBase = 0n;
    for (let depth = 0; depth < path.length; depth++) {
      const level = levels[depth];
      const e = pt.read(tablePa + path[depth] * this.k.arch.pteBytes);
      if (!pt.present(e) || pt.isLeaf(level, e)) return [];
      vaBase += BigInt(path[depth]) << BigInt(level.shift);
      tablePa = pt.pfnOf(e) * PAGE_SIZE;
    }
    const depth = path.length;
    if (depth >= levels.length) return [];
    const level = levels[depth];
    const folded = this.k.arch.levels.filter((l) => l.folded).map((l) => l.name);
    const out: PageTableNode[] = [];
    for (let i = 0; i < level.entries; i++) {
      const e = pt.read(tablePa + i * this.k.arch.pteBytes);
      if (e === 0n) continue;
      const start = this.canonical(vaBase + (BigInt(i) << BigInt(level.shift)));
      const end = start + (1n << BigInt(level.shift));
      out.push({
        path: [...path, i],
        level: level.name,
        index: i,
        vaStart: hex(start),
        vaEnd: hex(end),
        raw: hex(e, this.k.arch.pteBytes * 2),
        flags: pt.describe(level, e),
        pfn: pt.present(e) ? pt.pfnOf(e) : undefined,
        present: pt.present(e),
        leaf: pt.isLeaf(level, e),
        folded: depth === 0 ? folded : [],
      });
    }
    return out;
  }

  /** Sign-extends a 48-bit address on x86_64 (canonical form). */
  private canonical(va: bigint): bigint {
    if (this.k.arch.vaBits === 64 && va & (1n << 47n)) return va | ~((1n << 48n) - 1n);
    return va;
  }

  /** Every level's entry on the way to `va` in a task's (or the kernel's) tables. */
  walk(pid: number, va: number): WalkResult {
    const mm = this.mmOf(pid);
    const pt = this.k.pt;
    const steps: WalkStep[] = [];
    let tablePa = mm.pgdPa;
    for (const level of this.k.arch.levels) {
      if (level.folded) {
        const prev = steps[steps.length - 1];
        steps.push({ level: level.name, index: 0, entryPa: prev?.entryPa ?? '', raw: prev?.raw ?? '', flags: ['folded'], present: prev?.present ?? false, folded: true });
        continue;
      }
      const entryPa = pt.entryPa(tablePa, level, va);
      const v = pt.read(entryPa);
      const present = pt.present(v);
      steps.push({ level: level.name, index: Math.floor(va / 2 ** level.shift) & (level.entries - 1), entryPa: hex(entryPa), raw: hex(v, this.k.arch.pteBytes * 2), flags: pt.describe(level, v), present, folded: false });
      if (!present) return { va: hex(va), mm: hex(mm.va), steps, pfn: undefined, pa: undefined, fault: `${level.name} entry not present` };
      if (pt.isLeaf(level, v)) {
        const pfn = pt.translate(mm.pgdPa, va)!;
        return { va: hex(va), mm: hex(mm.va), steps, pfn, pa: hex(pfn * PAGE_SIZE + (va & 4095)) };
      }
      tablePa = pt.pfnOf(v) * PAGE_SIZE;
    }
    return { va: hex(va), mm: hex(mm.va), steps, pfn: undefined, pa: undefined, fault: 'walk ended without a leaf' };
  }

  // ---- frames, TLB, tasks ----------------------------------------------------------------------

  frame(pfn: number): FrameInfo {
    const p = this.k.pages;
    const flags = p.flags(pfn);
    return {
      pfn,
      owner: p.owner[pfn],
      count: p.count(pfn),
      mapcount: p.mapcount(pfn),
      flags: PAGE_FLAG_NAMES.filter(([b]) => flags & (1 << b)).map(([, n]) => n),
      zone: p.zoneOf(pfn)?.name ?? '',
    };
  }

  /** Frames in runs of the same owner, paged: the Physical Memory view. */
  frames(start = 0, count = 4096): { zones: { name: string; startPfn: number; endPfn: number }[]; runs: { startPfn: number; endPfn: number; owner: string }[]; total: number; free: number; byOwner: Record<string, number> } {
    const p = this.k.pages;
    const runs: { startPfn: number; endPfn: number; owner: string }[] = [];
    const end = Math.min(p.frameCount, start + count);
    for (let pfn = start; pfn < end; pfn++) {
      const o = p.owner[pfn];
      const last = runs[runs.length - 1];
      if (last && last.owner === o && last.endPfn === pfn) last.endPfn = pfn + 1;
      else runs.push({ startPfn: pfn, endPfn: pfn + 1, owner: o });
    }
    const byOwner: Record<string, number> = {};
    for (const o of p.owner) byOwner[o] = (byOwner[o] ?? 0) + 1;
    return { zones: p.zones.map((z) => ({ ...z })), runs, total: p.frameCount, free: p.freePages, byOwner };
  }

  tlb(): { entries: TlbInfo[]; stats: { hits: number; misses: number; flushes: number; staleUses: number }; cr3: string } {
    const entries = this.k.cpu.tlb.valid().map((e) => ({
      vpn: hex(e.vpn),
      va: hex(e.vpn * PAGE_SIZE),
      pfn: e.pfn,
      writable: e.writable,
      user: e.user,
      nx: e.nx,
      global: e.global,
      dirty: e.dirty,
      stale: e.stale,
    }));
    entries.sort((a, b) => (BigInt(a.vpn) < BigInt(b.vpn) ? -1 : 1));
    return { entries, stats: { ...this.k.cpu.tlb.stats }, cr3: hex(this.k.cpu.cr3Pa) };
  }

  ps(): { pid: number; comm: string; state: string; kind: string; mm: string; uid: number }[] {
    return [...this.k.tasks.values()].map((t) => ({
      pid: t.pid,
      comm: t.comm,
      state: t.exited ? 'X (dead)' : t.thread.state === 'blocked' ? `D (${t.thread.blockedOn})` : t === this.k.current ? 'R (running)' : 'S',
      kind: t.kind,
      mm: t.mm ? hex(t.mm.va) : '-',
      uid: t.cred.uid,
    }));
  }

  // ---- console commands ------------------------------------------------------------------------

  /** A crash/drgn-style command: its text output. `pid` is the task the debugger has selected. */
  command(line: string, pid: number): string {
    const [cmd, ...args] = line.trim().split(/\s+/);
    const num = (s: string | undefined): number | undefined => {
      if (s === undefined) return undefined;
      try {
        const b = BigInt(s.startsWith('0x') || /^[0-9a-f]+$/i.test(s) && /[a-f]/i.test(s) ? (s.startsWith('0x') ? s : '0x' + s) : s);
        const n = BigInt.asIntN(64, b);
        return Number(n);
      } catch {
        return undefined;
      }
    };
    switch (cmd) {
      case 'help':
        return [
          'vtop ADDR        every level of the walk of ADDR in the selected task',
          'ptdump [START [END]]  present leaf entries (default: the user half)',
          'vm [PID]         the VMAs of a task',
          'kmem -p PFN      a physical frame: owner, count, mapcount, flags',
          'tlb              the TLB entries (stale ones marked)',
          'ps               tasks',
          'dmesg            the kernel log',
          'ksyms NAME       kernel and module symbols matching NAME',
          'vmalloc          the kernel\'s vmalloc areas',
        ].join('\n');
      case 'vtop': {
        const va = num(args[0]);
        if (va === undefined) return 'usage: vtop ADDR';
        const w = this.walk(pid, va);
        const lines = [`vtop ${w.va} (mm ${w.mm})`];
        for (const s of w.steps) lines.push(`  ${s.level.toUpperCase().padEnd(4)} [${String(s.index).padStart(3)}] ${s.folded ? '(folded into the level above)' : `@${s.entryPa} = ${s.raw}  ${s.flags.join(' ')}`}`);
        lines.push(w.pfn !== undefined ? `  -> pfn ${hex(w.pfn)}, physical ${w.pa}` : `  -> not mapped (${w.fault})`);
        return lines.join('\n');
      }
      case 'ptdump': {
        const start = num(args[0]) ?? 0;
        const end = num(args[1]) ?? (this.k.arch.layout.taskSize as number);
        const mm = this.mmOf(pid);
        const lines: string[] = [];
        this.leaves(mm, [], (va, size, node) => {
          if (va + size > start && va < end && lines.length < 2000) lines.push(`${hex(va, 12)}-${hex(va + size, 12)} ${node.level} pfn ${node.pfn !== undefined ? hex(node.pfn) : '-'} ${node.flags.join(' ')}`);
        });
        return lines.length ? lines.join('\n') : 'no present leaf entries in that range';
      }
      case 'vm': {
        const p = num(args[0]) ?? pid;
        const v = this.vmas(p);
        if (!v) return `no task ${p} with an address space`;
        return [`PID: ${v.pid}  COMM: "${v.comm}"`, ...v.vmas.map((x) => `${x.start}-${x.end} ${x.perms} ${x.flags.padEnd(12)} ${x.name} ${x.flagNames.filter((n) => !/^VM_(READ|WRITE|EXEC|MAY.*)$/.test(n)).join('|')}`)].join('\n');
      }
      case 'kmem': {
        if (args[0] !== '-p') return 'usage: kmem -p PFN';
        const pfn = num(args[1]);
        if (pfn === undefined || pfn < 0 || pfn >= this.k.pages.frameCount) return `no frame ${args[1]}`;
        const f = this.frame(pfn);
        return `pfn ${hex(pfn)} (${f.zone}): page ${hex(this.k.pages.pageVa(pfn))} owner ${f.owner} count ${f.count} mapcount ${f.mapcount} flags ${f.flags.join(',') || '-'}`;
      }
      case 'tlb': {
        const t = this.tlb();
        return [`cr3 ${t.cr3}  hits ${t.stats.hits} misses ${t.stats.misses} flushes ${t.stats.flushes} stale uses ${t.stats.staleUses}`, ...t.entries.map((e) => `${e.va} -> pfn ${hex(e.pfn)} ${e.writable ? 'rw' : 'ro'} ${e.user ? 'user' : 'kernel'}${e.global ? ' global' : ''}${e.stale ? '  STALE' : ''}`)].join('\n');
      }
      case 'ps':
        return ['  PID  STATE        COMM', ...this.ps().map((t) => `${String(t.pid).padStart(5)}  ${t.state.padEnd(12)} ${t.comm}`)].join('\n');
      case 'dmesg':
        return this.k.log.records.map((r) => `${formatTimestamp(r.timeNs)} ${r.text}`).join('\n');
      case 'ksyms': {
        const pat = args[0] ?? '';
        const hits = this.k.kallsyms.list().filter((s) => s.name.includes(pat)).slice(0, 200);
        return hits.length ? hits.map((s) => `${hex(s.address)} ${s.type} ${s.name}${s.module ? ` [${s.module}]` : ''}`).join('\n') : `no symbol matches ${pat}`;
      }
      case 'vmalloc':
        return this.vmallocAreas().map((a) => `${a.start}-${a.end} ${String(a.sizeBytes).padStart(8)} ${a.kind} ${a.flags.join('|')} ${a.caller}${a.lazyFree ? ' (freed, awaiting purge)' : ''}`).join('\n') || 'no vmalloc areas';
      default:
        return `unknown command '${cmd}' (try help)`;
    }
  }

  /** Visits every present leaf entry of an mm's tables. */
  private leaves(mm: Mm, path: number[], visit: (va: number, size: number, node: PageTableNode) => void): void {
    const pid = [...this.k.tasks.values()].find((t) => t.mm === mm)?.pid ?? 0;
    for (const node of this.pageTable(pid, path)) {
      if (!node.present) continue;
      if (node.leaf) visit(Number(BigInt.asIntN(64, BigInt(node.vaStart))), Number(BigInt(node.vaEnd) - BigInt(node.vaStart)), node);
      else this.leaves(mm, node.path, visit);
    }
  }
}
