import { createCaptchaGenerator, type CaptchaGenerator } from '../../captcha/generator.ts';
import { randomText } from '../../captcha/random-text.ts';
import type { RawImage } from '../../core/image.ts';
import { createRng, type Rng } from '../../core/rng.ts';
import type { Focus, MixEntry, Twins } from './data-mix.ts';
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
  /** For the second image of a twin pair, the first one's index (augment it alike); else undefined. */
  twinOf?(index: number): number | undefined;
}

/** `text` with the two characters of `pair` swapped. */
export function swapPair(text: string, pair: string): string {
  const [a, b] = [...pair];
  return [...text].map((c) => (c === a ? b : c === b ? a : c)).join('');
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
 * on (seed, mix, focus, twins, index): its kind is drawn from a RNG stream seeded by the index,
 * and each kind has its own generator (seeded from the data seed) asked for that same index.
 * With `twins`, whether the pair (2j, 2j+1) is a twin pair is drawn from a stream of its own,
 * so the other pairs are exactly the images of a source without twins.
 */
export function createGeneratedSource(mix: readonly MixEntry[], seed: number, charset: string, fonts?: readonly string[], focus?: Focus, twins?: Twins): SampleSource {
  if (twins && (new Set(twins.chars).size !== 2 || [...twins.chars].length !== 2)) throw new RangeError(`twins: give two different characters, got ${JSON.stringify(twins.chars)}`);
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
  /** The first index of `index`'s pair when that pair is a twin pair. */
  const twinPair = (index: number): number | undefined => {
    if (!twins) return undefined;
    const first = index - (index % 2);
    // Even stream numbers: the images' own streams below are odd.
    return createRng(seed, 0x6d6a + first * 2).next() < twins.probability ? first : undefined;
  };
  return {
    size: undefined,
    twinOf(index) {
      const first = twinPair(index);
      return first !== undefined && first !== index ? first : undefined;
    },
    sample(index) {
      const first = twinPair(index);
      // A twin pair: both images are drawn as the first one, the second with its text swapped.
      const rng = createRng(seed, 0x6d69 + (first ?? index) * 2);
      let r = rng.next() * total;
      let k = 0;
      while (k < mix.length - 1 && r >= mix[k].weight) {
        r -= mix[k].weight;
        k++;
      }
      let forced: string | undefined;
      if (twins && first !== undefined) {
        forced = focusedText(rng, mix[k], charset, twins.chars);
        if (index !== first) forced = swapPair(forced, twins.chars);
      } else if (focus && rng.next() < focus.probability) {
        forced = focusedText(rng, mix[k], charset, focus.chars, focus.count);
      }
      const { text, image } = generators[k].generate(first ?? index, forced);
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
