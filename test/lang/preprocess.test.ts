import assert from 'node:assert/strict';
import { CompileError, type Diagnostic } from '../../engine/lang/diagnostics';
import { lex } from '../../engine/lang/lexer';
import { preprocess, type PreprocessOptions, type PreprocessResult } from '../../engine/lang/preprocess';
import type { Token } from '../../engine/lang/token';

interface RunOptions {
  files?: Record<string, string>;
  headers?: Record<string, string>;
  defines?: Record<string, string>;
  maxTokens?: number;
  file?: string;
}

function options(o: RunOptions): PreprocessOptions {
  const files = o.files ?? {};
  return {
    systemHeaders: new Map(Object.entries(o.headers ?? {})),
    readFile: (path) => files[path],
    defines: o.defines,
    maxTokens: o.maxTokens,
  };
}

function run(src: string, o: RunOptions = {}): PreprocessResult {
  return preprocess(o.file ?? 'main.c', src, options(o));
}

/** The output without the eof token. */
function tokensOf(src: string, o: RunOptions = {}): Token[] {
  const tokens = run(src, o).tokens;
  assert.equal(tokens[tokens.length - 1].kind, 'eof');
  return tokens.slice(0, -1);
}

/** Output spellings joined by single spaces, for comparing with hand-written expectations. */
function pp(src: string, o: RunOptions = {}): string {
  return tokensOf(src, o).map((t) => t.text).join(' ');
}

function tokenized(expected: string): string {
  return lex(expected, 'expected.c').map((t) => t.text).join(' ');
}

function assertOutput(src: string, expected: string, o: RunOptions = {}): void {
  assert.equal(pp(src, o), tokenized(expected));
}

function diagnosticOf(fn: () => unknown): Diagnostic {
  try {
    fn();
  } catch (e) {
    if (e instanceof CompileError) return e.diagnostics[0];
    throw e;
  }
  assert.fail('expected a CompileError');
}

function assertError(src: string, message: RegExp, at: [number, number], o: RunOptions = {}): Diagnostic {
  const d = diagnosticOf(() => run(src, o));
  assert.match(d.message, message);
  assert.deepEqual([d.line, d.col], at, `${d.file}:${d.line}:${d.col}: ${d.message}`);
  return d;
}

function warningsOf(src: string, o: RunOptions = {}): string[] {
  return run(src, o).warnings.filter((w) => w.severity === 'warning').map((w) => w.message);
}

describe('preprocess', () => {
  describe('C11 6.10.3.5 examples', () => {
    it('EXAMPLE 3: rescanning, hide sets, pasting and stringizing together', () => {
      const src = `#define x 3
#define f(a) f(x * (a))
#undef x
#define x 2
#define g f
#define z z[0]
#define h g(~
#define m(a) a(w)
#define w 0,1
#define t(a) a
#define p() int
#define q(x) x
#define r(x,y) x ## y
#define str(x) # x
f(y+1) + f(f(z)) % t(t(g)(0) + t)(1);
g(x+(3,4)-w) | h 5) & m
(f)^m(m);
p() i[q()] = { q(1), r(2,3), r(4,), r(,5), r(,) };
char c[2][6] = { str(hello), str() };
`;
      assertOutput(src, `f(2 * (y+1)) + f(2 * (f(2 * (z[0])))) % f(2 * (0)) + t(1);
f(2 * (2+(3,4)-0,1)) | f(2 * (~ 5)) & f(2 * (0,1))^m(0,1);
int i[] = { 1, 23, 4, 5, };
char c[2][6] = { "hello", "" };`);
    });

    it('EXAMPLE 4: stringizing escapes, and #include of a macro-built name', () => {
      const src = `#define str(s) # s
#define xstr(s) str(s)
#define debug(s, t) printf("x" # s "= %d, x" # t "= %s", \\
 x ## s, x ## t)
#define INCFILE(n) vers ## n
#define glue(a, b) a ## b
#define xglue(a, b) glue(a, b)
#define HIGHLOW "hello"
#define LOW LOW ", world"
debug(1, 2);
fputs(str(strncmp("abc\\0d", "abc", '\\4') // this goes away
 == 0) str(: @\\n), s);
#include xstr(INCFILE(2).h)
glue(HIGH, LOW);
xglue(HIGH, LOW)
`;
      const tokens = tokensOf(src, { files: { 'vers2.h': 'from_vers2_h' } });
      assert.equal(tokens.map((t) => t.text).join(' '), tokenized(`printf("x" "1" "= %d, x" "2" "= %s", x1, x2);
fputs("strncmp(\\"abc\\\\0d\\", \\"abc\\", '\\\\4') == 0" ": @\\n", s);
from_vers2_h
"hello";
"hello" ", world"`));
      assert.equal(tokens.find((t) => t.text === 'from_vers2_h')?.file, 'vers2.h');
    });

    it('EXAMPLE 5: placemarkers in chained ##', () => {
      assertOutput(`#define t(x,y,z) x ## y ## z
int j[] = { t(1,2,3), t(,4,5), t(6,,7), t(8,9,),
 t(10,,), t(,11,), t(,,12), t(,,) };`, 'int j[] = { 123, 45, 67, 89, 10, 11, 12, };');
    });

    it('EXAMPLE 6: benign redefinitions are silent, others warn', () => {
      const valid = `#define OBJ_LIKE (1-1)
#define OBJ_LIKE /* white space */ (1-1) /* other */
#define FUNC_LIKE(a) ( a )
#define FUNC_LIKE( a )( /* note the white space */ \\
 a /* other stuff on this line
 */ )
`;
      assert.deepEqual(warningsOf(valid), []);
      for (const redefinition of [
        '#define OBJ_LIKE (0)', '#define OBJ_LIKE (1 - 1)', '#define FUNC_LIKE(b) ( a )', '#define FUNC_LIKE(b) ( b )',
      ]) {
        const r = run(valid + redefinition + '\n');
        assert.deepEqual(r.warnings.map((w) => [w.severity, w.message, w.line]), [
          ['warning', redefinition.includes('OBJ') ? '"OBJ_LIKE" redefined' : '"FUNC_LIKE" redefined', 7],
          ['note', 'this is the location of the previous definition', redefinition.includes('OBJ') ? 2 : 4],
        ], redefinition);
      }
    });

    it('EXAMPLE 7: variable arguments', () => {
      assertOutput(`#define debug(...) fprintf(stderr, __VA_ARGS__)
#define showlist(...) puts(#__VA_ARGS__)
#define report(test, ...) ((test)?puts(#test):\\
 printf(__VA_ARGS__))
debug("Flag");
debug("X = %d\\n", x);
showlist(The first, second, and third items.);
report(x>y, "x is %d but y is %d", x, y);`, `fprintf(stderr, "Flag");
fprintf(stderr, "X = %d\\n", x);
puts("The first, second, and third items.");
((x>y)?puts("x>y"): printf("x is %d but y is %d", x, y));`);
    });

    it('6.10.3.4 EXAMPLE: f(2)(9) gives 2*9*g, as gcc', () => {
      assertOutput('#define f(a) a*g\n#define g(a) f(a)\nf(2)(9)', '2*9*g');
    });
  });

  describe('macro expansion', () => {
    it('expands object-like and function-like macros', () => {
      assertOutput('#define N 4\n#define SQ(x) ((x) * (x))\nint a[N] = { SQ(N + 1) };', 'int a[4] = { ((4 + 1) * (4 + 1)) };');
      assertOutput('#define E\n#define F() 7\nE x E F() F ( )', 'x 7 7');
    });

    it('does not recurse into self-referential macros', () => {
      assertOutput('#define foo foo\nfoo', 'foo');
      assertOutput('#define foo a foo b\nfoo', 'a foo b');
      assertOutput('#define f(x) f(x+1)\nf(1) f(f(1))', 'f(1+1) f(f(1+1)+1)');
      assertOutput('#define a b\n#define b a\na b', 'a b');
      assertOutput('#define EPERM EPERM\n#define err(x) -x\nerr(EPERM)', '-EPERM');
    });

    it('agrees with gcc where hide sets and rescanning interact', () => {
      // Outputs checked against gcc 12 (`gcc -E -P`).
      const cases: [string, string][] = [
        ['#define f(x) g\n#define g f\nf(1)(2)', 'f(2)'],
        ['#define f(x) x g\n#define g(x) f(x)\nf(1)(2)(3)', '1 2 g(3)'],
        ['#define f(x) h(x\n#define h(x) x f\nf(1))(2))(3))', '1 2 3 f'],
        ['#define NIL(xxx) xxx\n#define G_0(arg) NIL(G_1)(arg)\n#define G_1(arg) NIL(arg)\nG_0(42)', '42'],
        ['#define m(x) x\n#define n(x) m(n)(x)\nn(1)', 'n(1)'],
        ['#define recur(x) x recur\nrecur(1)(2)(3)', '1 recur(2)(3)'],
        ['#define i(x) x\n#define j i(j)\nj i(j) i(i(j))', 'j j j'],
        ['#define a(x) b(x) + a(x)\n#define b(x) a(x) * b(x)\na(1) b(2)', 'a(1) * b(1) + a(1) b(2) + a(2) * b(2)'],
        ['#define FOO(x) BAR x\n#define BAR(x) [x]\nFOO((1)) FOO(FOO((2)))', '[1] BAR [2]'],
        ['#define LPAREN (\n#define f(x) [x]\nf LPAREN 1)\n#define g f LPAREN\ng 2)', 'f ( 1) f ( 2)'],
      ];
      for (const [src, expected] of cases) assert.equal(pp(src), tokenized(expected), src);
      // The argument of the outer x( is pre-expanded alone, so the inner x( finds no ')' (gcc agrees).
      assertError('#define x(y) y\n#define z x(\nz z 1))', /unterminated argument list invoking macro "x"/, [3, 3]);
    });

    it('does not take a ( after the end of an included file as an invocation', () => {
      assertOutput('#include "a.h"\n(1)', 'f (1)', { files: { 'a.h': '#define f(x) [x]\nf' } });
    });

    it('keeps a painted name unexpandable when passed on as an argument', () => {
      assertOutput('#define foo foo\n#define id(x) x\n#define call(m) m(1)\nid(foo) call(id)', 'foo 1');
    });

    it('expands a function-like name only when ( follows, also across lines in text', () => {
      assertOutput('#define f(x) [x]\nf + 1; f\n\n  (2) int f;', 'f + 1; [2] int f;');
      // A directive line in between ends the search for '(' (gcc).
      assertOutput('#define f(x) [x]\nf\n#define Z\n(3)', 'f (3)');
      // Within #if the line ends the expression, and a lone name is then an identifier (0).
      assertOutput('#define f(x) 1\n#if f\nyes\n#else\nno\n#endif', 'no');
      // The '(' may come from the rest of the text after an object-like expansion.
      assertOutput('#define f(x) [x]\n#define g f\ng(1) g', '[1] f');
    });

    it('collects arguments across lines, with nested parentheses and commas', () => {
      assertOutput('#define two(a, b) <a|b>\ntwo(f(1,\n  2),\n  (3, 4))', '<f(1, 2)|(3, 4)>');
    });

    it('runs directives inside macro arguments, as gcc', () => {
      assertOutput('#define f(x) [x]\nf(1\n#ifdef NOPE\n+2\n#else\n+3\n#endif\n)', '[1 +3]');
    });

    it('fully expands arguments before substitution except next to # and ##', () => {
      const src = '#define FOO 42\n#define s(x) #x\n#define xs(x) s(x)\n#define cat(a, b) a ## b\n#define xcat(a, b) cat(a, b)\n';
      assertOutput(src + 's(FOO) xs(FOO) cat(FOO, 1) xcat(FOO, 1)', '"FOO" "42" FOO1 421');
    });

    it('pre-expands an argument on its own: a trailing function-like name waits for the rescan', () => {
      assertOutput('#define f(x) x(1)\n#define g(y) <y>\nf(g)', '<1>');
    });

    it('handles variadic macros, GNU named variadics and comma elision as gcc', () => {
      const src = `#define pr(fmt, ...) printk(fmt, ##__VA_ARGS__)
#define eprintf(format, args...) fprintf(stderr, format , ## args)
#define count(...) n(__VA_ARGS__)
#define first(a, ...) a
pr("a"); pr("b", 1, 2); pr("c",);
eprintf("x"); eprintf("y", 1);
count() count(1) count(1, (2, 3), 4)
first(1) first(1, 2, 3)
`;
      // gcc drops the comma only when the variable arguments are left out, not when empty.
      assertOutput(src, `printk("a"); printk("b", 1, 2); printk("c",);
fprintf(stderr, "x"); fprintf(stderr, "y" , 1);
n() n(1) n(1, (2, 3), 4)
1 1`);
    });

    it('does not macro-expand the variable arguments after `, ##` but the rescan does', () => {
      assertOutput('#define ONE 1\n#define f(a, ...) a, ## __VA_ARGS__\nf(0, ONE)', '0, 1');
      // A lone empty argument of a (...) macro counts as left out (GNU mode).
      assertOutput('#define g(...) p(x, ## __VA_ARGS__)\ng() g(1)', 'p(x) p(x, 1)');
    });

    it('supports __VA_OPT__, present when the variable arguments expand to something', () => {
      const src = '#define E\n#define F(a, ...) f(a __VA_OPT__(,) __VA_ARGS__)\n#define H(...) h(__VA_OPT__(a b) ## c)\n';
      assertOutput(src + 'F(1, E) F(1) F(1,) F(1, 2, 3) H() H(1)', 'f(1) f(1) f(1) f(1, 2, 3) h(c) h(a bc)');
      assertError('#define G(...) __VA_OPT__(## y)', /'##' cannot appear at either end of __VA_OPT__/, [1, 27]);
    });

    it('stringizes with single spaces and escapes inside literals only', () => {
      const src = '#define s(x) #x\n';
      assertOutput(src + 's(  a   +\n b  )', '"a + b"');
      assertOutput(src + `s("a\\n" '\\'' \\ "\\\\")`, `"\\"a\\\\n\\" '\\\\'' \\ \\"\\\\\\\\\\""`);
      assertOutput(src + 's() s( ) s(a/**/b) s(a/**/ b)', '"" "" "a b" "a b"');
      assertOutput(src + 's(L"x" u8"y")', `"L\\"x\\" u8\\"y\\""`);
    });

    it('drops a final lone backslash when stringizing, with gcc\'s warning', () => {
      const r = run('#define s(x) #x\ns(\\) s(a\\\\)');
      assert.deepEqual(r.tokens.map((t) => t.text), ['""', '"a\\\\"', '']);
      assert.deepEqual(r.warnings.map((w) => w.message), ["invalid string literal, ignoring final '\\'"]);
    });

    it('pastes tokens and re-lexes the result', () => {
      assertOutput('#define cat(a, b) a ## b\ncat(-, >) cat(<<, =) cat(1, e5) cat(L, \'a\') cat(x, 1y) cat(., 5)', "-> <<= 1e5 L'a' x1y .5");
      assertOutput('#define cat(a, b) a ## b\n#define ab done\ncat(a, b)', 'done');
      assertOutput('#define X a ## b c\nX', 'ab c');
      assertOutput('#define cat(a, b) a ## b\ncat(1 2, 3 4)', '1 23 4');
    });

    it('rejects a paste that does not form one token', () => {
      // As gcc: at the left operand where it was written, with a note at the invocation.
      const e = (() => {
        try {
          run('#define cat(a, b) a ## b\nint x = cat(+, -);');
        } catch (err) {
          return err as CompileError;
        }
        assert.fail('expected a CompileError');
      })();
      assert.deepEqual(e.diagnostics.map((d) => [d.severity, d.message, d.line, d.col]), [
        ['error', 'pasting "+" and "-" does not give a valid preprocessing token', 2, 13],
        ['note', "in expansion of macro 'cat'", 2, 9],
      ]);
      assertError('#define cat(a, b) a ## b\ncat(/, /)', /pasting "\/" and "\/"/, [2, 5]);
      assertError('#define cat(a, b) a ## b\ncat(/, *)', /pasting "\/" and "\*"/, [2, 5]);
      assertError('#define X a ## +\nX', /pasting "a" and "\+"/, [1, 11]);
    });

    it('checks argument counts', () => {
      assertError('#define f(a, b) a\nf(1)', /macro "f" requires 2 arguments, but only 1 given/, [2, 1]);
      assertError('#define f(a) a\n  f(1, 2)', /macro "f" passed 2 arguments, but takes just 1/, [2, 3]);
      assertError('#define f() 0\nf(1)', /passed 1 arguments, but takes just 0/, [2, 1]);
      assertError('#define f(a, b, ...) a\nf(1)', /requires 3 arguments, but only 1 given/, [2, 1]);
      assertOutput('#define f(a) [a]\nf()', '[]');
    });

    it('reports an unterminated argument list at the macro name', () => {
      assertError('#define f(x) x\nint a;\n  f(1,\n  2', /unterminated argument list invoking macro "f"/, [3, 3]);
      // An invocation cannot run past the end of an included file.
      assertError('#include "a.h"\n)', /unterminated argument list invoking macro "f"/, [2, 1], {
        files: { 'a.h': '#define f(x) x\nf(' },
      });
    });

    it('expands kernel-style macros', () => {
      const header = `#define __user __attribute__((noderef, address_space(1)))
#define __init __attribute__((__section__(".init.text")))
#define offsetof(TYPE, MEMBER) __builtin_offsetof(TYPE, MEMBER)
#define container_of(ptr, type, member) ({ \\
	const typeof( ((type *)0)->member ) *__mptr = (ptr); \\
	(type *)( (char *)__mptr - offsetof(type,member) );})
#define min(x, y) ({ typeof(x) _min1 = (x); typeof(y) _min2 = (y); \\
	(void) (&_min1 == &_min2); _min1 < _min2 ? _min1 : _min2; })
#define KERN_INFO "\\0016"
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#define pr_info(fmt, ...) printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define put_user(x, ptr) __put_user_check((x), (ptr), sizeof(*(ptr)))
#define KERNEL_VERSION(a,b,c) (((a) << 16) + ((b) << 8) + (c))
`;
      const src = `#include <linux/kernel.h>
static int __init f(int __user *up, struct dev *d)
{
	struct priv *p = container_of(d, struct priv, dev);
	pr_info("n=%d\\n", min(p->n, 4));
	pr_info("done\\n");
#if LINUX_VERSION_CODE >= KERNEL_VERSION(3, 7, 0)
	return put_user(1, up);
#else
	return -1;
#endif
}`;
      const o = { headers: { 'linux/kernel.h': header }, defines: { LINUX_VERSION_CODE: '198400', KBUILD_MODNAME: '"drv"' } };
      assertOutput(src, `static int __attribute__((__section__(".init.text"))) f(int __attribute__((noderef, address_space(1))) *up, struct dev *d)
{
	struct priv *p = ({ const typeof( ((struct priv *)0)->dev ) *__mptr = (d); (struct priv *)( (char *)__mptr - __builtin_offsetof(struct priv,dev) );});
	printk("\\0016" "drv" ": " "n=%d\\n", ({ typeof(p->n) _min1 = (p->n); typeof(4) _min2 = (4); (void) (&_min1 == &_min2); _min1 < _min2 ? _min1 : _min2; }));
	printk("\\0016" "drv" ": " "done\\n");
	return __put_user_check((1), (up), sizeof(*(up)));
}`, o);
    });

    it('removes _Pragma and ignores #pragma, but hands #pragma pack to the parser', () => {
      assertOutput('#define DO(x) _Pragma(#x) x\n#pragma GCC diagnostic push\na _Pragma("GCC poison") b DO(c)', 'a b c');
      assertOutput('#pragma pack(push, 1)\nstruct s;\n#pragma pack(pop)\n', '__pragma_pack ( push , 1 ) struct s ; __pragma_pack ( pop )');
      assertError('_Pragma(x)', /_Pragma takes a parenthesized string literal/, [1, 1]);
    });
  });

  describe('definitions', () => {
    it('reports malformed #define lines', () => {
      assertError('#define', /no macro name given in #define directive/, [1, 2]);
      assertError('#define 3 x', /macro names must be identifiers/, [1, 9]);
      assertError('#define defined 1', /"defined" cannot be used as a macro name/, [1, 9]);
      assertError('#define f(x) # y', /'#' is not followed by a macro parameter/, [1, 14]);
      assertError('#define f(x) ## x', /'##' cannot appear at either end/, [1, 14]);
      assertError('#define X a ##', /'##' cannot appear at either end/, [1, 13]);
      assertError('#define f(x, x) x', /duplicate macro parameter "x"/, [1, 14]);
      assertError('#define f(x y) x', /expected ',' or '\)', found "y"/, [1, 13]);
      assertError('#define f(x', /missing '\)' in macro parameter list/, [1, 11]);
      assertError('#define f(1) x', /expected parameter name, found "1"/, [1, 11]);
    });

    it('keeps # as an ordinary token in object-like macros', () => {
      assertOutput('#define H # x\nH', '# x');
    });

    it('treats `NAME (` with a space as an object-like macro', () => {
      assertOutput('#define f (x) x\nf(1)', '(x) x(1)');
    });

    it('undefines macros and warns about builtins', () => {
      assertOutput('#define A 1\n#undef A\nA', 'A');
      assert.deepEqual(warningsOf('#undef __LINE__\n'), ['undefining "__LINE__"']);
      assert.deepEqual(warningsOf('#undef NOT_DEFINED\n'), []);
    });

    it('warns about __VA_ARGS__ outside a variadic macro', () => {
      assert.deepEqual(warningsOf('#define f(x) __VA_ARGS__\n'), ['__VA_ARGS__ can only appear in the expansion of a C99 variadic macro']);
    });
  });

  describe('conditionals', () => {
    it('selects groups with #if/#ifdef/#ifndef/#elif/#else', () => {
      const src = `#define A 1
#ifdef A
a
#endif
#ifndef A
not_a
#endif
#if defined B
b
#elif defined(A) && !defined B
a_not_b
#else
neither
#endif
#if 0
#if 1
inner
#else
inner_else
#endif
#elif 1
second
#endif`;
      assertOutput(src, 'a a_not_b second');
    });

    it('skips everything in a false group, even invalid directives and unterminated quotes', () => {
      assertOutput("#if 0\n#bogus\ndon't\n#error no\n#include <nothing.h>\n#endif\nok", 'ok');
    });

    it('does not evaluate #elif once a group was taken', () => {
      assertOutput('#if 1\none\n#elif 1/0\ntwo\n#endif', 'one');
    });

    it('computes #if in 64-bit intmax_t/uintmax_t arithmetic', () => {
      const truths = [
        '-1 < 0', '-1 > 0u', '0xffffffffffffffff == -1', '18446744073709551615 == -1', '0x7fffffffffffffff + 1 < 0',
        '(1 << 63) < 0', '(1u << 63) > 0', '-1 >> 1 == -1', '-1u >> 63 == 1', '1 << 64 == 0', '2 >> -1 == 4',
        '7 / 2 == 3', '-7 / 2 == -3', '-7 % 2 == -1', '(2 || 0) == 1', '(0 ? 1 : 2) == 2', '(1 ? -1 : 0u) > 0',
        '~0 == -1', '~0u == 18446744073709551615u', '!0 == 1', "'\\xff' < 0", "'a' == 97", "u'\\xffff' > 0",
        '(3, 4) == 4', 'UNDEFINED_NAME == 0', 'true == 0', '0x10 == 16 && 010 == 8 && 0b11 == 3', '1 ? 2 : (1/0)',
        '(0 && 1 / 0) == 0', '1 || 1 % 0', '-9223372036854775807 - 1 < 0', '(-9223372036854775807 - 1) / -1 < 0',
        '4 - 2 - 1 == 1', '2 + 3 * 4 == 14', '(1 < 2) + (2 <= 2) + (3 > 2) + (3 >= 4) == 3', '(6 & 3) == 2 && (6 ^ 3) == 5 && (6 | 3) == 7',
        // gcc: an unevaluated division by zero yields its left operand, signedness included.
        '(1 ? -1 : -1 / 0u) < 0',
      ];
      for (const expr of truths) assertOutput(`#if ${expr}\nyes\n#else\nno\n#endif`, 'yes');
    });

    it('evaluates defined, also when a macro produces it, and __has_include', () => {
      const o = { headers: { 'linux/mm.h': '' }, files: { 'local.h': '' } };
      assertOutput('#define X\n#define HAS_X defined(X)\n#if HAS_X && defined X && !defined(Y)\nyes\n#endif', 'yes', o);
      assertOutput('#if __has_include(<linux/mm.h>) && __has_include("local.h") && !__has_include(<nope.h>)\nyes\n#endif', 'yes', o);
      assertOutput('#define HDR <linux/mm.h>\n#if defined(__has_include) && __has_include(HDR)\nyes\n#endif', 'yes', o);
      assertOutput('#if __has_attribute(packed) || __has_builtin(__builtin_expect)\nyes\n#else\nno\n#endif', 'no');
    });

    it('reports bad #if expressions at the offending token', () => {
      assertError('#if 1 / 0\n#endif', /division by zero in #if/, [1, 7]);
      assertError('#if\n#endif', /#if with no expression/, [1, 2]);
      assertError('#define E\n#if E\n#endif', /#if with no expression/, [2, 2]);
      assertError('#if 1 2\n#endif', /missing binary operator before token "2"/, [1, 7]);
      assertError('#if (1\n#endif', /missing '\)' in expression/, [1, 5]);
      assertError('#if 1 +\n#endif', /operator '\+' has no right operand/, [1, 7]);
      assertError('#if 1.0\n#endif', /floating constant in preprocessor expression/, [1, 5]);
      assertError('#if "s"\n#endif', /token ""s"" is not valid in preprocessor expressions/, [1, 5]);
      assertError('#if defined\n#endif', /operator "defined" requires an identifier/, [1, 5]);
      assertError('#if defined(X\n#endif', /missing '\)' after "defined"/, [1, 13]);
      assertError('#if 1 ? 2\n#endif', /'\?' without following ':'/, [1, 7]);
      assertError('#if 0x10000000000000000\n#endif', /integer constant is too large/, [1, 5]);
    });

    it('reports unbalanced conditionals', () => {
      assertError('int a;\n#ifdef X\nint b;\n', /unterminated #ifdef/, [2, 2]);
      assertError('#if 1\n#else\n#elif 1\n#endif', /#elif after #else/, [3, 2]);
      assertError('#if 1\n#else\n#else\n#endif', /#else after #else/, [3, 2]);
      assertError('#endif', /#endif without #if/, [1, 2]);
      assertError('\n #else', /#else without #if/, [2, 3]);
      assertError('#elif 1', /#elif without #if/, [1, 2]);
      assertError('#ifdef\n#endif', /no macro name given in #ifdef directive/, [1, 2]);
      // Conditionals must balance within each file.
      assertError('#include "a.h"\n#endif', /unterminated #if/, [1, 2], { files: { 'a.h': '#if 1\n' } });
    });

    it('warns about extra tokens after #else and #endif', () => {
      assert.deepEqual(warningsOf('#if 1\n#else X\n#endif X'), ['extra tokens at end of #endif directive']);
      assert.deepEqual(warningsOf('#ifdef A B\n#endif'), ['extra tokens at end of #ifdef directive']);
    });
  });

  describe('includes', () => {
    it('includes built-in headers and user files, resolving "..." against the including folder', () => {
      const o = {
        file: 'lab/drv.c',
        files: { 'lab/drv.h': '#include "sub/util.h"\ndrv_h', 'lab/sub/util.h': '#include "../common.h"\nutil_h', 'lab/common.h': 'common_h' },
        headers: { 'linux/module.h': '#include "init.h"\nmodule_h', 'linux/init.h': 'init_h', 'stdio.h': 'stdio_h' },
      };
      const r = run('#include <linux/module.h>\n#include "drv.h"\n#include "stdio.h"\nmain_c', o);
      assert.deepEqual(r.tokens.map((t) => [t.text, t.file]), [
        ['init_h', 'linux/init.h'], ['module_h', 'linux/module.h'], ['common_h', 'lab/common.h'], ['util_h', 'lab/sub/util.h'],
        ['drv_h', 'lab/drv.h'], ['stdio_h', 'stdio.h'], ['main_c', 'lab/drv.c'], ['', 'lab/drv.c'],
      ]);
      assert.deepEqual(r.includedFiles, ['lab/drv.c', 'linux/module.h', 'linux/init.h', 'lab/drv.h', 'lab/sub/util.h', 'lab/common.h', 'stdio.h']);
    });

    it('does not look for <...> in the user folder', () => {
      assertError('#include <drv.h>', /'drv.h': no such file/, [1, 10], { files: { 'drv.h': 'x' } });
    });

    it('includes a macro-expanded header name', () => {
      const o = { headers: { 'asm/page.h': 'page_h' }, files: { 'cfg.h': 'cfg_h' } };
      assertOutput('#define ARCH_HDR(x) <asm/x.h>\n#include ARCH_HDR(page)\n#define CFG "cfg.h"\n#include CFG', 'page_h cfg_h', o);
      assertError('#define N 3\n#include N', /#include expects "FILENAME" or <FILENAME>/, [2, 10]);
    });

    it('reports a missing include at the header name', () => {
      const d = assertError('int a;\n#include "foo.h"\n', /'foo.h': no such file/, [2, 10]);
      assert.equal(d.file, 'main.c');
      assert.match(new CompileError([d]).message, /^main.c:2:10: error: 'foo.h': no such file$/);
    });

    it('honours #pragma once and include guards', () => {
      const o = {
        files: {
          'once.h': '#pragma once\nonce_h',
          'guard.h': '/* comment */\n#ifndef GUARD_H\n#define GUARD_H\nguard_h\n#endif /* GUARD_H */\n',
          'unguarded.h': 'unguarded_h',
        },
      };
      assertOutput('#include "once.h"\n#include "once.h"\n#include "guard.h"\n#include "guard.h"\n#include "unguarded.h"\n#include "unguarded.h"', 'once_h guard_h unguarded_h unguarded_h', o);
      // After #undef of the guard the file is read again.
      assertOutput('#include "guard.h"\n#undef GUARD_H\n#include "guard.h"', 'guard_h guard_h', o);
    });

    it('does not take a file with text after its #endif for a guarded one', () => {
      const o = { files: { 'g.h': '#ifndef G\n#define G\n#endif\nafter' } };
      assertOutput('#include "g.h"\n#include "g.h"', 'after after', o);
    });

    it('stops runaway recursive includes at depth 200', () => {
      const d = assertError('#include "self.h"', /#include nested depth 201 exceeds maximum of 200/, [1, 2], { files: { 'self.h': '#include "self.h"\n' } });
      assert.equal(d.file, 'self.h');
    });

    it('counts include levels', () => {
      assertOutput('__INCLUDE_LEVEL__\n#include "a.h"', '0 1', { files: { 'a.h': '__INCLUDE_LEVEL__' } });
    });
  });

  describe('other directives', () => {
    it('raises #error as a CompileError at the directive', () => {
      const d = assertError('int x;\n  #  error  Unsupported   arch: don\'t\n', /^#error Unsupported arch: don't$/, [2, 6]);
      assert.equal(d.severity, 'error');
    });

    it('collects #warning', () => {
      const r = run('#warning "careful" now\nx');
      assert.deepEqual(r.warnings, [{ file: 'main.c', line: 1, col: 2, severity: 'warning', message: '#warning "careful" now' }]);
      assert.deepEqual(r.tokens.map((t) => t.text), ['x', '']);
    });

    it('renumbers lines with #line and line markers', () => {
      const tokens = tokensOf('a\n#line 100\nb __LINE__\n#line 7 "gen.c"\nc __FILE__\n# 50 "other.c" 2\nd');
      assert.deepEqual(tokens.map((t) => [t.text, t.file, t.line]), [
        ['a', 'main.c', 1], ['b', 'main.c', 100], ['100', 'main.c', 100], ['c', 'gen.c', 7], ['"gen.c"', 'gen.c', 7], ['d', 'other.c', 50],
      ]);
      assertError('#line x', /"x" after #line is not a positive integer/, [1, 7]);
    });

    it('rejects unknown directives but allows the null directive', () => {
      assertError('int a;\n#foo bar', /invalid preprocessing directive #foo/, [2, 2]);
      assertOutput('#\n# /* nothing */\nx', 'x');
      assertOutput('#ident "v1"\nx', 'x');
    });

    it('reports an unterminated literal in active text', () => {
      assertError("int c = 'a;", /missing terminating ' character/, [1, 9]);
      assertError('#define S "abc\nS', /missing terminating " character/, [1, 11]);
    });
  });

  describe('predefined macros', () => {
    it('defines __FILE__, __LINE__, __COUNTER__ and fixed __DATE__/__TIME__', () => {
      assertOutput('__FILE__ __LINE__\n__LINE__ __COUNTER__ __COUNTER__ __DATE__ __TIME__', '"drv.c" 1 2 0 1 "Jan  1 2013" "00:00:00"', { file: 'drv.c' });
      assertOutput('__BASE_FILE__ __FILE__\n#include "a.h"', '"main.c" "main.c" "main.c" "a.h"', { files: { 'a.h': '__BASE_FILE__ __FILE__' } });
    });

    it('gives builtin results the position of their name and no preprocessor bookkeeping', () => {
      assert.deepEqual(tokensOf('x\n  __LINE__'), [
        { kind: 'ident', text: 'x', file: 'main.c', line: 1, col: 1, lineStart: true },
        { kind: 'number', text: '2', file: 'main.c', line: 2, col: 3, spaceBefore: true, lineStart: true },
      ]);
    });

    it('defines __STDC__, __STDC_VERSION__ and __STDC_HOSTED__', () => {
      assertOutput('__STDC__ __STDC_VERSION__ __STDC_HOSTED__', '1 201112L 1');
      assertOutput('#if __STDC_VERSION__ >= 201112L && defined(__LINE__) && defined __FILE__\nc11\n#endif', 'c11');
    });

    it('takes defines from the options, function-like ones included', () => {
      const o = { defines: { __KERNEL__: '1', LINUX_VERSION_CODE: '198400', EMPTY: '', 'KERNEL_VERSION(a,b,c)': '(((a) << 16) + ((b) << 8) + (c))' } };
      assertOutput('#if defined(__KERNEL__) && LINUX_VERSION_CODE == KERNEL_VERSION(3, 7, 0)\nyes EMPTY\n#endif', 'yes', o);
      const tokens = tokensOf('LINUX_VERSION_CODE', o);
      assert.deepEqual(tokens[0].spelling, { file: '<command-line>', line: 1, col: 28 });
    });

    it('gives __LINE__ the line of the outermost invocation, or of the argument it was written in (gcc)', () => {
      assertOutput('#define L __LINE__\n#define f(x) x __LINE__\nL\nf(\n__LINE__\n  L)\nf(a\n)', '3 5 6 4 a 7');
    });
  });

  describe('positions', () => {
    it('places macro output at the outermost invocation, with spelling and the expansion chain', () => {
      const src = '#define INNER(x) (x + 1)\n#define OUTER(y) INNER(y) * 2\nint a = OUTER(\n   k);\n';
      const tokens = tokensOf(src);
      assert.deepEqual(tokens.map((t) => t.text).join(' '), 'int a = ( k + 1 ) * 2 ;');
      for (const t of tokens.slice(3, 9)) assert.deepEqual([t.file, t.line, t.col], ['main.c', 3, 9], t.text);
      const open = tokens[3];
      assert.deepEqual(open.spelling, { file: 'main.c', line: 1, col: 18 });
      assert.deepEqual(open.expansion, {
        macro: 'INNER',
        at: { file: 'main.c', line: 2, col: 18 },
        parent: { macro: 'OUTER', at: { file: 'main.c', line: 3, col: 9 } },
      });
      const k = tokens[4];
      assert.deepEqual(k.spelling, { file: 'main.c', line: 4, col: 4 });
      assert.equal(k.expansion?.macro, 'INNER');
      const times = tokens[8];
      assert.deepEqual(times.spelling, { file: 'main.c', line: 2, col: 27 });
      assert.deepEqual(times.expansion, { macro: 'OUTER', at: { file: 'main.c', line: 3, col: 9 } });
      const semi = tokens[tokens.length - 1];
      assert.deepEqual([semi.line, semi.col, semi.spelling, semi.expansion], [4, 6, undefined, undefined]);
    });

    it('chains expansions made while pre-expanding an argument onto the invocation', () => {
      const tokens = tokensOf('#define ONE 1\n#define id(x) x\n  id(ONE)');
      assert.deepEqual(tokens[0], {
        kind: 'number', text: '1', file: 'main.c', line: 3, col: 3,
        spelling: { file: 'main.c', line: 1, col: 13 },
        expansion: { macro: 'ONE', at: { file: 'main.c', line: 3, col: 6 }, parent: { macro: 'id', at: { file: 'main.c', line: 3, col: 3 } } },
        spaceBefore: true, lineStart: true,
      });
    });

    it('places tokens of a macro defined in a header at the use site, spelled in the header', () => {
      const tokens = tokensOf('#include <m.h>\n\tx = M;', { headers: { 'm.h': '\n#define M (1)' } });
      const one = tokens.find((t) => t.text === '1')!;
      assert.deepEqual([one.file, one.line, one.col], ['main.c', 2, 6]);
      assert.deepEqual(one.spelling, { file: 'm.h', line: 2, col: 12 });
    });

    it('keeps file, line and column of plain tokens, in included files too', () => {
      const tokens = tokensOf('a\n#include "inc.h"\n\t b', { files: { 'inc.h': '\n  c \\\n d' } });
      assert.deepEqual(tokens.map((t) => [t.text, t.file, t.line, t.col]), [
        ['a', 'main.c', 1, 1], ['c', 'inc.h', 2, 3], ['d', 'inc.h', 3, 2], ['b', 'main.c', 3, 3],
      ]);
    });

    it('puts eof after the last token of the main file', () => {
      const tokens = run('int x;\n#include "a.h"\n', { files: { 'a.h': 'y' } }).tokens;
      assert.deepEqual(tokens[tokens.length - 1], { kind: 'eof', text: '', file: 'main.c', line: 2, col: 15 });
    });

    it('hands digraphs on as the punctuators they spell', () => {
      assertOutput('%:define A(x) <:x:>\nA(1) <% %> %:', '[1] { } #');
    });
  });

  describe('limits', () => {
    it('stops a macro bomb at maxTokens', () => {
      let src = '#define a0 x x\n';
      for (let i = 1; i <= 30; i++) src += `#define a${i} a${i - 1} a${i - 1}\n`;
      src += 'int v = a30;\n';
      assertError(src, /macro expansion exceeds the limit of 10000 tokens/, [32, 9], { maxTokens: 10000 });
    });

    it('stops an argument-doubling bomb before it exhausts memory', () => {
      let src = '#define d(x) x x\n';
      src += 'd('.repeat(40) + '1' + ')'.repeat(40);
      assertError(src, /macro expansion exceeds the limit of 100000 tokens/, [2, 1], { maxTokens: 100000 });
    });

    it('bounds the nesting of macro arguments', () => {
      const src = '#define f(x) x\n' + 'f('.repeat(1000) + '1' + ')'.repeat(1000);
      assertError(src, /macro arguments nested too deeply/, [2, 1]);
    });

    it('bounds the nesting of #if expressions', () => {
      assertError('#if ' + '('.repeat(5000) + '1' + ')'.repeat(5000) + '\n#endif', /nested too deeply/, [1, 506]);
    });

    it('preprocesses a 5,000-line driver with a 300-line header quickly', () => {
      const { header, source } = kernelStyleSources();
      const o = options({ files: { 'drv.h': header }, defines: { LINUX_VERSION_CODE: '198400', CONFIG_SMP: '1' } });
      const timings: number[] = [];
      let result: PreprocessResult | undefined;
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        result = preprocess('drv.c', source, o);
        timings.push(performance.now() - start);
      }
      const lines = source.split('\n').length;
      console.log(`      preprocess: ${lines} lines + ${header.split('\n').length}-line header → ${result!.tokens.length} tokens in ` +
        `${timings.map((t) => t.toFixed(1)).join(' / ')} ms (first / warm runs)`);
      assert.ok(result!.tokens.length > 40000);
    });
  });
});

/** A synthetic driver in kernel style: guards, function-like macros, conditionals, attributes. */
function kernelStyleSources(): { header: string; source: string } {
  const header = [
    '#ifndef _DRV_H',
    '#define _DRV_H',
    '#define KERNEL_VERSION(a,b,c) (((a) << 16) + ((b) << 8) + (c))',
    '#define __user __attribute__((noderef, address_space(1)))',
    '#define __init __attribute__((__section__(".init.text")))',
    '#define offsetof(TYPE, MEMBER) __builtin_offsetof(TYPE, MEMBER)',
    '#define container_of(ptr, type, member) ({ const typeof( ((type *)0)->member ) *__mptr = (ptr); (type *)( (char *)__mptr - offsetof(type,member) );})',
    '#define min(x, y) ({ typeof(x) _min1 = (x); typeof(y) _min2 = (y); (void) (&_min1 == &_min2); _min1 < _min2 ? _min1 : _min2; })',
    '#define KERN_INFO "\\0016"',
    '#define pr_info(fmt, ...) printk(KERN_INFO fmt, ##__VA_ARGS__)',
    '#define PAGE_SHIFT 12',
    '#define PAGE_SIZE (1UL << PAGE_SHIFT)',
  ];
  for (let i = header.length; header.length < 299; i++) {
    header.push(i % 2 === 0 ? `#define DRV_REG_${i} (0x${(i * 16).toString(16)} + PAGE_SIZE)` : `struct drv_s${i} { int a; unsigned long b; char name[${i}]; };`);
  }
  header.push('#endif /* _DRV_H */');
  const source = ['#include "drv.h"', '#include "drv.h"'];
  for (let i = 0; source.length < 5000; i++) {
    source.push(
      `/* callback ${i} */`,
      `static long __init drv_op${i}(struct drv_s${(i % 140) * 2 + 13} __user *arg, unsigned long len)`,
      '{',
      `\tunsigned long n = min(len, (unsigned long)DRV_REG_${(i % 140) * 2 + 12});`,
      `\tstruct drv_s13 *s = container_of(arg, struct drv_s13, b);`,
      '#if defined(CONFIG_SMP) && LINUX_VERSION_CODE >= KERNEL_VERSION(3, 7, 0)',
      `\tpr_info("op${i}: %lu\\n", n);`,
      '#else',
      '\tpr_info("op: no smp\\n");',
      '#endif',
      '\tif (n > PAGE_SIZE)',
      '\t\treturn -EINVAL;',
      '\treturn s->a + n;',
      '}',
      '',
    );
  }
  return { header: header.join('\n') + '\n', source: source.join('\n') + '\n' };
}
