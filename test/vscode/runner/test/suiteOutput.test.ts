import assert from 'node:assert/strict';
import { SUITE_START_LINE } from '../protocol';
import { SuiteOutputRouter } from '../suiteOutput';

function routerWithSinks(verbose: boolean) {
  const seen = { suite: [] as string[], workbench: [] as string[], requests: [] as string[] };
  const router = new SuiteOutputRouter({
    suiteLine: (text) => seen.suite.push(text),
    workbenchLine: (text) => seen.workbench.push(text),
    handleRequest: (text) => {
      if (text.startsWith('@@')) {
        seen.requests.push(text);
        return true;
      }
      return false;
    },
  }, verbose);
  return { router, seen };
}

describe('SuiteOutputRouter', () => {
  it('hides workbench start-up chatter and streams the suite after its start line', () => {
    const { router, seen } = routerWithSinks(false);
    router.route('info', ['Resolving connection token']);
    router.route('info', [SUITE_START_LINE]);
    router.route('info', ['    ✔ %s', 'works']);
    assert.deepEqual(seen.suite, ['    ✔ works']);
    assert.deepEqual(router.hiddenStartupLines(), ['Resolving connection token']);
    assert.equal(router.hasSuiteStarted(), true);
  });

  it('passes requests to the handler instead of printing them', () => {
    const { router, seen } = routerWithSinks(false);
    router.route('info', [SUITE_START_LINE]);
    router.route('info', ['@@screenshot x']);
    assert.deepEqual(seen.requests, ['@@screenshot x']);
    assert.deepEqual(seen.suite, []);
  });

  it('drops failed online look-ups unless verbose', () => {
    const quiet = routerWithSinks(false);
    quiet.router.route('info', [SUITE_START_LINE]);
    quiet.router.route('error', ['getaddrinfo ENOTFOUND gallery.example']);
    assert.deepEqual(quiet.seen.suite, []);
    const verbose = routerWithSinks(true);
    verbose.router.route('info', ['start-up']);
    verbose.router.route('info', [SUITE_START_LINE]);
    verbose.router.route('error', ['getaddrinfo ENOTFOUND gallery.example']);
    assert.deepEqual(verbose.seen.workbench, ['start-up']);
    assert.deepEqual(verbose.seen.suite, ['getaddrinfo ENOTFOUND gallery.example']);
  });
});
