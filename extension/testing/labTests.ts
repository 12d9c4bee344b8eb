/**
 * The Test Explorer: every lab.json in the workspace is a test item whose children are its
 * checks. Run runs the lab headless in the extension host (the engine in-process, no debugger);
 * Debug starts a kmemlab debug session on the lab and, when it ends, reports the checks of the
 * same — deterministic — run. A failing check's message is its detail ("expected ..., saw ..."),
 * placed on the check's line in lab.json, and the run's kernel log and program output go to the
 * test output.
 */
import * as vscode from 'vscode';
import { parseLab } from '../../engine/session/lab';
import { checkLines, runTranscript } from './labReport';
import type { RunResult } from '../../engine/session/session';
import { accessorFor } from '../labs/workspaceFiles';
import { loadLab } from '../labs/labSources';
import { runOnEveryArch, RunCancelled } from '../labs/headlessRun';
import { DEBUG_TYPE } from '../model/sessionTracker';
import { labPathOf } from '../config/debugConfig';

export const CONTROLLER_ID = 'kmemlab.labs';
const CONTEXT_HAS_LABS = 'kmemlab.hasLabs';
const LAB_GLOB = '**/lab.json';
const EXCLUDE_GLOB = '**/{node_modules,.git,out,dist,.tools}/**';

/** The part of a TestRun this controller reports through. */
type RunReporter = Pick<vscode.TestRun, 'started' | 'passed' | 'failed' | 'errored' | 'skipped' | 'appendOutput' | 'end'>;

export type CheckOutcome = { state: 'passed' | 'failed' | 'errored' | 'skipped'; message?: string };

export class LabTests implements vscode.Disposable {
  readonly controller: vscode.TestController;
  /** The last outcome of every item run, by test id (what the Test Explorer shows). */
  readonly results = new Map<string, CheckOutcome>();
  private readonly finishedEmitter = new vscode.EventEmitter<void>();
  /** Fires when a run (or debug) request has reported everything. */
  readonly onDidFinishRun = this.finishedEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];
  /** Resolves once the first scan of the workspace is done. */
  readonly ready: Promise<void>;

  constructor(private readonly maxSteps: () => number) {
    this.controller = vscode.tests.createTestController(CONTROLLER_ID, 'kmemlab labs');
    this.controller.refreshHandler = () => this.scanAll();
    this.controller.createRunProfile('Run (headless)', vscode.TestRunProfileKind.Run, (req, token) => this.run(req, token), true);
    this.controller.createRunProfile('Debug', vscode.TestRunProfileKind.Debug, (req, token) => this.debug(req, token), true);
    const watcher = vscode.workspace.createFileSystemWatcher(LAB_GLOB);
    watcher.onDidCreate((u) => this.scanOne(u));
    watcher.onDidChange((u) => this.scanOne(u));
    watcher.onDidDelete((u) => {
      this.controller.items.delete(u.toString());
      this.updateContext();
    });
    this.disposables.push(this.controller, watcher, this.finishedEmitter);
    this.ready = this.scanAll();
  }

  async scanAll(): Promise<void> {
    const found = await vscode.workspace.findFiles(LAB_GLOB, EXCLUDE_GLOB, 1000);
    found.sort((a, b) => a.path.localeCompare(b.path));
    for (const uri of found) await this.scanOne(uri);
    this.updateContext();
  }

  private updateContext(): void {
    void vscode.commands.executeCommand('setContext', CONTEXT_HAS_LABS, this.controller.items.size > 0);
  }

  /** (Re)builds one lab's item from its lab.json; a broken lab.json shows its error on the item. */
  async scanOne(uri: vscode.Uri): Promise<vscode.TestItem | undefined> {
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      return undefined;
    }
    const folder = vscode.Uri.joinPath(uri, '..');
    const item = this.controller.items.get(uri.toString()) ?? this.controller.createTestItem(uri.toString(), folder.path.split('/').pop() ?? 'lab', uri);
    try {
      const lab = parseLab(text, uri.path);
      item.label = lab.name;
      item.description = lab.title;
      item.error = undefined;
      const lines = checkLines(text, lab);
      item.children.replace(lab.checks.map((c, i) => {
        const child = this.controller.createTestItem(`${uri.toString()}#${i}`, c.name, uri);
        child.range = new vscode.Range(lines[i], 0, lines[i], 0);
        return child;
      }));
    } catch (e) {
      item.error = e instanceof Error ? e.message : String(e);
      item.children.replace([]);
    }
    this.controller.items.add(item);
    this.updateContext();
    return item;
  }

  /** The lab items a request covers, each with the checks asked for (all when the lab is asked). */
  private selection(req: vscode.TestRunRequest): Map<vscode.TestItem, vscode.TestItem[]> {
    const picked = new Map<vscode.TestItem, vscode.TestItem[]>();
    const roots: vscode.TestItem[] = [];
    this.controller.items.forEach((i) => roots.push(i));
    const excluded = new Set((req.exclude ?? []).map((i) => i.id));
    for (const item of req.include ?? roots) {
      if (excluded.has(item.id)) continue;
      const lab = item.parent ?? item;
      const checks: vscode.TestItem[] = [];
      if (item.parent) checks.push(item);
      else item.children.forEach((c) => { if (!excluded.has(c.id)) checks.push(c); });
      picked.set(lab, [...(picked.get(lab) ?? []), ...checks]);
    }
    return picked;
  }

  /** A TestRun whose outcomes are also kept in `results`. */
  private createRun(req: vscode.TestRunRequest): RunReporter {
    const run = this.controller.createTestRun(req);
    const keep = (item: vscode.TestItem, outcome: CheckOutcome) => this.results.set(item.id, outcome);
    const text = (m: vscode.TestMessage | readonly vscode.TestMessage[]) => (Array.isArray(m) ? m : [m]).map((x: vscode.TestMessage) => (typeof x.message === 'string' ? x.message : x.message.value)).join('\n');
    return {
      passed: (item: vscode.TestItem, duration?: number) => (keep(item, { state: 'passed' }), run.passed(item, duration)),
      failed: (item: vscode.TestItem, message: vscode.TestMessage | readonly vscode.TestMessage[], duration?: number) => (keep(item, { state: 'failed', message: text(message) }), run.failed(item, message, duration)),
      errored: (item: vscode.TestItem, message: vscode.TestMessage | readonly vscode.TestMessage[], duration?: number) => (keep(item, { state: 'errored', message: text(message) }), run.errored(item, message, duration)),
      skipped: (item: vscode.TestItem) => (keep(item, { state: 'skipped' }), run.skipped(item)),
      started: (item: vscode.TestItem) => run.started(item),
      appendOutput: (output: string, location?: vscode.Location, item?: vscode.TestItem) => run.appendOutput(output, location, item),
      end: () => {
        run.end();
        this.finishedEmitter.fire();
      },
    };
  }

  async run(req: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const run = this.createRun(req);
    try {
      for (const [lab, checks] of this.selection(req)) {
        if (token.isCancellationRequested) break;
        await this.runLab(run, lab, checks, token);
      }
    } finally {
      run.end();
    }
  }

  private async runLab(run: RunReporter, lab: vscode.TestItem, checks: vscode.TestItem[], token: vscode.CancellationToken): Promise<void> {
    for (const c of [lab, ...checks]) run.started(c);
    const started = Date.now();
    let result: RunResult;
    try {
      const { files, path } = accessorFor(lab.uri!);
      result = await runOnEveryArch(await loadLab(files, path), { maxSteps: this.maxSteps(), isCancelled: () => token.isCancellationRequested });
    } catch (e) {
      const skipped = e instanceof RunCancelled;
      for (const c of [lab, ...checks]) {
        if (skipped) run.skipped(c);
        else run.errored(c, new vscode.TestMessage(e instanceof Error ? e.message : String(e)));
      }
      return;
    }
    run.appendOutput(runTranscript(result), undefined, lab);
    this.report(run, lab, checks, result, Date.now() - started);
  }

  /** Marks each check passed or failed from a finished run. */
  report(run: RunReporter, lab: vscode.TestItem, checks: vscode.TestItem[], result: RunResult, durationMs: number): void {
    let failed = 0;
    for (const item of checks) {
      const index = Number(item.id.slice(item.id.lastIndexOf('#') + 1));
      const check = result.checks[index];
      if (!check) {
        run.errored(item, new vscode.TestMessage('this check is not in the lab any more'));
        continue;
      }
      if (check.pass) run.passed(item, durationMs);
      else {
        failed++;
        const message = new vscode.TestMessage(check.detail);
        if (item.uri && item.range) message.location = new vscode.Location(item.uri, item.range);
        run.failed(item, message, durationMs);
      }
    }
    const problems = [
      ...result.programs.filter((p) => p.exitCode !== 0).map((p) => `${p.path.split('/').pop()} ${p.signal ? `was killed by ${p.signal}` : `exited ${p.exitCode ?? '(not run)'}`}${p.note ? ` (${p.note})` : ''}`),
      ...result.oops.map((o) => `oops in ${o.comm}[${o.pid}]: ${o.text.split('\n')[0]}`),
      ...(result.stepLimit ? [`step limit ${result.stepLimit.limit} reached in ${result.stepLimit.where}`] : []),
    ];
    if (failed > 0) run.failed(lab, new vscode.TestMessage(`${failed} check(s) failed`), durationMs);
    else if (checks.length === 0 && problems.length > 0) run.failed(lab, new vscode.TestMessage(problems.join('\n')), durationMs);
    else run.passed(lab, durationMs);
  }

  /** Debug: a real debug session on the lab; its checks are reported from the same run once it ends. */
  async debug(req: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const run = this.createRun(req);
    try {
      for (const [lab, checks] of this.selection(req)) {
        if (token.isCancellationRequested) break;
        const folder = vscode.workspace.getWorkspaceFolder(lab.uri!);
        const labDir = vscode.Uri.joinPath(lab.uri!, '..');
        const ended = new Promise<void>((resolve) => {
          const sub = vscode.debug.onDidTerminateDebugSession((s) => {
            if (s.type === DEBUG_TYPE && s.configuration.__kmemlabTest === lab.id) {
              sub.dispose();
              resolve();
            }
          });
          token.onCancellationRequested(() => {
            sub.dispose();
            resolve();
          });
        });
        const ok = await vscode.debug.startDebugging(folder, { type: DEBUG_TYPE, request: 'launch', name: `Debug ${lab.label}`, lab: labPathOf(labDir), __kmemlabTest: lab.id });
        if (!ok) {
          run.errored(lab, new vscode.TestMessage('the debug session did not start'));
          continue;
        }
        await ended;
        await this.runLab(run, lab, checks, token);
      }
    } finally {
      run.end();
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
