/** Creates the five tree views and the address-space panel, and refreshes them at every stop. */
import * as vscode from 'vscode';
import type { SessionTracker } from '../model/sessionTracker';
import { AddressSpacePanel } from '../webview/addressSpacePanel';
import { MarkDecorations } from './marks';
import type { NodeTree, ViewNode } from './nodeTree';
import { PageTableView } from './pageTableView';
import { PhysicalView } from './physicalView';
import { PolicyView } from './policyView';
import { TlbView } from './tlbView';
import { TaskNode, VmaNode, createVmaTree } from './vmaView';

export const VIEW_IDS = {
  vmas: 'kmemlab.vmas',
  pageTables: 'kmemlab.pageTables',
  policies: 'kmemlab.policies',
  physical: 'kmemlab.physical',
  tlb: 'kmemlab.tlb',
} as const;

export type ViewName = keyof typeof VIEW_IDS;

export class KmemlabViews implements vscode.Disposable {
  readonly vmas: NodeTree;
  readonly pageTables: PageTableView;
  readonly policies: PolicyView;
  readonly physical: PhysicalView;
  readonly tlb: TlbView;
  readonly addressSpace: AddressSpacePanel;
  readonly treeViews: Record<ViewName, vscode.TreeView<ViewNode>>;
  private readonly disposables: vscode.Disposable[] = [];
  private lastFocused: ViewName = 'vmas';

  constructor(readonly tracker: SessionTracker, extensionUri: vscode.Uri, walk: (pid: number | undefined, va: string) => void) {
    this.vmas = createVmaTree(tracker);
    this.pageTables = new PageTableView(tracker);
    this.policies = new PolicyView(tracker);
    this.physical = new PhysicalView(tracker);
    this.tlb = new TlbView(tracker);
    this.addressSpace = new AddressSpacePanel(extensionUri, tracker, walk);
    const create = (name: ViewName, tree: NodeTree) => {
      const view = vscode.window.createTreeView(VIEW_IDS[name], { treeDataProvider: tree, showCollapseAll: true });
      view.onDidChangeSelection(() => (this.lastFocused = name), undefined, this.disposables);
      this.disposables.push(view);
      return view;
    };
    this.treeViews = {
      vmas: create('vmas', this.vmas),
      pageTables: create('pageTables', this.pageTables.tree),
      policies: create('policies', this.policies.tree),
      physical: create('physical', this.physical.tree),
      tlb: create('tlb', this.tlb.tree),
    };
    this.treeViews.vmas.onDidChangeSelection((e) => {
      let n: ViewNode | undefined = e.selection[0];
      while (n && !(n instanceof TaskNode)) n = n.parent;
      if (n instanceof TaskNode && this.addressSpace.isOpen) void this.addressSpace.show(n.task.pid);
      const vma = e.selection[0];
      if (vma instanceof VmaNode && this.addressSpace.isOpen) void this.addressSpace.show(vma.pid);
    }, undefined, this.disposables);
    this.disposables.push(
      vscode.window.registerFileDecorationProvider(new MarkDecorations()),
      this.addressSpace,
      tracker.onDidRefresh(() => this.refreshAll()),
    );
  }

  trees(): Record<ViewName, NodeTree> {
    return { vmas: this.vmas, pageTables: this.pageTables.tree, policies: this.policies.tree, physical: this.physical.tree, tlb: this.tlb.tree };
  }

  refreshAll(): void {
    for (const name of Object.keys(VIEW_IDS) as ViewName[]) {
      this.treeViews[name].message = undefined;
      this.trees()[name].refresh();
    }
  }

  /** The node selected in the view the user last used (for palette invocations of menu commands). */
  focusedSelection(): ViewNode | undefined {
    return this.treeViews[this.lastFocused].selection[0];
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
