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
 * The answer of a second look: the reading with the larger confidence (the product of its
 * characters' confidences); the first on a tie. On 8,000 generated images, picking per disputed
 * character instead (the larger log-odds) misread one image more (docs/experiments.md).
 */
export function surerReading(first: DecodedText, second: DecodedText): DecodedText {
  return second.confidence > first.confidence ? second : first;
}

/** Why `second` cannot be `first`'s second look, or undefined when it can (it must read the same charset). */
export function secondLookMismatch(first: { name: string; charset: string }, second: { name: string; charset: string }): string | undefined {
  if (second.charset === first.charset) return undefined;
  return `the second look ${second.name} reads ${second.charset}, not the charset of ${first.name} (${first.charset})`;
}
