// integer types, conversions and overflow: whole programs whose output kmemlab must print exactly as gcc -O0 does
// (the expected text was produced by gcc; expectOutput checks it against gcc again where there is one).

import { expectOutput } from './expect';

describe("integer types, conversions and overflow", () => {
  it("unsigned wrap, signed promotion, long long, _Bool, enums, shifts and division", () => {
    expectOutput(String.raw`#include <stdio.h>
#include <stdint.h>
#include <limits.h>
int main(void) {
  unsigned u = 0; u--; printf("%u\n", u);
  int i = INT_MAX; i++; printf("%d\n", i);
  unsigned char uc = 200; uc += 100; printf("%d\n", uc);
  signed char sc = 127; sc++; printf("%d\n", sc);
  short s = -1; unsigned short us = s; printf("%d %u\n", s, us);
  printf("%d\n", -1 < 0u);
  printf("%d\n", (long)-1 < 0u);
  printf("%d\n", (unsigned char)255 + 1);
  long long ll = LLONG_MAX; ll++; printf("%lld\n", ll);
  unsigned long long ull = 0; ull--; printf("%llu %llx\n", ull, ull);
  printf("%lu\n", sizeof(long));
  _Bool b = 5; printf("%d\n", b);
  b = 0.1; printf("%d\n", b);
  int64_t x = 0x123456789abcdefLL; printf("%lld %lld\n", x * 1000, x >> 7);
  uint64_t y = 0xfedcba9876543210ULL; printf("%llu %llu %llu\n", y / 7, y % 1000, y >> 3);
  printf("%d %d\n", -7 / 2, -7 % 2);
  printf("%ld\n", (long)(int)0x80000000u);
  unsigned int sh = 1u << 31; printf("%u\n", sh >> 31);
  int neg = -16; printf("%d\n", neg >> 2);
  printf("%d\n", (int)(char)0x1ff);
  printf("%u\n", (unsigned)(-3.7 + 10));
  printf("%d\n", (int)-3.7);
  long l = -5; unsigned long ul = l; printf("%lu\n", ul);
  printf("%d\n", 'a' + 1);
  uint32_t a32 = 0xffffffff; uint32_t b32 = a32 * a32; printf("%u\n", b32);
  int32_t m = -2147483647 - 1; printf("%d\n", m / 1 );
  uint8_t z = 3; z = z - 5; printf("%u\n", z);
  uint16_t w = 65535; w <<= 1; printf("%u\n", w);
  printf("%d\n", (short)40000);
  printf("%lld\n", (long long)1 << 62);
  printf("%llu\n", 18446744073709551615ULL / 3);
  int64_t big = -9223372036854775807LL - 1; printf("%lld %lld\n", big, big / -2);
  printf("%d\n", 7 ^ 3 | 8 & 12);
  enum { A, B = 5, C } e = C; printf("%d %d\n", e, sizeof(e));
  enum neg { N = -1 } ne = N; printf("%d\n", ne < 0);
  printf("%x\n", ~0u >> 4);
  unsigned long long mix = 3000000000u * 3u; printf("%llu\n", mix);
  printf("%lld\n", 3000000000LL * 3);
  return 0;
}
`, "4294967295\n-2147483648\n44\n-128\n-1 65535\n0\n1\n256\n-9223372036854775808\n18446744073709551615 ffffffffffffffff\n8\n1\n1\n8198552921648688536 640511947003803\n2623536934927580674 720 2295594818061633090\n-3 -1\n-2147483648\n1\n-4\n-1\n6\n-3\n18446744073709551611\n98\n1\n-2147483648\n254\n65534\n-25536\n4611686018427387904\n6148914691236517205\n-9223372036854775808 4611686018427387904\n12\n6 4\n1\nfffffff\n410065408\n9000000000\n");
  });

});
