/**
 * The tree machinery every kmemlab view shares: nodes that know their parent (so TreeView.reveal
 * works), children fetched lazily and cached until the next stop (so reveal finds the very
 * objects the tree holds), and stable ids (so what was expanded stays expanded across stops).
 */
import * as vscode from 'vscode';
import type { Mark } from '../model/changeMarks';
import { applyMark } from './marks';

/** What a node is about, for the context-menu commands (walk, memory view, reveal VMA). */
export interface NodeTarget {
  /** A virtual address in `pid`'s address space (pid 0: the kernel's init_mm). */
  va?: string;
  pid?: number;
  pfn?: number;
}

export abstract class ViewNode {
  constructor(
    /** Unique in its view, stable across stops for the same thing. */
    readonly id: string,
    readonly parent: ViewNode | undefined,
  ) {}

  abstract treeItem(): vscode.TreeItem;

  /** Lazily loaded children; leaves return undefined. */
  loadChildren?(): Promise<ViewNode[]>;

  /** What "Copy Value" puts on the clipboard. */
  copyText(): string {
    const item = this.treeItem();
    const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
    return [label, typeof item.description === 'string' ? item.description : ''].filter(Boolean).join('  ');
  }

  target(): NodeTarget | undefined {
    return undefined;
  }
}

/** A leaf that shows one line (a message, a detail row). */
export class TextNode extends ViewNode {
  constructor(
    id: string,
    parent: ViewNode | undefined,
    private readonly label: string,
    private readonly options: { description?: string; tooltip?: string | vscode.MarkdownString; icon?: string; iconColor?: string; contextValue?: string; value?: string; mark?: Mark } = {},
  ) {
    super(id, parent);
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.description = this.options.description;
    item.tooltip = this.options.tooltip;
    if (this.options.icon) item.iconPath = new vscode.ThemeIcon(this.options.icon, this.options.iconColor ? new vscode.ThemeColor(this.options.iconColor) : undefined);
    item.contextValue = this.options.contextValue ?? 'text';
    return applyMark(item, this.id, this.options.mark);
  }

  override copyText(): string {
    return this.options.value ?? super.copyText();
  }
}

export class NodeTree implements vscode.TreeDataProvider<ViewNode> {
  private readonly changeEmitter = new vscode.EventEmitter<ViewNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly childCache = new Map<string, Promise<ViewNode[]>>();
  private rootsPromise: Promise<ViewNode[]> | undefined;

  constructor(private readonly loadRoots: () => Promise<ViewNode[]>) {}

  /** Drops every cached answer and redraws: called at each stop. */
  refresh(): void {
    this.childCache.clear();
    this.rootsPromise = undefined;
    this.changeEmitter.fire(undefined);
  }

  getTreeItem(node: ViewNode): vscode.TreeItem {
    const item = node.treeItem();
    item.id = node.id;
    if (item.collapsibleState === undefined) item.collapsibleState = node.loadChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
    return item;
  }

  getChildren(node?: ViewNode): Promise<ViewNode[]> {
    if (!node) {
      this.rootsPromise ??= this.guard(this.loadRoots(), undefined);
      return this.rootsPromise;
    }
    if (!node.loadChildren) return Promise.resolve([]);
    let cached = this.childCache.get(node.id);
    if (!cached) {
      cached = this.guard(node.loadChildren(), node);
      this.childCache.set(node.id, cached);
    }
    return cached;
  }

  getParent(node: ViewNode): ViewNode | undefined {
    return node.parent;
  }

  /** A failed request (the session moved on, or ended) shows as one row instead of an error toast. */
  private async guard(p: Promise<ViewNode[]>, parent: ViewNode | undefined): Promise<ViewNode[]> {
    try {
      return await p;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return [new TextNode(`${parent?.id ?? 'root'}/error`, parent, 'not available now', { description: message, icon: 'warning' })];
    }
  }

  /** Finds a loaded-or-loadable node by walking children from the roots with `match` per level. */
  async findPath(matchers: ((n: ViewNode) => boolean)[]): Promise<ViewNode | undefined> {
    let level = await this.getChildren();
    let found: ViewNode | undefined;
    for (const match of matchers) {
      found = level.find(match);
      if (!found) return undefined;
      level = await this.getChildren(found);
    }
    return found;
  }
}
