/**
 * Physical Memory: the zones with their pfn ranges and runs of frames with the same owner (slab,
 * vmalloc, page table, anon, pkmap...), and the totals per owner with how they moved since the
 * previous stop.
 */
import * as vscode from 'vscode';
import type { SessionTracker } from '../model/sessionTracker';
import type { FramesResponse } from '../model/protocol';
import { formatSize, hexOf, pages } from '../model/format';
import { NodeTree, TextNode, ViewNode, type NodeTarget } from './nodeTree';

/** Runs shown under a zone before "… more". */
const RUNS_SHOWN = 400;

const OWNER_ICONS: Record<string, string> = {
  free: 'circle-outline',
  reserved: 'lock',
  slab: 'symbol-structure',
  vmalloc: 'symbol-array',
  pagetable: 'list-tree',
  'page table': 'list-tree',
  anon: 'symbol-variable',
  kernel: 'server-environment',
  pkmap: 'link',
};

function ownerIcon(owner: string): vscode.ThemeIcon {
  return new vscode.ThemeIcon(OWNER_ICONS[owner] ?? 'symbol-misc');
}

class RunNode extends ViewNode {
  constructor(parent: ViewNode, readonly run: FramesResponse['runs'][number]) {
    super(`run:${run.startPfn}`, parent);
  }

  treeItem(): vscode.TreeItem {
    const r = this.run;
    const count = r.endPfn - r.startPfn;
    const item = new vscode.TreeItem(count === 1 ? `pfn ${hexOf(r.startPfn)}` : `pfn ${hexOf(r.startPfn)}–${hexOf(r.endPfn - 1)}`, vscode.TreeItemCollapsibleState.None);
    item.description = `${r.owner} · ${pages(count)} (${formatSize(count * 4096)})`;
    item.iconPath = ownerIcon(r.owner);
    item.contextValue = 'frameRun mem';
    return item;
  }

  override target(): NodeTarget {
    return { pfn: this.run.startPfn };
  }

  override copyText(): string {
    return hexOf(this.run.startPfn);
  }
}

class ZoneNode extends ViewNode {
  constructor(readonly zone: FramesResponse['zones'][number], private readonly view: PhysicalView) {
    super(`zone:${zone.name}`, undefined);
  }

  treeItem(): vscode.TreeItem {
    const z = this.zone;
    const item = new vscode.TreeItem(`zone ${z.name}`, vscode.TreeItemCollapsibleState.Collapsed);
    item.description = `pfn ${hexOf(z.startPfn)}–${hexOf(z.endPfn)} · ${formatSize((z.endPfn - z.startPfn) * 4096)}`;
    item.iconPath = new vscode.ThemeIcon('symbol-ruler');
    item.contextValue = 'zone';
    return item;
  }

  override async loadChildren(): Promise<ViewNode[]> {
    const client = this.view.tracker.client;
    if (!client) return [];
    const z = this.zone;
    const r = await client.frames(z.startPfn, z.endPfn - z.startPfn);
    const rows: ViewNode[] = r.runs.slice(0, RUNS_SHOWN).map((run) => new RunNode(this, run));
    if (r.runs.length > RUNS_SHOWN) rows.push(new TextNode(`${this.id}/more`, this, `… ${r.runs.length - RUNS_SHOWN} more runs`, { icon: 'ellipsis' }));
    return rows;
  }
}

class OwnersNode extends ViewNode {
  constructor(private readonly frames: FramesResponse, private readonly view: PhysicalView) {
    super('owners', undefined);
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('frames by owner', vscode.TreeItemCollapsibleState.Expanded);
    item.description = `${this.frames.total} frames (${formatSize(this.frames.total * 4096)}), ${this.frames.free} free`;
    item.iconPath = new vscode.ThemeIcon('pie-chart');
    return item;
  }

  override async loadChildren(): Promise<ViewNode[]> {
    const marks = this.view.tracker.marks;
    return Object.entries(this.frames.byOwner)
      .sort((a, b) => b[1] - a[1])
      .map(([owner, count]) => {
        const delta = marks.frameDelta(owner);
        return new TextNode(`owner:${owner}`, this, owner, {
          description: `${pages(count)} (${formatSize(count * 4096)})${delta ? ` · ${delta > 0 ? '+' : ''}${delta} since the last stop` : ''}`,
          icon: OWNER_ICONS[owner] ?? 'symbol-misc',
          mark: delta ? 'changed' : undefined,
        });
      });
  }
}

export class PhysicalView {
  readonly tree: NodeTree;

  constructor(readonly tracker: SessionTracker) {
    this.tree = new NodeTree(async () => {
      const client = tracker.client;
      if (!client || !tracker.isStopped) return [];
      const summary = await client.frames(0, 0);
      return [new OwnersNode(summary, this), ...summary.zones.map((z) => new ZoneNode(z, this))];
    });
  }
}
