import assert from 'node:assert/strict';
import { buildWorkbenchUrl } from '../workbenchUrl';

describe('buildWorkbenchUrl', () => {
  it('opens the workspace and passes the suite as remote URIs in the payload', () => {
    const url = new URL(buildWorkbenchUrl({
      port: 4242, workspaceDir: '/w', extensionDevelopmentPath: '/ext', extensionTestsPath: '/out/index.js',
    }));
    assert.equal(url.origin, 'http://127.0.0.1:4242');
    assert.equal(url.searchParams.get('folder'), '/w');
    assert.deepEqual(JSON.parse(url.searchParams.get('payload') ?? ''), [
      ['extensionDevelopmentPath', 'vscode-remote://127.0.0.1:4242/ext'],
      ['extensionTestsPath', 'vscode-remote://127.0.0.1:4242/out/index.js'],
      ['skipWelcome', 'true'],
    ]);
  });

  it('leaves out what is not given', () => {
    const url = new URL(buildWorkbenchUrl({ port: 1, workspaceDir: '/w' }));
    assert.deepEqual(JSON.parse(url.searchParams.get('payload') ?? ''), [['skipWelcome', 'true']]);
  });
});
