// Decides where each workbench log message goes: requests to the request handler, the suite's
// own output to stdout, and workbench chatter out of the way (kept for a failure report).
import { formatAutomationLog } from './automationLog';
import { SUITE_START_LINE } from './protocol';

/** Failed look-ups of online services (extension gallery, GitHub); expected offline. */
const OFFLINE_NOISE = /\b(ENOTFOUND|EAI_AGAIN|ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED)\b/;
const KEPT_STARTUP_LINES = 200;

export interface SuiteOutputSinks {
  suiteLine(text: string): void;
  workbenchLine(text: string): void;
  /** Returns true if the text was a request for the runner (and so is not output). */
  handleRequest(text: string): boolean;
}

export class SuiteOutputRouter {
  private suiteStarted = false;
  private readonly hiddenStartup: string[] = [];

  constructor(private readonly sinks: SuiteOutputSinks, private readonly verbose: boolean) {}

  route(level: string, args: unknown): void {
    const text = formatAutomationLog(args);
    if (text.includes(SUITE_START_LINE)) {
      this.suiteStarted = true;
      return;
    }
    if (this.sinks.handleRequest(text)) {
      return;
    }
    if (this.verbose) {
      (this.suiteStarted ? this.sinks.suiteLine : this.sinks.workbenchLine)(text);
    } else if (!this.suiteStarted) {
      this.keepHidden(text);
    } else if (!(level === 'error' && OFFLINE_NOISE.test(text))) {
      this.sinks.suiteLine(text);
    }
  }

  hasSuiteStarted(): boolean {
    return this.suiteStarted;
  }

  /** Workbench lines hidden before the suite started, for a run that failed before it did. */
  hiddenStartupLines(): readonly string[] {
    return this.hiddenStartup;
  }

  private keepHidden(text: string): void {
    this.hiddenStartup.push(text);
    if (this.hiddenStartup.length > KEPT_STARTUP_LINES) {
      this.hiddenStartup.shift();
    }
  }
}
