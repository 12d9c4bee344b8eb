import assert from 'node:assert/strict';
import { artifactFileName, formatSuiteRequest, isValidArtifactName, parseSuiteRequest } from '../protocol';

describe('runner protocol', () => {
  it('round-trips a screenshot request through its log line', () => {
    const line = formatSuiteRequest({ kind: 'screenshot', name: 'vma-tree.after-mmap' });
    assert.equal(line, '@@screenshot vma-tree.after-mmap');
    assert.deepEqual(parseSuiteRequest(line), { kind: 'screenshot', name: 'vma-tree.after-mmap' });
  });

  it('finds a request inside a decorated workbench log line', () => {
    assert.deepEqual(parseSuiteRequest('[Extension Host] @@rows page-tables'), { kind: 'rows', name: 'page-tables' });
  });

  it('ignores lines that only look like requests', () => {
    assert.equal(parseSuiteRequest('@@screenshot'), undefined);
    assert.equal(parseSuiteRequest('@@screenshots x'), undefined);
    assert.equal(parseSuiteRequest('@@rows ../etc'), undefined);
    assert.equal(parseSuiteRequest('@@rows a/b'), undefined);
  });

  it('refuses names that could leave the artifacts folder', () => {
    assert.equal(isValidArtifactName('..'), false);
    assert.equal(isValidArtifactName('.hidden'), false);
    assert.equal(isValidArtifactName('a/b'), false);
    assert.throws(() => formatSuiteRequest({ kind: 'rows', name: '../x' }));
  });

  it('names the answer file after the request', () => {
    assert.equal(artifactFileName({ kind: 'screenshot', name: 'x' }), 'x.png');
    assert.equal(artifactFileName({ kind: 'rows', name: 'x' }), 'x.rows.json');
    assert.equal(artifactFileName({ kind: 'sidebar', name: '520' }), 'sidebar-520.json');
    assert.deepEqual(parseSuiteRequest('@@sidebar 520'), { kind: 'sidebar', name: '520' });
  });
});
