import { createCaptchaGenerator, type CaptchaGenerator } from '../../captcha/generator.ts';
import { randomText } from '../../captcha/random-text.ts';
import type { RawImage } from '../../core/image.ts';
import { createRng, type Rng } from '../../core/rng.ts';
import { jpegRoundTrip } from './augment.ts';
import type { Focus, MixEntry } from './data-mix.ts';

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
 * A text of the entry's length with one of `focus` at a random position; the other
 * characters come from `charset` (without the focus character when the entry is distinct).
 */
export function focusedText(rng: Rng, entry: MixEntry, charset: string, focus: string): string {
  const focusChars = [...focus];
  const f = focusChars[Math.floor(rng.next() * focusChars.length)];
  const length = rng.int(entry.minLength, entry.maxLength);
  const pool = [...charset].filter((c) => !entry.distinct || c !== f);
  const rest = [...randomText(rng, pool, length - 1, entry.distinct)];
  rest.splice(Math.floor(rng.next() * length), 0, f);
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
      const forced = focus && rng.next() < focus.probability ? focusedText(rng, mix[k], charset, focus.chars) : undefined;
      const { text, image } = generators[k].generate(index, forced);
      const q = mix[k].jpegQuality;
      if (!q) return { text, image: copyImage(image) };
      return jpegRoundTrip(image, rng.uniform(q[0], q[1])).then((jpg) => ({ text, image: jpg }));
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
