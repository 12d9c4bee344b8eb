/**
 * VMAs: per task, each vm_area_struct with its range, size, permissions, decoded vm_flags,
 * vm_ops, file and pgoff, and its resident pages as children; then the kernel's vmalloc areas
 * with their guard page, flags (VM_USERMAP...) and caller.
 */
import * as vscode from 'vscode';
import type { SessionTracker } from '../model/sessionTracker';
import type { KmemlabClient } from '../model/kmemlabClient';
import type { KmapInfo, TaskVmas, VmallocInfo } from '../model/protocol';
import { formatSize, interestingVmFlags, pages, taskName } from '../model/format';
import { applyMark } from './marks';
import { NodeTree, TextNode, ViewNode, type NodeTarget } from './nodeTree';

type VmaInfo = TaskVmas['vmas'][number];

/** Resident pages listed under a VMA; the adapter returns at most this many. */
const PAGE_LIST_LIMIT = 256;

export class TaskNode extends ViewNode {
  constructor(readonly task: TaskVmas, private readonly isCurrent: boolean, private readonly ctx: VmaViewContext) {
    super(`task:${task.pid}`, undefined);
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(taskName(this.task.comm, this.task.pid), this.isCurrent ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.description = `${this.task.vmas.length} VMAs${this.isCurrent ? ' · stopped here' : ''}`;
    item.iconPath = new vscode.ThemeIcon(this.isCurrent ? 'debug-stackframe' : 'account');
    item.contextValue = 'task';
    item.tooltip = `pid ${this.task.pid} (${this.task.comm}): ${this.task.vmas.length} VMAs`;
    return applyMark(item, this.id, this.ctx.tracker.marks.taskChanged(this.task.pid) ? 'changed' : undefined);
  }

  override async loadChildren(): Promise<ViewNode[]> {
    const nodes: ViewNode[] = this.task.vmas.map((v) => new VmaNode(this, v, this.ctx));
    for (const start of this.ctx.tracker.marks.removedVmas.get(this.task.pid) ?? []) {
      nodes.push(new TextNode(`${this.id}/gone:${start}`, this, start, { description: 'VMA gone since the last stop', icon: 'trash', iconColor: 'gitDecoration.deletedResourceForeground' }));
    }
    return nodes;
  }

  override target(): NodeTarget {
    return { pid: this.task.pid };
  }

  override copyText(): string {
    return this.task.vmas.map((v) => `${v.start}-${v.end} ${v.perms} ${v.pgoff.toString(16).padStart(8, '0')} ${v.name}`).join('\n');
  }
}

export class VmaNode extends ViewNode {
  constructor(readonly taskNode: TaskNode, readonly vma: VmaInfo, private readonly ctx: VmaViewContext) {
    super(`vma:${taskNode.task.pid}:${vma.start}`, taskNode);
  }

  get pid(): number {
    return this.taskNode.task.pid;
  }

  treeItem(): vscode.TreeItem {
    const v = this.vma;
    const item = new vscode.TreeItem(`[${v.start}, ${v.end})`, vscode.TreeItemCollapsibleState.Collapsed);
    item.description = `${formatSize(v.sizeBytes)} ${v.perms} ${v.name || v.file}`.trim();
    item.iconPath = new vscode.ThemeIcon(v.file.startsWith('/dev/') ? 'plug' : v.name === '[stack]' ? 'layers' : v.name === '[heap]' ? 'database' : 'symbol-namespace');
    item.contextValue = 'vma addr mem userva';
    item.tooltip = new vscode.MarkdownString(
      [
        `**[${v.start}, ${v.end})** ${formatSize(v.sizeBytes)}, \`${v.perms}\``,
        `vm_flags \`${v.flags}\`: ${v.flagNames.join(' ') || '—'}`,
        `vm_ops: ${v.vmOps || 'none'}`,
        `file: ${v.file || 'anonymous'}, pgoff ${v.pgoff}`,
        `resident: ${pages(v.residentPages)}`,
        `struct vm_area_struct at \`${v.vmaAddress}\``,
      ].join('\n\n'),
    );
    return applyMark(item, this.id, this.ctx.tracker.marks.vma(this.pid, v.start) ?? this.ctx.tracker.marks.ptesWithin(this.pid, v.start, v.end));
  }

  override async loadChildren(): Promise<ViewNode[]> {
    const v = this.vma;
    const details: ViewNode[] = [
      new TextNode(`${this.id}/flags`, this, 'vm_flags', { description: `${v.flags} ${interestingVmFlags(v.flagNames).join(' ')}`, icon: 'symbol-enum', value: v.flags, tooltip: v.flagNames.join(' ') }),
      new TextNode(`${this.id}/ops`, this, 'vm_ops', { description: v.vmOps || 'none', icon: 'symbol-method', value: v.vmOps }),
      new TextNode(`${this.id}/file`, this, 'file', { description: `${v.file || 'anonymous'} · pgoff ${v.pgoff}`, icon: 'file', value: v.file }),
    ];
    const client = this.ctx.client();
    if (!client || v.residentPages === 0) return [...details, new TextNode(`${this.id}/nopages`, this, 'no resident pages', { icon: 'circle-slash' })];
    const list = await client.vmaPages(this.pid, v.start, v.end);
    const rows: ViewNode[] = list.map((p) => new PageNode(this, p.va, p.pfn, p.flags, this.ctx));
    if (v.residentPages > list.length) {
      rows.push(new TextNode(`${this.id}/more`, this, `… ${v.residentPages - list.length} more resident pages`, { description: `the first ${PAGE_LIST_LIMIT} are listed`, icon: 'ellipsis' }));
    }
    return [...details, ...rows];
  }

  override target(): NodeTarget {
    return { va: this.vma.start, pid: this.pid };
  }

  override copyText(): string {
    return `${this.vma.start}-${this.vma.end}`;
  }
}

export class PageNode extends ViewNode {
  constructor(readonly vmaNode: VmaNode, readonly va: string, readonly pfn: number, readonly flags: string[], private readonly ctx: VmaViewContext) {
    super(`page:${vmaNode.pid}:${va}`, vmaNode);
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.va, vscode.TreeItemCollapsibleState.None);
    item.description = `pfn 0x${this.pfn.toString(16)} ${this.flags.join(' ')}`;
    item.iconPath = new vscode.ThemeIcon('file-binary');
    item.contextValue = 'page addr mem userva';
    item.tooltip = `page ${this.va} → pfn 0x${this.pfn.toString(16)} (physical 0x${(this.pfn * 4096).toString(16)})\n${this.flags.join(' ')}`;
    return applyMark(item, this.id, this.ctx.tracker.marks.pte(this.vmaNode.pid, this.va));
  }

  override target(): NodeTarget {
    return { va: this.va, pid: this.vmaNode.pid, pfn: this.pfn };
  }

  override copyText(): string {
    return this.va;
  }
}

export class VmallocRootNode extends ViewNode {
  constructor(private readonly areas: VmallocInfo[], private readonly ctx: VmaViewContext) {
    super('kernel:vmalloc', undefined);
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('kernel: vmalloc areas', vscode.TreeItemCollapsibleState.Collapsed);
    const bytes = this.areas.reduce((s, a) => s + a.sizeBytes, 0);
    item.description = `${this.areas.length} areas, ${formatSize(bytes)} with guard pages`;
    item.iconPath = new vscode.ThemeIcon('server-process');
    item.contextValue = 'vmallocRoot';
    return item;
  }

  override async loadChildren(): Promise<ViewNode[]> {
    return this.areas.map((a) => new VmallocNode(this, a, this.ctx));
  }
}

export class VmallocNode extends ViewNode {
  constructor(parent: VmallocRootNode, readonly area: VmallocInfo, private readonly ctx: VmaViewContext) {
    super(`vmalloc:${area.start}`, parent);
  }

  treeItem(): vscode.TreeItem {
    const a = this.area;
    const item = new vscode.TreeItem(`[${a.start}, ${a.end})`, vscode.TreeItemCollapsibleState.Collapsed);
    item.description = `${formatSize(a.sizeBytes - 4096)} + guard · ${a.kind}${a.flags.includes('VM_USERMAP') ? ' · VM_USERMAP' : ''} · ${a.caller}${a.lazyFree ? ' · freed, awaiting purge' : ''}`;
    item.iconPath = new vscode.ThemeIcon(a.lazyFree ? 'trash' : 'symbol-array');
    item.contextValue = 'vmalloc addr mem';
    item.tooltip = `${a.kind} area of ${pages(a.pages)} (+1 guard page at ${a.guardPage})\nflags ${a.flags.join(' ') || '—'}\ncaller ${a.caller}`;
    return applyMark(item, this.id, this.ctx.tracker.marks.ptesWithin(0, a.start, a.end));
  }

  override async loadChildren(): Promise<ViewNode[]> {
    const a = this.area;
    return [
      new TextNode(`${this.id}/pages`, this, 'pages', { description: `${a.pages} mapped from ${a.start}`, icon: 'files' }),
      new TextNode(`${this.id}/guard`, this, 'guard page', { description: `${a.guardPage} (never mapped: an overrun faults)`, icon: 'shield', value: a.guardPage }),
      new TextNode(`${this.id}/flags`, this, 'flags', { description: a.flags.join(' ') || '—', icon: 'symbol-enum' }),
      new TextNode(`${this.id}/caller`, this, 'caller', { description: a.caller, icon: 'symbol-function', value: a.caller }),
    ];
  }

  override target(): NodeTarget {
    return { va: this.area.start, pid: 0 };
  }

  override copyText(): string {
    return `${this.area.start}-${this.area.end}`;
  }
}

/** The kernel's kmap areas on a 32-bit arch: pkmap slots with their counts, kmap_atomic slots. */
export class KmapRootNode extends ViewNode {
  constructor(private readonly kmap: KmapInfo) {
    super('kernel:kmap', undefined);
  }

  treeItem(): vscode.TreeItem {
    const k = this.kmap;
    const item = new vscode.TreeItem('kernel: kmap slots', vscode.TreeItemCollapsibleState.Collapsed);
    const inUse = k.pkmap.filter((p) => p.count > 1).length;
    item.description = `${inUse} of ${k.lastPkmap} pkmap slots in use, ${k.pkmap.length - inUse} owing a flush, ${k.atomic.length} kmap_atomic`;
    item.tooltip = `pkmap area at ${k.pkmapBase} (LAST_PKMAP ${k.lastPkmap}); pkmap_count 1 means unused but the PTE stays until flush_all_zero_pkmaps`;
    item.iconPath = new vscode.ThemeIcon('references');
    item.contextValue = 'kmapRoot';
    return item;
  }

  override async loadChildren(): Promise<ViewNode[]> {
    const pk = this.kmap.pkmap.map(
      (p) =>
        new TextNode(`kmap:pkmap:${p.nr}`, this, `pkmap slot ${p.nr}`, {
          description: `${p.va} → ${p.pfn === undefined ? 'no PTE' : `pfn 0x${p.pfn.toString(16)}`} · pkmap_count ${p.count} (${p.state})`,
          icon: p.count > 1 ? 'pass-filled' : 'circle-large-outline',
          contextValue: 'kmap addr',
          value: p.va,
        }),
    );
    const at = this.kmap.atomic.map(
      (a) => new TextNode(`kmap:atomic:${a.slot}`, this, `kmap_atomic slot ${a.slot}`, { description: `${a.va} → pfn 0x${a.pfn.toString(16)} (fixmap)`, icon: 'zap', contextValue: 'kmap addr', value: a.va }),
    );
    return [...pk, ...at];
  }
}

export interface VmaViewContext {
  tracker: SessionTracker;
  client(): KmemlabClient | undefined;
}

export function createVmaTree(tracker: SessionTracker): NodeTree {
  const ctx: VmaViewContext = { tracker, client: () => tracker.client };
  return new NodeTree(async () => {
    const client = tracker.client;
    if (!client || !tracker.isStopped) return [];
    const r = await client.vmas();
    const tasks = [...r.tasks].sort((a, b) => a.pid - b.pid);
    const kmap = r.kmap && r.kmap.pkmapBase !== undefined ? [new KmapRootNode(r.kmap)] : [];
    return [...tasks.map((t) => new TaskNode(t, t.pid === r.current, ctx)), new VmallocRootNode(r.vmalloc, ctx), ...kmap];
  });
}
