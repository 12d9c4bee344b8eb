// Answers the suite's '@@screenshot NAME' / '@@rows NAME' log lines (see protocol.ts), one at a
// time in the order asked, so a slow screenshot never overtakes the state it was asked for.
import * as path from 'node:path';
import { Page } from 'playwright-core';
import { SuiteRequest, VisibleRowsSnapshot, artifactFileName, parseSuiteRequest } from './protocol';
import { readVisibleRows, saveScreenshot, setSideBarWidth, writeJsonAtomically } from './workbench';

/** Lets the views render what the suite just did before the runner looks. */
const REQUEST_SETTLE_MS = 300;

export class SuiteRequestHandler {
  private queue: Promise<void> = Promise.resolve();
  private readonly answered: string[] = [];

  constructor(
    private readonly page: Page,
    private readonly artifactsDir: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Queues the request in a log message, if it has one; returns whether it had. */
  handleLogText(text: string): boolean {
    const request = parseSuiteRequest(text);
    if (request === undefined) {
      return false;
    }
    this.queue = this.queue.then(() => this.answer(request));
    return true;
  }

  /** Resolves when every queued request has been answered (or failed). */
  drain(): Promise<void> {
    return this.queue;
  }

  answeredFiles(): readonly string[] {
    return this.answered;
  }

  private async answer(request: SuiteRequest): Promise<void> {
    const file = path.join(this.artifactsDir, artifactFileName(request));
    try {
      await this.page.waitForTimeout(REQUEST_SETTLE_MS);
      if (request.kind === 'screenshot') {
        await saveScreenshot(this.page, file);
      } else if (request.kind === 'sidebar') {
        writeJsonAtomically(file, { widthPx: await setSideBarWidth(this.page, Number(request.name)) });
      } else {
        const snapshot: VisibleRowsSnapshot = { name: request.name, rows: await readVisibleRows(this.page) };
        writeJsonAtomically(file, snapshot);
      }
      this.answered.push(file);
      this.log(`saved ${file}`);
    } catch (error) {
      // The suite's bridge times out waiting for the file and says which request went unanswered.
      this.log(`could not answer @@${request.kind} ${request.name}: ${(error as Error).message}`);
    }
  }
}
