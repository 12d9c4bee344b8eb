// `test`: opens the workbench with a compiled suite (an index.js exporting run()) and returns
// the exit code the workbench reports for it, streaming the suite's output meanwhile.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tailOfFile } from './codeServer';
import { DeadlineError, TIMEOUT_EXIT_CODE, withDeadline } from './deadline';
import { ExtensionUnderTest, WorkbenchSession, elapsedS, withWorkbenchSession } from './session';
import { SuiteOutputRouter } from './suiteOutput';
import { SuiteRequestHandler } from './suiteRequests';
import { saveScreenshot } from './workbench';

export interface TestCommandOptions {
  extension: ExtensionUnderTest;
  /** Compiled suite entry (index.js exporting run()). */
  testsPath: string;
  workspaceDir?: string;
  screenshotsDir?: string;
  timeoutMs: number;
  verbose: boolean;
  keepProfile: boolean;
}

export async function runTestCommand(options: TestCommandOptions, log: (line: string) => void): Promise<number> {
  const testsPath = path.resolve(options.testsPath);
  if (!fs.existsSync(testsPath)) {
    throw new Error(`compiled suite not found: ${testsPath} (build it first)`);
  }
  const startedMs = performance.now();
  const sessionOptions = {
    extension: options.extension,
    workspaceDir: options.workspaceDir,
    artifactsDir: options.screenshotsDir,
    verbose: options.verbose,
    keepProfile: options.keepProfile,
    log,
  };
  const deadlineMessage = `the VS Code test run did not finish within ${options.timeoutMs / 1000} s ` +
    '(raise --timeout, or rerun with --verbose --keep-profile; see docs/testing-in-vscode.md)';
  try {
    // The deadline races the suite inside the session, so the session's teardown still runs on expiry;
    // setup steps have bounded timeouts of their own.
    return await withWorkbenchSession(sessionOptions, (session) =>
      withDeadline(runSuite(session, testsPath, options, log), remainingMs(startedMs, options.timeoutMs), deadlineMessage)
        .catch(async (error: unknown) => {
          if (error instanceof DeadlineError) {
            log(`code-server log tail (${session.profile.codeServerLog}):\n${tailOfFile(session.profile.codeServerLog, 15)}`);
          }
          await saveAtExitScreenshot(session, options, log);
          throw error;
        }));
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

async function runSuite(session: WorkbenchSession, testsPath: string, options: TestCommandOptions, log: (line: string) => void): Promise<number> {
  const { page } = session;
  const requests = new SuiteRequestHandler(page, session.artifactsDir, log);
  let reportExit: (code: number) => void = () => undefined;
  const exitCode = new Promise<number>((resolve) => { reportExit = resolve; });

  const output = new SuiteOutputRouter({
    suiteLine: (text) => process.stdout.write(`${text}\n`),
    workbenchLine: (text) => log(`[workbench] ${text}`),
    handleRequest: (text) => requests.handleLogText(text),
  }, options.verbose);
  await page.exposeFunction('codeAutomationLog', (level: string, args: unknown) => output.route(level, args));
  await page.exposeFunction('codeAutomationExit', (code: number) => reportExit(Number(code)));
  page.on('pageerror', (error) => log(`page error: ${error.message}`));
  if (options.verbose) {
    page.on('console', (message) => log(`browser console ${message.type()}: ${message.text()}`));
  }

  const suiteStartedMs = performance.now();
  await page.goto(session.workbenchUrl(testsPath), { waitUntil: 'domcontentloaded' });
  const code = await Promise.race([exitCode, pageClosed(page)]);
  await requests.drain();
  log(`suite exited with code ${code} after ${elapsedS(suiteStartedMs)} s`);
  if (code !== 0) {
    if (!output.hasSuiteStarted()) {
      log(`the suite never started; workbench log:\n${output.hiddenStartupLines().join('\n')}`);
    }
    await saveAtExitScreenshot(session, options, log);
  }
  return code;
}

/** What the workbench showed when a run failed or timed out; only kept if a screenshots folder was given. */
async function saveAtExitScreenshot(session: WorkbenchSession, options: TestCommandOptions, log: (line: string) => void): Promise<void> {
  if (options.screenshotsDir === undefined || session.page.isClosed()) {
    return;
  }
  const file = path.join(session.artifactsDir, 'at-exit.png');
  await saveScreenshot(session.page, file).then(() => log(`saved ${file}`), () => undefined);
}

function remainingMs(startedMs: number, timeoutMs: number): number {
  return Math.max(1000, timeoutMs - (performance.now() - startedMs));
}

function pageClosed(page: WorkbenchSession['page']): Promise<number> {
  return new Promise((_, reject) => {
    page.once('crash', () => reject(new Error('the workbench page crashed')));
  });
}
