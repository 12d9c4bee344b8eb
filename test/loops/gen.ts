/**
 * Random C programs made of the loops the fused-loop machinery reasons about (lang/fuse.ts,
 * hoist.ts, pagerun.ts, fission.ts): counted loops over pointers into one mmapped buffer, up or
 * down, with bodies of stores, running sums and registers passed between statements, pointers
 * that overlap each other one element ahead or behind, of every integer width and double.
 *
 * The programs stay clear of what C leaves undefined and gcc -O0 might do differently: int
 * arithmetic wraps (the harness compiles with -fwrapv), nothing is shifted, every division is by
 * a constant other than 0 and -1, doubles live in their own part of the buffer and are only
 * scaled by 0.5 or 2 (no NaN can appear), and every access stays inside the buffer.
 */

/** A small deterministic generator (mulberry32), so a seed names a program. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INT_TYPES = ['char', 'unsigned char', 'short', 'int', 'unsigned int', 'long'] as const;
const SIZE: Record<string, number> = { char: 1, 'unsigned char': 1, short: 2, int: 4, 'unsigned int': 4, long: 8, double: 8 };

/** Bytes of the buffer: integers in the first part, doubles in the second. */
const INT_REGION = 40 * 4096;
const DOUBLE_REGION = 24 * 4096;
const MAX_COUNT = 6000;

interface Ptr {
  name: string;
  type: string;
  global: boolean;
}

/**
 * The program of a seed: a user program, or (`kernel`) a driver doing the same in its init over
 * a vmalloc'd buffer (for odd seeds kmalloc'd, its last page shared with KASAN's poison beyond
 * the object, so accesses there are checked), without doubles,
 * printing with pr_info — and for gcc (`native`), the same loops in a user program printing
 * exactly the driver's line.
 */
export function loopProgram(seed: number, kernel = false, native = false): string {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

  const ptrs: Ptr[] = [];
  const decls: string[] = [];
  const globals: string[] = [];
  const nInt = int(2, 4);
  let base = int(0, 3000);
  for (let k = 0; k < nInt; k++) {
    const type = pick(INT_TYPES);
    const name = `p${k}`;
    const global = r() < 0.3;
    // Often a neighbour of the previous pointer (one element ahead or behind, or the same).
    const off = k > 0 && r() < 0.5 ? Math.max(0, base + pick([-SIZE[type], 0, SIZE[type], 1, -1])) : int(0, INT_REGION - MAX_COUNT * 8 - 16);
    base = off;
    if (global) {
      globals.push(`static ${type} *${name};`);
      decls.push(`\t${name} = (${type} *)(m + ${off});`);
    } else decls.push(`\t${type} *${name} = (${type} *)(m + ${off});`);
    ptrs.push({ name, type, global });
  }
  // Sometimes an array of its own, indexed as buf[i]: global (its address a constant), or in a
  // user program local to main (at a fixed place in its frame; a driver's stack is too small).
  const arrays: Ptr[] = [];
  const where = r();
  if (where < 0.5) {
    const type = pick(INT_TYPES);
    const local = where < 0.2 && !kernel;
    const name = local ? 'l0' : 'g0';
    if (local) decls.unshift(`\t${type} ${name}[${MAX_COUNT + 1}];`);
    else globals.push(`static ${type} ${name}[${MAX_COUNT + 1}];`);
    arrays.push({ name, type, global: !local });
    ptrs.push(arrays[0]);
  }
  const dptrs: string[] = [];
  for (let k = 0; k < (kernel ? 0 : int(1, 2)); k++) {
    const off = INT_REGION + 8 * int(0, (DOUBLE_REGION - MAX_COUNT * 8) / 8 - 1);
    decls.push(`\tdouble *q${k} = (double *)(m + ${off});`);
    dptrs.push(`q${k}`);
  }

  const iexpr = (depth: number): string => {
    const leaf = () => pick([() => 'i', () => String(int(-9, 99)), () => pick(['t0', 't1']), () => `${pick(ptrs).name}[i]`])();
    if (depth === 0 || r() < 0.35) return leaf();
    const op = pick(['+', '-', '*', '^', '&', '|', '/', '%']);
    if (op === '/' || op === '%') return `(${iexpr(depth - 1)} ${op} ${pick([3, 7, 26, -5])})`;
    return `(${iexpr(depth - 1)} ${op} ${iexpr(depth - 1)})`;
  };
  const dexpr = (): string => pick([() => `${pick(dptrs)}[i] * 0.5`, () => `i * 0.25`, () => `${pick(dptrs)}[i] + ${int(0, 9)}.5`, () => `(double)${iexpr(1)}`])();
  const integer = [
    () => `${pick(ptrs).name}[i] = ${iexpr(2)};`,
    () => `${pick(['s0', 's1'])} ${pick(['+=', '-='])} ${pick(ptrs).name}[i];`,
    () => `${pick(['t0', 't1'])} ${pick(['+=', '-='])} ${pick(ptrs).name}[i];`,
    () => `${pick(['s0', 's1'])} += ${iexpr(2)};`,
    () => `${pick(['t0', 't1'])} = ${iexpr(2)};`,
  ];
  const floating = [() => `${pick(dptrs)}[i] = ${dexpr()};`, () => `d0 += ${pick(dptrs)}[i];`];
  const statement = (): string => pick(kernel ? integer : [...integer, ...floating])();

  const loops: string[] = [];
  for (let k = 0; k < int(3, 6); k++) {
    const lo = int(0, 200);
    const hi = lo + int(1, MAX_COUNT - 200);
    const head = pick([
      `for (i = ${lo}; i < ${hi}; i++)`,
      `for (i = ${lo}; i <= ${hi - 1}; i++)`,
      `for (i = ${lo}; i != ${hi}; i++)`,
      `for (i = ${hi - 1}; i >= ${lo}; i--)`,
      `for (i = ${hi - 1}; i > ${lo - 1}; i--)`,
    ]);
    const body = Array.from({ length: int(1, 3) }, statement);
    loops.push(`\t${head} {\n${body.map((s) => `\t\t${s}\n`).join('')}\t}`);
  }

  const size = kernel ? INT_REGION : INT_REGION + DOUBLE_REGION;
  const fill = [`\tfor (i = 0; i < ${INT_REGION}; i++)\n\t\tm[i] = i * 7 + 3;`];
  for (const a of arrays) fill.push(`\tfor (i = 0; i <= ${MAX_COUNT}; i++)\n\t\t${a.name}[i] = i * 13 - 5000;`);
  if (!kernel) fill.push(`\tfor (i = 0; i < ${DOUBLE_REGION / 8}; i++)\n\t\t((double *)(m + ${INT_REGION}))[i] = i * 0.125;`);
  const vars = `\tlong s0 = 0, s1 = 0;
\tint t0 = 1, t1 = 2, i;
${kernel ? '' : '\tdouble d0 = 0;\n'}\tunsigned long h = 0;
${decls.join('\n')}
${fill.join('\n')}
${loops.join('\n')}
\tfor (i = 0; i < ${size}; i++)
\t\th = h * 31 + m[i];${arrays.map((a) => `\n\tfor (i = 0; i <= ${MAX_COUNT}; i++)\n\t\th = h * 31 + ${a.name}[i];`).join('')}`;
  if (!kernel) {
    return `#include <stdio.h>
#include <sys/mman.h>
${globals.join('\n')}
int main(void)
{
\tunsigned char *m = mmap(0, ${size}, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
${vars}
\tprintf("%ld %ld %d %d %.4f %lu\\n", s0, s1, t0, t1, d0, h);
\treturn 0;
}
`;
  }
  const line = '"%ld %ld %d %d %lu\\n", s0, s1, t0, t1, h';
  if (native) {
    return `#include <stdio.h>
#include <stdlib.h>
${globals.join('\n')}
int main(void)
{
\tunsigned char *m = malloc(${size});
${vars}
\tprintf(${line});
\treturn 0;
}
`;
  }
  return `#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
${globals.join('\n')}
static int __init loops_init(void)
{
\tunsigned char *m = ${seed % 2 ? `(unsigned char *)kmalloc(${size} + 2000, GFP_KERNEL) + 2000` : `vmalloc(${size})`};
${vars}
\tpr_info(${line});
\t${seed % 2 ? 'kfree(m - 2000)' : 'vfree(m)'};
\treturn 0;
}
static void __exit loops_exit(void)
{
}
module_init(loops_init);
module_exit(loops_exit);
MODULE_LICENSE("GPL");
`;
}
