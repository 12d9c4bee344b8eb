// `screenshot`: opens the workbench (no suite), runs palette commands in order, then saves a
// PNG and optionally the visible rows. For pictures of states a suite cannot reach by itself.
import { DeadlineError, TIMEOUT_EXIT_CODE, withDeadline } from './deadline';
import { ExtensionUnderTest, WorkbenchSession, elapsedS, withWorkbenchSession } from './session';
import { VisibleRowsSnapshot } from './protocol';
import { readVisibleRows, runPaletteCommand, saveScreenshot, waitForWorkbench, writeJsonAtomically } from './workbench';

export interface ScreenshotCommandOptions {
  extension: ExtensionUnderTest;
  workspaceDir?: string;
  outFile: string;
  /** Palette labels run in order, e.g. 'View: Show Explorer'. */
  commands: string[];
  /** Wait after the workbench appears (extension activation) and after each command. */
  settleMs: number;
  /** Also write the visible rows as JSON here. */
  rowsFile?: string;
  timeoutMs: number;
  verbose: boolean;
  keepProfile: boolean;
}

export async function runScreenshotCommand(options: ScreenshotCommandOptions, log: (line: string) => void): Promise<number> {
  const startedMs = performance.now();
  const sessionOptions = {
    extension: options.extension,
    workspaceDir: options.workspaceDir,
    verbose: options.verbose,
    keepProfile: options.keepProfile,
    log,
  };
  try {
    await withWorkbenchSession(sessionOptions, (session) =>
      withDeadline(captureWorkbench(session, options, log), options.timeoutMs,
        `the screenshot was not taken within ${options.timeoutMs / 1000} s (raise --timeout or check --command labels)`));
    return 0;
  } catch (error) {
    if (error instanceof DeadlineError) {
      log(`TIMEOUT: ${error.message}`);
      return TIMEOUT_EXIT_CODE;
    }
    throw error;
  } finally {
    log(`total ${elapsedS(startedMs)} s`);
  }
}

async function captureWorkbench(session: WorkbenchSession, options: ScreenshotCommandOptions, log: (line: string) => void): Promise<void> {
  const { page } = session;
  await page.goto(session.workbenchUrl(), { waitUntil: 'domcontentloaded' });
  await waitForWorkbench(page);
  await page.waitForTimeout(options.settleMs);
  for (const command of options.commands) {
    log(`palette: ${command}`);
    await runPaletteCommand(page, command, options.settleMs);
  }
  await saveScreenshot(page, options.outFile);
  log(`saved ${options.outFile}`);
  if (options.rowsFile !== undefined) {
    const snapshot: VisibleRowsSnapshot = { name: 'screenshot', rows: await readVisibleRows(page) };
    writeJsonAtomically(options.rowsFile, snapshot);
    log(`saved ${options.rowsFile}`);
  }
}
