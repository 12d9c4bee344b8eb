// The contract between the runner (outside VS Code, driving the browser) and a test suite
// (inside VS Code's extension host). The suite can only talk to the runner through its log, which
// reaches the runner via the workbench's codeAutomationLog hook; the runner answers by writing
// files into a folder whose path it hands the extension host through the environment.
// Kept free of Node and vscode imports so both sides can share it.

/** Environment variable (set on code-server, inherited by the extension host) naming the artifacts folder. */
export const ARTIFACTS_DIR_ENV = 'KMEMLAB_VSCODE_ARTIFACTS_DIR';

/**
 * Printed by the suite's index.ts when mocha starts. Workbench log lines before it are start-up
 * chatter, shown only with --verbose (or when a run fails before the suite started).
 */
export const SUITE_START_LINE = '@@suite-start';

/**
 * screenshot: a PNG of the workbench; rows: the list/tree rows on screen; sidebar: drag the side
 * bar's edge so it is NAME pixels wide (NAME is the width in digits), for screenshots whose tree
 * descriptions are readable.
 */
export type SuiteRequestKind = 'screenshot' | 'rows' | 'sidebar';

export interface SuiteRequest {
  kind: SuiteRequestKind;
  /** File-name stem chosen by the suite: letters, digits, '.', '_' and '-' only. */
  name: string;
}

const REQUEST_PATTERN = /@@(screenshot|rows|sidebar) ([A-Za-z0-9._-]{1,100})(?=\s|$)/;

/** Formats the log line by which the suite asks the runner for something. */
export function formatSuiteRequest(request: SuiteRequest): string {
  if (!isValidArtifactName(request.name)) {
    throw new Error(`artifact name '${request.name}' must match [A-Za-z0-9._-]{1,100} and not start with '.'`);
  }
  return `@@${request.kind} ${request.name}`;
}

/** Finds a request in one log message; the workbench may prefix or decorate the line. */
export function parseSuiteRequest(logText: string): SuiteRequest | undefined {
  const match = REQUEST_PATTERN.exec(logText);
  if (!match || !isValidArtifactName(match[2])) {
    return undefined;
  }
  return { kind: match[1] as SuiteRequestKind, name: match[2] };
}

export function isValidArtifactName(name: string): boolean {
  return /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/.test(name);
}

/** File the runner writes (atomically, by rename) to answer a request; its appearance is the answer. */
export function artifactFileName(request: SuiteRequest): string {
  if (request.kind === 'screenshot') return `${request.name}.png`;
  return request.kind === 'rows' ? `${request.name}.rows.json` : `sidebar-${request.name}.json`;
}

/** One visible row of a list or tree in the workbench, as a person or screen reader sees it. */
export interface VisibleRow {
  /** aria-label of the row, or '' if it has none. */
  label: string;
  /** Visible text of the row, whitespace collapsed. */
  text: string;
  /** aria-level (tree depth, 1-based) or 0 for flat lists. */
  level: number;
  /** aria-expanded: true/false for expandable tree rows, undefined for leaves. */
  expanded?: boolean;
  selected: boolean;
  focused: boolean;
  /** Title of the view (pane) the row is in, e.g. 'EXPLORER' or a contributed view's name; '' if none. */
  view: string;
}

/** What the runner writes for a 'rows' request. */
export interface VisibleRowsSnapshot {
  name: string;
  rows: VisibleRow[];
}
