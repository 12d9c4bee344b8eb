/**
 * rand()/srand() as glibc implements them (random_r.c, TYPE_3): an additive feedback generator
 * over 31 words, r[i] = r[i-3] + r[i-31], seeded with a Lehmer sequence and run 310 steps before
 * the first output, so sequences match glibc number for number. The state is per process and
 * starts as if srand(1) had been called, as glibc's does.
 */
const DEG = 31;
const SEP = 3;

export class RandomState {
  private readonly r = new Int32Array(DEG);
  private f = SEP;
  private b = 0;

  constructor() {
    this.seed(1);
  }

  seed(seed: number): void {
    seed >>>= 0;
    if (seed === 0) seed = 1;
    let word = seed | 0;
    this.r[0] = word;
    for (let i = 1; i < DEG; i++) {
      // 16807 * word % 2147483647 without overflowing 31 bits (Schrage's method), in C's
      // truncating division: a seed above INT_MAX is a negative word here too.
      const hi = Math.trunc(word / 127773);
      const lo = word % 127773;
      word = 16807 * lo - 2836 * hi;
      if (word < 0) word += 2147483647;
      word |= 0;
      this.r[i] = word;
    }
    this.f = SEP;
    this.b = 0;
    for (let i = 0; i < DEG * 10; i++) this.next();
  }

  /** The next value, 0..RAND_MAX. */
  next(): number {
    const val = (this.r[this.f] + this.r[this.b]) | 0;
    this.r[this.f] = val;
    const result = (val >>> 0) >>> 1;
    if (++this.f >= DEG) {
      this.f = 0;
      ++this.b;
    } else if (++this.b >= DEG) this.b = 0;
    return result;
  }
}
