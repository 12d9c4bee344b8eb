/**
 * npm run bench: speed figures measured in one run, printed as ratios against a reference
 * measured in the same run (gcc -O0 on this machine), never asserted.
 *
 *  - driver: a module fills a 4 MiB vmalloc buffer byte by byte (every store through the MMU);
 *  - user:   a program fills a 4 MiB mmapped buffer the same way;
 *  - native: the same loop compiled by gcc -O0.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../helpers/run';

const N = 4 << 20;

function driverLoop(n: number): string {
  return `#include <linux/module.h>
#include <linux/vmalloc.h>
static char *buf;
static int __init fill_init(void)
{
	int i;
	long s = 0;
	buf = vmalloc(${N});
	for (i = 0; i < ${n}; i++) {
		buf[i] = 'a' + i % 26;
		s += buf[i];
	}
	pr_info("sum %ld\\n", s);
	return 0;
}
module_init(fill_init);
MODULE_LICENSE("GPL");
`;
}

function userLoop(n: number): string {
  return `#include <stdio.h>
#include <sys/mman.h>
int main(void)
{
	char *buf = mmap(0, ${N}, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long s = 0;
	int i;
	for (i = 0; i < ${n}; i++) {
		buf[i] = 'a' + i % 26;
		s += buf[i];
	}
	printf("sum %ld\\n", s);
	return 0;
}
`;
}

function seconds(f: () => void): number {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** Iterations per second of the loop: a full run minus the same run with an empty loop. */
function emulated(make: (n: number) => Record<string, string>, kind: 'drivers' | 'programs'): { rate: number; steps: number } {
  const once = (n: number) => {
    let steps = 0;
    const t = seconds(() => {
      steps = run({ [kind]: make(n), maxSteps: 1e9 }).steps;
    });
    return { t, steps };
  };
  once(N);
  const empty = Math.min(...[0, 1, 2].map(() => once(0).t));
  const full = [0, 1, 2].map(() => once(N));
  const best = Math.min(...full.map((x) => x.t));
  return { rate: N / Math.max(best - empty, 1e-6), steps: full[0].steps };
}

export function gccFillRate(): number | undefined {
  if (spawnSync('gcc', ['--version']).status !== 0) {
    // The bench installs gcc when it can (Debian): the figure needs a native reference.
    spawnSync('bash', ['-c', 'command -v apt-get >/dev/null && (apt-get install -y -qq gcc >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq gcc))'], { stdio: 'ignore' });
    if (spawnSync('gcc', ['--version']).status !== 0) return undefined;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmemlab-bench-'));
  const src = path.join(dir, 'fill.c');
  fs.writeFileSync(
    src,
    `#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int main(void)
{
	char *buf = malloc(${N});
	long s = 0;
	int i, r;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (r = 0; r < 20; r++)
		for (i = 0; i < ${N}; i++) {
			buf[i] = 'a' + i % 26;
			s += buf[i];
		}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%f %ld\\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9, s);
	return 0;
}
`,
  );
  execFileSync('gcc', ['-O0', '-o', path.join(dir, 'fill'), src]);
  const out = execFileSync(path.join(dir, 'fill'), { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  return (20 * N) / Number(out.split(' ')[0]);
}

function fmt(x: number): string {
  return x.toExponential(2);
}

function main(): void {
  const drv = emulated((n) => ({ 'fill.c': driverLoop(n) }), 'drivers');
  const usr = emulated((n) => ({ 'fill.c': userLoop(n) }), 'programs');
  const native = gccFillRate();
  console.log("fill loop `buf[i] = 'a' + i % 26; s += buf[i];` over 4 MiB, iterations per second");
  console.log(`  driver, vmalloc buffer (kmemlab)  ${fmt(drv.rate)}   (${drv.steps} ops in the run)`);
  console.log(`  user, mmapped buffer (kmemlab)    ${fmt(usr.rate)}`);
  if (native) {
    console.log(`  gcc -O0 native                    ${fmt(native)}`);
    console.log(`  ratio native / kmemlab: driver ${(native / drv.rate).toFixed(1)}x, user ${(native / usr.rate).toFixed(1)}x   (targets: >= 1e7 it/s, within 50x)`);
  } else console.log('  gcc -O0 native                    (gcc not available)');
}

if (require.main === module) main();
