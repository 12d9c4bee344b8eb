// float and double in user programs: whole programs whose output kmemlab must print exactly as gcc -O0 does
// (the expected text was produced by gcc; expectOutput checks it against gcc again where there is one).

import { expectOutput } from './expect';

describe("float and double in user programs", () => {
  it("arithmetic, conversions, printf formats, math.h, structs of floats by value", () => {
    expectOutput(String.raw`#include <stdio.h>
#include <math.h>
struct v { float x, y; double z; };
float scale(float f, int k) { return f * k; }
double dot(struct v a, struct v b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
int main(void) {
  float f = 0.1f; double d = 0.1;
  printf("%.10f %.17g %d\n", f, d, f == d);
  printf("%f %e %g\n", 1.0 / 3, 12345.678, 0.0001234);
  float acc = 0; for (int i = 0; i < 10; i++) acc += 0.1f; printf("%.9g\n", acc);
  double dacc = 0; for (int i = 0; i < 10; i++) dacc += 0.1; printf("%.17g\n", dacc);
  printf("%d %u %ld\n", (int)2.9, (unsigned)3.99e9, (long)-1e15);
  printf("%f\n", scale(1.5f, 3));
  struct v a = { 1, 2, 3 }, b = { 4, 5, 6 }; printf("%g\n", dot(a, b));
  printf("%.3f %.3f %.3f\n", sqrt(2.0), fabs(-3.5), floor(-2.5));
  printf("%d %d\n", 1.0 / 0.0 > 1e308, (0.0 / 0.0) != (0.0 / 0.0));
  float h = 16777217; printf("%.1f\n", h);
  double x = 1e300 * 1e10; printf("%f %f\n", x, -x);
  int i = 7; double r = i / 2; double r2 = i / 2.0; printf("%g %g\n", r, r2);
  long long big = 9007199254740993LL; double bd = big; printf("%.0f\n", bd);
  unsigned long long ub = 18446744073709551615ULL; printf("%.0f %llu\n", (double)ub, (unsigned long long)1.8e19);
  float ff = 3.0f; ff /= 7; printf("%.8f\n", ff);
  printf("%d\n", 0.1 + 0.2 == 0.3);
  printf("%.2f %.2f\n", (float)1 / 3 * 3, 2.5f * 2);
  double arr[3] = { 1.5, [2] = 2.5 }; printf("%g %g %g\n", arr[0], arr[1], arr[2]);
  float fa[2]; fa[0] = 1e-40f; printf("%g\n", fa[0]);
  printf("%a\n", 1.0);
  char c = 65.7; printf("%c\n", c);
  _Bool bb = 0.0; printf("%d\n", bb);
  double neg = -0.0; printf("%g %d\n", neg, neg == 0);
  printf("%f\n", (double)(float)1.1);
  return 0;
}
`, "0.1000000015 0.10000000000000001 0\n0.333333 1.234568e+04 0.0001234\n1.00000012\n0.99999999999999989\n2 3990000000 -1000000000000000\n4.500000\n32\n1.414 3.500 -3.000\n1 1\n16777216.0\ninf -inf\n3 3.5\n9007199254740992\n18446744073709551616 18000000000000000000\n0.42857143\n0\n1.00 5.00\n1.5 0 2.5\n9.99995e-41\n0x1p+0\nA\n0\n-0 1\n1.100000\n");
  });

});
