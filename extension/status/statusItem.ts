/**
 * The status bar while a kmemlab session runs: the machine's arch, its securelevel and the task
 * that stopped (`kmemlab/status`), refreshed at every stop; hidden otherwise.
 */
import * as vscode from 'vscode';
import type { SessionTracker } from '../model/sessionTracker';
import type { StatusResponse } from '../model/protocol';

export function statusText(s: StatusResponse): string {
  return `$(chip) ${s.arch}  $(shield) securelevel ${s.securelevel}  $(debug-stackframe) ${s.comm}[${s.pid}]`;
}

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('kmemlab.status', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: vscode.Disposable;
  last: StatusResponse | undefined;

  constructor(private readonly tracker: SessionTracker) {
    this.item.name = 'kmemlab machine';
    this.item.command = 'kmemlab.showAddressSpace';
    this.subscription = tracker.onDidRefresh(() => void this.update());
  }

  private async update(): Promise<void> {
    const client = this.tracker.client;
    if (!client) {
      this.last = undefined;
      this.item.hide();
      return;
    }
    try {
      const s = await client.status();
      this.last = s;
      this.item.text = statusText(s);
      this.item.tooltip = `kmemlab: ${s.arch}, kern.securelevel ${s.securelevel}, current task ${s.comm} (pid ${s.pid}), ${s.steps} steps so far.\nClick for the address-space picture.`;
      this.item.show();
    } catch {
      // Not answerable while the session starts or ends; the next stop updates it.
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
