import assert from 'node:assert/strict';
import { formatAutomationLog } from '../automationLog';

describe('formatAutomationLog', () => {
  it('substitutes printf-style arguments as mocha\'s reporter sends them', () => {
    assert.equal(formatAutomationLog(['    ✔ %s (%dms)', 'shows its tree', 722]), '    ✔ shows its tree (722ms)');
    assert.equal(formatAutomationLog(['%s%s', '  ', 'demo extension']), '  demo extension');
    assert.equal(formatAutomationLog(['  %d passing (%s)', 3, '748ms']), '  3 passing (748ms)');
  });

  it('drops browser console styling', () => {
    assert.equal(formatAutomationLog(['%c[Extension Host]%c hello', 'color: blue', 'color: inherit']), '[Extension Host] hello');
  });

  it('appends arguments that have no specifier and keeps unmatched specifiers', () => {
    assert.equal(formatAutomationLog(['a', 1, { b: 2 }]), 'a 1 {"b":2}');
    assert.equal(formatAutomationLog(['100%% of %s']), '100% of %s');
  });

  it('accepts a bare value instead of an argument list', () => {
    assert.equal(formatAutomationLog('plain'), 'plain');
    assert.equal(formatAutomationLog([]), '');
  });
});
