// Bugs found by the csmith differential test (and elsewhere), each reduced to a small program.

import { expectOutput, program } from './expect';

describe('regressions', () => {
  it('a struct-valued ?: or comma without side effects is an object (csmith seeds 4, 16, 24)', () => {
    expectOutput(
      program(`
struct S { int f; long g; };
struct S a = { 1, 2 }, b = { 3, 4 };
int main(void) {
  int c = 0;
  long x = (c ? a : b).g;
  int y = (c, a).f;
  struct S z = c ? a : b;
  printf("%ld %d %d\\n", x, y, (c + 1 ? a : b).f + z.f);
  return 0;
}
`),
      '4 1 4\n',
    );
  });
});
