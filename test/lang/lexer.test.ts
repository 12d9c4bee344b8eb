import assert from 'node:assert/strict';
import { CompileError } from '../../engine/lang/diagnostics';
import { lex, lexForPreprocessor } from '../../engine/lang/lexer';

function texts(src: string): string[] {
  return lex(src, 'a.c').map((t) => t.text);
}

function kinds(src: string): string[] {
  return lex(src, 'a.c').map((t) => `${t.kind}:${t.text}`);
}

function assertLexError(src: string, line: number, col: number, message: RegExp): void {
  assert.throws(
    () => lex(src, 'a.c'),
    (e: unknown) => {
      assert.ok(e instanceof CompileError);
      const d = e.diagnostics[0];
      assert.deepEqual([d.file, d.line, d.col], ['a.c', line, col]);
      assert.match(d.message, message);
      return true;
    },
  );
}

describe('lexer', () => {
  it('lexes every C punctuator, longest match first', () => {
    const all = '[ ] ( ) { } . -> ++ -- & * + - ~ ! / % << >> < > <= >= == != ^ | && || ? : ; ... = *= /= %= += -= <<= >>= &= ^= |= , # ##';
    assert.deepEqual(texts(all), all.split(' '));
    assert.deepEqual(texts('a+++++b'), ['a', '++', '++', '+', 'b']);
    assert.deepEqual(texts('x<<=y>>=z...'), ['x', '<<=', 'y', '>>=', 'z', '...']);
    assert.deepEqual(texts('..'), ['.', '.']);
  });

  it('lexes digraphs as written', () => {
    assert.deepEqual(texts('<: :> <% %> %: %:%:'), ['<:', ':>', '<%', '%>', '%:', '%:%:']);
  });

  it('lexes pp-numbers whole, including suffixes, exponents signs and odd forms', () => {
    assert.deepEqual(kinds('0x1fUL 1e+5 1.5f 0777 .5 1.2.3 0x1p-3 1E-2L 08'), [
      'number:0x1fUL', 'number:1e+5', 'number:1.5f', 'number:0777', 'number:.5', 'number:1.2.3',
      'number:0x1p-3', 'number:1E-2L', 'number:08',
    ]);
    // A sign only belongs to a pp-number right after e/E/p/P.
    assert.deepEqual(texts('1+2 0x1e+5 12-3'), ['1', '+', '2', '0x1e+5', '12', '-', '3']);
  });

  it('lexes identifiers with $ and non-ASCII letters', () => {
    assert.deepEqual(kinds('_a1 $x é2'), ['ident:_a1', 'ident:$x', 'ident:é2']);
  });

  it('lexes character and string literals with their prefixes', () => {
    assert.deepEqual(kinds(`'a' L'b' u'c' U'd' "s" u8"t" L"u" u"v" U"w" '\\'' "\\"x"`), [
      "char:'a'", "char:L'b'", "char:u'c'", "char:U'd'", 'string:"s"', 'string:u8"t"', 'string:L"u"',
      'string:u"v"', 'string:U"w"', "char:'\\''", 'string:"\\"x"',
    ]);
    // A prefix-like identifier followed by space is just an identifier.
    assert.deepEqual(kinds(`L 'x' u8 "y" Lx"z"`), ["ident:L", "char:'x'", 'ident:u8', 'string:"y"', 'ident:Lx', 'string:"z"']);
  });

  it('treats comments as white space', () => {
    const toks = lex('a/**/b // line comment\nc /* multi\nline */ d', 'a.c');
    assert.deepEqual(toks.map((t) => t.text), ['a', 'b', 'c', 'd']);
    assert.equal(toks[1].spaceBefore, true);
    assert.deepEqual([toks[3].line, toks[3].col], [3, 9]);
    assert.deepEqual(texts('"/* not a comment */" // "not a string'), ['"/* not a comment */"']);
  });

  it('sets lineStart and spaceBefore', () => {
    const toks = lex('int a;\n  b(c)\n', 'a.c');
    assert.deepEqual(toks.map((t) => [t.text, !!t.lineStart, !!t.spaceBefore]), [
      ['int', true, false], ['a', false, true], [';', false, false],
      ['b', true, true], ['(', false, false], ['c', false, false], [')', false, false],
    ]);
  });

  it('gives 1-based line and column of the original text, a tab counting as one column', () => {
    const toks = lex('a\n\tb  c\r\n\r\nd', 'x/y.c');
    assert.deepEqual(toks.map((t) => [t.text, t.file, t.line, t.col]), [
      ['a', 'x/y.c', 1, 1], ['b', 'x/y.c', 2, 2], ['c', 'x/y.c', 2, 5], ['d', 'x/y.c', 4, 1],
    ]);
  });

  it('counts a character outside the BMP as one column', () => {
    const toks = lex('"😀😀" x\n😀 y', 'a.c');
    assert.deepEqual(toks.map((t) => [t.text, t.line, t.col]), [['"😀😀"', 1, 1], ['x', 1, 6], ['😀', 2, 1], ['y', 2, 3]]);
  });

  it('splices backslash-newlines but keeps original positions', () => {
    const toks = lex('ab\\\ncd e\n#define X \\\n  1 + \\\r\n 2\nf', 'a.c');
    assert.deepEqual(toks.map((t) => [t.text, t.line, t.col, !!t.lineStart]), [
      ['abcd', 1, 1, true], ['e', 2, 4, false],
      ['#', 3, 1, true], ['define', 3, 2, false], ['X', 3, 9, false], ['1', 4, 3, false],
      ['+', 4, 5, false], ['2', 5, 2, false], ['f', 6, 1, true],
    ]);
    // gcc also splices when blanks sit between the backslash and the newline.
    assert.deepEqual(texts('x\\  \ny'), ['xy']);
    // A // comment continues onto a spliced line.
    assert.deepEqual(texts('a // c \\\n still comment\nb'), ['a', 'b']);
  });

  it('reports an unterminated comment, string or character at its start', () => {
    assertLexError('int a;\n  /* open', 2, 3, /unterminated comment/);
    assertLexError('x = "abc\n";', 1, 5, /missing terminating " character/);
    assertLexError("c = 'a;", 1, 5, /missing terminating ' character/);
  });

  it('keeps unterminated literals as marked tokens for the preprocessor', () => {
    const toks = lexForPreprocessor("#error don't\nx", 'a.c');
    assert.deepEqual(toks.map((t) => t.text), ['#', 'error', 'don', "'t", 'x']);
    assert.match(toks[3].lexError ?? '', /missing terminating ' character/);
    assert.equal(toks[4].lexError, undefined);
  });

  it('lexes header names only where #include and __has_include allow them', () => {
    assert.deepEqual(kinds('#include <linux/module.h>\n#  include <a b.h> x\n'), [
      'punct:#', 'ident:include', 'string:<linux/module.h>', 'punct:#', 'ident:include', 'string:<a b.h>', 'ident:x',
    ]);
    assert.deepEqual(kinds('#if __has_include(<x.h>)\na<b>c\n'), [
      'punct:#', 'ident:if', 'ident:__has_include', 'punct:(', 'string:<x.h>', 'punct:)', 'ident:a', 'punct:<', 'ident:b', 'punct:>', 'ident:c',
    ]);
  });

  it('makes single-character tokens of stray characters', () => {
    assert.deepEqual(kinds('a @ ` \\ b'), ['ident:a', 'punct:@', 'punct:`', 'punct:\\', 'ident:b']);
  });

  it('returns no tokens for empty or blank text', () => {
    assert.deepEqual(lex('', 'a.c'), []);
    assert.deepEqual(lex(' \n\t/* */\n', 'a.c'), []);
  });
});
