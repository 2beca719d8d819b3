import { createCaptchaGenerator, type CaptchaGenerator } from '../../captcha/generator.ts';
import { randomText } from '../../captcha/random-text.ts';
import type { RawImage } from '../../core/image.ts';
import { createRng, type Rng } from '../../core/rng.ts';
import type { Focus, MixEntry } from './data-mix.ts';
import { jpegRoundTripPixels } from './jpeg-round-trip.ts';

/** One labelled image; `rngStream` seeds its augmentation. */
export interface Sample {
  readonly text: string;
  readonly image: RawImage;
}

/** Something that yields labelled image number `index` (deterministically). */
export interface SampleSource {
  readonly size: number | undefined;
  sample(index: number): Sample | Promise<Sample>;
}

/**
 * A text of the entry's length with `count` (default 1) of `focus` at random positions; the
 * other characters come from `charset`. When the entry is distinct the text stays distinct:
 * the focus characters are drawn without replacement (so at most as many as `focus` holds)
 * and left out of the rest. At most the text's length of them.
 */
export function focusedText(rng: Rng, entry: MixEntry, charset: string, focus: string, count = 1): string {
  const focusChars = [...focus];
  // The draws for count 1 are those of the first version (a run resumed on it stays bit-exact).
  const picked = [focusChars[Math.floor(rng.next() * focusChars.length)]];
  const length = rng.int(entry.minLength, entry.maxLength);
  const left = focusChars.filter((c) => !entry.distinct || !picked.includes(c));
  const wanted = Math.min(count, length, entry.distinct ? new Set(focusChars).size : count);
  while (picked.length < wanted) {
    const c = left[Math.floor(rng.next() * left.length)];
    picked.push(c);
    if (entry.distinct) left.splice(left.indexOf(c), 1);
  }
  const pool = [...charset].filter((c) => !entry.distinct || !picked.includes(c));
  const rest = [...randomText(rng, pool, length - picked.length, entry.distinct)];
  for (const f of picked) rest.splice(Math.floor(rng.next() * (rest.length + 1)), 0, f);
  return rest.join('');
}

/**
 * Generated CAPTCHAs from a weighted mix of generator settings. Image `index` depends only
 * on (seed, mix, focus, index): its kind is drawn from a RNG stream seeded by the index, and
 * each kind has its own generator (seeded from the data seed) asked for that same index.
 */
export function createGeneratedSource(mix: readonly MixEntry[], seed: number, charset: string, fonts?: readonly string[], focus?: Focus): SampleSource {
  const total = mix.reduce((a, e) => a + e.weight, 0);
  if (!(total > 0)) throw new RangeError('data mix has no weight');
  const generators: CaptchaGenerator[] = mix.map((e, i) =>
    createCaptchaGenerator({
      style: e.style,
      width: e.width,
      height: e.height,
      minLength: e.minLength,
      maxLength: e.maxLength,
      distinct: e.distinct,
      charset,
      seed: seed * 16 + i,
      ...(fonts && fonts.length > 0 ? { fonts } : {}),
    }),
  );
  return {
    size: undefined,
    sample(index) {
      const rng = createRng(seed, 0x6d69 + index * 2);
      let r = rng.next() * total;
      let k = 0;
      while (k < mix.length - 1 && r >= mix[k].weight) {
        r -= mix[k].weight;
        k++;
      }
      const forced = focus && rng.next() < focus.probability ? focusedText(rng, mix[k], charset, focus.chars, focus.count) : undefined;
      const { text, image } = generators[k].generate(index, forced);
      const q = mix[k].jpegQuality;
      // Saved as JPEG and decoded: the pixels of sharp's (libjpeg's) round trip, computed in JS.
      if (!q) return { text, image: copyImage(image) };
      return { text, image: jpegRoundTripPixels(image, rng.uniform(q[0], q[1])) };
    },
  };
}

/** The generator may reuse its buffers: keep our own copy. */
function copyImage(image: RawImage): RawImage {
  return { width: image.width, height: image.height, channels: image.channels, data: image.data.slice() };
}

/** A fixed list of labelled images (a `--data` folder or zip), indexed modulo its size. */
export function createListSource(samples: readonly Sample[]): SampleSource {
  if (samples.length === 0) throw new RangeError('no labelled images');
  return { size: samples.length, sample: (index) => samples[index % samples.length] };
}
