// control flow, functions and GNU extensions: whole programs whose output kmemlab must print exactly as gcc -O0 does
// (the expected text was produced by gcc; expectOutput checks it against gcc again where there is one).

import { expectOutput } from './expect';

describe("control flow, functions and GNU extensions", () => {
  it("goto, case ranges, typeof, statement expressions, ?:, function pointer tables, va_list, qsort", () => {
    expectOutput(String.raw`#include <stdio.h>
#include <stdarg.h>
#include <string.h>
#include <stdlib.h>
#define max(a,b) ({ typeof(a) _a = (a); typeof(b) _b = (b); _a > _b ? _a : _b; })
static int sq(int x) { return x * x; }
static int cube(int x) { return x * x * x; }
static int (*ops[])(int) = { sq, cube };
typedef int (*binop)(int, int);
static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }
struct ops { const char *name; binop fn; } table[] = { { "add", add }, { "sub", sub } };
int vsum(int n, ...) { va_list ap; va_start(ap, n); int s = 0; for (int i = 0; i < n; i++) s += va_arg(ap, int); va_end(ap); return s; }
double vavg(int n, ...) { va_list ap; va_start(ap, n); double s = 0; for (int i = 0; i < n; i++) s += va_arg(ap, double); va_end(ap); return s / n; }
long vmix(const char *fmt, ...) { va_list ap, ap2; va_start(ap, fmt); va_copy(ap2, ap); long s = 0;
  for (const char *p = fmt; *p; p++) { if (*p == 'l') s += va_arg(ap, long); else if (*p == 'p') s += *va_arg(ap, int *); else s += va_arg(ap, int); }
  s += va_arg(ap2, int); va_end(ap2); va_end(ap); return s; }
void logf_(char *buf, const char *fmt, ...) { va_list ap; va_start(ap, fmt); vsprintf(buf, fmt, ap); va_end(ap); }
int classify(int c) {
  switch (c) {
  case '0' ... '9': return 1;
  case 'a' ... 'z': case 'A' ... 'Z': return 2;
  case ' ': return 3;
  default: return 0;
  }
}
int fact(int n) { return n <= 1 ? 1 : n * fact(n - 1); }
int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
int main(void) {
  int i = 0;
again:
  i++;
  if (i < 5) goto again;
  printf("%d\n", i);
  printf("%d %d\n", max(3, 7), max(-1L, -5L));
  printf("%d %d\n", ops[0](5), ops[1](3));
  for (unsigned k = 0; k < sizeof table / sizeof table[0]; k++) printf("%s=%d ", table[k].name, table[k].fn(10, 3));
  printf("\n%d %.2f %ld\n", vsum(4, 1, 2, 3, 4), vavg(3, 1.0, 2.0, 4.5), vmix("ilp", 5, 1L << 40, &i));
  char buf[64]; logf_(buf, "%s-%d-%x", "a", 42, 255); printf("%s\n", buf);
  printf("%d%d%d%d\n", classify('5'), classify('q'), classify(' '), classify('#'));
  int x = ({ int y = 3; y * 2; }); printf("%d\n", x);
  int a = 1, b = (a++, a + 10); printf("%d %d\n", a, b);
  int c = a > 1 ? : 9; printf("%d\n", c);
  typeof(x) arr[3] = {1,2,3}; printf("%zu\n", sizeof arr);
  int n = 0; do { n += 2; if (n == 6) continue; if (n > 10) break; } while (1); printf("%d\n", n);
  int s = 0; for (int j = 0, k = 10; j < k; j++, k--) s += j * k; printf("%d\n", s);
  printf("%d\n", fact(10));
  int v[] = { 5, 3, 9, 1, 7 }; qsort(v, 5, sizeof v[0], cmp); for (int j = 0; j < 5; j++) printf("%d", v[j]); printf("\n");
  int (*fp)(int) = &sq; printf("%d %d\n", (*fp)(4), fp(5));
  switch (3) { case 1: printf("one"); case 3: printf("three"); case 4: printf("four\n"); break; case 5: printf("five"); }
  int w = 0; while (w < 100) { w += 7; if (w % 5 == 0) break; } printf("%d\n", w);
  { int nested = 1; { int nested = 2; printf("%d", nested); } printf("%d\n", nested); }
  static const char msg[] = "static"; printf("%s\n", msg);
  char *dup = strdup("heap"); printf("%s\n", dup); free(dup);
  int m2[2][3] = { {1,2,3}, {4,5,6} }; int (*row)[3] = &m2[1]; printf("%d\n", (*row)[2]);
  int **pp; int *p1 = &m2[0][1]; pp = &p1; **pp = 42; printf("%d\n", m2[0][1]);
  printf("%d\n", (int)(&m2[1][2] - &m2[0][0]));
  return 0;
}
`, "5\n7 -1\n25 27\nadd=13 sub=7 \n10 2.50 1099511627791\na-42-ff\n1230\n6\n2 12\n1\n12\n12\n70\n3628800\n13579\n16 25\nthreefour\n35\n21\nstatic\nheap\n6\n42\n5\n");
  });

  it("GCC bit builtins (folded on constants), __builtin_memset/strlen as the library's, prefetch and unreachable", () => {
    expectOutput(String.raw`#include <stdio.h>
#include <string.h>
_Static_assert(__builtin_popcount(0xF0F0) == 8, "folded");
int main(void) {
  unsigned v[] = { 1, 0x80000000u, 0xdeadbeef, 7, 0x10 };
  for (int i = 0; i < 5; i++) {
    unsigned x = v[i];
    printf("%d %d %d %d %d %x\n", __builtin_popcount(x), __builtin_clz(x), __builtin_ctz(x), __builtin_ffs(x), __builtin_parity(x), __builtin_bswap32(x));
  }
  unsigned long long big = 0x0123456789abcdefULL;
  printf("%d %d %d %d %llx\n", __builtin_popcountll(big), __builtin_clzll(big), __builtin_ctzll(big << 4), __builtin_ffsll(0), (unsigned long long)__builtin_bswap64(big));
  printf("%d %lx %x\n", __builtin_popcountl(~0UL), __builtin_bswap64(1), __builtin_bswap16(0x1234));
  printf("%d %ld %lld\n", __builtin_abs(-5), __builtin_labs(-7L), __builtin_llabs(-9LL));
  char buf[8]; __builtin_memset(buf, 'x', 3); buf[3] = 0; printf("%s %zu\n", buf, __builtin_strlen(buf));
  __builtin_prefetch(buf);
  if (buf[0] != 'x') __builtin_unreachable();
  return 0;
}
`, "1 31 0 1 1 1000000\n1 0 31 32 1 80\n24 0 0 1 0 efbeadde\n3 29 0 1 1 7000000\n1 27 4 5 1 10000000\n32 7 4 0 efcdab8967452301\n64 100000000000000 3412\n5 7 9\nxxx 3\n");
  });
});
