/**
 * "Changed since the last stop" marks. A tree row gets a resourceUri in the kmemlab-mark scheme
 * and this decoration provider colours it and adds a badge, the way the SCM marks modified files.
 * The row's accessible label says it in words too (tests and screen readers read that).
 */
import * as vscode from 'vscode';
import type { Mark } from '../model/changeMarks';

export const MARK_SCHEME = 'kmemlab-mark';

const DECORATIONS: Record<Mark | 'disagree', vscode.FileDecoration> = {
  added: new vscode.FileDecoration('A', 'appeared since the last stop', new vscode.ThemeColor('gitDecoration.addedResourceForeground')),
  changed: new vscode.FileDecoration('M', 'changed since the last stop', new vscode.ThemeColor('gitDecoration.modifiedResourceForeground')),
  removed: new vscode.FileDecoration('D', 'gone since the last stop', new vscode.ThemeColor('gitDecoration.deletedResourceForeground')),
  stale: new vscode.FileDecoration('!', 'stale: the page tables changed and no flush came', new vscode.ThemeColor('list.warningForeground')),
  disagree: new vscode.FileDecoration('≠', 'the architectures disagree', new vscode.ThemeColor('list.warningForeground')),
};

export const MARK_WORDS: Record<Mark | 'disagree', string> = {
  added: 'new since the last stop',
  changed: 'changed since the last stop',
  removed: 'gone since the last stop',
  stale: 'stale',
  disagree: 'architectures disagree',
};

/** Applies a mark to a tree item (no-op for undefined). */
export function applyMark(item: vscode.TreeItem, id: string, mark: Mark | 'disagree' | undefined): vscode.TreeItem {
  if (!mark) return item;
  item.resourceUri = vscode.Uri.from({ scheme: MARK_SCHEME, path: '/' + encodeURIComponent(id), query: mark });
  const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
  const description = typeof item.description === 'string' ? ` ${item.description}` : '';
  item.accessibilityInformation = { label: `${label}${description} (${MARK_WORDS[mark]})` };
  return item;
}

export class MarkDecorations implements vscode.FileDecorationProvider {
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== MARK_SCHEME) return undefined;
    return DECORATIONS[uri.query as Mark | 'disagree'];
  }
}
