// Used by test suites running inside VS Code to ask the runner for a screenshot or for the rows
// visible in the workbench at this moment. It writes a request line to the log and waits for the
// runner's answer file. Under a harness without a runner (e.g. @vscode/test-electron) the
// artifacts variable is unset: screenshots are then skipped and rows come back undefined, so a
// suite can still run there and skip only its DOM assertions.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ARTIFACTS_DIR_ENV,
  SuiteRequest,
  VisibleRow,
  VisibleRowsSnapshot,
  artifactFileName,
  formatSuiteRequest,
} from './protocol';

const DEFAULT_ANSWER_TIMEOUT_MS = 20_000;
const POLL_INTERVAL_MS = 50;

export interface BridgeOptions {
  /** How long to wait for the runner's answer before failing. */
  timeoutMs?: number;
}

/** True when a runner is listening, i.e. screenshots and rows will be answered. */
export function isRunnerAttached(): boolean {
  return artifactsDir() !== undefined;
}

/**
 * Asks the runner to save a screenshot of the whole workbench as `<artifacts>/<name>.png` and
 * resolves once it is on disk (returns its path), or undefined when no runner is attached.
 */
export async function requestScreenshot(name: string, options: BridgeOptions = {}): Promise<string | undefined> {
  return requestArtifact({ kind: 'screenshot', name }, options);
}

/**
 * Asks the runner for the list/tree rows visible in the workbench now. Returns undefined when no
 * runner is attached. Rows of all views are returned; filter on `view` for one view.
 */
export async function requestVisibleRows(name: string, options: BridgeOptions = {}): Promise<VisibleRow[] | undefined> {
  const file = await requestArtifact({ kind: 'rows', name }, options);
  if (file === undefined) {
    return undefined;
  }
  const snapshot = JSON.parse(fs.readFileSync(file, 'utf8')) as VisibleRowsSnapshot;
  return snapshot.rows;
}

/**
 * Asks the runner to make the side bar `widthPx` wide (by dragging its edge, as a person would).
 * Resolves to the width reached, or undefined when no runner is attached.
 */
export async function requestSideBarWidth(widthPx: number, options: BridgeOptions = {}): Promise<number | undefined> {
  const file = await requestArtifact({ kind: 'sidebar', name: String(Math.round(widthPx)) }, options);
  return file === undefined ? undefined : (JSON.parse(fs.readFileSync(file, 'utf8')) as { widthPx: number }).widthPx;
}

async function requestArtifact(request: SuiteRequest, options: BridgeOptions): Promise<string | undefined> {
  const line = formatSuiteRequest(request);
  const dir = artifactsDir();
  if (dir === undefined) {
    return undefined;
  }
  const file = path.join(dir, artifactFileName(request));
  // A file left from an earlier request of the same name would answer this one too early.
  fs.rmSync(file, { force: true });
  console.log(line);
  await waitForFile(file, options.timeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS, line);
  return file;
}

function artifactsDir(): string | undefined {
  const dir = process.env[ARTIFACTS_DIR_ENV];
  return dir && dir.length > 0 ? dir : undefined;
}

async function waitForFile(file: string, timeoutMs: number, requestLine: string): Promise<void> {
  const deadlineMs = performance.now() + timeoutMs;
  while (!fs.existsSync(file)) {
    if (performance.now() > deadlineMs) {
      throw new Error(`runner did not answer '${requestLine}' within ${timeoutMs} ms (no ${file})`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
