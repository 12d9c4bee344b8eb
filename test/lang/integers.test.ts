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

  it('the one-call fast paths (register and constant operands, p[i] with registers, globals indexed by a register) compute what the general closures do', () => {
    expectOutput(String.raw`#include <stdio.h>
#include <limits.h>
static int garr[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static long *gp;
static long gbuf[4] = { 10, 20, 30, 40 };
int main(void) {
  int vals[] = { 0, 1, -1, 7, -7, 26, -26, INT_MAX, INT_MIN, 123456789, -987654321 };
  long acc = 0;
  for (int k = 0; k < 11; k++) {
    int x = vals[k], y = vals[(k + 3) % 11];
    acc = acc * 31 + (x + 5) + (x - 5) + x * 3 + (x & 12) + (x | 12) + (x ^ 12) + (x << 3) + (x >> 3);
    acc = acc * 31 + x % 26 + x / 26 + x % -7 + x / -7 + (x << 35) + (x >> 33);
    acc = acc * 31 + (7 + x) + (7 - x) + 7 * x + (7 & x) + (x + y) + (x - y) + x * y + (x & y) + (x | y) + (x ^ y);
    acc = acc * 31 + (x < 5) + (5 < x) + (x <= y) + (x > y) + (x >= 5) + (x == y) + (x != 7);
    unsigned ux = x, uy = y;
    acc = acc * 31 + (ux < uy) + (ux > 5u) + ux % 26 + ux / 7;
    long lx = x; unsigned long ulx = lx;
    acc = acc * 31 + (lx < -5) + (ulx > 5) + (ulx < 10);
    long long big = (long long)x << 40;
    acc = acc * 31 + (big < 0) + (big > (1LL << 50)) + (big == (long long)x << 40);
  }
  printf("%ld\n", acc);
  int a[10]; long la[10]; double da[10]; unsigned char ua[10];
  int *p = a + 5; long *lp = la + 5; double *dp = da + 5; unsigned char *up = ua + 5;
  for (int i = -5; i < 5; i++) { p[i] = i * 1000; lp[i] = (long)i << 40; dp[i] = i / 4.0; up[i] = i * 50; }
  long s = 0; double ds = 0;
  for (int i = -5; i < 5; i++) { s += p[i] + lp[i] + up[i]; ds += dp[i]; }
  printf("%ld %g\n", s, ds);
  gp = gbuf;
  for (int i = 0; i < 4; i++) { gp[i] += garr[i] * 2; s += gp[i] + garr[i + 4]; }
  printf("%ld %ld\n", s, gbuf[3]);
  unsigned long long u = 0; for (int i = 0; i < 70; i++) u += 0xfffffffffffULL; printf("%llu\n", u);
  long long neg = 0; for (int i = 0; i < 10; i++) neg -= 1000000000000LL; printf("%lld\n", neg);
  char *cp = (char *)ua; for (int i = 0; i < 10; i++) cp++; printf("%d\n", (int)(cp - (char *)ua));
  return 0;
}
`, "-7443307826190504071\n-5497558142850 -1.25\n-5497558142704 48\n1231453023109050\n-10000000000000\n10\n");
  });
});
