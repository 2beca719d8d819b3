import type { DecodedText } from './decode-output.ts';
import type { SecondLookSpec } from './model-contract.ts';

/**
 * The second look (the metadata's `secondLook`, core/model-contract.ts): a second model reads
 * again the images the first may have misread, and the surer of the two readings is answered.
 * One copy of the rule, used by every runtime's recognizer (functions/app/recognizer.ts) and by
 * the measurement that chose it (experiments/second-look/fusion.ts).
 */

/** When the second model is asked: the first reading has a character of `chars`, or one below `below`. */
export type SecondLookRule = Pick<SecondLookSpec, 'chars' | 'below'>;

/** Whether the first model's reading gets a second look. */
export function wantsSecondLook(reading: DecodedText, rule: SecondLookRule): boolean {
  return reading.characters.some((c) => rule.chars.includes(c.char) || c.confidence < rule.below);
}

/**
 * How sure a reading is, whatever its length: the geometric mean of its characters' confidences
 * (0 for a reading of no character). The product (`confidence`) would favour a reading that drops
 * a character, e.g. under `?charset=`.
 */
export function meanConfidence(reading: DecodedText): number {
  const n = reading.characters.length;
  if (n === 0) return 0;
  return Math.exp(reading.characters.reduce((sum, c) => sum + Math.log(Math.max(c.confidence, Number.MIN_VALUE)), 0) / n);
}

/**
 * The answer of a second look: the reading whose characters are surer on average (the larger
 * `meanConfidence`); the first on a tie. On 8,000 generated images and the 2,000 reference images
 * it misreads as many as the larger product of confidences (78 and 16 with the shipped pair), and
 * picking per disputed character instead (the larger log-odds) one image more (docs/experiments.md).
 */
export function surerReading(first: DecodedText, second: DecodedText): DecodedText {
  return meanConfidence(second) > meanConfidence(first) ? second : first;
}

/** Why `second` cannot be `first`'s second look, or undefined when it can (it must read the same charset). */
export function secondLookMismatch(first: { name: string; charset: string }, second: { name: string; charset: string }): string | undefined {
  if (second.charset === first.charset) return undefined;
  return `the second look ${second.name} reads ${second.charset}, not the charset of ${first.name} (${first.charset})`;
}
