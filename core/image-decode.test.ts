import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeBmp } from './bmp.ts';
import { CaptchaOcrError, ImageTooLargeError, InvalidImageError, UnsupportedMediaTypeError } from './errors.ts';
import { decodeImage, pureJsImageDecoder } from './image-decode.ts';
import { toGrey } from './image.ts';
import { defaultPreprocess, preprocess } from './preprocess.ts';
import { createSharpDecoder } from '../functions/node/sharp-decoder.ts';
import { captchaSamples, encode, encodeBmp, syntheticImage } from '../test/fixtures/images.ts';

const sharpDecoder = createSharpDecoder();
const spec = defaultPreprocess(64, 160);

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('pure-JS and sharp decoders give the same grey pixels for lossless formats', async () => {
  const cases: [string, Uint8Array][] = [];
  const rgb = syntheticImage(53, 29);
  const rgba = syntheticImage(53, 29, 4);
  cases.push(['png rgb', await encode(rgb, 'png')]);
  cases.push(['png rgba', await encode(rgba, 'png')]);
  cases.push(['png palette', await encode(rgb, 'png', { palette: true, colours: 16 })]);
  cases.push(['png palette 2 colours', await encode(rgb, 'png', { palette: true, colours: 2 })]);
  cases.push(['png palette alpha', await encode(rgba, 'png', { palette: true })]);
  cases.push(['png interlaced', await encode(rgb, 'png', { progressive: true })]);
  cases.push(['gif', await encode(rgb, 'gif')]);
  for (const s of (await captchaSamples()).slice(0, 4)) cases.push([`captcha ${s.text}`, s.png]);
  for (const [name, bytes] of cases) {
    const a = await decodeImage(bytes, 1e7, pureJsImageDecoder);
    const b = await decodeImage(bytes, 1e7, sharpDecoder);
    assert.equal(a.width, b.width, name);
    assert.equal(a.height, b.height, name);
    assert.ok(maxDiff(toGrey(a), toGrey(b)) < 1e-3, `${name}: grey pixels differ`);
    assert.ok(maxDiff(preprocess(a, spec), preprocess(b, spec)) < 1e-6, `${name}: model inputs differ`);
  }
});

test('JPEG: pure-JS and sharp (libjpeg-turbo) model inputs agree within 2 grey levels on average', async () => {
  for (const s of (await captchaSamples()).slice(0, 4)) {
    const jpeg = await encode(s.image, 'jpeg', { quality: 90 });
    const a = preprocess(await decodeImage(jpeg, 1e7, pureJsImageDecoder), spec);
    const b = preprocess(await decodeImage(jpeg, 1e7, sharpDecoder), spec);
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
    assert.ok(sum / a.length < 2 / 255, `mean difference ${(sum / a.length) * 255} grey levels`);
  }
});

test('16-bit and grey PNGs decode to 8-bit pixels like sharp', async () => {
  const grey16 = await encode(syntheticImage(20, 10), 'png').then(async () => {
    const sharp = (await import('sharp')).default;
    const img = syntheticImage(20, 10);
    return new Uint8Array(await sharp(img.data, { raw: { width: 20, height: 10, channels: 3 } }).toColourspace('grey16').png().toBuffer());
  });
  const a = await decodeImage(grey16, 1e6, pureJsImageDecoder);
  const b = await decodeImage(grey16, 1e6, sharpDecoder);
  assert.ok(maxDiff(toGrey(a), toGrey(b)) <= 1, '16-bit grey');
});

test('BMP: 24-bit bottom-up, top-down and 32-bit with alpha decode to the source pixels', () => {
  const rgb = syntheticImage(13, 7);
  for (const topDown of [false, true]) {
    const out = decodeBmp(encodeBmp(rgb, { topDown }));
    assert.deepEqual([...out.data], [...rgb.data]);
  }
  const rgba = syntheticImage(13, 7, 4);
  const out = decodeBmp(encodeBmp(rgba, { bpp: 32 }));
  assert.equal(out.channels, 4);
  assert.deepEqual([...out.data], [...rgba.data]);
});

test('WebP: sharp decodes it; the pure-JS decoder refuses it with 415', async () => {
  const webp = await encode(syntheticImage(30, 20), 'webp');
  const b = await decodeImage(webp, 1e6, sharpDecoder);
  assert.equal(b.width, 30);
  await assert.rejects(decodeImage(webp, 1e6, pureJsImageDecoder), UnsupportedMediaTypeError);
});

test('truncated and corrupted images give InvalidImageError on both decoders', async () => {
  const png = (await captchaSamples())[0].png;
  const jpeg = await encode(syntheticImage(40, 30), 'jpeg');
  const gif = await encode(syntheticImage(40, 30), 'gif');
  for (const decoder of [pureJsImageDecoder, sharpDecoder]) {
    for (const bytes of [png, jpeg, gif]) {
      for (const cut of [30, Math.floor(bytes.length / 2), Math.floor((bytes.length * 3) / 4)]) {
        await assert.rejects(decodeImage(bytes.subarray(0, cut), 1e6, decoder), (e: unknown) => e instanceof InvalidImageError, `${decoder.name} cut ${cut}`);
      }
    }
  }
  await assert.rejects(decodeImage(png, 100, pureJsImageDecoder), ImageTooLargeError);
});

test('property: random bytes behind a valid signature never crash a decoder', async () => {
  const sigs = [
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 9, 0, 0, 0, 7],
    [0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0, 7, 0, 9, 3],
    [0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 9, 0, 7, 0],
    [0x42, 0x4d, 0, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0, 9, 0, 0, 0, 7, 0, 0, 0, 1, 0, 24, 0],
  ];
  const png = (await captchaSamples())[0].png;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...sigs), fc.uint8Array({ maxLength: 300 }), fc.boolean(), async (sig, tail, useSharp) => {
      const bytes = new Uint8Array([...sig, ...tail]);
      try {
        const img = await decodeImage(bytes, 1e6, useSharp ? sharpDecoder : pureJsImageDecoder);
        return img.width * img.height <= 1e6;
      } catch (e) {
        return e instanceof CaptchaOcrError && e.status < 500;
      }
    }),
    { numRuns: 400 },
  );
  // flipped bytes inside a real PNG
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 8, max: png.length - 1 }), fc.integer({ min: 0, max: 255 }), async (at, value) => {
      const bytes = png.slice();
      bytes[at] = value;
      try {
        await decodeImage(bytes, 1e6, pureJsImageDecoder);
        return true;
      } catch (e) {
        return e instanceof CaptchaOcrError && e.status < 500;
      }
    }),
    { numRuns: 200 },
  );
});
