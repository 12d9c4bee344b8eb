// structs, unions, bitfields, arrays and initializers: whole programs whose output kmemlab must print exactly as gcc -O0 does
// (the expected text was produced by gcc; expectOutput checks it against gcc again where there is one).

import { expectOutput } from './expect';

describe("structs, unions, bitfields, arrays and initializers", () => {
  it("bitfields, designated initializers with ranges, compound literals, structs by value, offsetof", () => {
    expectOutput(String.raw`#include <stdio.h>
#include <string.h>
#include <stddef.h>
struct bf { unsigned a:3; signed b:5; unsigned c:1; int d:12; unsigned long long e:40; unsigned char f:2; };
struct pt { int x, y; };
struct rect { struct pt tl, br; char name[8]; };
union u { int i; float f; unsigned char b[4]; struct { unsigned short lo, hi; } h; };
struct flex { int n; int data[]; };
struct P { char c; int i; } __attribute__((packed));
struct nest { int a[3][4]; struct pt p[2]; };
static struct rect g = { .br = { 3, 4 }, .tl.x = 1, .name = "box" };
static int arr[10] = { [2] = 5, [5 ... 7] = 9, 1 };
static const char *names[] = { [1] = "one", [3] = "three" };
struct pt mk(int x, int y) { struct pt p = { x, y }; return p; }
struct rect shift(struct rect r, int d) { r.tl.x += d; r.br.y += d; return r; }
int sum(struct pt p) { return p.x + p.y; }
int main(void) {
  struct bf b = { 5, -3, 1, -100, 0xffffffffffULL, 3 };
  printf("%u %d %u %d %llx %u %zu\n", b.a, b.b, b.c, b.d, b.e, b.f, sizeof b);
  b.a = 9; b.b = 17; b.d += 5000; b.e++; b.f--;
  printf("%u %d %d %llx %u\n", b.a, b.b, b.d, b.e, b.f);
  int t = (b.a = 15); printf("%d %u\n", t, b.a);
  printf("%d %d %d %d %s\n", g.tl.x, g.tl.y, g.br.x, g.br.y, g.name);
  for (int i = 0; i < 10; i++) printf("%d ", arr[i]); printf("\n");
  printf("%s %s %p\n", names[1], names[3], (void*)names[0]);
  union u uu; uu.f = 1.0f; printf("%x %d %d %x\n", uu.i, uu.b[3], sizeof uu, uu.h.hi);
  struct pt q = mk(3, 4); printf("%d\n", sum(q)); printf("%d\n", sum(mk(5, 6)));
  struct rect r2 = shift(g, 10); printf("%d %d %d\n", r2.tl.x, r2.br.y, g.tl.x);
  struct rect r3; r3 = g; r3.name[0] = 'B'; printf("%s %s\n", r3.name, g.name);
  struct pt *pp = &(struct pt){ 7, 8 }; printf("%d\n", pp->x * pp->y);
  int *ip = (int[]){ 1, 2, 3 }; printf("%d\n", ip[2]);
  printf("%zu %zu\n", offsetof(struct rect, name), __builtin_offsetof(struct nest, p[1].y));
  printf("%zu %zu\n", sizeof(struct P), _Alignof(struct rect));
  struct nest n = { { { 1, 2, 3, 4 }, { 5 } , [2][3] = 7 }, { [1] = { 8, 9 } } };
  printf("%d %d %d %d %d\n", n.a[0][3], n.a[1][0], n.a[1][1], n.a[2][3], n.p[1].y);
  int (*pa)[4] = n.a; printf("%d\n", pa[2][3]);
  printf("%d\n", *(*(n.a + 1) + 0));
  struct pt ps[3] = { {1, 2}, [2] = {5, 6} }; printf("%d %d %d\n", ps[0].y, ps[1].x, ps[2].x);
  char s[] = "hello"; printf("%zu %s\n", sizeof s, s);
  char s2[10] = "hi"; printf("%d %d\n", s2[2], s2[9]);
  struct { int a; char b[3]; } anon = { 1, "ab" }; printf("%d %s\n", anon.a, anon.b);
  struct pt z = {0}; printf("%d %d\n", z.x, z.y);
  union u u2 = { .h = { 1, 2 } }; printf("%x\n", u2.i);
  static int counter; counter++; printf("%d\n", counter);
  struct pt cp = q; cp.x = 100; printf("%d %d\n", q.x, cp.x);
  struct pt arrs[2]; arrs[1] = mk(1, 2); printf("%d\n", arrs[1].y);
  printf("%d\n", mk(9, 10).y);
  return 0;
}
`, "5 -3 1 -100 ffffffffff 3 8\n1 -15 804 0 2\n7 7\n1 0 3 4 box\n0 0 5 0 0 9 9 9 1 0 \none three (nil)\n3f800000 63 4 3f80\n7\n11\n11 14 1\nBox box\n56\n3\n16 60\n5 4\n4 5 0 7 9\n7\n5\n2 0 5\n6 hello\n0 0\n1 ab\n0 0\n20001\n1\n3 100\n2\n10\n");
  });

  it("#pragma pack(1), (2), push/pop and pack() as gcc lays them out", () => {
    expectOutput(String.raw`#include <stdio.h>
#include <stdint.h>
#include <stddef.h>
#pragma pack(push)
#pragma pack(1)
struct S0 { uint16_t f0; int32_t f1; uint32_t f2; int64_t f3; };
struct B1 { unsigned a : 3; uint16_t b; unsigned c : 13; uint8_t d; unsigned e : 9; };
#pragma pack(pop)
struct N { char c; int i; };
#pragma pack(2)
struct P2 { char c; int i; long l; short s; };
struct B2 { char c; unsigned a : 7; unsigned b : 15; int x; };
#pragma pack()
struct N2 { char c; long l; };
#pragma pack(push, 4)
struct P4 { char c; long l; };
#pragma pack(pop)
union U { struct S0 s; int64_t w; uint8_t b[20]; };
int main(void) {
  printf("%zu %zu %zu\n", sizeof(struct S0), offsetof(struct S0, f1), offsetof(struct S0, f3));
  printf("%zu %zu %zu %zu\n", sizeof(struct N), sizeof(struct P2), offsetof(struct P2, l), offsetof(struct P2, s));
  printf("%zu %zu %zu\n", sizeof(struct N2), sizeof(struct P4), offsetof(struct P4, l));
  printf("%zu %zu %zu\n", sizeof(struct B1), offsetof(struct B1, b), offsetof(struct B1, d));
  printf("%zu %zu\n", sizeof(struct B2), offsetof(struct B2, x));
  union U u = { { 0xFED3, -1, 0x79586532, 0x1122334455667788LL } };
  printf("%llx %d\n", (long long)u.w, u.b[13]);
  struct B1 b = { 5, 0x1234, 0x1abc, 0x77, 0x155 };
  unsigned char *p = (unsigned char *)&b;
  for (int i = 0; i < (int)sizeof b; i++) printf("%02x", p[i]);
  printf(" %u %x %x %x %x\n", b.a, b.b, b.c, b.d, b.e);
  struct B2 b2 = { 1, 100, 30000, 7 };
  p = (unsigned char *)&b2;
  for (int i = 0; i < (int)sizeof b2; i++) printf("%02x", p[i]);
  printf("\n");
  return 0;
}
`, "18 2 10\n8 16 6 14\n16 12 4\n8 1 5\n8 4\n6532fffffffffed3 85\n053412bc1a775501 5 1234 1abc 77 155\n0164983a07000000\n");
  });

  it("bitfields of packed structs that straddle their type's unit", () => {
    expectOutput(String.raw`#include <stdio.h>
#include <string.h>
#pragma pack(push)
#pragma pack(1)
struct S { char c; unsigned a : 31; signed b : 13; unsigned char d : 7; unsigned char e : 5; int x; };
#pragma pack(pop)
struct __attribute__((packed)) T { char c; unsigned a : 31; signed b : 13; unsigned char e : 5; unsigned char f: 6; };
int main(void) {
  struct S s; memset(&s, 0, sizeof s);
  s.c = 1; s.a = 0x7ffffffe; s.b = -1000; s.d = 100; s.e = 17; s.x = -5;
  unsigned char *p = (unsigned char *)&s;
  for (int i = 0; i < (int)sizeof s; i++) printf("%02x", p[i]);
  printf(" %zu %u %d %u %u %d\n", sizeof s, s.a, s.b, s.d, s.e, s.x);
  s.a += 3; s.b *= 2; s.e--;
  printf("%u %d %u\n", s.a, s.b, s.e);
  struct T t = { 2, 12345678, -7, 30, 60 };
  p = (unsigned char *)&t;
  for (int i = 0; i < (int)sizeof t; i++) printf("%02x", p[i]);
  printf(" %zu %u %d %u %u\n", sizeof t, t.a, t.b, t.e, t.f);
  static struct S g = { 3, 0x40000001, 4095, 127, 31, 9 };
  printf("%u %d %u %u %d\n", g.a, g.b, g.d, g.e, g.x);
  return 0;
}
`, "01feffff7f0c4e8efbffffff 12 2147483646 -1000 100 17 -5\n1 -2000 16\n024e61bc80fcef79 8 12345678 -7 30 60\n1073741825 4095 127 31 9\n");
  });

  it('aligned(n) and _Alignas on globals, statics and locals (a page-aligned static buffer for remap_pfn_range)', () => {
    expectOutput(String.raw`#include <stdio.h>
#include <stdint.h>
static char a1;
static char page[4096] __attribute__((aligned(4096)));
static char a2;
static int x16 __attribute__((aligned(16)));
_Alignas(64) static char c64[3];
struct s { char c; } __attribute__((aligned(32)));
static struct s ss;
int main(void) {
  _Alignas(16) char local[5];
  char l2 __attribute__((aligned(8)));
  printf("%d %d %d %d %d %d\n", (int)((uintptr_t)page % 4096), (int)((uintptr_t)&x16 % 16), (int)((uintptr_t)c64 % 64), (int)((uintptr_t)&ss % 32), (int)((uintptr_t)local % 16), (int)((uintptr_t)&l2 % 8));
  printf("%zu %zu\n", sizeof(struct s), _Alignof(struct s));
  (void)a1; (void)a2;
  return 0;
}
`, "0 0 0 0 0 0\n32 32\n");
  });
  it('pointer arithmetic over doubles, structs, long long, short, void * (GNU), pointers to pointers and 3-D arrays', () => {
    expectOutput(String.raw`#include <stdio.h>
#include <stddef.h>
struct rec { char tag; double w; short k[3]; };
int main(void) {
  double d[6] = { 0.5, 1.5, 2.5, 3.5, 4.5, 5.5 };
  struct rec r[4] = { { 'a', 1.0, { 1, 2, 3 } }, { 'b', 2.0 }, { 'c', 3.0 }, { 'd', 4.0, { 7, 8, 9 } } };
  long long ll[5] = { 1, -2, 3, -4, 5 };
  short sh[5] = { 10, 20, 30, 40, 50 };
  double *dp = d + 5; struct rec *rp = &r[3]; long long *lp = ll; short *sp = &sh[4];
  printf("%g %c %lld %d\n", *(dp - 2), (rp - 1)->tag, *(lp + 3), *(sp - 4));
  printf("%td %td %td\n", dp - d, rp - r, (char *)rp - (char *)r);
  dp -= 3; rp--; lp += 2; sp -= 2;
  printf("%g %c %lld %d %d\n", *dp, rp->tag, lp[1], sp[-1], sp[1]);
  printf("%d %d %d\n", dp > d, rp <= &r[0], lp != ll + 2);
  void *v = d; v = (char *)v + sizeof(double); v += 8; printf("%g\n", *(double *)v);
  int m[3][4][5]; int n = 0;
  for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) for (int k = 0; k < 5; k++) m[i][j][k] = n++;
  int (*row)[5] = m[1]; int *flat = &m[0][0][0];
  printf("%d %d %d %d\n", m[2][3][4], row[2][1], *(flat + 37), (int)(&m[2][0][0] - flat));
  int **pp; int *arr[3]; int a = 1, b = 2, c = 3; arr[0] = &a; arr[1] = &b; arr[2] = &c; pp = arr;
  **(pp + 2) += 10; *pp[1] *= 7;
  printf("%d %d %d\n", a, b, c);
  char *strs[] = { "zero", "one", "two" }; char **sp2 = strs;
  printf("%s %c %c\n", *(sp2 + 1), **(sp2 + 2), *(*(sp2) + 3));
  printf("%zu %zu\n", offsetof(struct rec, k[2]), sizeof r / sizeof *r);
  struct rec *end = r + 4; int cnt = 0; for (struct rec *q = r; q < end; q++) cnt += q->k[0];
  printf("%d\n", cnt);
  return 0;
}
`, "3.5 c -4 10\n5 3 72\n2.5 c -4 20 40\n1 0 0\n2.5\n59 31 37 40\n1 14 13\none t o\n20 4\n8\n");
  });
});
