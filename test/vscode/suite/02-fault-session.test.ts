// F5 on a lab's driver, a stop in its .fault handler, and what the views show there: the VMA of
// the faulting address, the page-table walk that ends before the PTE, and at the next stop the
// PTE that appeared, marked. Each view is read twice: through the tree provider (the extension's
// API) and as rows on screen (the runner's DOM bridge), and photographed.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { requestScreenshot, requestVisibleRows } from '../runner/bridge';
import type { VisibleRow } from '../runner/protocol';
import { kmemlab, labDir, lineOf, showOnly, stopAllSessions, tidyWorkbench, waitFor, sideBarWidth } from './helpers';

const LAB = '03-vmalloc-fault';

async function evaluate(session: vscode.DebugSession, expression: string, frameId: number): Promise<string> {
  const r = (await session.customRequest('evaluate', { expression, frameId, context: 'watch' })) as { result: string };
  return r.result;
}

async function topFrames(session: vscode.DebugSession, threadId: number): Promise<{ id: number; name: string; line: number }[]> {
  return ((await session.customRequest('stackTrace', { threadId, startFrame: 0, levels: 20 })) as { stackFrames: { id: number; name: string; line: number }[] }).stackFrames;
}

/**
 * Rows on screen in one view (by its title), or undefined outside the runner. The workbench
 * renders a reveal asynchronously, so rows are read again (a few times) until `ready` holds.
 */
async function screenRows(name: string, viewTitle: string, ready: (rows: VisibleRow[]) => boolean = () => true): Promise<VisibleRow[] | undefined> {
  let rows: VisibleRow[] | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    rows = (await requestVisibleRows(name))?.filter((r) => r.view.toLowerCase() === viewTitle.toLowerCase());
    if (rows === undefined || ready(rows)) return rows;
    await new Promise((r) => setTimeout(r, 500));
  }
  return rows;
}

describe('kmemlab extension: a session stopped in a .fault handler', function () {
  this.timeout(120_000);
  let faultVa = '';
  let session: vscode.DebugSession;

  before(async () => {
    await tidyWorkbench();
    await sideBarWidth();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
  });

  after(async () => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await stopAllSessions();
  });

  it('F5 on the driver (no launch.json) starts the lab and stops at the breakpoint in lazy_fault', async () => {
    const api = await kmemlab();
    const driver = vscode.Uri.joinPath(labDir(LAB), 'lazy.c');
    const line = lineOf(driver, 'page = vmalloc_to_page');
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(driver, new vscode.Position(line - 1, 0)))]);
    await vscode.window.showTextDocument(driver);
    // What F5 does without launch.json: an empty configuration that the provider fills in.
    const resolved = await api.configurationProvider.resolveDebugConfiguration(vscode.workspace.workspaceFolders![0], { type: '', name: '', request: '' });
    assert.ok(resolved);
    assert.equal(resolved.type, 'kmemlab');
    assert.equal(resolved.lab, labDir(LAB).fsPath);
    const stopped = api.tracker.nextStop(60_000);
    await vscode.commands.executeCommand('workbench.action.debug.start');
    const stop = await stopped;
    session = stop.session;
    assert.equal(session.type, 'kmemlab');
    assert.equal(session.configuration.lab, labDir(LAB).fsPath, 'the provider chose the lab around lazy.c');
    assert.equal(stop.reason, 'breakpoint');
    const frames = await topFrames(session, stop.threadId!);
    const names = frames.map((f) => f.name.replace(/\(.*\)$/, ''));
    assert.deepEqual(names.slice(0, 4), ['lazy_fault [lazy]', '__do_fault', 'handle_mm_fault', 'do_page_fault']);
    assert.equal(frames[0].line, line);
    faultVa = (await evaluate(session, 'vmf->virtual_address', frames[0].id)).split(' ')[0];
    assert.match(faultVa, /^0x7fff[0-9a-f]+$/);
    await waitFor('the status bar', () => api.status.last?.comm === 'toucher' || undefined);
    await showOnly('workbench.debug.callStackView', 'kmemlab.vmas', 'kmemlab.pageTables');
    await requestScreenshot('01-stopped-in-fault-handler');
  });

  it('VMAs view: the /dev/lazy mapping holds the faulting address and has no resident page yet', async () => {
    const api = await kmemlab();
    const rows = await api.rows('vmas', { depth: 1 });
    const fault = BigInt(faultVa);
    const vma = rows.find((r) => r.depth === 1 && r.id.startsWith('vma:') && (() => {
      const [s, e] = r.label.replace(/[[)\s]/g, '').split(',').map((x) => BigInt(x));
      return fault >= s && fault < e;
    })());
    assert.ok(vma, `a VMA holds ${faultVa}: ${rows.map((r) => r.label).join(' | ')}`);
    assert.match(vma.description, /16 KiB rw-s \/dev\/lazy/);
    const children = await api.rows('vmas', { depth: 1, expand: (r) => r.id === vma.id });
    const under = children.filter((r) => r.id.startsWith('page:'));
    assert.ok(!under.some((r) => BigInt(r.label) === (fault & ~0xfffn)), 'the faulting page is not resident yet');
    assert.ok(children.some((r) => r.id === `${vma.id}/ops` && r.description === 'lazy_vm_ops'), 'vm_ops is shown');

    await showOnly('kmemlab.vmas');
    const view = api.views.treeViews.vmas;
    const node = (await api.views.vmas.getChildren()).flatMap((t) => [t]).find((t) => t.id.startsWith('task:'));
    assert.ok(node);
    const vmaNode = (await api.views.vmas.getChildren(node)).find((n) => n.id === vma.id)!;
    await view.reveal(vmaNode, { select: true, focus: true, expand: true });
    const onScreen = await screenRows('vmas', 'VMAs', (rows) => rows.some((r) => r.selected));
    if (onScreen) {
      assert.ok(onScreen.some((r) => r.label.includes(vma.label) && r.selected), `the VMA row is on screen and selected: ${JSON.stringify(onScreen.map((r) => r.label))}`);
      assert.ok(onScreen.some((r) => r.label.startsWith('vm_ops') && r.text.includes('lazy_vm_ops')));
    }
    await requestScreenshot('02-vmas-view');
  });

  it('Page Tables view: walking the faulting address reveals the path, which ends before the PTE', async () => {
    const api = await kmemlab();
    await showOnly('kmemlab.pageTables');
    const outcome = await api.commands.walkAddress(faultVa);
    assert.ok(outcome);
    assert.equal(outcome.walk.pfn, undefined, 'not mapped while the handler runs');
    assert.match(outcome.walk.fault ?? '', /pte entry not present/);
    assert.deepEqual(outcome.path.map((id) => id.split(':')[0]), ['mm', 'pt', 'pt', 'pt']);
    const onScreen = await screenRows('pt-walk-before', 'Page Tables', (rows) => rows.some((r) => r.selected));
    if (onScreen) {
      const selected = onScreen.find((r) => r.selected);
      assert.ok(selected, 'a row is selected');
      assert.match(selected.label, /^pmd\[\d+\]/, 'the deepest present entry on the walk: the pmd pointing at the PTE table');
    }
    await requestScreenshot('03-page-tables-walk-before-fault');
  });

  it('after Continue, the PTE of the faulting page is there and marked as new', async () => {
    const api = await kmemlab();
    const next = api.tracker.nextStop();
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    const stop = await next;
    assert.equal(stop.reason, 'breakpoint', 'the next fault (page 0) stops in the handler again');
    const page = '0x' + (BigInt(faultVa) & ~0xfffn).toString(16);
    assert.ok(stop.summary?.ptes.some((p) => p.added.includes(page)), `the change summary lists ${page}`);
    const outcome = await api.commands.walkAddress(faultVa);
    assert.ok(outcome && outcome.walk.pfn !== undefined, 'mapped now');
    assert.equal(outcome.path.length, 5, 'mm, pgd, pud, pmd, pte');
    const rows = await api.rows('pageTables', { depth: 0, expand: (r) => outcome.path.includes(r.id) });
    const pte = rows.find((r) => r.id === outcome.path[4]);
    assert.ok(pte);
    assert.match(pte.label, /^pte\[\d+\]$/);
    assert.ok(pte.description.includes(`pfn 0x${outcome.walk.pfn.toString(16)}`), pte.description);
    assert.equal(pte.mark, 'added');
    const onScreen = await screenRows('pt-walk-after', 'Page Tables', (rows) => rows.some((r) => r.selected && r.label.startsWith('pte[')));
    if (onScreen) {
      const selected = onScreen.find((r) => r.selected);
      assert.ok(selected && /^pte\[\d+\]/.test(selected.label), `the PTE row is selected: ${JSON.stringify(selected)}`);
      assert.match(selected.label, /new since the last stop/);
    }
    await requestScreenshot('04-page-tables-pte-appeared');
    const vmaRows = await api.rows('vmas', { depth: 2 });
    assert.ok(vmaRows.some((r) => r.id.startsWith('page:') && r.label === page && r.mark === 'added'), 'the resident page shows under its VMA, marked');
  });

  it('context menu: reveal the VMA of a PTE, copy its value, show its page in memory', async () => {
    const api = await kmemlab();
    const outcome = (await api.commands.walkAddress(faultVa))!;
    const pteNode = api.views.treeViews.pageTables.selection[0];
    assert.equal(pteNode?.id, outcome.path[4]);
    const vma = await vscode.commands.executeCommand<{ id: string } | undefined>('kmemlab.revealVma', pteNode);
    assert.ok(vma && vma.id.startsWith('vma:'), 'the VMA holding the page');
    assert.equal(api.views.treeViews.vmas.selection[0]?.id, vma.id);
    await vscode.commands.executeCommand('kmemlab.copyValue', pteNode);
    assert.match(await vscode.env.clipboard.readText(), /^0x[0-9a-f]{16}$/, 'the raw entry');
    const shown = await vscode.commands.executeCommand<vscode.Uri>('kmemlab.showInMemoryView', pteNode);
    assert.ok(shown);
    if (shown.scheme === 'untitled') {
      const text = vscode.window.activeTextEditor?.document.getText() ?? '';
      assert.match(text, /70 61 67 65 20 32 .*page 2/, 'the hex dump of the page shows what the driver wrote');
    }
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('Physical Memory, TLB and the address-space picture', async () => {
    const api = await kmemlab();
    const phys = await api.rows('physical', { depth: 1 });
    assert.ok(phys.some((r) => r.id === 'owners'));
    assert.ok(phys.some((r) => r.id.startsWith('zone:')));
    assert.ok(phys.some((r) => r.id === 'owner:vmalloc'), phys.map((r) => r.id).join(' '));
    await showOnly('kmemlab.physical');
    await requestScreenshot('05-physical-memory');
    const tlb = await api.rows('tlb', { depth: 0 });
    assert.match(tlb[0].label, /^cr3 0x/);
    assert.ok(tlb.length > 1, 'the TLB has entries at a stop in user context');
    await showOnly('kmemlab.tlb');
    await requestScreenshot('06-tlb');
    await showOnly('kmemlab.vmas');
    await sideBarWidth(300);
    await vscode.commands.executeCommand('kmemlab.showAddressSpace');
    await waitFor('the picture', () => api.views.addressSpace.lastSvg.includes('<svg') || undefined);
    // The picture alone in the editor area.
    await vscode.commands.executeCommand('workbench.action.focusRightGroup');
    await vscode.commands.executeCommand('workbench.action.closeEditorsInOtherGroups');
    const svg = api.views.addressSpace.lastSvg;
    for (const part of ['user space', 'direct map', 'vmalloc space', '/dev/lazy', `walk of ${faultVa}`, 'page frame']) assert.ok(svg.includes(part), part);
    await requestScreenshot('07-address-space-picture');
    await sideBarWidth();
  });
});
