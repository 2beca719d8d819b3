import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeJpeg, encodePng } from '../../captcha/encode.ts';
import { DEFAULT_CHARSET } from '../../core/charset.ts';
import { decodeImage } from '../../core/image-decode.ts';
import type { RawImage } from '../../core/image.ts';
import { defaultPreprocess, preprocess, preprocessRegion } from '../../core/preprocess.ts';
import { createRng } from '../../core/rng.ts';
import { createSharpDecoder } from '../../functions/node/sharp-decoder.ts';
import { borderRegion, DEFAULT_AUGMENT, jitterBorders, NO_AUGMENT } from './augment.ts';
import { buildBatch } from './batch.ts';
import type { MixEntry } from './data-mix.ts';
import { createGeneratedSource } from './sample-source.ts';

const png: MixEntry = { weight: 1, style: '0.7', width: 160, height: 60, minLength: 4, maxLength: 4, distinct: true };
const jpeg: MixEntry = { weight: 1, style: '0.2', width: 170, height: 80, minLength: 4, maxLength: 4, distinct: true, jpegQuality: [75, 75] };

test('training feeds the model what a server computes from the same image: the PNG file, or the JPEG file at the drawn quality', async () => {
  const decoder = createSharpDecoder();
  const input = defaultPreprocess(48, 128);
  const plan = { batchSize: 3, input, charset: DEFAULT_CHARSET, maxLength: 8, augment: NO_AUGMENT, seed: 5 };
  const pixels = input.width * input.height;
  for (const kind of [png, jpeg]) {
    const batch = await buildBatch(createGeneratedSource([kind], 5, DEFAULT_CHARSET), plan, 2);
    // The same generator images before any JPEG round trip, written as the files a user would send.
    const raw = createGeneratedSource([{ ...kind, jpegQuality: undefined }], 5, DEFAULT_CHARSET);
    for (let i = 0; i < batch.size; i++) {
      const image = (await raw.sample(2 * 3 + i)).image;
      const file = kind.jpegQuality ? await encodeJpeg(image, 75) : encodePng(image);
      const served = preprocess(await decodeImage(new Uint8Array(file), 1e7, decoder), input);
      assert.deepEqual(batch.images.subarray(i * pixels, (i + 1) * pixels), served, `${kind.style} image ${i}`);
    }
  }
});

test('the border jitter fused into preprocessing is bit-identical to cropping/padding first (grey, RGB, RGBA; windows past every edge)', () => {
  const rng = createRng(1, 2);
  const images: RawImage[] = [1, 3, 4].map((channels) => {
    const data = new Uint8Array(50 * 30 * channels);
    for (let i = 0; i < data.length; i++) data[i] = Math.floor(rng.next() * 256);
    return { width: 50, height: 30, channels: channels as 1 | 3 | 4, data };
  });
  for (const image of images) {
    for (let k = 0; k < 40; k++) {
      const spec = defaultPreprocess(16 + (k % 3) * 16, 64);
      const border = [0.04, 0.2, 0.45][k % 3];
      const cropped = preprocess(jitterBorders(image, createRng(9, k), border), spec);
      const region = borderRegion(image.width, image.height, createRng(9, k), border);
      const out = new Float32Array(cropped.length + 3);
      preprocessRegion(image, region, spec, out, 3);
      assert.deepEqual(out.subarray(3), cropped, `${image.channels} channels, draw ${k}`);
    }
    // A window wholly outside the image is white paper: 0 after the inversion.
    assert.ok(preprocessRegion(image, { left: -200, top: 0, width: 40, height: 20 }, defaultPreprocess(16, 32)).every((v) => v === 0));
  }
});

test('the second image of a twin pair is augmented as the first; other images each their own way', async () => {
  const rng = createRng(4, 4);
  const data = new Uint8Array(160 * 60 * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rng.next() * 256);
  const image: RawImage = { width: 160, height: 60, channels: 3, data };
  // The same picture at every index: rows differ only by their augmentation.
  const source = (twins: boolean) => ({ size: undefined, sample: () => ({ text: 'AB', image }), ...(twins ? { twinOf: (i: number) => (i % 2 === 1 ? i - 1 : undefined) } : {}) });
  const plan = { batchSize: 4, input: defaultPreprocess(48, 128), charset: DEFAULT_CHARSET, maxLength: 4, augment: DEFAULT_AUGMENT, seed: 7 };
  const pixels = 48 * 128;
  const row = (b: { images: Float32Array }, i: number) => b.images.subarray(i * pixels, (i + 1) * pixels);
  const paired = await buildBatch(source(true), plan, 3);
  const single = await buildBatch(source(false), plan, 3);
  assert.deepEqual(row(paired, 1), row(paired, 0));
  assert.deepEqual(row(paired, 3), row(paired, 2));
  assert.notDeepEqual(row(paired, 2), row(paired, 0));
  assert.notDeepEqual(row(single, 1), row(single, 0));
  for (const i of [0, 2]) assert.deepEqual(row(paired, i), row(single, i));
});
