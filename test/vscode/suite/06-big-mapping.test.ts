// A 1 GiB mapping (262144 PTEs, made by one remap_pfn_range call) stays responsive: the VMAs
// view lists it at once, Walk Address reaches a page in its middle, and a full PTE table (512
// entries) expands, each well within a second or two — only the tables opened are read.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { requestScreenshot } from '../runner/bridge';
import { kmemlab, scratchDir, showOnly, stopAllSessions, tidyWorkbench } from './helpers';

const DRIVER = `/* bigmap: maps 1 GiB of device memory (above RAM) with one remap_pfn_range call. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>

static int bigmap_mmap(struct file *filp, struct vm_area_struct *vma)
{
	unsigned long size = vma->vm_end - vma->vm_start;

	return remap_pfn_range(vma, vma->vm_start, 0x100000, size, vma->vm_page_prot);
}

static const struct file_operations bigmap_fops = {
	.owner = THIS_MODULE,
	.mmap = bigmap_mmap,
};

static struct miscdevice bigmap_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "bigmap",
	.fops = &bigmap_fops,
	.mode = 0666,
};

static int __init bigmap_init(void)
{
	return misc_register(&bigmap_dev);
}

static void __exit bigmap_exit(void)
{
	misc_deregister(&bigmap_dev);
}

module_init(bigmap_init);
module_exit(bigmap_exit);
MODULE_LICENSE("GPL");
`;

const PROGRAM = `#include <stdio.h>
#include <fcntl.h>
#include <sys/mman.h>

int main(void)
{
	int fd = open("/dev/bigmap", O_RDONLY);
	char *p = mmap(0, 1UL << 30, PROT_READ, MAP_SHARED, fd, 0);

	printf("%p\\n", p);
	return p == MAP_FAILED;
}
`;

async function timed<T>(what: string, fn: () => Promise<T>, limitMs: number): Promise<T> {
  const t0 = Date.now();
  const r = await fn();
  const ms = Date.now() - t0;
  console.log(`      ${what}: ${ms} ms`);
  assert.ok(ms < limitMs, `${what} took ${ms} ms (limit ${limitMs})`);
  return r;
}

describe('kmemlab extension: a 1 GiB mapping', function () {
  this.timeout(90_000);

  before(async () => {
    await stopAllSessions();
    await tidyWorkbench();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
  });

  after(async () => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await stopAllSessions();
  });

  it('lists, walks and expands it quickly', async () => {
    const api = await kmemlab();
    const dir = scratchDir('bigmap');
    fs.writeFileSync(path.join(dir, 'bigmap.c'), DRIVER);
    fs.writeFileSync(path.join(dir, 'user.c'), PROGRAM);
    const user = vscode.Uri.file(path.join(dir, 'user.c'));
    const line = PROGRAM.split('\n').findIndex((l) => l.includes('printf'));
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(user, new vscode.Position(line, 0)))]);
    const stopped = api.tracker.nextStop(60_000);
    assert.ok(await vscode.debug.startDebugging(undefined, { type: 'kmemlab', request: 'launch', name: 'bigmap', drivers: [path.join(dir, 'bigmap.c')], programs: [user.fsPath] }));
    await stopped;
    const vmas = await timed('VMAs view, tasks and their VMAs', () => api.rows('vmas', { depth: 1 }), 3000);
    const big = vmas.find((r) => r.description.startsWith('1 GiB'));
    assert.ok(big, vmas.map((r) => `${r.label} ${r.description}`).join('\n'));
    const start = BigInt(big.label.slice(1, big.label.indexOf(',')));
    const middle = '0x' + (start + (512n << 20n)).toString(16);
    await showOnly('kmemlab.pageTables');
    const outcome = await timed('Walk Address into its middle', () => api.commands.walkAddress(middle), 3000);
    assert.ok(outcome && outcome.walk.pfn !== undefined);
    const pteTable = outcome.path[outcome.path.length - 2];
    const rows = await timed('a full PTE table', () => api.rows('pageTables', { depth: 0, expand: (r) => outcome.path.includes(r.id) }), 3000);
    assert.equal(rows.filter((r) => r.id.startsWith(pteTable + '.')).length, 512);
    await requestScreenshot('13-page-tables-1GiB-mapping');
  });
});
