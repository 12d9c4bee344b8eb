#!/usr/bin/env node
// Runs kmemlab's VS Code tests inside a real VS Code (code-server + headless Chromium), offline.
// See docs/testing-in-vscode.md and USAGE in cliArgs.ts.
import { USAGE, UsageError, parseCommandLine } from './cliArgs';
import { runScreenshotCommand } from './screenshotCommand';
import { runTestCommand } from './testCommand';

const HARNESS_ERROR_EXIT_CODE = 2;

function logToStderr(line: string): void {
  process.stderr.write(`[vscode-runner] ${line}\n`);
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv);
  switch (parsed.kind) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case 'test':
      return runTestCommand(parsed.options, logToStderr);
    case 'screenshot':
      return runScreenshotCommand(parsed.options, logToStderr);
  }
}

function exitOnSignal(signal: NodeJS.Signals): void {
  // process.exit runs the exit hook that kills code-server's process group.
  process.once(signal, () => {
    logToStderr(`${signal}: stopping`);
    process.exit(130);
  });
}

exitOnSignal('SIGINT');
exitOnSignal('SIGTERM');
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      logToStderr(`${error.message}\n\n${USAGE}`);
    } else {
      const showStack = process.argv.includes('--verbose') && error instanceof Error;
      logToStderr(`ERROR: ${showStack ? error.stack : error instanceof Error ? error.message : String(error)}`);
    }
    process.exit(HARNESS_ERROR_EXIT_CODE);
  },
);
