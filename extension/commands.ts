/**
 * The commands of the palette, the view title bars and the views' context menus: walk an
 * address (revealing its path in Page Tables), copy a value, show memory in the hex editor,
 * reveal the VMA of a page, the address-space picture, typed /dev/mem requests and their knobs.
 */
import * as vscode from 'vscode';
import { parseAddress } from './model/format';
import type { WalkResult } from './model/protocol';
import type { KmemlabViews } from './views/registerViews';
import { MmNode } from './views/pageTableView';
import { TaskNode, VmallocNode, VmallocRootNode, VmaNode } from './views/vmaView';
import type { ViewNode } from './views/nodeTree';
import { judgeTyped } from './model/policyJudge';

const HEX_EDITOR_EXTENSION = 'ms-vscode.hexeditor';
const DEBUG_MEMORY_SCHEME = 'vscode-debug-memory';
const MEMORY_SHOWN_BYTES = 4096;

export interface WalkOutcome {
  walk: WalkResult;
  pid: number;
  /** Ids of the Page Tables nodes on the walk, root first; the last one is selected. */
  path: string[];
}

function within(va: bigint, start: string, end: string): boolean {
  return va >= BigInt.asUintN(64, BigInt(start)) && va < BigInt.asUintN(64, BigInt(end));
}

export class KmemlabCommands {
  constructor(private readonly views: KmemlabViews) {}

  register(context: vscode.ExtensionContext): void {
    const r = (id: string, fn: (...args: never[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));
    r('kmemlab.walkAddress', (va?: string, pid?: number) => this.walkAddress(typeof va === 'string' ? va : undefined, typeof pid === 'number' ? pid : undefined));
    r('kmemlab.walkThis', (node?: ViewNode) => this.walkThis(node));
    r('kmemlab.copyValue', (node?: ViewNode) => this.copyValue(node));
    r('kmemlab.showInMemoryView', (node?: ViewNode) => this.showInMemoryView(node));
    r('kmemlab.revealVma', (node?: ViewNode) => this.revealVma(node));
    r('kmemlab.refreshViews', () => this.views.refreshAll());
    r('kmemlab.showAddressSpace', (node?: ViewNode) => this.views.addressSpace.show(node instanceof TaskNode ? node.task.pid : node instanceof MmNode ? node.pid : undefined));
    r('kmemlab.judgeRequest', (request?: { offset: string; lengthBytes?: number; prot?: 'r' | 'rw' }) => this.judgeRequest(request && typeof request.offset === 'string' ? request : undefined));
    r('kmemlab.setPolicySecurelevel', (level?: number) => this.setSecurelevel(level));
    r('kmemlab.setPolicyCredential', (euid?: number) => this.setCredential(euid));
  }

  private selected(node: ViewNode | undefined): ViewNode | undefined {
    return node ?? this.views.focusedSelection();
  }

  /** The pid whose tables a walk uses: the Page Tables selection's mm, else the stopped task. */
  private async defaultPid(): Promise<number> {
    const sel = this.views.treeViews.pageTables.selection[0];
    let n: ViewNode | undefined = sel;
    while (n && !(n instanceof MmNode)) n = n.parent;
    if (n instanceof MmNode) return n.pid;
    return (await this.views.tracker.client!.status()).pid;
  }

  async walkAddress(va?: string, pid?: number): Promise<WalkOutcome | undefined> {
    const client = this.views.tracker.client;
    if (!client || !this.views.tracker.isStopped) {
      void vscode.window.showWarningMessage('kmemlab: walk an address while a kmemlab session is stopped.');
      return undefined;
    }
    const typed = va ?? (await vscode.window.showInputBox({
      title: 'Walk address',
      prompt: 'Virtual address (hex) to walk through the page tables',
      placeHolder: '0x7ffff7ff5000',
      validateInput: (v) => (parseAddress(v) ? undefined : 'a hex address such as 0x7ffff7ff5000'),
    }));
    if (!typed) return undefined;
    const address = parseAddress(typed);
    if (!address) throw new Error(`'${typed}' is not an address`);
    const forPid = pid ?? (await this.defaultPid());
    const walk = await client.walk(forPid, address);
    const nodes = await this.views.pageTables.nodesOnWalk(forPid, walk);
    await vscode.commands.executeCommand('kmemlab.pageTables.focus');
    const view = this.views.treeViews.pageTables;
    const last = nodes[nodes.length - 1];
    if (last) await view.reveal(last, { select: true, focus: true, expand: false });
    view.message = walk.pfn !== undefined ? `${walk.va} → pfn 0x${walk.pfn.toString(16)} (physical ${walk.pa})` : `${walk.va}: ${walk.fault ?? 'not mapped'}`;
    await this.views.addressSpace.showWalk(forPid, walk);
    return { walk, pid: forPid, path: nodes.map((n) => n.id) };
  }

  private async walkThis(node: ViewNode | undefined): Promise<WalkOutcome | undefined> {
    const t = this.selected(node)?.target();
    if (!t?.va) return undefined;
    return this.walkAddress(t.va, t.pid);
  }

  private async copyValue(node: ViewNode | undefined): Promise<void> {
    const n = this.selected(node);
    if (n) await vscode.env.clipboard.writeText(n.copyText());
  }

  /** Opens the bytes of the node's page in VS Code's memory view (the hex editor), or a hex dump. */
  async showInMemoryView(node: ViewNode | undefined): Promise<vscode.Uri | undefined> {
    const t = this.selected(node)?.target();
    const session = this.views.tracker.session;
    const client = this.views.tracker.client;
    if (!t || !session || !client) return undefined;
    const current = (await client.status()).pid;
    // A memory reference is an address in the stopped task's space; elsewhere, use the frame.
    const reference = t.va && (t.pid === undefined || t.pid === current || t.pid === 0) ? t.va : t.pfn !== undefined ? `phys:0x${(t.pfn * 4096).toString(16)}` : t.va;
    if (!reference) return undefined;
    const uri = vscode.Uri.from({
      scheme: DEBUG_MEMORY_SCHEME,
      authority: session.id,
      path: `/${encodeURIComponent(reference)}/${encodeURIComponent(reference.replace(':', '-'))}.bin`,
      query: `?range=0:${MEMORY_SHOWN_BYTES}`,
    });
    if (vscode.extensions.getExtension(HEX_EDITOR_EXTENSION)) {
      await vscode.commands.executeCommand('vscode.openWith', uri, 'hexEditor.hexedit');
      return uri;
    }
    const dump = await this.hexDump(reference);
    const doc = await vscode.workspace.openTextDocument({ content: dump, language: 'plaintext' });
    await vscode.window.showTextDocument(doc, { preview: true });
    void vscode.window.showInformationMessage('kmemlab: install the Hex Editor extension (ms-vscode.hexeditor) to browse and edit emulated memory; here is a dump of the page.', 'Install').then((pick) => {
      if (pick) void vscode.commands.executeCommand('workbench.extensions.installExtension', HEX_EDITOR_EXTENSION);
    });
    return doc.uri;
  }

  private async hexDump(reference: string): Promise<string> {
    const session = this.views.tracker.session!;
    const r = (await session.customRequest('readMemory', { memoryReference: reference, count: 256 })) as { address: string; data?: string; unreadableBytes?: number };
    const bytes = Uint8Array.from(atob(r.data ?? ''), (c) => c.charCodeAt(0));
    const base = BigInt(r.address);
    const lines = [`${reference}: ${bytes.length} bytes${r.unreadableBytes ? `, ${r.unreadableBytes} unreadable` : ''}`];
    for (let off = 0; off < bytes.length; off += 16) {
      const row = bytes.subarray(off, off + 16);
      const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
      const ascii = Array.from(row, (b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
      lines.push(`${'0x' + (base + BigInt(off)).toString(16)}  ${hex.padEnd(47)}  ${ascii}`);
    }
    return lines.join('\n') + '\n';
  }

  /** Reveals, in the VMAs view, the VMA (or vmalloc area) holding the node's address. */
  async revealVma(node: ViewNode | undefined): Promise<ViewNode | undefined> {
    const t = this.selected(node)?.target();
    const client = this.views.tracker.client;
    if (!t?.va || !client) return undefined;
    const va = BigInt.asUintN(64, BigInt(t.va));
    const pid = t.pid ?? (await client.status()).pid;
    const tree = this.views.vmas;
    const roots = await tree.getChildren();
    let found: ViewNode | undefined;
    const task = roots.find((n) => n instanceof TaskNode && n.task.pid === pid);
    if (task) found = (await tree.getChildren(task)).find((n) => n instanceof VmaNode && within(va, n.vma.start, n.vma.end));
    if (!found) {
      const vmalloc = roots.find((n) => n instanceof VmallocRootNode);
      if (vmalloc) found = (await tree.getChildren(vmalloc)).find((n) => n instanceof VmallocNode && within(va, n.area.start, n.area.end));
    }
    if (!found) {
      void vscode.window.showInformationMessage(`kmemlab: no VMA of pid ${pid} holds ${t.va}.`);
      return undefined;
    }
    await vscode.commands.executeCommand('kmemlab.vmas.focus');
    await this.views.treeViews.vmas.reveal(found, { select: true, focus: true });
    return found;
  }

  private async judgeRequest(request?: { offset: string; lengthBytes?: number; prot?: 'r' | 'rw' }): Promise<void> {
    const v = this.views.policies;
    if (request) {
      v.judge(judgeTyped(BigInt(request.offset), request.lengthBytes ?? 4096, request.prot ?? 'r', v.euid, v.securelevel));
      return;
    }
    const offset = await vscode.window.showInputBox({ title: 'Judge a /dev/mem mmap request (1/3)', prompt: 'File offset (physical address), hex or decimal', value: '0xa0000', validateInput: (v) => (parseAddress(v) ? undefined : 'a number such as 0xa0000') });
    if (!offset) return;
    const length = await vscode.window.showInputBox({ title: 'Judge a /dev/mem mmap request (2/3)', prompt: 'Length in bytes', value: '4096', validateInput: (v) => (/^(0x[0-9a-f]+|[0-9]+)$/i.test(v.trim()) && Number(v) > 0 ? undefined : 'a positive number') });
    if (!length) return;
    const prot = await vscode.window.showQuickPick([{ label: 'r', description: 'PROT_READ' }, { label: 'rw', description: 'PROT_READ | PROT_WRITE' }], { title: 'Judge a /dev/mem mmap request (3/3)', placeHolder: 'Protection' });
    if (!prot) return;
    v.judge(judgeTyped(BigInt(parseAddress(offset)!), Number(length), prot.label as 'r' | 'rw', v.euid, v.securelevel));
    await vscode.commands.executeCommand('kmemlab.policies.focus');
  }

  private async setSecurelevel(level?: number): Promise<void> {
    const v = this.views.policies;
    if (level === undefined) {
      const pick = await vscode.window.showQuickPick(
        [
          { label: 'each machine\'s own', value: undefined },
          { label: '-1', description: 'permanently insecure', value: -1 },
          { label: '0', description: 'insecure', value: 0 },
          { label: '1', description: 'secure (NetBSD\'s default after boot)', value: 1 },
          { label: '2', description: 'highly secure', value: 2 },
        ],
        { title: 'securelevel for typed requests' },
      );
      if (!pick) return;
      v.securelevel = pick.value;
    } else v.securelevel = level;
    this.rejudge();
  }

  private async setCredential(euid?: number): Promise<void> {
    const v = this.views.policies;
    if (euid === undefined) {
      const text = await vscode.window.showInputBox({ title: 'Credential for typed requests', prompt: 'Effective uid (0 is root)', value: String(v.euid), validateInput: (s) => (/^[0-9]+$/.test(s) ? undefined : 'a whole number') });
      if (text === undefined) return;
      v.euid = Number(text);
    } else v.euid = euid;
    this.rejudge();
  }

  private rejudge(): void {
    const v = this.views.policies;
    if (v.typed) v.judge(judgeTyped(v.typed.offset, v.typed.lengthBytes, v.typed.prot, v.euid, v.securelevel));
    else v.tree.refresh();
  }
}
