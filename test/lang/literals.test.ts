import assert from 'node:assert/strict';
import { LiteralError, parseCharLiteral, parseFloatLiteral, parseIntLiteral, parseStringLiteral } from '../../engine/lang/literals';

describe('literals', () => {
  describe('parseIntLiteral', () => {
    it('reads decimal, octal, hex and binary constants', () => {
      assert.deepEqual(parseIntLiteral('42'), { value: 42n, unsigned: false, longs: 0, decimal: true });
      assert.deepEqual(parseIntLiteral('0777'), { value: 511n, unsigned: false, longs: 0, decimal: false });
      assert.deepEqual(parseIntLiteral('0x1fUL'), { value: 31n, unsigned: true, longs: 1, decimal: false });
      assert.deepEqual(parseIntLiteral('0b101'), { value: 5n, unsigned: false, longs: 0, decimal: false });
      assert.deepEqual(parseIntLiteral('0'), { value: 0n, unsigned: false, longs: 0, decimal: false });
    });

    it('accepts every suffix order and case C allows', () => {
      for (const [suffix, unsigned, longs] of [
        ['u', true, 0], ['U', true, 0], ['l', false, 1], ['L', false, 1], ['ll', false, 2], ['LL', false, 2],
        ['ul', true, 1], ['lu', true, 1], ['ULL', true, 2], ['llu', true, 2], ['LLU', true, 2], ['uLL', true, 2],
      ] as const) {
        assert.deepEqual(parseIntLiteral('7' + suffix), { value: 7n, unsigned, longs, decimal: true }, suffix);
      }
    });

    it('keeps values beyond 64 bits exact for the caller to diagnose', () => {
      assert.equal(parseIntLiteral('18446744073709551615')?.value, (1n << 64n) - 1n);
      assert.equal(parseIntLiteral('0x10000000000000000')?.value, 1n << 64n);
    });

    it('rejects malformed constants and floats', () => {
      for (const text of ['08', '0x', '0b2', '1uu', '1lL', '1Ll', '1lul', '1.0', '1e5', '12abc', 'x1', '']) {
        assert.equal(parseIntLiteral(text), undefined, text);
      }
    });
  });

  describe('parseFloatLiteral', () => {
    it('reads decimal floats with exponents and suffixes', () => {
      assert.deepEqual(parseFloatLiteral('1.5'), { value: 1.5, suffix: '' });
      assert.deepEqual(parseFloatLiteral('1.5f'), { value: 1.5, suffix: 'f' });
      assert.deepEqual(parseFloatLiteral('.5L'), { value: 0.5, suffix: 'l' });
      assert.deepEqual(parseFloatLiteral('1.'), { value: 1, suffix: '' });
      assert.deepEqual(parseFloatLiteral('1e3'), { value: 1000, suffix: '' });
      assert.deepEqual(parseFloatLiteral('2.5E-1F'), { value: 0.25, suffix: 'f' });
    });

    it('rounds float-suffixed constants to single precision', () => {
      assert.equal(parseFloatLiteral('0.1f')?.value, Math.fround(0.1));
      assert.equal(parseFloatLiteral('0.1')?.value, 0.1);
    });

    it('reads hexadecimal floats', () => {
      assert.equal(parseFloatLiteral('0x1p-3')?.value, 0.125);
      assert.equal(parseFloatLiteral('0x1.8p1')?.value, 3);
      assert.equal(parseFloatLiteral('0X.8P0')?.value, 0.5);
      assert.equal(parseFloatLiteral('0x1p1024')?.value, Infinity);
      assert.equal(parseFloatLiteral('0x1p-1074')?.value, 5e-324);
    });

    it('rejects integers and malformed floats', () => {
      for (const text of ['1', '0x10', '1e', '1.0.0', '0x1.0', '1.0ff', '1.0u', 'e5', '0xp1']) {
        assert.equal(parseFloatLiteral(text), undefined, text);
      }
    });
  });

  describe('parseCharLiteral', () => {
    it('reads plain characters and simple escapes', () => {
      assert.deepEqual(parseCharLiteral("'a'"), { value: 97, prefix: '' });
      assert.deepEqual(parseCharLiteral("'\\n'"), { value: 10, prefix: '' });
      assert.deepEqual(parseCharLiteral("'\\0'"), { value: 0, prefix: '' });
      assert.deepEqual(parseCharLiteral("'\\''"), { value: 39, prefix: '' });
      assert.deepEqual(parseCharLiteral("'\"'"), { value: 34, prefix: '' });
      assert.deepEqual(parseCharLiteral("'\\e'"), { value: 27, prefix: '' });
    });

    it('sign-extends plain char like gcc on x86', () => {
      assert.equal(parseCharLiteral("'\\xff'").value, -1);
      assert.equal(parseCharLiteral("'\\377'").value, -1);
      assert.equal(parseCharLiteral("'\\x80'").value, -128);
      assert.equal(parseCharLiteral("'\\x7f'").value, 127);
    });

    it('packs multi-character constants into an int, as gcc', () => {
      const ab = parseCharLiteral("'ab'");
      assert.equal(ab.value, 0x6162);
      assert.match(ab.warning ?? '', /multi-character/);
      assert.equal(parseCharLiteral("'abcd'").value, 0x61626364);
      assert.equal(parseCharLiteral("'\\xff\\xff\\xff\\xff'").value, -1);
      const long = parseCharLiteral("'abcde'");
      assert.equal(long.value, 0x62636465);
      assert.match(long.warning ?? '', /too long/);
    });

    it('reads wide character constants', () => {
      assert.deepEqual(parseCharLiteral("L'\\xff'"), { value: 255, prefix: 'L' });
      assert.deepEqual(parseCharLiteral("L'\\xffffffff'"), { value: -1, prefix: 'L' });
      assert.deepEqual(parseCharLiteral("u'é'"), { value: 0xe9, prefix: 'u' });
      assert.deepEqual(parseCharLiteral("U'\\U0001F600'"), { value: 0x1f600, prefix: 'U' });
      assert.deepEqual(parseCharLiteral("U'\\xffffffff'"), { value: 0xffffffff, prefix: 'U' });
    });

    it('accepts an unknown escape with a warning, as gcc', () => {
      const c = parseCharLiteral("'\\q'");
      assert.equal(c.value, 113);
      assert.match(c.warning ?? '', /unknown escape sequence/);
    });

    it('throws on bad escapes and empty constants', () => {
      for (const text of ["''", "'\\x'", "'\\x100'", "'\\400'", "'\\u12'", "'\\u0041'", "'\\uD800'", "u'\\U0001F600'", "'a"]) {
        assert.throws(() => parseCharLiteral(text), LiteralError, text);
      }
    });
  });

  describe('parseStringLiteral', () => {
    it('gives the bytes without the terminating NUL', () => {
      assert.deepEqual(parseStringLiteral('"abc"'), { bytes: [97, 98, 99], prefix: '' });
      assert.deepEqual(parseStringLiteral('""'), { bytes: [], prefix: '' });
      assert.deepEqual(parseStringLiteral('"a\\tb\\0"'), { bytes: [97, 9, 98, 0], prefix: '' });
    });

    it('decodes octal, hex and universal character escapes', () => {
      assert.deepEqual(parseStringLiteral('"\\101\\x42\\0016"').bytes, [65, 66, 1, 54]);
      assert.deepEqual(parseStringLiteral('"\\u00e9"').bytes, [0xc3, 0xa9]);
      assert.deepEqual(parseStringLiteral('"\\U0001F600"').bytes, [0xf0, 0x9f, 0x98, 0x80]);
    });

    it('encodes source characters as UTF-8 in narrow and u8 strings', () => {
      assert.deepEqual(parseStringLiteral('"é"').bytes, [0xc3, 0xa9]);
      assert.deepEqual(parseStringLiteral('u8"é"'), { bytes: [0xc3, 0xa9], prefix: 'u8' });
    });

    it('gives code units for wide strings', () => {
      assert.deepEqual(parseStringLiteral('L"aé"'), { bytes: [97, 0xe9], prefix: 'L' });
      assert.deepEqual(parseStringLiteral('u"\\U0001F600"'), { bytes: [0xd83d, 0xde00], prefix: 'u' });
      assert.deepEqual(parseStringLiteral('U"\\U0001F600\\xffffffff"'), { bytes: [0x1f600, 0xffffffff], prefix: 'U' });
      assert.deepEqual(parseStringLiteral('u"\\xffff"').bytes, [0xffff]);
    });

    it('throws on bad escapes', () => {
      for (const text of ['"\\x"', '"\\x100"', 'u"\\x10000"', '"\\u00"', '"\\U00110000"']) {
        assert.throws(() => parseStringLiteral(text), LiteralError, text);
      }
    });
  });
});
