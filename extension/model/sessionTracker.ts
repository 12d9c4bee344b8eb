/**
 * Follows kmemlab debug sessions: which one the views show, whether it is stopped, and what
 * changed at the last stop (the adapter's `kmemlab/changed` event). Views refresh on its
 * onDidRefresh; the context keys it sets drive the views' `when` clauses and the walkthrough.
 */
import * as vscode from 'vscode';
import { ChangeMarks } from './changeMarks';
import { KmemlabClient } from './kmemlabClient';
import type { ChangeSummary } from './protocol';

export const DEBUG_TYPE = 'kmemlab';
/** Context keys (package.json uses them in `when` clauses). */
export const CONTEXT_SESSION_ACTIVE = 'kmemlab.sessionActive';
export const CONTEXT_STOPPED = 'kmemlab.stopped';
export const CONTEXT_STOPPED_IN_FAULT = 'kmemlab.stoppedInFault';

/** Kernel routines on the stack that say "this stop is inside a page-fault handler". */
const FAULT_PATH_FRAMES = /^(handle_mm_fault|__do_fault|do_page_fault)\b/;

export interface StopInfo {
  session: vscode.DebugSession;
  /** Counts stops of all sessions; a view can tell stale answers by it. */
  generation: number;
  summary: ChangeSummary | undefined;
  reason: string;
  threadId: number | undefined;
  description: string;
}

export class SessionTracker implements vscode.Disposable {
  private readonly sessions = new Map<string, vscode.DebugSession>();
  private shown: vscode.DebugSession | undefined;
  private stoppedSessions = new Set<string>();
  private lastStop: StopInfo | undefined;
  private pendingStop = new Map<string, { reason: string; threadId?: number; description: string }>();
  private generationCounter = 0;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly refreshEmitter = new vscode.EventEmitter<StopInfo | undefined>();
  private readonly stopEmitter = new vscode.EventEmitter<StopInfo>();
  /** Fires after every stop (with what changed) and when the shown session changes or ends. */
  readonly onDidRefresh = this.refreshEmitter.event;
  /** Fires after every stop, once the change summary has arrived. */
  readonly onDidStop = this.stopEmitter.event;
  marks = new ChangeMarks(undefined);

  constructor() {
    this.disposables.push(
      this.refreshEmitter,
      this.stopEmitter,
      vscode.debug.onDidStartDebugSession((s) => this.started(s)),
      vscode.debug.onDidTerminateDebugSession((s) => this.ended(s)),
      vscode.debug.onDidChangeActiveDebugSession((s) => this.activeChanged(s)),
      vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
        if (e.session.type === DEBUG_TYPE && e.event === 'kmemlab/changed') this.changed(e.session, e.body as ChangeSummary);
      }),
      vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, { createDebugAdapterTracker: (s) => this.trackerFor(s) }),
    );
    for (const id of [CONTEXT_SESSION_ACTIVE, CONTEXT_STOPPED, CONTEXT_STOPPED_IN_FAULT]) void vscode.commands.executeCommand('setContext', id, false);
  }

  /** The client of the session the views show, if a kmemlab session runs. */
  get client(): KmemlabClient | undefined {
    return this.shown ? new KmemlabClient(this.shown) : undefined;
  }

  get session(): vscode.DebugSession | undefined {
    return this.shown;
  }

  get isStopped(): boolean {
    return this.shown !== undefined && this.stoppedSessions.has(this.shown.id);
  }

  get generation(): number {
    return this.generationCounter;
  }

  get lastStopInfo(): StopInfo | undefined {
    return this.lastStop;
  }

  /** Resolves at the next stop of a kmemlab session (after its change summary has arrived). */
  nextStop(timeoutMs = 30_000): Promise<StopInfo> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.dispose();
        reject(new Error(`no kmemlab stop within ${timeoutMs} ms`));
      }, timeoutMs);
      const sub = this.onDidStop((info) => {
        clearTimeout(timer);
        sub.dispose();
        resolve(info);
      });
    });
  }

  private trackerFor(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    return {
      onDidSendMessage: (m: { type?: string; event?: string; body?: { reason?: string; threadId?: number; description?: string } }) => {
        if (m.type !== 'event') return;
        if (m.event === 'stopped') {
          this.stoppedSessions.add(session.id);
          this.pendingStop.set(session.id, { reason: m.body?.reason ?? '', threadId: m.body?.threadId, description: m.body?.description ?? '' });
          void this.setContext(CONTEXT_STOPPED, true);
          void this.checkFaultPath(session, m.body?.threadId);
        } else if (m.event === 'continued') {
          this.running(session);
        }
      },
      onWillReceiveMessage: (m: { type?: string; command?: string }) => {
        if (m.type === 'request' && /^(continue|next|stepIn|stepOut|stepBack|reverseContinue|restart)$/.test(m.command ?? '')) this.running(session);
      },
    };
  }

  private running(session: vscode.DebugSession): void {
    this.stoppedSessions.delete(session.id);
    if (session.id === this.shown?.id) {
      void this.setContext(CONTEXT_STOPPED, false);
      void this.setContext(CONTEXT_STOPPED_IN_FAULT, false);
    }
  }

  /** Sets kmemlab.stoppedInFault when the stopped thread is inside the kernel's fault path. */
  private async checkFaultPath(session: vscode.DebugSession, threadId: number | undefined): Promise<void> {
    if (threadId === undefined) return;
    try {
      const trace = (await session.customRequest('stackTrace', { threadId, startFrame: 0, levels: 24 })) as { stackFrames: { name: string }[] };
      const inFault = trace.stackFrames.some((f) => FAULT_PATH_FRAMES.test(f.name));
      await this.setContext(CONTEXT_STOPPED_IN_FAULT, inFault);
    } catch {
      // The session went on or ended meanwhile: nothing to mark.
    }
  }

  private started(s: vscode.DebugSession): void {
    if (s.type !== DEBUG_TYPE) return;
    this.sessions.set(s.id, s);
    this.show(s);
  }

  private ended(s: vscode.DebugSession): void {
    if (!this.sessions.delete(s.id)) return;
    this.stoppedSessions.delete(s.id);
    this.pendingStop.delete(s.id);
    if (this.shown?.id === s.id) this.show([...this.sessions.values()].pop());
  }

  private activeChanged(s: vscode.DebugSession | undefined): void {
    if (s && this.sessions.has(s.id) && s.id !== this.shown?.id) this.show(s);
  }

  private show(s: vscode.DebugSession | undefined): void {
    this.shown = s;
    this.marks = new ChangeMarks(undefined);
    void this.setContext(CONTEXT_SESSION_ACTIVE, s !== undefined);
    void this.setContext(CONTEXT_STOPPED, s !== undefined && this.stoppedSessions.has(s.id));
    if (!s) void this.setContext(CONTEXT_STOPPED_IN_FAULT, false);
    this.generationCounter++;
    this.refreshEmitter.fire(undefined);
  }

  private changed(session: vscode.DebugSession, summary: ChangeSummary): void {
    if (!this.sessions.has(session.id)) this.sessions.set(session.id, session);
    this.stoppedSessions.add(session.id);
    if (this.shown?.id !== session.id) this.show(session);
    this.marks = new ChangeMarks(summary);
    this.generationCounter++;
    const pending = this.pendingStop.get(session.id);
    this.pendingStop.delete(session.id);
    const info: StopInfo = {
      session,
      generation: this.generationCounter,
      summary,
      reason: pending?.reason ?? '',
      threadId: pending?.threadId,
      description: pending?.description ?? '',
    };
    this.lastStop = info;
    this.refreshEmitter.fire(info);
    this.stopEmitter.fire(info);
  }

  private setContext(key: string, value: boolean): Thenable<unknown> {
    return vscode.commands.executeCommand('setContext', key, value);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
