/**
 * A small, fast, seedable random number generator (sfc32, seeded through splitmix32).
 * `createRng(seed, stream)` gives independent sequences per (seed, stream), so image i of a
 * data set depends only on (seed, i) and can be regenerated alone or in parallel.
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi], both ends included (Python's random.randint). */
  int(lo: number, hi: number): number;
  /** Uniform float in [a, b) (Python's random.uniform). */
  uniform(a: number, b: number): number;
  /** One element of a non-empty array. */
  choice<T>(items: readonly T[]): T;
  /** The next `count` values of `next()` into `out` (the same numbers, in order; one tight loop for bulk draws). */
  fill(out: Float64Array, count?: number): void;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createRng(seed: number, stream = 0): Rng {
  const mix = splitmix32((Math.imul(seed >>> 0, 0x27d4eb2d) ^ Math.imul(stream >>> 0, 0x165667b1) ^ Math.floor(seed / 2 ** 32)) >>> 0);
  let a = mix();
  let b = mix() ^ (stream >>> 0);
  let c = mix();
  let d = mix();
  const nextU32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) nextU32();
  const next = (): number => nextU32() / 4294967296;
  const fill = (out: Float64Array, count = out.length): void => {
    // The same sfc32 steps on int32 values (the same bits mod 2^32; V8 keeps them unboxed).
    let sa = a | 0;
    let sb = b | 0;
    let sc = c | 0;
    let sd = d | 0;
    for (let i = 0; i < count; i++) {
      const t = (((sa + sb) | 0) + sd) | 0;
      sd = (sd + 1) | 0;
      sa = sb ^ (sb >>> 9);
      sb = (sc + (sc << 3)) | 0;
      sc = (sc << 21) | (sc >>> 11);
      sc = (sc + t) | 0;
      out[i] = (t >>> 0) / 4294967296;
    }
    [a, b, c, d] = [sa >>> 0, sb >>> 0, sc >>> 0, sd >>> 0];
  };
  return {
    next,
    fill,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    uniform: (x, y) => x + (y - x) * next(),
    choice: (items) => items[Math.floor(next() * items.length)],
  };
}
