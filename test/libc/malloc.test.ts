import assert from 'node:assert/strict';
import { runC } from './gcc';
import { BRK_START, SIGABRT, SIGSEGV, TestMachine } from './machine';

// One step of an allocation script, run both by the host's glibc and by kmemlab's libc.
type Op =
  | { op: 'malloc'; id: number; size: number }
  | { op: 'calloc'; id: number; n: number; size: number }
  | { op: 'realloc'; id: number; from: number; size: number }
  | { op: 'memalign'; id: number; align: number; size: number }
  | { op: 'free'; id: number };

const malloc = (id: number, size: number): Op => ({ op: 'malloc', id, size });
const free = (id: number): Op => ({ op: 'free', id });

/** The C program: each allocation's offset from the initial break (or "M" when mmapped) and its size word, then the final break. */
function scriptToC(ops: Op[]): string {
  const body = ops.map((o) => {
    switch (o.op) {
      case 'malloc': return `p[${o.id}] = malloc(${o.size}); note(p[${o.id}]);`;
      case 'calloc': return `p[${o.id}] = calloc(${o.n}, ${o.size}); note(p[${o.id}]);`;
      case 'realloc': return `p[${o.id}] = realloc(p[${o.from}], ${o.size}); note(p[${o.id}]);`;
      case 'memalign': return `posix_memalign(&p[${o.id}], ${o.align}, ${o.size}); note(p[${o.id}]);`;
      case 'free': return `free(p[${o.id}]);`;
    }
  });
  return `#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
static void *p[64]; static char *b0; static char out[65536]; static int len;
static void note(void *q) {
  char *c = q;
  if (!c) { len += sprintf(out + len, "NULL\\n"); return; }
  if (c >= b0 && c < (char *)sbrk(0)) len += sprintf(out + len, "%#lx %#lx\\n", (long)(c - b0), ((unsigned long *)c)[-1]);
  else len += sprintf(out + len, "M %#lx\\n", ((unsigned long *)c)[-1]);
}
int main(void) {
  b0 = sbrk(0);
  ${body.join('\n  ')}
  len += sprintf(out + len, "brk %#lx\\n", (long)((char *)sbrk(0) - b0));
  fputs(out, stdout);
  return 0;
}
`;
}

function runScript(ops: Op[]): string {
  const m = new TestMachine();
  const p = new Map<number, number>();
  const lines: string[] = [];
  const note = (q: number) => {
    if (q === 0) lines.push('NULL');
    else {
      const size = '0x' + m.word(q - 8).toString(16);
      if (q >= BRK_START && q < m.brk) lines.push(`0x${(q - BRK_START).toString(16)} ${size}`.replace(/^0x0 /, '0 '));
      else lines.push(`M ${size}`);
    }
  };
  for (const o of ops) {
    switch (o.op) {
      case 'malloc': p.set(o.id, Number(m.v('malloc', [o.size]))); break;
      case 'calloc': p.set(o.id, Number(m.v('calloc', [o.n, o.size]))); break;
      case 'realloc': p.set(o.id, Number(m.v('realloc', [p.get(o.from) ?? 0, o.size]))); break;
      case 'memalign': {
        const slot = m.reserve(8, 8);
        m.v('posix_memalign', [slot, o.align, o.size]);
        p.set(o.id, m.word(slot));
        break;
      }
      case 'free': m.v('free', [p.get(o.id) ?? 0]); continue;
    }
    note(p.get(o.id)!);
  }
  lines.push(`brk 0x${(m.brk - BRK_START).toString(16)}`.replace('0x0', '0'));
  return lines.join('\n') + '\n';
}

const SCRIPTS: Record<string, Op[]> = {
  'request sizes and alignment': [0, 1, 24, 25, 40, 100, 1000, 1032, 1033, 5000].map((s, i) => malloc(i, s)),
  'tcache is LIFO per size': [malloc(0, 24), malloc(1, 24), malloc(2, 24), malloc(9, 24), free(0), free(1), free(2), malloc(3, 24), malloc(4, 24), malloc(5, 24)],
  'full tcache spills to fastbins, refilled on the way back': [
    ...Array.from({ length: 10 }, (_, i) => malloc(i, 40)), malloc(20, 40),
    ...Array.from({ length: 10 }, (_, i) => free(i)),
    ...Array.from({ length: 10 }, (_, i) => malloc(30 + i, 40)),
  ],
  'large frees coalesce and are reused best fit': [
    malloc(0, 2000), malloc(1, 2000), malloc(2, 2000), malloc(3, 100),
    free(1), free(0), malloc(4, 3500), malloc(5, 400), free(2), malloc(6, 1500),
  ],
  'realloc grows in place, moves, shrinks': [
    malloc(0, 100), realloc(1, 0, 200), malloc(2, 50), realloc(3, 1, 5000), realloc(4, 3, 100), malloc(5, 2000), realloc(6, 2, 60),
  ],
  'calloc does not take from the tcache': [malloc(0, 24), free(0), { op: 'calloc', id: 1, n: 3, size: 8 }, malloc(2, 24)],
  'mmap threshold and its dynamic raise': [
    malloc(0, 200000), free(0), malloc(1, 200000), malloc(2, 100), free(1), malloc(3, 300000), malloc(4, 4 * 1024 * 1024), free(4), malloc(5, 20),
  ],
  'the top is trimmed after a big free': [malloc(0, 50000), malloc(1, 100000), malloc(2, 300000), free(2), free(1), malloc(3, 10)],
  'posix_memalign splits leader and tail': [
    malloc(0, 10), { op: 'memalign', id: 1, align: 64, size: 100 }, { op: 'memalign', id: 2, align: 4096, size: 10 }, malloc(3, 30), malloc(4, 5000),
  ],
};

function realloc(id: number, from: number, size: number): Op {
  return { op: 'realloc', id, from, size };
}

describe('libc malloc', () => {
  it('places the first chunk after the tcache struct and grows the heap by 132 KiB', () => {
    const m = new TestMachine();
    assert.equal(m.v('malloc', [16]), BRK_START + 0x2a0);
    assert.equal(m.brk - BRK_START, 0x21000);
    assert.equal(m.word(BRK_START + 8), 0x291, 'the tcache_perthread_struct chunk, PREV_INUSE');
  });

  it('leaves glibc 2.36 marks in freed tcache chunks: safe-linked next and the key', () => {
    const m = new TestMachine();
    const a = Number(m.v('malloc', [24]));
    const b = Number(m.v('malloc', [24]));
    m.v('free', [a]);
    m.v('free', [b]);
    // b->next = (&b->next >> 12) ^ a; key = tcache struct address.
    assert.equal(BigInt(m.word(b)) ^ BigInt(Math.floor(b / 4096)), BigInt(a));
    assert.equal(m.word(b + 8), BRK_START + 0x10);
    assert.equal(m.v('malloc', [24]), b);
    assert.equal(m.word(b + 8), 0, 'tcache_get clears the key');
    assert.equal(m.i32(BRK_START + 0x10) & 0xffff, 1, 'counts[0] in the tcache struct');
  });

  for (const [name, ops] of Object.entries(SCRIPTS)) {
    it(`matches glibc: ${name}`, function () {
      const c = runC(scriptToC(ops));
      if (c === undefined) this.skip();
      assert.equal(runScript(ops), c!.stdout);
    });
  }

  it('aborts with glibc\'s message on a bad free', () => {
    const m = new TestMachine();
    const a = Number(m.v('malloc', [32]));
    const r = m.call('free', [a + 8]);
    assert.equal(r.signal, SIGABRT);
    assert.equal(m.output(2), 'free(): invalid pointer\n');
  });

  it('detects a double free through the tcache key', () => {
    const m = new TestMachine();
    const a = Number(m.v('malloc', [32]));
    m.v('free', [a]);
    assert.equal(m.call('free', [a]).signal, SIGABRT);
    assert.equal(m.output(2), 'free(): double free detected in tcache 2\n');
  });

  it('detects a double free of a fastbin top', () => {
    const m = new TestMachine();
    const ps = Array.from({ length: 8 }, () => Number(m.v('malloc', [32])));
    for (const q of ps) m.v('free', [q]);
    assert.equal(m.call('free', [ps[7]]).signal, SIGABRT);
    assert.equal(m.output(2), 'double free or corruption (fasttop)\n');
  });

  it('notices an overflow into the next chunk when that chunk is freed, as glibc does', function () {
    const c = runC(`#include <stdlib.h>
#include <string.h>
int main(void) { char *a = malloc(2000), *b = malloc(2000); malloc(10); memset(a, 0x41, 2016); free(b); return 0; }`);
    if (c === undefined) this.skip();
    const m = new TestMachine();
    const a = Number(m.v('malloc', [2000]));
    const b = Number(m.v('malloc', [2000]));
    m.v('malloc', [10]);
    m.v('memset', [a, 0x41, 2016]);
    assert.equal(m.call('free', [b]).signal, SIGABRT);
    assert.equal(c!.signal, 'SIGABRT');
    assert.equal(m.output(2), c!.stderr);
  });

  it('notices a clobbered prev_size when coalescing backwards', () => {
    const m = new TestMachine();
    const a = Number(m.v('malloc', [2000]));
    const b = Number(m.v('malloc', [2000]));
    m.v('malloc', [10]);
    m.v('free', [a]);
    m.poke(b - 16, [0x10, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(m.call('free', [b]).signal, SIGABRT);
    assert.equal(m.output(2), 'corrupted size vs. prev_size while consolidating\n');
  });

  it('frees an mmapped chunk with munmap: the pages are gone', () => {
    const m = new TestMachine();
    const a = Number(m.v('malloc', [1 << 20]));
    m.v('memset', [a, 1, 16]);
    m.v('free', [a]);
    assert.equal(m.call('memset', [a, 1, 16]).signal, SIGSEGV);
  });

  it('returns NULL with ENOMEM past PTRDIFF_MAX and when the break cannot grow', () => {
    const m = new TestMachine();
    const errno = Number(m.v('__errno_location'));
    assert.equal(m.v('malloc', [-1]), 0);
    assert.equal(m.i32(errno), 12);
    m.poke(errno, [0, 0, 0, 0]);
    assert.equal(m.v('calloc', [2 ** 40, 2 ** 30]), 0);
    assert.equal(m.i32(errno), 12);
  });

  it('calloc zeroes recycled memory', () => {
    const m = new TestMachine();
    const a = Number(m.v('malloc', [3000]));
    m.v('malloc', [10]);
    m.v('memset', [a, 0xff, 3000]);
    m.v('free', [a]);
    const b = Number(m.v('calloc', [1, 3000]));
    assert.equal(b, a);
    assert.ok(m.peek(b, 3000).every((x) => x === 0));
  });

  it('realloc(p, 0) frees and returns NULL; realloc(NULL, n) mallocs', () => {
    const m = new TestMachine();
    const a = Number(m.v('realloc', [0, 24]));
    assert.equal(a, BRK_START + 0x2a0);
    assert.equal(m.v('realloc', [a, 0]), 0);
    assert.equal(m.v('malloc', [24]), a);
  });

  it('posix_memalign rejects alignments that are not a power-of-two multiple of sizeof(void *)', () => {
    const m = new TestMachine();
    const slot = m.reserve(8, 8);
    assert.equal(m.v('posix_memalign', [slot, 24, 10]), 22);
    assert.equal(m.v('posix_memalign', [slot, 4, 10]), 22);
    assert.equal(m.v('posix_memalign', [slot, 32, 10]), 0);
    assert.equal(m.word(slot) % 32, 0);
  });
});
