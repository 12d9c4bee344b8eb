/**
 * TLB: the cached translations (va → pfn with permissions), stale ones — whose page-table entry
 * changed without a flush — marked, and the hit/miss/flush counters.
 */
import * as vscode from 'vscode';
import type { SessionTracker } from '../model/sessionTracker';
import type { TlbInfo } from '../model/protocol';
import { hexOf } from '../model/format';
import { applyMark } from './marks';
import { NodeTree, TextNode, ViewNode, type NodeTarget } from './nodeTree';

class TlbEntryNode extends ViewNode {
  constructor(readonly entry: TlbInfo, private readonly view: TlbView) {
    super(`tlb:${entry.va}`, undefined);
  }

  treeItem(): vscode.TreeItem {
    const e = this.entry;
    const item = new vscode.TreeItem(e.va, vscode.TreeItemCollapsibleState.None);
    const perms = [e.writable ? 'rw' : 'ro', e.user ? 'user' : 'kernel', e.nx ? 'nx' : 'x', e.global ? 'global' : '', e.dirty ? 'dirty' : ''].filter(Boolean).join(' ');
    item.description = `→ pfn ${hexOf(e.pfn)} ${perms}${e.stale ? ' · STALE' : ''}`;
    item.iconPath = new vscode.ThemeIcon(e.stale ? 'warning' : 'zap', e.stale ? new vscode.ThemeColor('list.warningForeground') : undefined);
    item.contextValue = `tlbEntry addr mem${e.user ? ' userva' : ''}`;
    item.tooltip = e.stale ? 'Stale: the page-table entry for this page changed and no TLB flush came, so the CPU still uses the old translation.' : `cached translation of ${e.va}`;
    return applyMark(item, this.id, e.stale ? 'stale' : this.view.tracker.marks.tlb(e.va));
  }

  override target(): NodeTarget {
    return { va: this.entry.va, pfn: this.entry.pfn };
  }

  override copyText(): string {
    return this.entry.va;
  }
}

export class TlbView {
  readonly tree: NodeTree;

  constructor(readonly tracker: SessionTracker) {
    this.tree = new NodeTree(async () => {
      const client = tracker.client;
      if (!client || !tracker.isStopped) return [];
      const t = await client.tlb();
      const stale = t.entries.filter((e) => e.stale).length;
      const head = new TextNode('tlb:stats', undefined, `cr3 ${t.cr3}`, {
        description: `${t.entries.length} entries${stale ? `, ${stale} stale` : ''} · hits ${t.stats.hits} misses ${t.stats.misses} flushes ${t.stats.flushes} stale uses ${t.stats.staleUses}`,
        icon: 'dashboard',
      });
      return [head, ...t.entries.map((e) => new TlbEntryNode(e, this))];
    });
  }
}
