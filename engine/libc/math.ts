/**
 * math.h: the functions whose results are exact or correctly rounded in both JavaScript and
 * glibc (fabs, floor, ceil, trunc, round, sqrt, fmod), plus pow, for which V8's result may differ
 * from glibc's in the last bit in rare cases. Domain errors return the negative NaN x86 produces
 * ("-nan" in printf) and set EDOM; overflow, underflow and poles set ERANGE, as glibc does with
 * math_errhandling = MATH_ERRNO.
 */
import { EDOM, ERANGE } from './errno';
import type { LibcProcess } from './process';
import type { DefineRoutine } from './routine';
import type { Step } from './usermem';

const NEGATIVE_NAN = new Float64Array(new BigUint64Array([0xfff8000000000000n]).buffer)[0];
const DBL_MIN = 2.2250738585072014e-308;

function* withErrno(p: LibcProcess, value: number, errno: number): Step<number> {
  yield* p.setErrno(errno);
  return value;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

export function pow(x: number, y: number): { value: number; errno?: number } {
  if (x === 1 || y === 0) return { value: 1 };
  if (x === -1 && (y === Infinity || y === -Infinity)) return { value: 1 };
  if (Number.isNaN(x) || Number.isNaN(y)) return { value: x + y };
  if (Number.isFinite(x) && x < 0 && Number.isFinite(y) && !Number.isInteger(y)) return { value: NEGATIVE_NAN, errno: EDOM };
  const value = Math.pow(x, y);
  if (x === 0 && y < 0) return { value, errno: ERANGE };
  if (Number.isFinite(x) && Number.isFinite(y)) {
    if (!Number.isFinite(value)) return { value, errno: ERANGE };
    if (x !== 0 && Math.abs(value) < DBL_MIN) return { value, errno: ERANGE };
  }
  return { value };
}

/**
 * scalbn: x · 2^e with one rounding. Halving or doubling is exact while the value stays normal,
 * so only the last multiplication (into the subnormal range) can round.
 */
export function scalbn(x: number, e: number, minNormal = 2 ** -1022): number {
  if (!Number.isFinite(x) || x === 0) return x;
  let r = x;
  while (e > 0 && Number.isFinite(r)) {
    r *= 2;
    e--;
  }
  while (e < 0 && Math.abs(r) / 2 >= minNormal) {
    r /= 2;
    e++;
  }
  if (e >= 0) return r;
  // Past the smallest subnormal, 2^e itself is 0 and the product far below half of it.
  return e >= -1074 ? r * 2 ** e : r > 0 ? 0 : -0;
}

export function defineMath(def: DefineRoutine): void {
  def('fabsf(x)', (_p, a) => Math.fround(Math.abs(num(a[0]))));
  // glibc's ldexp sets ERANGE only when a finite, non-zero x gives infinity or zero.
  def('ldexp(x, e)', (p, a) => {
    const x = num(a[0]);
    const value = scalbn(x, Number(a[1]) | 0);
    return Number.isFinite(x) && x !== 0 && (!Number.isFinite(value) || value === 0) ? withErrno(p, value, ERANGE) : value;
  });
  def('ldexpf(x, e)', (p, a) => {
    const x = Math.fround(num(a[0]));
    // In single precision: exact down to FLT_MIN, then the one rounding is to a float.
    const value = Math.fround(scalbn(x, Number(a[1]) | 0, 2 ** -126));
    return Number.isFinite(x) && x !== 0 && (!Number.isFinite(value) || value === 0) ? withErrno(p, value, ERANGE) : value;
  });
  def('fabs(x)', (_p, a) => Math.abs(num(a[0])));
  def('floor(x)', (_p, a) => Math.floor(num(a[0])));
  def('ceil(x)', (_p, a) => Math.ceil(num(a[0])));
  def('trunc(x)', (_p, a) => Math.trunc(num(a[0])));
  // C rounds halfway cases away from zero; Math.round rounds them up.
  def('round(x)', (_p, a) => {
    const x = num(a[0]);
    return Number.isFinite(x) ? Math.sign(x) * Math.round(Math.abs(x)) : x;
  });
  def('sqrt(x)', (p, a) => {
    const x = num(a[0]);
    return x < 0 ? withErrno(p, NEGATIVE_NAN, EDOM) : Math.sqrt(x);
  });
  def('fmod(x, y)', (p, a) => {
    const x = num(a[0]);
    const y = num(a[1]);
    if (!Number.isNaN(x) && !Number.isNaN(y) && (y === 0 || !Number.isFinite(x))) return withErrno(p, NEGATIVE_NAN, EDOM);
    return x % y;
  });
  def('pow(x, y)', (p, a) => {
    const r = pow(num(a[0]), num(a[1]));
    return r.errno === undefined ? r.value : withErrno(p, r.value, r.errno);
  });
}
