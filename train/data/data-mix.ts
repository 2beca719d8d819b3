import type { CaptchaStyle } from '../../captcha/options.ts';

/** One kind of generated image in the training stream. */
export interface MixEntry {
  /** Relative frequency. */
  readonly weight: number;
  readonly style: CaptchaStyle;
  readonly width: number;
  readonly height: number;
  readonly minLength: number;
  readonly maxLength: number;
  readonly distinct: boolean;
  /** Re-encode as JPEG with a quality drawn from this range (the 0.2-era files were JPEG q75). */
  readonly jpegQuality?: readonly [number, number];
}

/**
 * Training emphasis on characters the model confuses (e.g. `0` and `O`): a `probability`
 * share of the generated training images gets `count` (default 1) of `chars` at random
 * positions, the rest of the text drawn as usual. In a text of distinct characters each focus
 * character appears at most once (so `0O` with count 2 puts both a zero and an O side by side
 * in one image). Validation images are never focused.
 */
export interface Focus {
  readonly chars: string;
  readonly probability: number;
  readonly count?: number;
}

/**
 * Twin images: a `probability` share of the pairs of consecutive training images (2j, 2j+1) are
 * one CAPTCHA drawn twice from the same random draws, the second with the two characters of
 * `chars` swapped, from a text that holds at least one of them: minimal pairs in one batch that
 * differ only in those glyphs (for the shipped model, `0` and `O`). Both get the same
 * augmentation. The other pairs are the images a run without twins draws; validation images are
 * never twins.
 */
export interface Twins {
  /** Two distinct characters, swapped in the second image of a pair. */
  readonly chars: string;
  readonly probability: number;
}

/**
 * The default stream: the four kinds of real CAPTCHA the shipped model reads (0.7 160x60,
 * 0.3 192x64, 0.2 170x80 JPEG, 0.7 200x70 with 4-6 characters), plus a little of every style
 * at other lengths (1..maxLength) so the model reads any length it claims to.
 */
export function defaultMix(maxLength: number): MixEntry[] {
  return [
    { weight: 0.24, style: '0.7', width: 160, height: 60, minLength: 4, maxLength: 4, distinct: true },
    { weight: 0.24, style: '0.3', width: 192, height: 64, minLength: 4, maxLength: 4, distinct: true },
    { weight: 0.24, style: '0.2', width: 170, height: 80, minLength: 4, maxLength: 4, distinct: true, jpegQuality: [60, 90] },
    { weight: 0.18, style: '0.7', width: 200, height: 70, minLength: 4, maxLength: 6, distinct: true },
    { weight: 0.04, style: '0.7', width: 200, height: 70, minLength: 1, maxLength, distinct: false },
    { weight: 0.03, style: '0.3', width: 220, height: 70, minLength: 1, maxLength, distinct: false },
    { weight: 0.03, style: '0.2', width: 200, height: 80, minLength: 1, maxLength, distinct: false, jpegQuality: [60, 95] },
  ];
}

/** The seed answer's data: style 0.2 at 170x80, 4 distinct characters, JPEG q75-ish. */
export function seedMix(): MixEntry[] {
  return [{ weight: 1, style: '0.2', width: 170, height: 80, minLength: 4, maxLength: 4, distinct: true, jpegQuality: [70, 80] }];
}

/** Keeps only the entries of the given styles (weights renormalised later by the sampler). */
export function filterStyles(mix: readonly MixEntry[], styles: readonly CaptchaStyle[]): MixEntry[] {
  const kept = mix.filter((e) => styles.includes(e.style));
  if (kept.length === 0) throw new RangeError(`no data kind left for styles ${styles.join(',')}`);
  return kept;
}

/** Keeps lengths within [minLength, maxLength] (a model with 4 position heads only reads 4). */
export function clampLengths(mix: readonly MixEntry[], minLength: number, maxLength: number): MixEntry[] {
  return mix
    .map((e) => ({ ...e, minLength: Math.max(e.minLength, minLength), maxLength: Math.min(e.maxLength, maxLength) }))
    .filter((e) => e.minLength <= e.maxLength);
}
