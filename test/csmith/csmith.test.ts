// Differential test against gcc -O0 on a fixed set of csmith programs: each must print the same
// checksum under kmemlab as natively. The seeds are ones whose programs finish in well under a
// second here; scripts/csmith.sh N explores fresh seeds.

import assert from 'node:assert/strict';
import { checkSeed, cleanup, haveTools } from './harness';

/** csmith 2.3.0 with CSMITH_OPTIONS; every seed from 3 to 40 whose program is quick natively. */
const SEEDS = [3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 30, 31, 33, 34, 35, 36, 37, 38, 39, 40];

const MAX_STEPS = 5e7;

describe('csmith programs agree with gcc -O0', function () {
  this.timeout(30000);
  before(function () {
    if (!haveTools()) this.skip();
  });
  after(() => cleanup());

  for (const seed of SEEDS) {
    it(`seed ${seed}`, () => {
      const v = checkSeed(seed, MAX_STEPS);
      if (v.status === 'mismatch') assert.fail(`seed ${seed}: gcc printed ${JSON.stringify(v.expected)}, kmemlab ${JSON.stringify(v.got)}${v.problem ? ` (${v.problem})` : ''}`);
      assert.equal(v.status, 'match', v.status === 'slow' ? v.detail : '');
    });
  }
});
