// Entry of the in-VS-Code test suite, in the shape both harnesses expect: VS Code loads this file
// as extensionTestsPath and awaits run(). It runs every compiled *.test.js beside it (recursively)
// with mocha. Works under this project's runner (test/vscode/runner) and @vscode/test-electron.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type MochaType from 'mocha';
import { SUITE_START_LINE } from '../runner/protocol';

const TEST_FILE_SUFFIX = '.test.js';

export async function run(): Promise<void> {
  const Mocha = loadMocha();
  const mocha = new Mocha({
    ui: 'bdd',
    // Plain text: the output travels through the workbench log, which shows escape codes raw.
    color: false,
    reporter: 'spec',
    timeout: Number(process.env.KMEMLAB_VSCODE_TEST_TIMEOUT_MS ?? 60_000),
    grep: process.env.KMEMLAB_VSCODE_TEST_GREP,
  });
  const testFiles = findTestFiles(__dirname);
  if (testFiles.length === 0) {
    throw new Error(`no *${TEST_FILE_SUFFIX} files under ${__dirname}`);
  }
  testFiles.forEach((file) => mocha.addFile(file));
  // Tells the runner that what follows in the log is the suite's output.
  console.log(SUITE_START_LINE);
  const failureCount = await new Promise<number>((resolve) => {
    const runner = mocha.run(resolve);
    // A closing line in the plain 'N passed, N failed' form that CI logs are read for.
    runner.once('end', () => {
      const stats = runner.stats;
      console.log(`vscode: ${stats?.passes ?? 0} passed, ${stats?.failures ?? 0} failed, ${stats?.pending ?? 0} skipped`);
    });
  });
  if (failureCount > 0) {
    // Rejecting is how run() reports failure to VS Code; the reporter already showed where.
    const failure = new Error(`${failureCount} VS Code test(s) failed`);
    failure.stack = failure.message;
    throw failure;
  }
}

/** Mocha 12 is an ES module; require() of it yields the namespace with the class as default. */
function loadMocha(): typeof MochaType {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require('mocha') as typeof MochaType & { default?: typeof MochaType };
  return loaded.default ?? loaded;
}

/** Sorted so the run order is the same on every machine. */
function findTestFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      files.push(...findTestFiles(full));
    } else if (entry.name.endsWith(TEST_FILE_SUFFIX)) {
      files.push(full);
    }
  }
  return files;
}
