// Seeded pseudo-random numbers for init, shuffling, dropout and sampling: xoshiro128** (Blackman &
// Vigna, 2018), 32-bit integer arithmetic only, so the same seed gives the same numbers everywhere.
//
// Seeding: splitmix32 expands (seed, stream) into the 128-bit state, so nearby seeds and separate
// streams (e.g. init vs. dropout vs. data order) are decorrelated. normal() is Box-Muller and keeps
// its second value as a spare; the spare is part of the state, so getState()/setState() resumes bit
// for bit. Math.log/cos/sin are V8's fdlibm ports, identical on every platform Node runs on.

/** Everything needed to continue the sequence exactly; plain JSON. */
export interface RngState {
  readonly s: readonly [number, number, number, number]; // xoshiro128** state, uint32 each
  readonly spare: number | null;                         // Box-Muller's unused second normal
}

const TWO_POW_32 = 4294967296;

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** splitmix32 step: a well-mixed uint32 from a counter; used only to seed. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  /** seed: any integer (taken modulo 2^32); stream: an independent sequence for the same seed. */
  constructor(seed: number, stream = 0) {
    if (!Number.isFinite(seed) || !Number.isInteger(seed)) {
      throw new Error(`Rng: seed must be an integer, got ${seed}`);
    }
    let x = (seed >>> 0) ^ Math.imul(stream + 1, 0x632be5ab);
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      return splitmix32(x);
    };
    this.s0 = next(); this.s1 = next(); this.s2 = next(); this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** Next uint32 (xoshiro128**). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform in [low, high). */
  uniformIn(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Standard normal N(0, 1), Box-Muller; every second call returns the kept spare. */
  normal(): number {
    if (this.spare !== null) {
      const value = this.spare;
      this.spare = null;
      return value;
    }
    const u1 = 1 - this.uniform(); // (0, 1]: log stays finite
    const u2 = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Uniform integer in [0, n), unbiased (rejection of the short last bucket); n ≤ 2^32. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > TWO_POW_32) {
      throw new Error(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % n); // accept draws below the largest multiple of n
    for (;;) {
      const draw = this.nextUint32();
      if (draw < limit) return draw % n;
    }
  }

  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<A extends { length: number; [i: number]: unknown }>(items: A): A {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const held = items[i];
      items[i] = items[j];
      items[j] = held;
    }
    return items;
  }

  getState(): RngState {
    return { s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], spare: this.spare };
  }

  setState(state: RngState): void {
    const s = state.s;
    if (!Array.isArray(s) || s.length !== 4 || s.some((w) => !Number.isInteger(w) || w < 0 || w >= TWO_POW_32)) {
      throw new Error(`Rng.setState: expected s = four uint32 words, got ${JSON.stringify(s)}`);
    }
    if (state.spare !== null && typeof state.spare !== 'number') {
      throw new Error(`Rng.setState: expected spare = number or null, got ${JSON.stringify(state.spare)}`);
    }
    if ((s[0] | s[1] | s[2] | s[3]) === 0) throw new Error('Rng.setState: the all-zero state is invalid');
    this.s0 = s[0] | 0; this.s1 = s[1] | 0; this.s2 = s[2] | 0; this.s3 = s[3] | 0;
    this.spare = state.spare;
  }

  /** A copy continuing the same sequence independently. */
  clone(): Rng {
    const copy = new Rng(0);
    copy.setState(this.getState());
    return copy;
  }
}
