// Fused loops (engine/lang/fuse.ts) must be invisible: the same output, the same step count, the
// same stops and the same restarts after faults as the plain ops they stand for.

import assert from 'node:assert/strict';
import { WATCH_DATA, PAGE_SIZE } from '../../engine/machine/physmem';
import type { CFrame } from '../../engine/exec/types';
import { makeSession, miscDriver, USER_PRELUDE, type Sources } from '../helpers/run';
import type { LabSpec } from '../../engine/session/lab';
import { HoistPlan, PointerCell } from '../../engine/lang/hoist';
import type { Cpu } from '../../engine/machine/cpu';
import type { Counter } from '../../engine/lang/fuse';
import { PageRunPlan, RunSite } from '../../engine/lang/pagerun';
import { fissionLegal, separable } from '../../engine/lang/fission';
import { Tlb } from '../../engine/machine/tlb';

/** Output and steps of a program, with fusion (the default) or with every statement its own op. */
function outcome(src: string, plain: boolean): { stdout: string; steps: number } {
  const s = makeSession({ programs: { 'p.c': src }, maxSteps: 5e7 });
  // A statement probe makes every loop run as plain ops, as while the debugger steps back.
  if (plain) s.kernel.exec.stmtProbe = () => undefined;
  const r = s.runToEnd();
  assert.equal(r.programs[0].exitCode, 0, r.programs[0].stderr);
  return { stdout: r.programs[0].stdout, steps: r.steps };
}

/** Loops that may and may not go op by op (fission.ts); gcc -O0 prints what the test expects. */
const FISSION_PROGRAM = `${USER_PRELUDE}
int main(void)
{
	unsigned char *p = mmap(0, 16 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *q = p - 1, *r = p + 1, *t = p + 30000, *u = p + 35000;
	long s = 0, x = 0;
	int i, last = 0;
	for (i = 0; i < 30000; i++)
		p[i] = i * 13;
	/* A store to the element a later iteration loads: fission would read it too early. */
	for (i = 1; i < 30000; i++) {
		q[i] = p[i] + 1;
		s += p[i];
	}
	/* A store to the element an earlier iteration loaded. */
	for (i = 0; i < 30000; i++) {
		r[i] = i;
		s += p[i];
	}
	/* A register one op writes and the next reads. */
	for (i = 0; i < 20000; i++) {
		x = p[i] * 3;
		t[i] = x;
	}
	/* Independent ops: a register written alone, a store, a sum. */
	for (i = 0; i < 25000; i++) {
		last = p[i];
		u[i] = i ^ 7;
		s += u[i];
	}
	printf("%ld %ld %d %d %d\\n", s, x, last, p[12345], p[40000]);
	return 0;
}
`;

/** Output, exit code and steps of a program that may end by a signal's handler. */
function endingOf(src: string, plain: boolean): { stdout: string; exit: number | null; steps: number } {
  const s = makeSession({ programs: { 'p.c': src }, maxSteps: 5e7 });
  if (plain) s.kernel.exec.stmtProbe = () => undefined;
  const r = s.runToEnd();
  return { stdout: r.programs[0].stdout, exit: r.programs[0].exitCode, steps: r.steps };
}

/** Output, dmesg, steps and the TLB's counters and entries (number, frame, age) after a run. */
function withTlb(src: Sources, plain: boolean) {
  const s = makeSession({ ...src, maxSteps: 5e7 });
  if (plain) s.kernel.exec.stmtProbe = () => undefined;
  const r = s.runToEnd();
  const tlb = s.kernel.cpu.tlb;
  return { stdout: r.programs[0]?.stdout, text: r.dmesg.map((d) => d.text).join(''), steps: r.steps, stats: { ...tlb.stats }, entries: tlb.valid().map((e) => [e.vpn, e.pfn, e.filledAt]) };
}

/** The same for a driver: its dmesg text and the steps. */
function driverOutcome(driver: string, plain: boolean, arch: LabSpec['arch'] = 'x86_64'): { text: string; steps: number } {
  const s = makeSession({ drivers: { 't.c': driver }, maxSteps: 5e7, tweak: (lab) => void (lab.arch = arch) });
  if (plain) s.kernel.exec.stmtProbe = () => undefined;
  const r = s.runToEnd();
  return { text: r.dmesg.map((d) => d.text).join(''), steps: r.steps };
}

const SHAPES: Record<string, string> = {
  'straight body': `
	for (i = 0; i < 5000; i++) {
		buf[i] = 'a' + i % 26;
		s += buf[i];
	}`,
  'if, continue and break': `
	for (i = 0; i < 5000; i++) {
		if (i % 3 == 0) continue;
		buf[i & 1023] ^= i;
		if (buf[7] == 42 && i > 4000) break;
		s += i & 7 ? buf[i & 1023] : -1;
	}`,
  'while with a pointer walk': `
	char *p = buf, *e = buf + 4000;
	while (p < e) {
		*p = (char)(p - buf);
		s += *p++;
	}`,
  'nested loops (the inner one is fused)': `
	for (i = 0; i < 40; i++)
		for (j = 0; j < i; j++)
			s += (buf[j] = i * j);`,
  'counted loops: <= a register bound, i-- with >=, != (the counter stepped by the fused op)': `
	j = 300;
	for (i = 0; i <= j; i++) s += buf[i] = i;
	for (i = 299; i >= 0; i--) { buf[i] += 3; s -= buf[i]; }
	for (i = 0; i != 64; i++) s += i;
	for (i = 10; i > 0; i--) ;`,
  'a global pointer indexed by the counter, set anew before each run of the loop (read once per run)': `
	for (j = 0; j < 4; j++) {
		gp = buf + j * 1000;
		for (i = 0; i < 2000; i++) {
			gp[i] = 'a' + i % 26 + j;
			s += gp[i];
		}
	}
	for (i = 1999; i >= 0; i--) s -= gp[i] * 3;`,
  'a store through a global pointer that overwrites the pointer itself (so it is read at every access)': `
	g.p = g.b;
	for (i = 0; i < 70; i++) g.p[i] = (char)((long)g.b + 8);
	s = (g.p - g.b) * 1000 + g.after[1] + g.after[5];`,
  'running sums through register pointers (char, unsigned char, int, long, double)': `
	{
		char *cp = buf;
		unsigned char *up = (unsigned char *)buf;
		int *ip = (int *)buf;
		long *lp = (long *)buf;
		double *dp = (double *)(buf + 4096), d = 0;
		int t = 0;
		for (i = 0; i < 4096; i++) buf[i] = i * 7;
		for (i = 0; i < 256; i++) dp[i] = i * 0.75;
		for (i = 0; i < 4096; i++) s += cp[i];
		for (i = 0; i < 4096; i++) t -= up[i];
		for (i = 0; i < 1024; i++) t += ip[i];
		for (i = 0; i < 512; i++) s -= lp[i];
		for (i = 255; i >= 0; i--) d += dp[i];
		for (i = 0; i < 100; i++) d -= dp[i];
		s += t + (long)(d * 4);
	}`,
  'a long body': `
	for (i = 0; i < 3000; i++) {
		j = i * 3;
		buf[j % 4096] = j;
		s += j;
		s -= buf[i % 100];
		buf[i % 50] += 2;
		s ^= i;
	}`,
};

/** Outputs checked against gcc -O0, for shapes compiled to their own fast ops. */
const EXPECTED: Record<string, string> = {
  'running sums through register pointers (char, unsigned char, int, long, double)': '216453144643126398 35 88\n',
  'a global pointer indexed by the counter, set anew before each run of the loop (read once per run)': '212976 102 98\n',
};

function shapeProgram(body: string): string {
  return `${USER_PRELUDE}
static char buf[8192];
static char *gp;
static struct { char b[64]; char *p; char after[64]; } g __attribute__((aligned(256)));
int main(void)
{
	long s = 0;
	int i, j;
	${body}
	printf("%ld %d %d\\n", s, buf[5], buf[1000]);
	return 0;
}`;
}

describe('fused loops', () => {
  for (const [name, body] of Object.entries(SHAPES)) {
    it(`${name}: same output and same step count as plain ops`, () => {
      const src = shapeProgram(body);
      const fused = outcome(src, false);
      const plain = outcome(src, true);
      assert.equal(fused.stdout, plain.stdout);
      assert.equal(fused.steps, plain.steps);
      if (EXPECTED[name] !== undefined) assert.equal(fused.stdout, EXPECTED[name]);
    });
  }

  it('a store that faults on a fresh page every 4096 iterations restarts at that store', () => {
    const driver = miscDriver(
      'lz',
      `static char *buf;
static int faults;
static int lz_fault(struct vm_area_struct *vma, struct vm_fault *vmf)
{
	struct page *page = vmalloc_to_page(buf + (vmf->pgoff << PAGE_SHIFT));
	get_page(page);
	vmf->page = page;
	faults++;
	return 0;
}
static const struct vm_operations_struct lz_ops = { .fault = lz_fault };
static int lz_mmap(struct file *f, struct vm_area_struct *vma) { vma->vm_ops = &lz_ops; return 0; }`,
      '.mmap = lz_mmap,',
      'buf = vmalloc_user(16 * PAGE_SIZE);',
      'pr_info("lz: %d faults\\n", faults); vfree(buf);',
    );
    const program = `${USER_PRELUDE}
int main(void)
{
	int fd = open("/dev/lz", O_RDWR);
	unsigned char *p = mmap(NULL, 16 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	unsigned long sum = 0;
	int i;
	for (i = 0; i < 16 * 4096; i++) {
		p[i] = i * 7 + (i >> 12);
		sum += p[i];
	}
	for (i = 0; i < 16 * 4096; i += 4096) sum = sum * 31 + p[i] + p[i + 4095];
	printf("%lu\\n", sum);
	return 0;
}`;
    let expected = 0n;
    const p = new Uint8Array(16 * 4096);
    for (let i = 0; i < p.length; i++) {
      p[i] = i * 7 + (i >> 12);
      expected += BigInt(p[i]);
    }
    for (let i = 0; i < p.length; i += 4096) expected = BigInt.asUintN(64, expected * 31n + BigInt(p[i]) + BigInt(p[i + 4095]));
    const runIt = (plain: boolean) => {
      const s = makeSession({ drivers: { 'lz.c': driver }, programs: { 'user.c': program }, maxSteps: 5e7 });
      if (plain) s.kernel.exec.stmtProbe = () => undefined;
      return s.runToEnd();
    };
    const r = runIt(false);
    assert.equal(r.programs[0].stdout, `${expected}\n`);
    assert.ok(r.dmesg.some((d) => d.text === 'lz: 16 faults\n' || d.text === 'lz: 16 faults'), r.dmesg.map((d) => d.text).join(''));
    // The faulting store counts once when it faults and once when it runs again, fused or not.
    assert.equal(r.steps, runIt(true).steps);
  });

  it('a driver filling a kmalloc buffer through a global pointer: KASAN reports the out-of-bounds byte as plain ops do', () => {
    const driver = `#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
static char *kb;
static char *vb;
static int __init t_init(void)
{
	int i;
	long s = 0;
	vb = vmalloc(3 * 4096);
	for (i = 0; i < 3 * 4096; i++) {
		vb[i] = i;
		s += vb[i];
	}
	kb = kmalloc(100, GFP_KERNEL);
	for (i = 0; i < 101; i++)
		kb[i] = i;
	for (i = 0; i < 100; i++)
		s += kb[i];
	pr_info("sum %ld\\n", s);
	kfree(kb);
	vfree(vb);
	return 0;
}
module_init(t_init);
MODULE_LICENSE("GPL");
`;
    const runIt = (plain: boolean) => driverOutcome(driver, plain);
    const fused = runIt(false);
    const plain = runIt(true);
    assert.match(fused.text, /BUG: KASAN: slab-out-of-bounds in t_init/);
    assert.match(fused.text, /sum -?\d+/);
    assert.equal(fused.text, plain.text);
    assert.equal(fused.steps, plain.steps);
  });

  it('a store through another mapping of the frame holding a global pointer changes the pointer for the next iteration, as in plain ops', () => {
    // q maps g's bytes through the direct map: its stores miss g's address but not its frame.
    const driver = `#include <linux/module.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
static struct { char *p; long pad[3]; } g;
static long *q;
static char t1[64], t2[64];
static int __init t_init(void)
{
	int i;
	g.p = t1;
	q = (long *)((char *)page_address(vmalloc_to_page(&g)) + offset_in_page(&g));
	for (i = 0; i < 3; i++) {
		g.p[i] = 'x';
		q[i] = (long)(t2 + 8);
	}
	pr_info("t1 %d %d %d t2 %d %d %d\\n", t1[0], t1[1], t1[2], t2[8], t2[9], t2[10]);
	return 0;
}
module_init(t_init);
MODULE_LICENSE("GPL");
`;
    for (const arch of ['x86_64', 'i386'] as const) {
      const runIt = (plain: boolean) => driverOutcome(driver, plain, arch);
      const fused = runIt(false);
      assert.match(fused.text, /t1 120 0 0 t2 0 120 120/, arch);
      assert.deepEqual(fused, runIt(true), arch);
    }
  });

  it('a global pointer read once per loop run leaves the TLB as plain ops leave it (same entries, same order, same counts)', () => {
    // 600 pages: every TLB set holds the pointer's page and buffer pages in turn.
    const driver = `#include <linux/module.h>
#include <linux/vmalloc.h>
static char *vb;
static int __init t_init(void)
{
	int i;
	long s = 0;
	vb = vmalloc(600 * 4096);
	for (i = 0; i < 600 * 4096; i++) {
		vb[i] = i;
		s += vb[i];
	}
	pr_info("sum %ld\\n", s);
	return 0;
}
module_init(t_init);
MODULE_LICENSE("GPL");
`;
    // On i386 too, where the pointer is 4 bytes.
    for (const arch of ['x86_64', 'i386'] as const) {
      const runIt = (plain: boolean) => withTlb({ drivers: { 't.c': driver }, tweak: (lab) => void (lab.arch = arch) }, plain);
      const fused = runIt(false);
      assert.ok(fused.stats.hits > 1000, JSON.stringify(fused.stats));
      assert.deepEqual(fused, runIt(true), arch);
    }
  });

  it('hoists a pointer only when the counter cannot wrap past its bound and the stores miss the pointer', () => {
    const cell = new PointerCell(0x1000);
    let pointer = 0x100000000;
    const cpu = { readHoisted: () => pointer, releaseHoisted: () => undefined } as unknown as Cpu;
    const plan = (counter: Counter, scale = 1) => new HoistPlan(cpu, 1, [cell], [{ cell, scale, sizeBytes: 1 }], counter);
    const up = (cmp: Counter['cmp'], bound: number): Counter => ({ slot: 0, delta: 1, cmp, bound: { value: bound } });
    const down = (cmp: Counter['cmp'], bound: number): Counter => ({ slot: 0, delta: -1, cmp, bound: { value: bound } });
    const tryIt = (p: HoistPlan, i: number) => {
      const on = p.activate([i]);
      p.deactivate();
      return on;
    };
    assert.equal(tryIt(plan(up('<', 100)), 0), true);
    assert.equal(tryIt(plan(up('<=', 0x7fffffff)), 0), false);
    assert.equal(tryIt(plan(up('<=', 0x7ffffffe)), 0), true);
    assert.equal(tryIt(plan(down('>=', -0x80000000)), 0), false);
    assert.equal(tryIt(plan(down('>', -0x80000000)), 0), true);
    // Counting away from the bound: i wraps through every value.
    assert.equal(tryIt(plan(up('!=', 5)), 10), false);
    // p = 0x2000: p[i] for i down to -0x1000 reaches the pointer at 0x1000.
    pointer = 0x2000;
    assert.equal(tryIt(plan(down('>=', -0x1000)), 0), false);
    assert.equal(tryIt(plan(down('>=', -0xff8)), 0), true);
    assert.equal(cell.on, false);
  });

  it('never runs past the end of a slice', () => {
    const src = shapeProgram(SHAPES['straight body']);
    const whole = outcome(src, false);
    const s = makeSession({ programs: { 'p.c': src }, maxSteps: 5e7 });
    const exec = s.kernel.exec;
    for (let n = 0; ; n++) {
      const before = exec.steps;
      const budget = 97 + (n % 13);
      const o = s.run(budget);
      assert.ok(exec.steps - before <= budget, `slice ran ${exec.steps - before} steps for a budget of ${budget}`);
      if (o === 'done') break;
    }
    const r = s.result();
    assert.equal(r.programs[0].stdout, whole.stdout);
    assert.equal(r.steps, whole.steps);
  });

  it('a breakpoint inside the loop stops there on the first iteration, and removing it lets the loop fuse again', () => {
    const src = shapeProgram(SHAPES['straight body']);
    const line = src.split('\n').findIndex((l) => l.includes('s += buf[i];')) + 1;
    const s = makeSession({ programs: { 'p.c': src }, maxSteps: 5e7 });
    s.setLineBreakpoints('t/p.c', [{ line }]);
    assert.equal(s.run(1e7), 'stopped');
    const top = s.currentTask!.thread.top as CFrame;
    assert.equal(top.fn.locs[top.pc].line, line);
    const i = top.fn.locals.find((l) => l.name === 'i')!;
    assert.equal(top.regs[i.slot], 0);
    assert.equal(s.run(1e7), 'stopped');
    assert.equal(top.regs[i.slot], 1);
    s.setLineBreakpoints('t/p.c', []);
    assert.equal(s.run(1e8), 'done');
    assert.equal(s.result().programs[0].stdout, outcome(src, false).stdout);
  });

  it('a hook that asks to stop (a data breakpoint) stops right after the store that set it', () => {
    const src = `${USER_PRELUDE}
int main(void)
{
	char *buf = mmap((void *)0x10000000, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	long s = 0;
	int i;
	memset(buf, 1, 8 * 4096);
	for (i = 0; i < 8 * 4096; i++) {
		buf[i] = i;
		s += buf[i];
	}
	printf("%ld\\n", s);
	return 0;
}`;
    const s = makeSession({ programs: { 'p.c': src }, maxSteps: 5e7 });
    const k = s.kernel;
    // Run until the fill loop is under way (every page is present after the memset).
    let task;
    for (;;) {
      assert.equal(s.run(500), 'budget');
      task = s.currentTask;
      const top = task?.thread.top;
      if (top?.kind === 'c' && top.fn.name === 'main' && top.regs[top.fn.locals.find((l) => l.name === 'i')!.slot] as number > 10) break;
    }
    const watchedVa = 0x10000000 + 5 * 4096 + 100;
    const pa = k.cpu.peekTranslate(watchedVa, task!.mm!.pgdPa)!;
    k.cpu.setWatch(Math.floor(pa / PAGE_SIZE), WATCH_DATA, true);
    k.cpu.onDataWrite = (at) => {
      if (at === pa) k.exec.pendingStop = { reason: 'event', description: 'watched byte written' };
    };
    assert.equal(s.run(1e8), 'stopped');
    const top = task!.thread.top as CFrame;
    const i = top.fn.locals.find((l) => l.name === 'i')!;
    assert.equal(top.regs[i.slot], 5 * 4096 + 100);
    // Stopped after the store `buf[i] = i`, before `s += buf[i]`.
    assert.equal(top.fn.locs[top.pc].line, src.split('\n').findIndex((l) => l.includes('s += buf[i];')) + 1);
    k.cpu.onDataWrite = undefined;
    assert.equal(s.run(1e8), 'done');
    let expected = 0;
    for (let j = 0; j < 8 * 4096; j++) expected += (j << 24) >> 24;
    assert.equal(s.result().programs[0].stdout, `${expected}\n`);
  });

  it('a divide error inside a fused loop is the same SIGFPE at the same statement and step as in plain ops', () => {
    const src = `${USER_PRELUDE}
#include <signal.h>
static void on_fpe(int sig) { printf("SIGFPE\\n"); exit(3); }
int main(void)
{
	char *p = malloc(100);
	int i, s = 0;
	signal(SIGFPE, on_fpe);
	for (i = 0; i < 100; i++) {
		p[i] = i;
		s += 1000 / (60 - p[i]);
	}
	printf("%d\\n", s);
	return 0;
}`;
    const fused = endingOf(src, false);
    assert.deepEqual(fused, { stdout: 'SIGFPE\n', exit: 3, steps: fused.steps });
    assert.deepEqual(fused, endingOf(src, true));
  });

  describe('page runs', () => {
    /** Counts the page runs started (and refused) while f runs. */
    function countingRuns<T>(f: () => T): { value: T; runs: number; refusals: number; loops: number; split: number } {
      const start = PageRunPlan.prototype.start;
      let runs = 0;
      let refusals = 0;
      const loops = new Set<PageRunPlan>();
      PageRunPlan.prototype.start = function (this: PageRunPlan, ...args: Parameters<PageRunPlan['start']>) {
        const k = start.apply(this, args);
        if (k > 0) {
          runs++;
          loops.add(this);
        } else refusals++;
        return k;
      };
      try {
        const value = f();
        return { value, runs, refusals, loops: loops.size, split: [...loops].reduce((n, l) => n + l.splitRuns, 0) };
      } finally {
        PageRunPlan.prototype.start = start;
      }
    }

    // Elements that straddle pages (an int at 4094, a long at 4092), both directions, every
    // store and load kind a run has; the output is gcc -O0's.
    const KINDS = `${USER_PRELUDE}
int main(void)
{
	char *buf = mmap(0, 64 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int *ip = (int *)(buf + 4094);
	long *lp = (long *)(buf + 3 * 4096 + 4092);
	double *dp = (double *)(buf + 9 * 4096 + 4);
	unsigned int *up = (unsigned int *)(buf + 20 * 4096 + 2);
	char *cp = buf + 30 * 4096;
	long s = 0;
	int t = 0, i, n = 5000;
	double d = 0;
	for (i = 0; i < n; i++)
		ip[i] = i * 3 - 7000;
	for (i = n - 1; i >= 0; i--)
		t += ip[i];
	for (i = 0; i < 3000; i++)
		lp[i] = (long)i * 100003 - 5;
	for (i = 2999; i >= 0; i--)
		s -= lp[i];
	for (i = 0; i < 1500; i++) {
		dp[i] = i * 0.25;
		d += dp[i];
	}
	for (i = 0; i < 4000; i++) {
		up[i] = 4000000000u - i;
		t -= up[i];
	}
	for (i = 20000; i > 0; i--) {
		cp[i] = i ^ (i >> 3);
		s += cp[i];
	}
	for (i = 0; i <= 20000; i++)
		s += (unsigned char)cp[i];
	printf("%ld %d %.2f\\n", s, t, d);
	return 0;
}`;

    it('int, unsigned, long, double and char accesses, elements straddling pages, counting up and down: same output as gcc -O0, same steps', () => {
      const fused = countingRuns(() => outcome(KINDS, false));
      const plain = countingRuns(() => outcome(KINDS, true));
      assert.equal(fused.value.stdout, '-449860939276 -1236331900 281062.50\n');
      assert.deepEqual(fused.value, plain.value);
      // Every loop but the last (a converting load) and the unsigned one runs by pages.
      assert.ok(fused.runs > 20, `${fused.runs} runs`);
      assert.equal(plain.runs + plain.refusals, 0);
    });

    it('loads inside the stored or summed value (copies, dot products, a value kept in a register): same output as gcc -O0, same steps', () => {
      const src = `${USER_PRELUDE}
int main(void)
{
	char *m = mmap(0, 40 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int *a = (int *)(m + 100), *b = (int *)(m + 10 * 4096 + 2);
	unsigned char *src = (unsigned char *)(m + 20 * 4096), *dst = (unsigned char *)(m + 25 * 4096 + 7);
	double *x = (double *)(m + 30 * 4096 + 3), *y = (double *)(m + 35 * 4096);
	long dot = 0, t;
	double dd = 0;
	int i, n = 9000;
	for (i = 0; i < n; i++) {
		a[i] = i * 7 - 30000;
		b[i] = (i % 13) - 6;
	}
	for (i = 0; i < n; i++)
		dot += a[i] * b[i];
	for (i = 0; i < 16000; i++)
		src[i] = i * 31;
	for (i = 15999; i >= 0; i--)
		dst[i] = src[i] ^ 0x5a;
	for (i = 0; i < 16000; i++) {
		t = dst[i] + src[i];
		dot += t;
	}
	for (i = 0; i < 2000; i++)
		x[i] = i / 3.0;
	for (i = 0; i < 2000; i++) {
		y[i] = x[i] * 2 + (i & 1 ? x[i] : -x[i]);
		dd += y[i];
	}
	printf("%ld %d %d %.4f\\n", dot, dst[5], dst[15000], dd);
	return 0;
}`;
      const fused = countingRuns(() => outcome(src, false));
      const plain = countingRuns(() => outcome(src, true));
      assert.equal(fused.value.stdout, '4367702 193 50 1333000.0000\n');
      assert.deepEqual(fused.value, plain.value);
      // Every loop of the program runs by pages.
      assert.equal(fused.loops, 7);
      assert.ok(fused.runs > 40, `${fused.runs} runs`);
    });

    it('op by op (fission) only where no op sees another op\'s later effects: same output as gcc -O0, same steps', () => {
      const src = FISSION_PROGRAM;
      const fused = countingRuns(() => outcome(src, false));
      const plain = countingRuns(() => outcome(src, true));
      assert.equal(fused.value.stdout, '10824411 90 166 56 143\n');
      assert.deepEqual(fused.value, plain.value);
      // The first and the last loop (and the fill loops) go op by op; the overlapping stores and
      // the register passed between ops run iteration by iteration.
      assert.ok(fused.split >= 10, `${fused.split} split runs`);
      assert.ok(fused.runs > fused.split + 10, `${fused.runs} runs, ${fused.split} split`);
    });

    it('never let the counter wrap inside a run: past INT_MAX the access is elsewhere (here unmapped)', () => {
      const src = `${USER_PRELUDE}
#include <signal.h>
static void on_segv(int sig) { printf("SIGSEGV\\n"); exit(4); }
int main(void)
{
	char *buf = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p = buf - 2147483640L;
	long s = 0;
	int i;
	signal(SIGSEGV, on_segv);
	for (i = 2147483640; i != -2147483646; i++) {
		p[i] = 1;
		s += p[i];
	}
	printf("%ld\\n", s);
	return 0;
}`;
      const fused = endingOf(src, false);
      assert.deepEqual(fused, { stdout: 'SIGSEGV\n', exit: 4, steps: fused.steps });
      assert.deepEqual(fused, endingOf(src, true));
    });

    it('over kmalloc\'d objects (KASAN-checked pages): runs stop before the first bad byte; reports, dmesg, steps and TLB counts as plain ops', () => {
      const driver = `#include <linux/module.h>
#include <linux/slab.h>
static int __init t_init(void)
{
	int i, r;
	long s = 0;
	char *a, *b;
	for (r = 0; r < 50; r++) {
		a = kmalloc(200, GFP_KERNEL);
		b = kmalloc(64, GFP_KERNEL);
		for (i = 0; i < 200; i++)
			a[i] = i + r;
		for (i = 63; i >= 0; i--) {
			b[i] = a[i] + 1;
			s += b[i];
		}
		for (i = 0; i < 200; i++)
			s += (i & 1) ? a[i] : 1;
		kfree(a);
		kfree(b);
	}
	a = kmalloc(40, GFP_KERNEL);
	for (i = 0; i < 40; i++)
		a[i] = i;
	kfree(a);
	for (i = 39; i >= 30; i--)
		s += a[i];
	b = kmalloc(16, GFP_KERNEL);
	for (i = 0; i < 20; i++)
		b[i] = 1;
	for (i = 0; i < 16; i++)
		s += b[i];
	pr_info("sum %ld\\n", s);
	kfree(b);
	return 0;
}
module_init(t_init);
MODULE_LICENSE("GPL");
`;
      const runIt = (plain: boolean) => countingRuns(() => withTlb({ drivers: { 't.c': driver } }, plain));
      const rc = PageRunPlan.prototype.ranChecked;
      let checkedIterations = 0;
      PageRunPlan.prototype.ranChecked = function (this: PageRunPlan, n: number) {
        checkedIterations += n;
        rc.call(this, n);
      };
      try {
        const fused = runIt(false);
        assert.match(fused.value.text, /BUG: KASAN: use-after-free in t_init/);
        assert.match(fused.value.text, /BUG: KASAN: slab-out-of-bounds in t_init/);
        assert.deepEqual(fused.value, runIt(true).value);
        // 50 * (200 + 64) iterations and the 40-byte fill ran over checked pages op by op.
        assert.ok(checkedIterations >= 50 * 264, `${checkedIterations} checked iterations`);
      } finally {
        PageRunPlan.prototype.ranChecked = rc;
      }
    });

    it('leave the TLB as plain ops leave it, also when two accesses share a TLB set and take turns in it', () => {
      // p and q are 256 pages apart: their pages share every set, so one of them is always the
      // older way and runs are refused; r walks its own pages.
      const src = `${USER_PRELUDE}
int main(void)
{
	char *p = mmap(0, 600 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *q = p + 256 * 4096, *r = p + 520 * 4096;
	long s = 0;
	int i;
	for (i = 0; i < 200 * 4096; i++)
		p[i] = i;
	for (i = 0; i < 40 * 4096; i++) {
		q[i] = p[i] + 1;
		s += q[i];
	}
	for (i = 0; i < 60 * 4096; i++) {
		r[i] = i >> 4;
		s += p[i];
	}
	printf("%ld\\n", s);
	return 0;
}`;
      const runIt = (plain: boolean) => countingRuns(() => withTlb({ programs: { 'p.c': src } }, plain));
      const fused = runIt(false);
      assert.deepEqual(fused.value, runIt(true).value);
      assert.ok(fused.runs > 100, `${fused.runs} runs`);
    });

    it('arrays, global and local to the function, indexed directly: same output as gcc -O0, same steps', () => {
      const src = `${USER_PRELUDE}
static char gbuf[3 * 4096 + 100];
static long gl[3000];
int main(void)
{
	int w[2000];
	unsigned char c[5000];
	long s = 0;
	int i;
	for (i = 0; i < 3 * 4096 + 100; i++) {
		gbuf[i] = 'a' + i % 26;
		s += gbuf[i];
	}
	for (i = 0; i < 2000; i++)
		w[i] = i * 3 + gbuf[i];
	for (i = 1999; i >= 0; i--)
		s += w[i];
	for (i = 0; i < 5000; i++) {
		c[i] = gbuf[i] ^ i;
		gl[i % 3000] += c[i];
	}
	for (i = 0; i < 3000; i++)
		gl[i] = gl[i] * 2 + c[i];
	for (i = 0; i < 3000; i++)
		s -= gl[i];
	printf("%ld %d %d\\n", s, w[1234], c[4321]);
	return 0;
}
`;
      const fused = countingRuns(() => outcome(src, false));
      assert.equal(fused.value.stdout, '5925882 3811 135\n');
      assert.deepEqual(fused.value, outcome(src, true));
      // Every loop but the one through gl[i % 3000] runs by pages.
      assert.equal(fused.loops, 5);
    });

    it('sums by pages near the edges: a long past 2^53 and past its wrap, an int that wraps: same output as gcc -O0, same steps', () => {
      const src = `${USER_PRELUDE}
int main(void)
{
	unsigned char *m = mmap(0, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned int *u = (unsigned int *)m;
	int *w = (int *)(m + 4096);
	long s = 9007199254740000L, r = -9223372036854775000L;
	int t = 2147483000, i;
	for (i = 0; i < 8 * 4096; i++)
		m[i] = i * 37 + 11;
	for (i = 1; i < 8 * 4096; i++)
		s += m[i];
	for (i = 0; i < 1024; i++)
		t += u[i];
	for (i = 1023; i >= 0; i--)
		r -= w[i];
	printf("%ld %ld %d\\n", s, r, t);
	return 0;
}`;
      const fused = countingRuns(() => outcome(src, false));
      assert.equal(fused.value.stdout, '9007199258917909 9223372028298788648 2113536376\n');
      assert.deepEqual(fused.value, outcome(src, true));
      assert.ok(fused.split > 10, `${fused.split} split runs`);
    });

    it('stop at every slice end with the machine exactly as plain ops leave it there (what stepping back replays)', () => {
      const src = FISSION_PROGRAM;
      /** The state after exactly `steps` ops: the top frame's pc and registers, and memory. */
      const stateAt = (plain: boolean, steps: number) => {
        const s = makeSession({ programs: { 'p.c': src }, maxSteps: 5e7 });
        if (plain) s.kernel.exec.stmtProbe = () => undefined;
        while (s.kernel.exec.steps < steps) {
          const before = s.kernel.exec.steps;
          const budget = Math.min(steps - before, 97 + (before % 13));
          if (s.run(budget) === 'done') break;
          assert.ok(s.kernel.exec.steps - before <= budget, 'a slice ran past its end');
        }
        const top = s.currentTask?.thread.top;
        const mem = s.kernel.mem;
        let h = 0;
        for (let pfn = 0; pfn < mem.frameCount; pfn++) {
          const f = mem.peekFrame(pfn);
          if (f) for (let i = 0; i < f.length; i += 4) h = (Math.imul(h, 31) + (f[i] | (f[i + 1] << 8) | (f[i + 2] << 16) | (f[i + 3] << 24))) | 0;
        }
        return { steps: s.kernel.exec.steps, pc: top?.kind === 'c' ? top.pc : -1, regs: top?.kind === 'c' ? top.regs.map(String) : [], mem: h };
      };
      for (const steps of [40_000, 123_457, 300_001, 555_555]) assert.deepEqual(stateAt(false, steps), stateAt(true, steps), `at ${steps} ops`);
    });

    it('fission rules: registers passed between ops, traps, and accesses that overlap across iterations', () => {
      const op = (reads: number[], writes: number[], trapFree = true) => ({ reads, writes, trapFree });
      // Slot 0 is the counter.
      assert.equal(fissionLegal([op([0, 1], []), op([2, 0], [2])], 0), true);
      assert.equal(fissionLegal([op([0], [3]), op([3], [])], 0), false, 'a register one op writes and a later one reads');
      assert.equal(fissionLegal([op([3], []), op([], [3])], 0), false, 'a register one op reads and a later one writes');
      assert.equal(fissionLegal([op([0], [3]), op([], [3])], 0), false, 'two ops writing one register');
      assert.equal(fissionLegal([op([0], [], false), op([], [4])], 0), false, 'an op that may trap');
      assert.equal(fissionLegal([op([0], [0])], 0), false, 'an op writing the counter');
      const site = (opIndex: number, p: number, scale: number, sizeBytes: number, write: boolean) => {
        const s = new RunSite(1, 0, scale, sizeBytes, write);
        s.op = opIndex;
        s.p = p;
        s.va0 = p;
        return s;
      };
      // The same element at every iteration (the bench's buf[i] = v; s += buf[i]).
      assert.equal(separable([site(0, 0x1000, 1, 1, true), site(1, 0x1000, 1, 1, false)], 100, 1), true);
      // One element further on: the store reaches what a later iteration loads.
      assert.equal(separable([site(0, 0x1000, 1, 1, true), site(1, 0x1001, 1, 1, false)], 100, 1), false);
      assert.equal(separable([site(0, 0x1000, 1, 1, true), site(1, 0x1001, 1, 1, false)], 1, 1), true);
      // The same pointer seen as ints and as chars: not the same element.
      assert.equal(separable([site(0, 0x1000, 4, 4, true), site(1, 0x1000, 1, 1, false)], 100, 1), false);
      // Disjoint ranges, counting down; two loads never conflict.
      assert.equal(separable([site(0, 0x2000, 8, 8, true), site(1, 0x1000, 8, 8, false)], 0x200, -1), true);
      assert.equal(separable([site(0, 0x1000, 1, 1, false), site(1, 0x1001, 1, 1, false)], 100, 1), true);
    });

    it('start: how many iterations stay in the page, and a page refused twice is skipped', () => {
      const tlb = new Tlb();
      const frame = new Uint8Array(4096);
      const cpu = { tlb } as unknown as Cpu;
      const base = 0x10000000;
      const fillPage = (vpn: number, writable: boolean) => {
        tlb.fill(vpn, { pfn: 5, writable, user: true, nx: false, global: false, dirty: true, pageShift: 12, entryPas: [] }, frame, new DataView(frame.buffer), false);
      };
      const site = new RunSite(1, 0, 4, 4, true);
      const up = new PageRunPlan(cpu, 2, [site], 0, 1, false);
      const down = new PageRunPlan(cpu, 2, [site], 0, -1, false);
      // Not in the TLB: one plain iteration, then asks again; a second refusal skips the page.
      assert.equal(up.start([0, base], false), -1);
      assert.equal(up.start([1, base], false), -1023);
      fillPage(base / 4096, true);
      assert.equal(up.start([0, base], false), 1024);
      assert.equal(site.off, 0);
      assert.equal(up.start([1000, base], false), 24);
      assert.equal(site.off + 1000 * 4, 4000);
      assert.equal(down.start([1000, base], false), 1001);
      // An int at 4094 straddles the page: refused.
      assert.equal(up.start([0, base + 4094], false), -1);
      // Read-only page: stores are refused (the same page twice for this site: skip it), loads are not.
      fillPage(base / 4096, false);
      assert.equal(up.start([0, base], false), -1024);
      const load = new RunSite(1, 0, 4, 4, false);
      assert.equal(new PageRunPlan(cpu, 2, [load], 0, 1, false).start([0, base], false), 1024);
      // Kernel mode reads user pages through the fast path too (no SMAP in 3.7's hardware).
      assert.equal(new PageRunPlan(cpu, 1, [load], 0, 1, false).start([0, base], false), 1024);
    });
  });
});
