// Labs made in the editor and the /dev/mem policy view: a new lab from each template runs green;
// a session whose program mmaps /dev/mem lists each request judged by every architecture, and a
// typed request is judged without a session.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { requestScreenshot } from '../runner/bridge';
import { kmemlab, scratchDir, showOnly, sideBarWidth, stopAllSessions, tidyWorkbench, waitFor } from './helpers';

const DEVMEM_PROGRAM = `#include <stdio.h>
#include <fcntl.h>
#include <sys/mman.h>

int main(void)
{
	int fd = open("/dev/mem", O_RDONLY);
	void *bios = mmap(0, 4096, PROT_READ, MAP_SHARED, fd, 0xf0000);
	void *ram = mmap(0, 4096, PROT_READ, MAP_SHARED, fd, 0x100000);

	printf("%p %p\\n", bios, ram);
	return 0;
}
`;

describe('kmemlab extension: new labs and the mmmmap Policies view', function () {
  this.timeout(120_000);

  before(async () => {
    await stopAllSessions();
    await tidyWorkbench();
    await sideBarWidth();
  });

  after(async () => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await stopAllSessions();
  });

  for (const template of ['fault-handler', 'remap-pfn']) {
    it(`"New Lab from Template" (${template}) writes a lab whose checks pass`, async () => {
      const api = await kmemlab();
      const parent = vscode.Uri.file(scratchDir(`new-${template}`));
      const created = (await vscode.commands.executeCommand('kmemlab.newLab', { template, name: `try-${template}`, parent, open: false })) as vscode.Uri;
      assert.ok(created);
      const files = fs.readdirSync(created.fsPath).sort();
      assert.deepEqual(files, ['README.md', 'lab.json', `try_${template.replace('-', '_')}.c`, 'user.c'].sort());
      const item = await api.labTests.scanOne(vscode.Uri.joinPath(created, 'lab.json'));
      assert.ok(item && !item.error, String(item?.error));
      await api.labTests.run(new vscode.TestRunRequest([item]), new vscode.CancellationTokenSource().token);
      const outcomes: string[] = [];
      item.children.forEach((c) => outcomes.push(`${c.label}: ${api.labTests.results.get(c.id)?.state}`));
      assert.ok(outcomes.length > 0 && outcomes.every((o) => o.endsWith('passed')), outcomes.join('\n'));
      api.labTests.controller.items.delete(item.id);
    });
  }

  it('lists the /dev/mem mmaps of a session, each judged by every architecture', async () => {
    const api = await kmemlab();
    const dir = scratchDir('devmem');
    const program = path.join(dir, 'devmem.c');
    fs.writeFileSync(program, DEVMEM_PROGRAM);
    const uri = vscode.Uri.file(program);
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(11, 0)))]);
    const stopped = api.tracker.nextStop(60_000);
    assert.ok(await vscode.debug.startDebugging(undefined, { type: 'kmemlab', request: 'launch', name: 'devmem', programs: [program] }));
    await stopped;
    const rows = await api.rows('policies', { depth: 1 });
    const requests = rows.filter((r) => r.depth === 0 && r.id.startsWith('req:'));
    assert.equal(requests.length, 2, JSON.stringify(rows.map((r) => r.label)));
    assert.match(requests[0].label, /offset 0xf0000/);
    const verdicts = rows.filter((r) => r.depth === 1 && r.id.startsWith(requests[1].id + '/'));
    assert.deepEqual(verdicts.map((v) => v.label.split(' ')[0]), ['i386', 'amd64', 'alpha', 'vax', 'hp300', 'powerpc', 'sun3', 'netbsd4', 'linux']);
    await showOnly('kmemlab.policies');
    await requestScreenshot('09-policies-session');
    await stopAllSessions();
  });

  it('judges a typed request by every architecture, with the securelevel and euid knobs', async () => {
    const api = await kmemlab();
    await vscode.commands.executeCommand('kmemlab.setPolicyCredential', 1000);
    await vscode.commands.executeCommand('kmemlab.setPolicySecurelevel', 1);
    await vscode.commands.executeCommand('kmemlab.judgeRequest', { offset: '0xa0000', lengthBytes: 4096, prot: 'rw' });
    const rows = await waitFor('the typed request', async () => {
      const r = await api.rows('policies', { depth: 1 });
      return r.some((x) => x.id === 'typed') ? r : undefined;
    });
    const typed = rows.find((r) => r.id === 'typed')!;
    assert.match(typed.description, /euid 1000 securelevel 1/);
    assert.equal(rows.filter((r) => r.id.startsWith('typed/')).length, 9);
    await showOnly('kmemlab.policies');
    await requestScreenshot('10-policies-typed');
  });
});
