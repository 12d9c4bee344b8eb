/**
 * mmmmap Policies: every /dev/mem mmap the lab made, judged by each architecture's rule side by
 * side (the adapter's `kmemlab/policies`), and a request the user types, judged in the extension
 * with engine/policy's judgeAll. Requests on which the architectures disagree are marked.
 */
import * as vscode from 'vscode';
import type { Verdict } from '../../engine/policy';
import { protFromBits, protShort } from '../../engine/policy/prot';
import { disagree, type TypedRequest } from '../model/policyJudge';
import type { SessionTracker } from '../model/sessionTracker';
import type { DevmemTraceRecord } from '../model/protocol';
import { formatSize, taskName } from '../model/format';
import { applyMark } from './marks';
import { NodeTree, TextNode, ViewNode } from './nodeTree';

function verdictWord(v: Verdict): string {
  return v.allowed ? 'allowed' : `refused (${v.errno ?? 'error'})`;
}

class VerdictNode extends ViewNode {
  constructor(id: string, parent: ViewNode, readonly verdict: Verdict, private readonly decidedHere: boolean) {
    super(id, parent);
  }

  treeItem(): vscode.TreeItem {
    const v = this.verdict;
    const item = new vscode.TreeItem(`${v.arch}${this.decidedHere ? ' (this lab\'s policy)' : ''}`, vscode.TreeItemCollapsibleState.None);
    item.description = `${verdictWord(v)} — ${v.reason}`;
    item.iconPath = new vscode.ThemeIcon(v.allowed ? 'pass' : 'error', new vscode.ThemeColor(v.allowed ? 'testing.iconPassed' : 'testing.iconFailed'));
    item.tooltip = new vscode.MarkdownString([`**${v.arch}**: ${verdictWord(v)}`, `rule: ${v.rule}`, `reason: ${v.reason}`, v.edge ? `edge: ${v.edge}` : ''].filter(Boolean).join('\n\n'));
    item.contextValue = 'verdict';
    return item;
  }

  override copyText(): string {
    return `${this.verdict.arch}: ${verdictWord(this.verdict)} — ${this.verdict.reason}`;
  }
}

class RequestNode extends ViewNode {
  constructor(
    id: string,
    private readonly label: string,
    private readonly description: string,
    private readonly verdicts: Verdict[],
    private readonly decidedBy: string | undefined,
    private readonly expanded: boolean,
    private readonly isNew = false,
  ) {
    super(id, undefined);
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, this.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    const split = disagree(this.verdicts);
    const allowed = this.verdicts.filter((v) => v.allowed).length;
    item.description = `${this.description} · ${allowed}/${this.verdicts.length} allow${split ? ' · disagree' : ''}`;
    item.iconPath = new vscode.ThemeIcon(split ? 'warning' : 'law', split ? new vscode.ThemeColor('list.warningForeground') : undefined);
    item.contextValue = 'request';
    return applyMark(item, this.id, this.isNew ? 'added' : split ? 'disagree' : undefined);
  }

  override async loadChildren(): Promise<ViewNode[]> {
    return this.verdicts.map((v) => new VerdictNode(`${this.id}/${v.arch}`, this, v, v.arch === this.decidedBy));
  }
}

export class PolicyView {
  readonly tree: NodeTree;
  typed: TypedRequest | undefined;
  /** The highest request number seen at the previous stop, and at this one (for "new" marks). */
  private seqAtPreviousStop = 0;
  private seqAtThisStop = 0;
  private stopGeneration = -1;
  private sessionId: string | undefined;
  /** Knobs for typed requests. */
  securelevel: number | undefined = undefined;
  euid = 0;

  constructor(private readonly tracker: SessionTracker) {
    this.tree = new NodeTree(() => this.roots());
  }

  private async roots(): Promise<ViewNode[]> {
    const rows: ViewNode[] = [];
    const client = this.tracker.client;
    if (client && this.tracker.isStopped) {
      const requests = await client.policies();
      if (this.tracker.session?.id !== this.sessionId) {
        this.sessionId = this.tracker.session?.id;
        this.seqAtThisStop = 0;
      }
      if (this.tracker.generation !== this.stopGeneration) {
        this.stopGeneration = this.tracker.generation;
        this.seqAtPreviousStop = this.seqAtThisStop;
      }
      this.seqAtThisStop = Math.max(0, ...requests.map((r) => r.seq));
      requests.forEach((r, i) => rows.push(this.sessionRequest(r, i === requests.length - 1, r.seq > this.seqAtPreviousStop)));
      if (requests.length === 0) rows.push(new TextNode('none', undefined, 'no /dev/mem mmap yet in this session', { icon: 'info' }));
    }
    if (this.typed) {
      const t = this.typed;
      rows.push(new RequestNode('typed', `typed: mmap offset 0x${t.offset.toString(16)}`, `${formatSize(t.lengthBytes)} ${t.prot} euid ${t.euid} securelevel ${t.securelevel ?? 'per machine'}`, t.verdicts, undefined, true));
    }
    // With nothing to show, the view's welcome text (with its Judge a Request button) shows.
    if (rows.length === 0 && !client) return rows;
    rows.push(new TextNode('knob:securelevel', undefined, 'securelevel for typed requests', { description: this.securelevel === undefined ? 'each machine\'s own' : String(this.securelevel), icon: 'shield', contextValue: 'knob' }));
    rows.push(new TextNode('knob:euid', undefined, 'credential for typed requests', { description: `euid ${this.euid}`, icon: 'person', contextValue: 'knob' }));
    return rows;
  }

  private sessionRequest(r: DevmemTraceRecord, last: boolean, isNew: boolean): RequestNode {
    const prot = protShort(protFromBits(r.prot === 'rw' ? 3 : 1));
    const outcome = r.allowed ? 'mapped' : `refused ${r.errno ?? ''}`.trim();
    return new RequestNode(
      `req:${r.seq}`,
      `#${r.seq} mmap /dev/mem offset ${r.offsetHex}`,
      `${formatSize(r.lengthBytes)} ${prot} by ${taskName(r.comm, r.pid)} euid ${r.euid} securelevel ${r.securelevel} → ${outcome} (${r.policy})`,
      r.verdicts,
      r.policy,
      last,
      isNew,
    );
  }

  judge(t: TypedRequest): void {
    this.typed = t;
    this.tree.refresh();
  }
}
