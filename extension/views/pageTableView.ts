/**
 * Page Tables: one root per mm (each task's, and the kernel's init_mm as pid 0), then the entries
 * level by level as the arch has them — folded levels are named on the entry that stands for them
 * — with index, raw entry, decoded flags and pfn. Only present entries are listed and children
 * load when expanded, so a 1 GiB mapping costs one table (at most 512 rows) per expansion.
 */
import * as vscode from 'vscode';
import type { SessionTracker } from '../model/sessionTracker';
import type { KmemlabClient } from '../model/kmemlabClient';
import type { PageTableNode, PsTask, WalkResult } from '../model/protocol';
import { formatSize, hexOf, taskName } from '../model/format';
import { applyMark } from './marks';
import { NodeTree, TextNode, ViewNode, type NodeTarget } from './nodeTree';

export class MmNode extends ViewNode {
  constructor(readonly pid: number, readonly label: string, readonly mmAddress: string, private readonly isCurrent: boolean, private readonly ctx: PtViewContext) {
    super(`mm:${pid}`, undefined);
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, this.isCurrent ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.description = `mm ${this.mmAddress}${this.isCurrent ? ' · stopped here' : ''}`;
    item.iconPath = new vscode.ThemeIcon(this.pid === 0 ? 'server-environment' : this.isCurrent ? 'debug-stackframe' : 'account');
    item.contextValue = 'mm';
    return item;
  }

  override async loadChildren(): Promise<ViewNode[]> {
    const client = this.ctx.client();
    if (!client) return [];
    const r = await client.pageTable(this.pid, []);
    this.ctx.levels = r.levels;
    if (r.nodes.length === 0) return [new TextNode(`${this.id}/empty`, this, 'no present entries', { icon: 'circle-slash' })];
    return r.nodes.map((n) => new PtEntryNode(this, this, n, this.ctx));
  }

  override target(): NodeTarget {
    return { pid: this.pid };
  }
}

export class PtEntryNode extends ViewNode {
  constructor(readonly mm: MmNode, parent: ViewNode, readonly entry: PageTableNode, private readonly ctx: PtViewContext) {
    super(`pt:${mm.pid}:${entry.path.join('.')}`, parent);
  }

  private get isTable(): boolean {
    return this.entry.present && !this.entry.leaf;
  }

  treeItem(): vscode.TreeItem {
    const e = this.entry;
    const folded = e.folded.length ? ` = ${e.folded.join(' = ')} (folded)` : '';
    const item = new vscode.TreeItem(`${e.level}[${e.index}]${folded}`, this.isTable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    const target = !e.present ? 'not present' : e.leaf ? `pfn ${hexOf(e.pfn ?? 0)}` : `table at pfn ${hexOf(e.pfn ?? 0)}`;
    item.description = `${e.raw} ${e.flags.join(' ')} → ${target} · ${e.vaStart}`;
    item.iconPath = new vscode.ThemeIcon(!e.present ? 'circle-slash' : e.leaf ? 'file-binary' : 'list-tree');
    const big = e.leaf && e.level !== 'pte' ? ' large' : '';
    item.contextValue = `ptEntry${e.leaf ? ' leaf mem' : ''} addr${this.mm.pid !== 0 ? ' userva' : ''}${big}`;
    item.tooltip = new vscode.MarkdownString(
      [
        `**${e.level}[${e.index}]**${folded} covers \`[${e.vaStart}, ${e.vaEnd})\` (${formatSize(BigInt.asUintN(64, BigInt(e.vaEnd) - BigInt(e.vaStart)))})`,
        `raw \`${e.raw}\`: ${e.flags.join(' ') || 'no flags'}`,
        e.present ? (e.leaf ? `maps pfn ${hexOf(e.pfn ?? 0)} (physical ${hexOf((e.pfn ?? 0) * 4096)})` : `next table in pfn ${hexOf(e.pfn ?? 0)}`) : 'not present',
      ].join('\n\n'),
    );
    const marks = this.ctx.tracker.marks;
    const mark = e.leaf ? marks.pte(this.mm.pid, e.vaStart) ?? (e.level !== 'pte' ? marks.ptesWithin(this.mm.pid, e.vaStart, e.vaEnd) : undefined) : marks.ptesWithin(this.mm.pid, e.vaStart, e.vaEnd);
    return applyMark(item, this.id, mark);
  }

  override async loadChildren(): Promise<ViewNode[]> {
    if (!this.isTable) return [];
    const client = this.ctx.client();
    if (!client) return [];
    const r = await client.pageTable(this.mm.pid, this.entry.path);
    if (r.nodes.length === 0) return [new TextNode(`${this.id}/empty`, this, 'no present entries', { icon: 'circle-slash' })];
    return r.nodes.map((n) => new PtEntryNode(this.mm, this, n, this.ctx));
  }

  override target(): NodeTarget {
    return { va: this.entry.vaStart, pid: this.mm.pid, pfn: this.entry.leaf ? this.entry.pfn : undefined };
  }

  override copyText(): string {
    return this.entry.raw;
  }
}

export interface PtViewContext {
  tracker: SessionTracker;
  client(): KmemlabClient | undefined;
  levels: { name: string; folded: boolean; entries: number }[];
  showKernel(): boolean;
}

/** One root per address space: tasks sharing an mm (threads) show once, under the first pid. */
export function mmRoots(tasks: PsTask[], currentPid: number, showKernel: boolean, ctx: PtViewContext): MmNode[] {
  const seen = new Set<string>();
  const roots: MmNode[] = [];
  for (const t of [...tasks].sort((a, b) => a.pid - b.pid)) {
    if (t.mm === '-' || t.state.startsWith('X') || seen.has(t.mm)) continue;
    seen.add(t.mm);
    roots.push(new MmNode(t.pid, taskName(t.comm, t.pid), t.mm, t.pid === currentPid, ctx));
  }
  if (showKernel) roots.push(new MmNode(0, 'kernel (init_mm)', 'init_mm', false, ctx));
  return roots;
}

export class PageTableView {
  readonly tree: NodeTree;
  private readonly ctx: PtViewContext;

  constructor(private readonly tracker: SessionTracker) {
    this.ctx = {
      tracker,
      client: () => tracker.client,
      levels: [],
      showKernel: () => vscode.workspace.getConfiguration('kmemlab').get<boolean>('pageTables.showKernel', true),
    };
    this.tree = new NodeTree(async () => {
      const client = tracker.client;
      if (!client || !tracker.isStopped) return [];
      const [tasks, status] = await Promise.all([client.ps(), client.status()]);
      return mmRoots(tasks, status.pid, this.ctx.showKernel(), this.ctx);
    });
  }

  /**
   * The nodes on the walk of `va` in `pid`'s tables, from the mm down to the deepest entry the
   * tree lists (a non-present entry with a zero value is not listed: the walk stops above it).
   */
  async nodesOnWalk(pid: number, walk: WalkResult): Promise<ViewNode[]> {
    const roots = await this.tree.getChildren();
    const mm = roots.find((n) => n instanceof MmNode && n.pid === pid) ?? roots.find((n) => n instanceof MmNode && n.pid === 0 && pid === 0);
    if (!mm) return [];
    const out: ViewNode[] = [mm];
    let level = await this.tree.getChildren(mm);
    for (const step of walk.steps) {
      if (step.folded) continue;
      const next = level.find((n) => n instanceof PtEntryNode && n.entry.index === step.index);
      if (!next) break;
      out.push(next);
      if (!step.present) break;
      level = await this.tree.getChildren(next);
    }
    return out;
  }
}
