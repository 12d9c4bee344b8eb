import assert from 'node:assert/strict';
import { UsageError, parseCommandLine } from '../cliArgs';

describe('runner command line', () => {
  it('parses a test run against a development folder', () => {
    const parsed = parseCommandLine(['test', '--extension', 'ext', '--tests', 'out/i.js', '--screenshots', 'shots', '--timeout', '90']);
    assert.equal(parsed.kind, 'test');
    if (parsed.kind !== 'test') return;
    assert.deepEqual(parsed.options.extension, { developmentDir: 'ext', vsixFile: undefined });
    assert.equal(parsed.options.testsPath, 'out/i.js');
    assert.equal(parsed.options.screenshotsDir, 'shots');
    assert.equal(parsed.options.timeoutMs, 90_000);
    assert.equal(parsed.options.verbose, false);
  });

  it('parses a screenshot with several palette commands', () => {
    const parsed = parseCommandLine(['screenshot', '--vsix', 'k.vsix', '--out', 'a.png', '--command', 'A: B', '--command', 'C: D', '--settle', '0']);
    assert.equal(parsed.kind, 'screenshot');
    if (parsed.kind !== 'screenshot') return;
    assert.deepEqual(parsed.options.commands, ['A: B', 'C: D']);
    assert.equal(parsed.options.settleMs, 0);
    assert.equal(parsed.options.extension.vsixFile, 'k.vsix');
  });

  it('wants exactly one extension source and the required files', () => {
    assert.throws(() => parseCommandLine(['test', '--tests', 'i.js']), UsageError);
    assert.throws(() => parseCommandLine(['test', '--extension', 'e', '--vsix', 'v', '--tests', 'i.js']), UsageError);
    assert.throws(() => parseCommandLine(['test', '--extension', 'e']), UsageError);
    assert.throws(() => parseCommandLine(['screenshot', '--extension', 'e']), UsageError);
  });

  it('rejects unknown commands, flags and malformed numbers', () => {
    assert.throws(() => parseCommandLine(['run']), UsageError);
    assert.throws(() => parseCommandLine(['test', '--extension', 'e', '--tests', 'i', '--bogus']), UsageError);
    assert.throws(() => parseCommandLine(['test', '--extension', 'e', '--tests', 'i', '--timeout', '1m']), UsageError);
    assert.throws(() => parseCommandLine(['test', '--extension', 'e', '--tests', 'i', '--timeout', '0']), UsageError);
  });

  it('shows help without arguments', () => {
    assert.equal(parseCommandLine([]).kind, 'help');
  });
});
