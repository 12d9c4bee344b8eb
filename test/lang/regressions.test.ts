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

  it('#pragma pack(1) shapes a struct that a union overlays (csmith seed 1186)', () => {
    expectOutput(
      program(`
#pragma pack(push)
#pragma pack(1)
struct S0 { const volatile uint16_t f0; int32_t f1; const uint32_t f2; };
#pragma pack(pop)
union U3 { struct S0 f0; const int64_t f2; };
static const union U3 g = { { 0xFED3, -1, 0x79586532 } };
int main(void) {
  printf("%zu %llx\\n", sizeof(struct S0), (unsigned long long)g.f2);
  return 0;
}
`),
      '10 6532fffffffffed3\n',
    );
  });
});
