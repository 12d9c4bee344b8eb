// Command-line syntax of the runner. Kept apart from main.ts so it can be unit-tested.
import { parseArgs } from 'node:util';
import { ExtensionUnderTest } from './session';
import { ScreenshotCommandOptions } from './screenshotCommand';
import { TestCommandOptions } from './testCommand';
import { DEFAULT_SETTLE_MS } from './workbench';

export const USAGE = `Usage:
  node out/test/vscode/runner/main.js test (--extension <dir> | --vsix <file>) --tests <suite index.js>
      [--workspace <dir>] [--screenshots <dir>] [--timeout <s>] [--verbose] [--keep-profile]
  node out/test/vscode/runner/main.js screenshot (--extension <dir> | --vsix <file>) --out <png>
      [--workspace <dir>] [--command "<palette label>"]... [--rows <json>] [--settle <ms>]
      [--timeout <s>] [--verbose] [--keep-profile]

Exit codes: the suite's own (0 passed, 1 failed), 2 harness error, 124 timeout.
See docs/testing-in-vscode.md.`;

export type ParsedCommand =
  | { kind: 'test'; options: TestCommandOptions }
  | { kind: 'screenshot'; options: ScreenshotCommandOptions }
  | { kind: 'help' };

export class UsageError extends Error {}

const DEFAULT_TEST_TIMEOUT_S = 600;
const DEFAULT_SCREENSHOT_TIMEOUT_S = 180;

export function parseCommandLine(argv: string[]): ParsedCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    return { kind: 'help' };
  }
  const { values } = parseOptions(rest);
  const extension = extensionUnderTest(values.extension, values.vsix);
  const common = {
    extension,
    workspaceDir: values.workspace,
    verbose: values.verbose ?? false,
    keepProfile: values['keep-profile'] ?? false,
  };
  if (command === 'test') {
    return {
      kind: 'test',
      options: {
        ...common,
        testsPath: required(values.tests, '--tests'),
        screenshotsDir: values.screenshots,
        timeoutMs: seconds(values.timeout, DEFAULT_TEST_TIMEOUT_S, '--timeout') * 1000,
      },
    };
  }
  if (command === 'screenshot') {
    return {
      kind: 'screenshot',
      options: {
        ...common,
        outFile: required(values.out, '--out'),
        commands: values.command ?? [],
        settleMs: values.settle === undefined ? DEFAULT_SETTLE_MS : nonNegativeInteger(values.settle, '--settle'),
        rowsFile: values.rows,
        timeoutMs: seconds(values.timeout, DEFAULT_SCREENSHOT_TIMEOUT_S, '--timeout') * 1000,
      },
    };
  }
  throw new UsageError(`unknown command '${command}'`);
}

function parseOptions(args: string[]) {
  try {
    return parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        extension: { type: 'string' },
        vsix: { type: 'string' },
        tests: { type: 'string' },
        workspace: { type: 'string' },
        screenshots: { type: 'string' },
        out: { type: 'string' },
        command: { type: 'string', multiple: true },
        rows: { type: 'string' },
        settle: { type: 'string' },
        timeout: { type: 'string' },
        verbose: { type: 'boolean' },
        'keep-profile': { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function extensionUnderTest(developmentDir: string | undefined, vsixFile: string | undefined): ExtensionUnderTest {
  if ((developmentDir === undefined) === (vsixFile === undefined)) {
    throw new UsageError('give exactly one of --extension <dir> and --vsix <file>');
  }
  return { developmentDir, vsixFile };
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') {
    throw new UsageError(`${flag} is required`);
  }
  return value;
}

function seconds(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) {
    return fallback;
  }
  const parsed = nonNegativeInteger(value, flag);
  if (parsed === 0) {
    throw new UsageError(`${flag} must be at least 1`);
  }
  return parsed;
}

function nonNegativeInteger(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) {
    throw new UsageError(`${flag} expects a whole number, got '${value}'`);
  }
  return Number(value);
}
