/**
 * A view's rows as its tree provider gives them, for tests and for "Copy Value" of a whole view:
 * label, description and mark of each node, expanded to a depth or along a predicate. Going
 * through the provider (not the DOM) checks the data even where the DOM is not at hand.
 */
import type * as vscode from 'vscode';
import type { NodeTree, ViewNode } from './nodeTree';

export interface TreeRow {
  id: string;
  depth: number;
  label: string;
  description: string;
  contextValue: string;
  /** added / changed / removed / stale / disagree, from the change decoration. */
  mark: string | undefined;
  /** The accessible label (what a screen reader and the DOM's aria-label say). */
  accessibleLabel: string;
}

export interface SnapshotOptions {
  /** Levels to expand below the roots (0: roots only). Default 1. */
  depth?: number;
  /** Expand a node only when this says so (in addition to depth). */
  expand?: (row: TreeRow) => boolean;
  /** Stop after this many rows. Default 2000. */
  limit?: number;
}

export function rowOf(tree: NodeTree, node: ViewNode, depth: number): TreeRow {
  const item: vscode.TreeItem = tree.getTreeItem(node);
  const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
  const description = typeof item.description === 'string' ? item.description : '';
  return {
    id: node.id,
    depth,
    label,
    description,
    contextValue: item.contextValue ?? '',
    mark: item.resourceUri?.query || undefined,
    accessibleLabel: item.accessibilityInformation?.label ?? `${label} ${description}`.trim(),
  };
}

export async function snapshotTree(tree: NodeTree, options: SnapshotOptions = {}): Promise<TreeRow[]> {
  const depthLimit = options.depth ?? 1;
  const limit = options.limit ?? 2000;
  const rows: TreeRow[] = [];
  const visit = async (nodes: ViewNode[], depth: number): Promise<void> => {
    for (const node of nodes) {
      if (rows.length >= limit) return;
      const row = rowOf(tree, node, depth);
      rows.push(row);
      if (node.loadChildren && (depth < depthLimit || options.expand?.(row))) await visit(await tree.getChildren(node), depth + 1);
    }
  };
  await visit(await tree.getChildren(), 0);
  return rows;
}
