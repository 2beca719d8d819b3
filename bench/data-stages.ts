// Per-stage timing of the training data stream's work on one thread (used by data-stream.ts):
// the steps the stream runs now, and the steps it ran before (sharp's JPEG round trip, a
// cropped copy then preprocess, one next() call per noise uniform), on the same images.
import sharp from 'sharp';
import { createCaptchaGenerator } from '../captcha/generator.ts';
import { DEFAULT_CHARSET, encodeText } from '../core/charset.ts';
import type { RawImage } from '../core/image.ts';
import { preprocess, preprocessRegion, type PreprocessSpec } from '../core/preprocess.ts';
import { createRng, type Rng } from '../core/rng.ts';
import { borderRegion, jitterBorders, photometricJitter, type AugmentOptions } from '../train/data/augment.ts';
import type { MixEntry } from '../train/data/data-mix.ts';
import { jpegRoundTripPixels } from '../train/data/jpeg-round-trip.ts';

export interface StageProfile {
  readonly images: number;
  /** Wall ms in each stage over all images, the fastest of three passes (sharp works on libuv's threads: its wall time is what this thread waits). */
  readonly now: { name: string; ms: number }[];
  readonly before: { name: string; ms: number }[];
}

async function sharpRoundTrip(image: RawImage, quality: number, ms: number[], at: number): Promise<RawImage> {
  const { width, height, channels } = image;
  let t = performance.now();
  const input = Buffer.from(image.data.buffer, image.data.byteOffset, width * height * channels);
  const bytes = await sharp(input, { raw: { width, height, channels } }).jpeg({ quality: Math.round(quality) }).toBuffer();
  ms[at] += performance.now() - t;
  t = performance.now();
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  ms[at + 1] += performance.now() - t;
  return { width: info.width, height: info.height, channels: info.channels === 1 ? 1 : 3, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** The noise as it was drawn before Rng.fill: three next() calls per pixel (same numbers). */
function photometricJitterPerCall(input: Float32Array, n: number, rng: Rng, probability: number): void {
  if (probability <= 0 || rng.next() >= probability) return;
  const contrast = rng.uniform(0.7, 1.2);
  const brightness = rng.uniform(-0.08, 0.08);
  const noise = rng.uniform(0, 0.06);
  for (let i = 0; i < n; i++) {
    const g = (rng.next() + rng.next() + rng.next() - 1.5) * noise * 2;
    const v = input[i] * contrast + brightness + g;
    input[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
}

/** Runs the stream's steps for `count` images of `mix` (both ways), timing each. */
export async function profileStages(mix: readonly MixEntry[], input: PreprocessSpec, augment: AugmentOptions, count: number): Promise<StageProfile> {
  sharp.concurrency(1);
  const total = mix.reduce((a, e) => a + e.weight, 0);
  const generators = mix.map((e, i) => createCaptchaGenerator({ style: e.style, width: e.width, height: e.height, minLength: e.minLength, maxLength: e.maxLength, distinct: e.distinct, charset: DEFAULT_CHARSET, seed: 16 + i }));
  const nowNames = ['generate', 'copy (kinds without JPEG)', 'JPEG round trip in JS (0.2 kinds)', 'border crop/pad + preprocess, fused', 'photometric jitter (Rng.fill)', 'labels'];
  const beforeNames = ['JPEG encode (sharp)', 'JPEG decode (sharp)', 'border crop/pad (a copy)', 'preprocess of the copy', 'photometric jitter (next() per uniform)'];
  let now = nowNames.map(() => 0);
  let before = beforeNames.map(() => 0);
  const out = new Float32Array(input.width * input.height);
  const run = async (timed: boolean) => {
    for (let index = 0; index < count; index++) {
      let t = performance.now();
      const lap = (ms: number[], stage: number) => {
        const now = performance.now();
        if (timed) ms[stage] += now - t;
        t = now;
      };
      const rng = createRng(1, 0x6d69 + index * 2);
      let r = rng.next() * total;
      let k = 0;
      while (k < mix.length - 1 && r >= mix[k].weight) {
        r -= mix[k].weight;
        k++;
      }
      const generated = generators[k].generate(index);
      lap(now, 0);
      const q = mix[k].jpegQuality;
      let image: RawImage;
      const quality = q ? rng.uniform(q[0], q[1]) : 0;
      if (q) {
        image = jpegRoundTripPixels(generated.image, quality);
        lap(now, 2);
      } else {
        image = { ...generated.image, data: generated.image.data.slice() };
        lap(now, 1);
      }
      const region = borderRegion(image.width, image.height, createRng(1, 0x61756700 + index * 2 + 1), augment.border);
      preprocessRegion(image, region, input, out, 0);
      lap(now, 3);
      photometricJitter(out, 0, out.length, createRng(2, index), augment.photometric);
      lap(now, 4);
      encodeText(generated.text, DEFAULT_CHARSET);
      lap(now, 5);
      // Before: the same image through the earlier steps.
      const old = q ? await sharpRoundTrip(generated.image, quality, timed ? before : [0, 0], 0) : image;
      t = performance.now();
      const cropped = jitterBorders(old, createRng(1, 0x61756700 + index * 2 + 1), augment.border);
      lap(before, 2);
      preprocess(cropped, input, out, 0);
      lap(before, 3);
      photometricJitterPerCall(out, out.length, createRng(2, index), augment.photometric);
      lap(before, 4);
    }
  };
  await run(false);
  // Three timed passes; each stage keeps its fastest (the least disturbed by other work on the machine).
  const bestNow = nowNames.map(() => Infinity);
  const bestBefore = beforeNames.map(() => Infinity);
  for (let pass = 0; pass < 3; pass++) {
    now = nowNames.map(() => 0);
    before = beforeNames.map(() => 0);
    await run(true);
    now.forEach((ms, i) => (bestNow[i] = Math.min(bestNow[i], ms)));
    before.forEach((ms, i) => (bestBefore[i] = Math.min(bestBefore[i], ms)));
  }
  now = bestNow;
  before = bestBefore;
  return { images: count, now: nowNames.map((name, i) => ({ name, ms: now[i] })), before: beforeNames.map((name, i) => ({ name, ms: before[i] })) };
}
