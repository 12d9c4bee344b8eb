// The exact float conversions checked against an independent oracle that needs no gcc: JS's
// toFixed/toExponential are exact too, up to 100 digits and 1e21, but round ties away from
// zero, so ties (detected from the exact expansion) are left to the byte-exact glibc cases.

import assert from 'node:assert/strict';
import { fixedDigits, formatFixed, formatScientific, scientificDigits } from '../../engine/format/float';

/** xorshift32: deterministic pseudo-random doubles without Math.random. */
function* randomDoubles(count: number, seed: number): Generator<number> {
  let s = seed >>> 0;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  for (let i = 0; i < count; i++) {
    const mant = (next() & 0x1fffff) * 2 ** 32 + next();
    const exp = (next() % 100) - 80;
    const sign = next() & 1 ? -1 : 1;
    yield sign * mant * 2 ** exp;
  }
}

/** Whether |x| at `precision` decimals sits exactly halfway (its exact expansion ends in 5 one digit further). */
function isTie(x: number, precision: number): boolean {
  const exact = fixedDigits(x, 1100, 'nearest').fracPart.replace(/0+$/, '');
  return exact.length === precision + 1 && exact.endsWith('5');
}

function cStyleExponent(js: string): string {
  return js.replace(/e([+-])(\d)$/, 'e$10$2');
}

describe('exact double to decimal', () => {
  it('agrees with toFixed on 3000 pseudo-random doubles at precisions 0..20 (ties excepted)', () => {
    let compared = 0;
    let i = 0;
    for (const x of randomDoubles(3000, 0x9e3779b9)) {
      const precision = i++ % 21;
      if (Math.abs(x) >= 1e21 || isTie(x, precision)) continue;
      const jsText = Math.abs(x).toFixed(precision);
      assert.equal(formatFixed(x, precision, false, 'nearest'), jsText, `${x} at ${precision}`);
      compared++;
    }
    assert.ok(compared > 2500);
  });

  it('agrees with toExponential on 3000 pseudo-random doubles at precisions 0..20 (ties excepted)', () => {
    let i = 0;
    for (const x of randomDoubles(3000, 0x1234567)) {
      const precision = i++ % 21;
      const { digits } = scientificDigits(x, precision + 40, 'nearest');
      const beyond = digits.slice(precision + 1).replace(/0+$/, '');
      if (beyond === '5') continue; // a tie at this precision (the 40 extra digits are exact or nonzero)
      assert.equal(formatScientific(x, precision, false, false, 'nearest'), cStyleExponent(Math.abs(x).toExponential(precision)), `${x} at ${precision}`);
    }
  });

  it('expands a double exactly at any precision', () => {
    const { intPart, fracPart } = fixedDigits(5e-324, 1074, 'nearest');
    assert.equal(intPart, '0');
    assert.equal(fracPart.length, 1074);
    assert.ok(fracPart.startsWith('0'.repeat(323) + '49406564584124654417656879286822137236505980'));
    assert.ok(fracPart.endsWith('625'));
    assert.equal(formatFixed(2 ** 70, 0, false, 'nearest'), '1180591620717411303424');
  });

  it('carries rounding into a new leading digit', () => {
    assert.deepEqual(scientificDigits(9.96, 1, 'nearest'), { digits: '10', exp10: 1, carried: true });
    assert.equal(formatFixed(0.9999999, 3, false, 'nearest'), '1.000');
    assert.equal(formatScientific(999.96, 3, false, true, 'nearest'), '1.000E+03');
  });
});
