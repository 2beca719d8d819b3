import type { Rng } from '../core/rng.ts';

/**
 * `length` characters of `chars`, drawn as Python's random.sample (distinct: a partial
 * Fisher-Yates shuffle) or random.choice (repeats allowed). `pick` is scratch space of
 * chars.length indices, reused by callers on a hot path.
 */
export function randomText(rng: Rng, chars: readonly string[], length: number, distinct: boolean, pick: number[] = new Array<number>(chars.length)): string {
  let text = '';
  if (distinct) {
    if (length > chars.length) throw new RangeError(`${length} distinct characters do not fit a charset of ${chars.length}`);
    for (let i = 0; i < chars.length; i++) pick[i] = i;
    for (let i = 0; i < length; i++) {
      const j = i + Math.floor(rng.next() * (chars.length - i));
      const t = pick[i];
      pick[i] = pick[j];
      pick[j] = t;
      text += chars[pick[i]];
    }
  } else {
    for (let i = 0; i < length; i++) text += chars[Math.floor(rng.next() * chars.length)];
  }
  return text;
}
