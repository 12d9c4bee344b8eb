// Random loop programs (gen.ts) agree with gcc -O0, and fused loops with plain ops: page runs,
// op-by-op runs, hoisted pointers and overlapping pointers on a fixed set of seeds.
// scripts/loopfuzz.sh N explores fresh seeds.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cleanup } from '../csmith/harness';
import { checkLoopSeed } from './check';

describe('random loop programs agree with gcc -O0 and with plain ops', function () {
  this.timeout(30000);
  before(function () {
    if (spawnSync('gcc', ['--version']).status !== 0) this.skip();
  });
  after(() => cleanup());

  for (let seed = 1; seed <= 40; seed++) {
    it(`seed ${seed}`, () => {
      const v = checkLoopSeed(seed, seed % 4 === 0);
      if (!v.ok) assert.fail(`seed ${seed}: ${v.why}\n${v.source}`);
    });
  }
  // On i386 (ILP32 pointers, 32-bit long): fused against plain ops.
  for (let seed = 1; seed <= 12; seed++) {
    it(`seed ${seed} on i386`, () => {
      const v = checkLoopSeed(seed, true, seed % 2 === 0, 'i386');
      if (!v.ok) assert.fail(`seed ${seed} (i386): ${v.why}\n${v.source}`);
    });
  }
  // The same kind of loops in a driver over vmalloc'd memory (kernel mode, hoisted globals).
  for (let seed = 1; seed <= 20; seed++) {
    it(`seed ${seed} as a driver`, () => {
      const v = checkLoopSeed(seed, seed % 4 === 0, true);
      if (!v.ok) assert.fail(`seed ${seed} (driver): ${v.why}\n${v.source}`);
    });
  }
});
