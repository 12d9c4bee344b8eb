/**
 * The address-space picture: a webview that draws the selected task's layout and the walk of the
 * selected address (layoutModel + layoutSvg), redrawn at every stop. Strict CSP: no inline
 * script or style; one nonce'd script that only posts "walk this address" back when a region is
 * clicked. Colours follow the theme through VS Code's CSS variables.
 */
import * as vscode from 'vscode';
import type { SessionTracker } from '../model/sessionTracker';
import type { WalkResult } from '../model/protocol';
import { buildModel } from './layoutModel';
import { renderAddressSpaceSvg } from './layoutSvg';

export const ADDRESS_SPACE_VIEW_TYPE = 'kmemlab.addressSpace';

function nonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class AddressSpacePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private pid: number | undefined;
  private walk: WalkResult | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** The SVG last drawn (tests read it). */
  lastSvg = '';

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly tracker: SessionTracker,
    private readonly onWalkRequest: (pid: number | undefined, va: string) => void,
  ) {
    this.disposables.push(tracker.onDidRefresh(() => void this.redraw()));
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** Opens (or brings forward) the picture of `pid`'s address space (default: the stopped task). */
  async show(pid?: number): Promise<void> {
    if (pid !== undefined && pid !== this.pid) {
      this.pid = pid;
      this.walk = undefined;
    }
    if (!this.panel) {
      const media = vscode.Uri.joinPath(this.extensionUri, 'media', 'webview');
      this.panel = vscode.window.createWebviewPanel(ADDRESS_SPACE_VIEW_TYPE, 'Address Space', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        enableScripts: true,
        localResourceRoots: [media],
        retainContextWhenHidden: false,
      });
      this.panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
      this.panel.onDidDispose(() => (this.panel = undefined), undefined, this.disposables);
      this.panel.webview.onDidReceiveMessage((m: { type?: string; va?: string }) => {
        if (m.type === 'walk' && typeof m.va === 'string' && /^0x[0-9a-f]+$/i.test(m.va)) this.onWalkRequest(this.pid, m.va);
      }, undefined, this.disposables);
    } else this.panel.reveal(undefined, true);
    await this.redraw();
  }

  /** Draws a walk (called by the Walk Address command). */
  async showWalk(pid: number, walk: WalkResult): Promise<void> {
    this.pid = pid;
    this.walk = walk;
    if (this.panel) await this.redraw();
  }

  private async redraw(): Promise<void> {
    if (!this.panel) return;
    const client = this.tracker.client;
    let svg: string;
    if (!client || !this.tracker.isStopped) {
      svg = '<p class="hint">The picture appears while a kmemlab session is stopped.</p>';
    } else {
      try {
        const [vmas, status, frames] = await Promise.all([client.vmas(), client.status(), client.frames(0, 0)]);
        const pid = this.pid ?? vmas.current;
        const task = vmas.tasks.find((t) => t.pid === pid);
        const walk = this.walk && this.pid === pid ? await client.walk(pid, this.walk.va) : undefined;
        svg = renderAddressSpaceSvg(buildModel({ arch: status.arch, ramBytes: frames.total * 4096, task, vmalloc: vmas.vmalloc, walk }));
      } catch (e) {
        svg = `<p class="hint">Not available now: ${String(e instanceof Error ? e.message : e).replace(/[<>&]/g, '')}</p>`;
      }
    }
    this.lastSvg = svg;
    this.panel.webview.html = this.html(this.panel.webview, svg);
  }

  private html(webview: vscode.Webview, body: string): string {
    const media = vscode.Uri.joinPath(this.extensionUri, 'media', 'webview');
    const css = webview.asWebviewUri(vscode.Uri.joinPath(media, 'addressSpace.css'));
    const js = webview.asWebviewUri(vscode.Uri.joinPath(media, 'addressSpace.js'));
    const n = nonce();
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${webview.cspSource}; style-src ${webview.cspSource}; script-src 'nonce-${n}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css}">
<title>Address Space</title>
</head>
<body>
${body}
<script nonce="${n}" src="${js}"></script>
</body>
</html>`;
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
