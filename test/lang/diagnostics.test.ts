// Diagnostics by exact `file:line:col: severity: message`: gcc's errors and warnings where kmemlab
// gives the same one (positions and words checked against gcc 12), and for what kmemlab does not
// support, an error that names the construct.

import assert from 'node:assert/strict';
import { diagnostics } from './cprog';

const MAIN = '\nint main(void) { return 0; }\n';

function expectDiagnostics(src: string, expected: string[], as: 'program' | 'driver' = 'program'): void {
  assert.deepEqual(diagnostics(src + (as === 'program' && !src.includes('main(') ? MAIN : ''), as), expected);
}

describe('diagnostics', () => {
  describe("'x' is used uninitialized", () => {
    const cases: [string, string, string[]][] = [
      ['a read before any write', 'int f(void) { int x; return x + 1; }', ["t/p.c:1:29: warning: 'x' is used uninitialized"]],
      ['x += 1 reads x', 'int f(void) { int x; x += 1; return x; }', ["t/p.c:1:22: warning: 'x' is used uninitialized"]],
      ['x++ reads x', 'int f(void) { int y; y++; return y; }', ["t/p.c:1:22: warning: 'y' is used uninitialized"]],
      ['assigned in both branches of an if', 'int f(int c) { int x; if (c) x = 1; else x = 2; return x; }', []],
      ['assigned on one path only (gcc -O0 does not guess either)', 'int f(int c) { int x; if (c) x = 1; return x; }', []],
      ['assigned late in a loop body, read on later iterations', 'int f(int n) { int x, i, s = 0; for (i = 0; i < n; i++) { if (i) s += x; x = i; } return s; }', []],
      ['assigned in every case of a switch', 'int f(int c) { int x; switch (c) { case 1: x = 1; break; default: x = 2; } return x; }', []],
      ['a return before the only path that reads', 'int f(int c) { int x; if (c) return 0; return x; }', ["t/p.c:1:47: warning: 'x' is used uninitialized"]],
      ['a goto over nothing', 'int f(void) { int x; goto L; L: return x; }', ["t/p.c:1:40: warning: 'x' is used uninitialized"]],
      ['a goto back to a label after the assignment', 'int f(int n) { int x; again: if (n-- > 0) { x = n; goto again; } return n; }', []],
      ['sizeof does not read', 'int f(void) { int x; return sizeof x; }', []],
      ['&x may be written through', 'void g(int *p); int f(void) { int x; g(&x); return x; } void g(int *p) { *p = 1; }', []],
      ['va_start assigns the va_list', '#include <stdarg.h>\nint f(int n, ...) { va_list ap; va_start(ap, n); int v = va_arg(ap, int); va_end(ap); return v; }', []],
      ['a declaration inside a loop is fresh on each iteration', 'int f(int n) { int s = 0; while (n--) { int y; s += y; y = 1; } return s; }', ["t/p.c:1:53: warning: 'y' is used uninitialized"]],
      ['reported once per variable', 'int f(void) { int x; int a = x; int b = x; return a + b; }', ["t/p.c:1:30: warning: 'x' is used uninitialized"]],
    ];
    for (const [name, src, expected] of cases) it(name, () => expectDiagnostics(src, expected));
  });

  describe('type errors as gcc gives them', () => {
    const cases: [string, string][] = [
      ['struct s { int a; };\nint f(void) { struct s x; int y = x; return y; }', "t/p.c:2:35: error: incompatible types when initializing type 'int' using type 'struct s'"],
      ['int f(void) { int *p = 0; float q = p; return q; }', "t/p.c:1:37: error: incompatible types when initializing type 'float' using type 'int *'"],
      ['int f(void) { int a = 0; a + 1 = 3; return a; }', 't/p.c:1:32: error: lvalue required as left operand of assignment'],
      ['int g(int, int);\nint f(void) { return g(1); }', "t/p.c:2:22: error: too few arguments to function 'g'"],
      ['int g(int);\nint f(void) { return g(1, 2); }', "t/p.c:2:22: error: too many arguments to function 'g'"],
      ['int f(void) { const int a = 1; a = 2; return a; }', "t/p.c:1:34: error: assignment of read-only variable 'a'"],
      ['struct s { int a; };\nint f(struct s *p) { return p->b; }', "t/p.c:2:30: error: 'struct s' has no member named 'b'"],
      ['int f(int x) { return *x; }', "t/p.c:1:23: error: invalid type argument of unary '*' (have 'int')"],
      ['int f(void);\nlong f(void) { return 0; }', "t/p.c:2:6: error: conflicting types for 'f'"],
      ['int f(void) { return 0; }\nint f(void) { return 1; }', "t/p.c:2:5: error: redefinition of 'f'"],
      ['int f(void) { return zz; }', "t/p.c:1:22: error: 'zz' undeclared (first use in this function)"],
      ['int f(void) { int x = 1; return x(); }', "t/p.c:1:33: error: called object 'x' is not a function or function pointer"],
      ['struct s { int a; };\nstruct s f(void) { return 1; }', "t/p.c:2:27: error: incompatible types when returning type 'int' but 'struct s' was expected"],
      ['void g(void) {}\nint f(void) { int x = g(); return x; }', 't/p.c:2:23: error: void value not ignored as it ought to be'],
      ['int f(void) { int x = 1; return x[0]; }', 't/p.c:1:34: error: subscripted value is neither array nor pointer nor vector'],
      ['int f(double d) { switch (d) { default: return 0; } }', 't/p.c:1:27: error: switch quantity not an integer'],
      ['int f(void) { break; return 0; }', 't/p.c:1:15: error: break statement not within loop or switch'],
      ['int f(int x) { switch (x) { case 1: case 1: return 0; } return 1; }', 't/p.c:1:37: error: duplicate case value'],
      ['int y;\nint x = y;', 't/p.c:2:9: error: initializer element is not constant'],
      ['int f(void) { int a[3], b[3]; a = b; return 0; }', 't/p.c:1:33: error: assignment to expression with array type'],
      ['int f(void) { struct t *p = 0; return p->x; }', "t/p.c:1:40: error: invalid use of undefined type 'struct t'"],
      ['int f(void) { return 1 % 2.0; }', "t/p.c:1:24: error: invalid operands to binary % (have 'int' and 'double')"],
      ['int f(void) { int x = 0; x.y = 1; return 0; }', "t/p.c:1:27: error: request for member 'y' in something not a structure or union"],
      ['int main(void) { size_t n = 0; return n; }', "t/p.c:1:18: error: unknown type name 'size_t'"],
      ['static foo_t x;', "t/p.c:1:8: error: unknown type name 'foo_t'"],
      ['int f(size_t n);', "t/p.c:1:7: error: unknown type name 'size_t'"],
      ['int main(void) { int x = 1 return x; }', "t/p.c:1:28: error: expected ';' after declaration before 'return' token"],
      ['int main(void) { undeclared_fn(3); return 0; }', "t/p.c:1:18: error: implicit declaration of function 'undeclared_fn'"],
    ];
    for (const [src, expected] of cases) it(expected.replace(/^t\/p\.c:\d+:\d+: /, ''), () => expectDiagnostics(src, [expected]));
  });

  it('warnings gcc gives for conversions, in its words', () => {
    expectDiagnostics(
      `void g(int *p) { (void)p; }
int *r1(void) { return 5; }
int *r2(char *c) { return c; }
int r3(int *p) { return p; }
void f(void) {
  int *p = 0; char *c = 0; int i = 0; const int *cp = 0;
  p = 5;
  p = c;
  i = p;
  g(c);
  g(7);
  p = cp;
  g(cp);
  unsigned char uc = 300;
  unsigned u = -1;
  signed char sc = 200;
  short s = 70000;
  char neg = -129;
  i = p == 5;
  i = p == c;
  (void)uc; (void)u; (void)sc; (void)s; (void)neg;
}`,
      [
        "t/p.c:2:24: warning: returning 'int' from a function with return type 'int *' makes pointer from integer without a cast",
        "t/p.c:3:27: warning: returning 'char *' from a function with incompatible return type 'int *'",
        "t/p.c:4:25: warning: returning 'int *' from a function with return type 'int' makes integer from pointer without a cast",
        "t/p.c:7:5: warning: assignment to 'int *' from 'int' makes pointer from integer without a cast",
        "t/p.c:8:5: warning: assignment to 'int *' from incompatible pointer type 'char *'",
        "t/p.c:9:5: warning: assignment to 'int' from 'int *' makes integer from pointer without a cast",
        "t/p.c:10:5: warning: passing argument 1 of 'g' from incompatible pointer type",
        "t/p.c:11:5: warning: passing argument 1 of 'g' makes pointer from integer without a cast",
        "t/p.c:12:5: warning: assignment discards 'const' qualifier from pointer target type",
        "t/p.c:13:5: warning: passing argument 1 of 'g' discards 'const' qualifier from pointer target type",
        "t/p.c:14:22: warning: unsigned conversion from 'int' to 'unsigned char' changes value from '300' to '44'",
        "t/p.c:17:13: warning: overflow in conversion from 'int' to 'short' changes value from '70000' to '4464'",
        "t/p.c:18:14: warning: overflow in conversion from 'int' to 'char' changes value from '-129' to '127'",
        't/p.c:19:9: warning: comparison between pointer and integer',
        't/p.c:20:9: warning: comparison of distinct pointer types lacks a cast',
      ],
    );
  });

  describe('what kmemlab does not support is named where it stands', () => {
    const cases: [string, string][] = [
      ['int f(int n) { int a[n]; return a[0]; }', 't/p.c:1:22: error: variable-length arrays are not supported; use a constant size'],
      ['int f(void) { __asm__("nop"); return 0; }', 't/p.c:1:15: error: inline assembly is not supported: kmemlab interprets C'],
      ['int f(void) { _Complex double z; return 0; }', "t/p.c:1:15: error: '_Complex' is not supported"],
      ['int f(void) { __int128 z = 0; return 0; }', "t/p.c:1:15: error: '__int128' is not supported"],
      ['int f(void) { return _Generic(1, int: 2); }', "t/p.c:1:22: error: '_Generic' is not supported"],
      ['int f(void) { void *p = &&l; l: return p != 0; }', 't/p.c:1:25: error: labels as values are not supported'],
      ['int f(void *p) { goto *p; }', 't/p.c:1:18: error: computed goto is not supported'],
      ['int f(void) { return sizeof(L"x"); }', 't/p.c:1:29: error: wide string literals are not supported'],
      ['int f(a, b) int a; int b; { return a + b; }', 't/p.c:1:7: error: old-style (K&R) parameter declarations are not supported: give each parameter its type inside the parentheses'],
      ['typedef int v4 __attribute__((vector_size(16)));', 't/p.c:1:31: error: __attribute__((vector_size)) is not supported'],
      ['long f(void) { return (long)__builtin_return_address(0); }', "t/p.c:1:29: error: '__builtin_return_address' is not supported"],
      ['foo(void) { return 0; }', "t/p.c:1:1: error: return type defaults to 'int' is not supported; write the return type of 'foo'"],
    ];
    for (const [src, expected] of cases) it(expected.replace(/^t\/p\.c:\d+:\d+: error: /, ''), () => expectDiagnostics(src, [expected]));

    it('a kernel routine kmemlab does not emulate', () => {
      const d = diagnostics('#include <linux/module.h>\nstatic int __init t_init(void) { return request_irq(1, 0, 0, "x", 0); }\nmodule_init(t_init);\nMODULE_LICENSE("GPL");\n', 'driver');
      assert.deepEqual(d, ["t/d.c:2:41: error: 'request_irq' is a Linux kernel routine that kmemlab does not emulate"]);
    });
  });
});
