/**
 * The debug adapter as a real process over DAP (@vscode/debugadapter-testsupport), on the labs:
 * breakpoints of every kind, stacks that mix C and kernel frames, variables through the MMU,
 * stepping (backwards too), pause, memory, console commands, custom requests, robustness.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

const ROOT = path.resolve(__dirname, '../../..');
const ADAPTER = path.join(ROOT, 'out/extension/adapterMain.js');
const LAB = (n: string) => path.join(ROOT, 'labs', n);

function lineOf(file: string, needle: string): number {
  const i = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${needle} not in ${file}`);
  return i + 1;
}

/**
 * Launches and configures a session. The first stop is listened for before configurationDone:
 * the adapter may send it in the same chunk as a response, before an await after it would listen.
 */
async function launchWith(dc: DebugClient, args: Record<string, unknown>, setup: () => Promise<unknown> = async () => undefined): Promise<{ stopped: Promise<DebugProtocol.StoppedEvent> }> {
  const launched = dc.launch(args as DebugProtocol.LaunchRequestArguments);
  await dc.waitForEvent('initialized');
  await setup();
  const stopped = dc.waitForEvent('stopped', 20000) as Promise<DebugProtocol.StoppedEvent>;
  stopped.catch(() => undefined);
  await dc.configurationDoneRequest();
  await launched;
  return { stopped };
}

/** The next output event of a category (DebugClient has no helper for it). */
function outputOf(dc: DebugClient, category: string, ms = 5000): Promise<DebugProtocol.OutputEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${category} output within ${ms} ms`)), ms);
    const on = (e: DebugProtocol.OutputEvent) => {
      if (e.body.category === category) {
        clearTimeout(timer);
        dc.removeListener('output', on);
        resolve(e);
      }
    };
    dc.on('output', on);
  });
}

async function topFrames(dc: DebugClient, threadId: number): Promise<DebugProtocol.StackFrame[]> {
  return (await dc.stackTraceRequest({ threadId })).body.stackFrames;
}

async function scopeVars(dc: DebugClient, frameId: number, scope: string): Promise<DebugProtocol.Variable[]> {
  const scopes = (await dc.scopesRequest({ frameId })).body.scopes;
  const s = scopes.find((x) => x.name.startsWith(scope));
  assert.ok(s, `no scope ${scope}`);
  return (await dc.variablesRequest({ variablesReference: s.variablesReference })).body.variables;
}

describe('debug adapter over DAP', function () {
  this.timeout(30000);
  let dc: DebugClient;

  beforeEach(async () => {
    dc = new DebugClient('node', ADAPTER, 'kmemlab');
    await dc.start();
  });

  afterEach(async () => {
    await dc.stop();
  });

  it('stops in a .fault handler reached from a user load, with the kernel fault path on the stack', async () => {
    const src = path.join(LAB('03-vmalloc-fault'), 'lazy.c');
    const line = lineOf(src, 'page = vmalloc_to_page');
    const stop = await (await launchWith(dc, { lab: LAB('03-vmalloc-fault') }, () => dc.setBreakpointsRequest({ source: { path: src }, breakpoints: [{ line }] }))).stopped;
    assert.equal(stop.body.reason, 'breakpoint');
    const frames = await topFrames(dc, stop.body.threadId!);
    const names = frames.map((f) => f.name.replace(/\(.*\)$/, ''));
    // The first touch of page 2 is printf reading the string: the fault is raised inside libc.
    assert.deepEqual(names, ['lazy_fault [lazy]', '__do_fault', 'handle_mm_fault', 'do_page_fault', 'printf', 'main', '__libc_start_main']);
    assert.equal(frames[0].line, line);
    assert.equal(frames[0].source?.path, src);
    assert.equal(frames[1].presentationHint, 'subtle');
    assert.equal(frames[5].source?.name, 'toucher.c');
    const locals = await scopeVars(dc, frames[0].id, 'Locals');
    const vma = locals.find((v) => v.name === 'vma')!;
    assert.match(vma.value, /^0xffff88[0-9a-f]+$/);
    const star = (await dc.variablesRequest({ variablesReference: vma.variablesReference })).body.variables;
    const fields = (await dc.variablesRequest({ variablesReference: star[0].variablesReference })).body.variables;
    assert.match(fields.find((f) => f.name === 'vm_start')!.value, /^14073\d+$/);
    assert.match(fields.find((f) => f.name === 'vm_ops')!.value, /<lazy_vm_ops>/);
    const pgoff = await dc.evaluateRequest({ expression: 'vmf->pgoff', frameId: frames[0].id, context: 'watch' });
    assert.equal(pgoff.body.result, '2');
    const hover = await dc.evaluateRequest({ expression: 'vma->vm_flags & VM_SHARED', frameId: frames[0].id, context: 'hover' }).catch((e) => e);
    assert.ok(hover instanceof Error || hover.body);
    const task = await scopeVars(dc, frames[0].id, 'Task');
    assert.equal(task.find((v) => v.name === 'comm')!.value, '"toucher"');
  });

  it('stops in a .fault handler reached from put_user inside an ioctl', async () => {
    const src = path.join(LAB('05-ioctl-put-user'), 'poker.c');
    const line = lineOf(src, 'page = vmalloc_to_page');
    const stop = await (await launchWith(dc, { lab: LAB('05-ioctl-put-user') }, () => dc.setBreakpointsRequest({ source: { path: src }, breakpoints: [{ line }] }))).stopped;
    const names = (await topFrames(dc, stop.body.threadId!)).map((f) => f.name.replace(/\(.*\)$/, ''));
    assert.deepEqual(names.slice(0, 7), ['poke_fault [poker]', '__do_fault', 'handle_mm_fault', 'do_page_fault', '__put_user_1', 'poke_ioctl [poker]', 'sys_ioctl']);
    assert.ok(names.includes('ioctl') && names.includes('main'));
  });

  it('steps back across a fault: the PTE vanishes and reappears', async () => {
    const src = path.join(LAB('03-vmalloc-fault'), 'toucher.c');
    const line = lineOf(src, 'first read of page 0');
    const stop = await (await launchWith(dc, { lab: LAB('03-vmalloc-fault') }, () => dc.setBreakpointsRequest({ source: { path: src }, breakpoints: [{ line }] }))).stopped;
    const tid = stop.body.threadId!;
    let frames = await topFrames(dc, tid);
    const p = (await dc.evaluateRequest({ expression: 'p + 2 * 4096', frameId: frames[0].id, context: 'watch' })).body.result.split(' ')[0];
    const walk = async () => (await dc.customRequest('kmemlab/walk', { va: p })).body as { pfn?: number; fault?: string };
    assert.notEqual((await walk()).pfn, undefined);
    await Promise.all([dc.stepBackRequest({ threadId: tid }), dc.waitForEvent('stopped')]);
    frames = await topFrames(dc, tid);
    assert.equal(frames[0].line, line - 1);
    assert.equal((await walk()).pfn, undefined);
    await Promise.all([dc.nextRequest({ threadId: tid }), dc.waitForEvent('stopped')]);
    frames = await topFrames(dc, tid);
    assert.equal(frames[0].line, line);
    assert.notEqual((await walk()).pfn, undefined);
  });

  it('honours conditions, hit counts and logpoints', async () => {
    const src = path.join(LAB('03-vmalloc-fault'), 'lazy.c');
    const line = lineOf(src, 'page = vmalloc_to_page');
    const logLine = lineOf(src, 'faults++');
    const launched = await launchWith(dc, { lab: LAB('03-vmalloc-fault') }, () =>
      dc.setBreakpointsRequest({ source: { path: src }, breakpoints: [{ line, condition: 'vmf->pgoff == 3' }, { line: logLine, logMessage: 'logpoint pgoff={vmf->pgoff}' }] }),
    );
    const [stop, log] = await Promise.all([launched.stopped, outputOf(dc, 'console').catch(() => undefined)]);
    const frames = await topFrames(dc, stop.body.threadId!);
    assert.equal((await dc.evaluateRequest({ expression: 'vmf->pgoff', frameId: frames[0].id })).body.result, '3');
    assert.ok(log);
  });

  it('stops at function breakpoints on kernel routines and on C functions', async () => {
    const stop = await (await launchWith(dc, { lab: LAB('01-kmalloc-mmap') }, () => dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'remap_pfn_range' }] }))).stopped;
    assert.equal(stop.body.reason, 'function breakpoint');
    const frames = await topFrames(dc, stop.body.threadId!);
    assert.match(frames[0].name, /^remap_pfn_range\(vma=0x/);
    assert.equal(frames[1].name, 'kbuf_mmap [kbuf]');
    const args = await scopeVars(dc, frames[0].id, 'Arguments');
    assert.deepEqual(args.map((a) => a.name), ['vma', 'addr', 'pfn', 'size', 'prot']);
  });

  it('stops at a function breakpoint on a routine of a module built into the kernel', async () => {
    const stop = await (await launchWith(dc, { lab: LAB('08-ksyms') }, () => dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'ksyms_open' }] }))).stopped;
    assert.equal(stop.body.reason, 'function breakpoint');
    const frames = await topFrames(dc, stop.body.threadId!);
    assert.match(frames[0].name, /^ksyms_open\(inode=0x/);
  });

  it('stops in a timer callback that fires while every task sleeps: the idle task is its thread', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmemlab-timer-'));
    const src = path.join(dir, 'tm.c');
    fs.writeFileSync(
      src,
      `#include <linux/module.h>
#include <linux/timer.h>
#include <linux/delay.h>
static struct timer_list t;
static int fired;
static void tick(unsigned long data)
{
	fired += data;
}
static int __init tm_init(void) { setup_timer(&t, tick, 3); mod_timer(&t, jiffies + 2); msleep(50); return fired == 3 ? 0 : -EIO; }
static void __exit tm_exit(void) { del_timer_sync(&t); }
module_init(tm_init);
module_exit(tm_exit);
MODULE_LICENSE("GPL");
`,
    );
    const stop = await (await launchWith(dc, { drivers: [src] }, () => dc.setBreakpointsRequest({ source: { path: src }, breakpoints: [{ line: lineOf(src, 'fired += data') }] }))).stopped;
    const threads = (await dc.threadsRequest()).body.threads;
    const idle = threads.find((t) => t.id === stop.body.threadId);
    assert.equal(idle?.name, 'swapper/0 (idle, in softirq)');
    const names = (await topFrames(dc, stop.body.threadId!)).map((f) => f.name.replace(/\(.*$/, ''));
    assert.deepEqual(names.slice(0, 3), ['tick [tm]', 'call_timer_fn', 'run_timer_softirq']);
    await dc.continueRequest({ threadId: stop.body.threadId! });
    await dc.waitForEvent('terminated');
  });

  it('stops on exception filters: a page fault', async () => {
    const stop = await (await launchWith(dc, { lab: LAB('03-vmalloc-fault') }, () => dc.setExceptionBreakpointsRequest({ filters: ['pagefault'] }))).stopped;
    assert.equal(stop.body.reason, 'exception');
    assert.match(stop.body.description ?? '', /^page fault at 0x/);
    const info = await dc.exceptionInfoRequest({ threadId: stop.body.threadId! });
    assert.match(info.body.description ?? '', /page fault/);
  });

  it('stops after a write to a data breakpoint, with old and new values', async () => {
    const src = path.join(LAB('03-vmalloc-fault'), 'lazy.c');
    const line = lineOf(src, 'vma->vm_ops = &lazy_vm_ops');
    const stop = await (await launchWith(dc, { lab: LAB('03-vmalloc-fault') }, () => dc.setBreakpointsRequest({ source: { path: src }, breakpoints: [{ line }] }))).stopped;
    const frames = await topFrames(dc, stop.body.threadId!);
    const scopes = (await dc.scopesRequest({ frameId: frames[0].id })).body.scopes;
    const globals = scopes.find((s) => s.name.startsWith('Globals'))!;
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: globals.variablesReference, name: 'faults' });
    assert.ok(info.body.dataId);
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    assert.equal(set.body.breakpoints[0].verified, true);
    await dc.setBreakpointsRequest({ source: { path: src }, breakpoints: [] });
    const [, dstop] = await Promise.all([dc.continueRequest({ threadId: stop.body.threadId! }), dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>]);
    assert.equal(dstop.body.reason, 'data breakpoint');
    assert.match(dstop.body.description ?? '', /changed from 0x00000000 to 0x00000001/);
  });

  it('pauses a runaway loop quickly', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmemlab-dap-'));
    const prog = path.join(dir, 'spin.c');
    fs.writeFileSync(prog, 'int main(void)\n{\n\tvolatile long x = 0;\n\tfor (;;)\n\t\tx++;\n}\n');
    await launchWith(dc, { programs: [prog], maxSteps: 1e12 });
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    const [, stop] = await Promise.all([dc.pauseRequest({ threadId: 1 }), dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>]);
    const ms = Date.now() - t0;
    assert.equal(stop.body.reason, 'pause');
    assert.ok(ms < 100, `pause took ${ms} ms`);
    const frames = await topFrames(dc, stop.body.threadId!);
    assert.equal(frames[0].name, 'main');
    assert.ok(frames[0].line === 4 || frames[0].line === 5);
  });

  it('answers console commands, custom requests and memory reads', async () => {
    const src = path.join(LAB('01-kmalloc-mmap'), 'reader.c');
    const line = lineOf(src, 'for (i = 0; i < PAGES; i++)');
    const stop = await (await launchWith(dc, { lab: LAB('01-kmalloc-mmap') }, () => dc.setBreakpointsRequest({ source: { path: src }, breakpoints: [{ line }] }))).stopped;
    const frames = await topFrames(dc, stop.body.threadId!);
    const p = await dc.evaluateRequest({ expression: 'p', frameId: frames[0].id, context: 'watch' });
    assert.match(p.body.result, /^0x7ffff7[0-9a-f]+ "page 0 of kbuf"$/);
    const vtop = await dc.evaluateRequest({ expression: `vtop ${p.body.result.split(' ')[0]}`, frameId: frames[0].id, context: 'repl' });
    assert.match(vtop.body.result, /PGD/);
    assert.match(vtop.body.result, /-> pfn 0x[0-9a-f]+/);
    const vmas = (await dc.customRequest('kmemlab/vmas', {})).body;
    const mine = vmas.tasks.find((t: { comm: string }) => t.comm === 'reader');
    const dev = mine.vmas.find((v: { file: string }) => v.file === '/dev/kbuf');
    assert.ok(dev.flagNames.includes('VM_PFNMAP') && dev.flagNames.includes('VM_IO'));
    const pt = (await dc.customRequest('kmemlab/pageTable', { path: [] })).body;
    assert.ok(pt.nodes.length > 0 && pt.levels.length === 4);
    const tlb = (await dc.customRequest('kmemlab/tlb', {})).body;
    assert.ok(Array.isArray(tlb.entries));
    const frs = (await dc.customRequest('kmemlab/frames', { start: 0, count: 1024 })).body;
    assert.equal(frs.runs[0].owner, 'reserved');
    const mem = (await dc.send('readMemory', { memoryReference: p.body.memoryReference!, count: 16 })) as DebugProtocol.ReadMemoryResponse;
    assert.equal(Buffer.from(mem.body!.data!, 'base64').toString('latin1'), 'page 0 of kbuf\0.');
    const w = (await dc.send('writeMemory', { memoryReference: p.body.memoryReference!, data: Buffer.from('PAGE').toString('base64') })) as DebugProtocol.WriteMemoryResponse;
    assert.equal(w.body?.bytesWritten, 4);
    const again = await dc.evaluateRequest({ expression: 'p', frameId: frames[0].id, context: 'watch' });
    assert.match(again.body.result, /"PAGE 0 of kbuf"$/);
  });

  it('steps in, out and over; sets variables; completes; continues backwards; restarts and terminates', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmemlab-dap-'));
    const prog = path.join(dir, 'twice.c');
    fs.writeFileSync(
      prog,
      `#include <stdio.h>
static int twice(int x)
{
	int y = x * 2;
	return y;
}
int main(void)
{
	int a = 1;
	a = twice(a);
	a = twice(a);
	printf("%d\\n", a);
	return 0;
}
`,
    );
    const first = lineOf(prog, 'a = twice(a);');
    const stop = await (await launchWith(dc, { programs: [prog] }, () => dc.setBreakpointsRequest({ source: { path: prog }, breakpoints: [{ line: first }] }))).stopped;
    const tid = stop.body.threadId!;
    await Promise.all([dc.stepInRequest({ threadId: tid }), dc.waitForEvent('stopped')]);
    let frames = await topFrames(dc, tid);
    assert.equal(frames[0].name, 'twice');
    assert.equal(frames[0].line, lineOf(prog, 'int y = x * 2;'));
    assert.equal(frames[1].line, first, 'the caller shows the line of its call');
    const locals = await scopeVars(dc, frames[0].id, 'Locals');
    const x = locals.find((v) => v.name === 'x')!;
    const scopes = (await dc.scopesRequest({ frameId: frames[0].id })).body.scopes;
    const argScope = scopes.find((sc) => sc.name.startsWith('Locals'))!;
    assert.equal((await dc.setVariableRequest({ variablesReference: argScope.variablesReference, name: x.name, value: '5' })).body.value, '5');
    assert.ok(scopes.some((sc) => sc.name.startsWith('Task')));
    await Promise.all([dc.stepOutRequest({ threadId: tid }), dc.waitForEvent('stopped')]);
    frames = await topFrames(dc, tid);
    assert.equal(frames[0].name, 'main');
    await Promise.all([dc.nextRequest({ threadId: tid }), dc.waitForEvent('stopped')]);
    frames = await topFrames(dc, tid);
    assert.equal(frames[0].line, first + 1);
    assert.equal((await dc.evaluateRequest({ expression: 'a', frameId: frames[0].id, context: 'hover' })).body.result, '10');
    const items = (await dc.completionsRequest({ text: 'tw', column: 3, frameId: frames[0].id })).body.targets.map((t) => t.label);
    assert.ok(items.includes('twice'), items.join(' '));
    await Promise.all([dc.send('reverseContinue', { threadId: tid }), dc.waitForEvent('stopped')]);
    frames = await topFrames(dc, tid);
    assert.equal(frames[0].line, first);
    assert.equal((await dc.evaluateRequest({ expression: 'a', frameId: frames[0].id, context: 'watch' })).body.result, '1');
    await Promise.all([dc.send('restart', {}), dc.waitForEvent('stopped')]);
    frames = await topFrames(dc, (await dc.threadsRequest()).body.threads[0].id);
    assert.equal(frames[0].line, first);
    await Promise.all([dc.send('terminate', {}), dc.waitForEvent('terminated')]);
  });

  it('stops on the oops, signal and user-access exception filters, and prints printk with its source line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmemlab-dap-'));
    const prog = path.join(dir, 'bad.c');
    fs.writeFileSync(
      prog,
      `#include <fcntl.h>
#include <unistd.h>
int main(void)
{
	int fd = open("/dev/zero", O_RDONLY);
	read(fd, (void *)8, 1);
	*(volatile int *)8 = 1;
	return 0;
}
`,
    );
    const drv = path.join(dir, 'oopser.c');
    fs.writeFileSync(
      drv,
      `#include <linux/module.h>
static int __init o_init(void)
{
	pr_info("oopser: about to\\n");
	*(volatile int *)16 = 1;
	return 0;
}
module_init(o_init);
MODULE_LICENSE("GPL");
`,
    );
    const printed = new Promise<DebugProtocol.OutputEvent>((resolve) => {
      const on = (e: DebugProtocol.OutputEvent) => {
        if (e.body.output.includes('oopser: about to')) resolve(e);
      };
      dc.on('output', on);
    });
    const oops = await (await launchWith(dc, { drivers: [drv], programs: [prog] }, () => dc.setExceptionBreakpointsRequest({ filters: ['oops', 'signal', 'uaccess'] }))).stopped;
    assert.equal(oops.body.reason, 'exception');
    assert.match((await dc.exceptionInfoRequest({ threadId: oops.body.threadId! })).body.description ?? '', /unable to handle kernel/);
    const out = await printed;
    assert.equal(out.body.line, 4);
    const [, fix] = await Promise.all([dc.continueRequest({ threadId: oops.body.threadId! }), dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>]);
    assert.match(fix.body.description ?? '', /user address 0x8 cannot be accessed; fixed up/);
    const [, sig] = await Promise.all([dc.continueRequest({ threadId: fix.body.threadId! }), dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>]);
    assert.equal(sig.body.description, 'SIGSEGV (SEGV_MAPERR, address 0x8) to bad[2]');
    const changed = dc.waitForEvent('kmemlab/changed');
    await Promise.all([dc.continueRequest({ threadId: sig.body.threadId! }), dc.waitForEvent('terminated')]);
    void changed;
  });

  it('lists the pkmap and kmap_atomic slots in use on i386', async () => {
    const src = path.join(LAB('10-kmap-highmem'), 'hmap.c');
    const line = lineOf(src, 'kmap_atomic ->');
    await (await launchWith(dc, { lab: LAB('10-kmap-highmem') }, () => dc.setBreakpointsRequest({ source: { path: src }, breakpoints: [{ line }] }))).stopped;
    const kmap = (await dc.customRequest('kmemlab/vmas', {})).body.kmap;
    assert.equal(kmap.pkmapBase, '0xff800000');
    assert.equal(kmap.lastPkmap, 1024);
    assert.deepEqual(kmap.atomic.map((a: { slot: number; va: string }) => [a.slot, a.va]), [[0, '0xfffba000']]);
    assert.ok(kmap.pkmap.length > 0 && kmap.pkmap.every((p: { count: number }) => p.count >= 1));
  });

  it('reports a C error at its location and ends the session', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmemlab-dap-'));
    const prog = path.join(dir, 'bad.c');
    fs.writeFileSync(prog, 'int main(void)\n{\n\treturn nope;\n}\n');
    const out = outputOf(dc, 'stderr');
    const terminated = dc.waitForEvent('terminated');
    await assert.rejects(dc.launch({ programs: [prog] } as DebugProtocol.LaunchRequestArguments), /bad\.c:3:9: error: 'nope' undeclared/);
    const ev = await out;
    assert.equal(ev.body.source?.path, prog);
    assert.equal(ev.body.line, 3);
    await terminated;
  });

  it('answers malformed and out-of-order requests with errors, without crashing', async () => {
    await assert.rejects(dc.stackTraceRequest({ threadId: 1 }), /launch first/);
    await assert.rejects(dc.customRequest('kmemlab/vmas', {}), /launch first/);
    const stop = await (await launchWith(dc, { lab: LAB('03-vmalloc-fault'), stopOnEntry: true })).stopped;
    const frames = await topFrames(dc, stop.body.threadId!);
    const scopes = (await dc.scopesRequest({ frameId: frames[0].id })).body.scopes;
    await Promise.all([dc.nextRequest({ threadId: stop.body.threadId! }), dc.waitForEvent('stopped')]);
    await assert.rejects(dc.variablesRequest({ variablesReference: scopes[0].variablesReference }), /unknown variable reference/);
    await assert.rejects(dc.evaluateRequest({ expression: 'this is not C', frameId: frames[0].id }), /./);
    await assert.rejects(dc.customRequest('kmemlab/nonsense', {}), /./);
    await assert.rejects(dc.scopesRequest({ frameId: 999999 }), /unknown frame/);
    const threads = await dc.threadsRequest();
    assert.ok(threads.body.threads.length >= 1);
  });
});
