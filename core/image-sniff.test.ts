import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CaptchaOcrError, ImageTooLargeError, InvalidImageError, UnsupportedMediaTypeError } from './errors.ts';
import { checkImageHeader, readImageHeader, sniffFormat } from './image-sniff.ts';
import { encode, encodeBmp, syntheticImage } from '../test/fixtures/images.ts';

test('reads format and size from the header of every supported format', async () => {
  const img = syntheticImage(37, 21);
  for (const format of ['png', 'jpeg', 'gif', 'webp'] as const) {
    const bytes = await encode(img, format);
    assert.deepEqual(readImageHeader(bytes), { format, width: 37, height: 21 }, format);
  }
  assert.deepEqual(readImageHeader(await encode(img, 'webp', { lossless: false })), { format: 'webp', width: 37, height: 21 });
  assert.deepEqual(readImageHeader(await encode(syntheticImage(37, 21, 4), 'webp', { lossless: false })), { format: 'webp', width: 37, height: 21 });
  assert.deepEqual(readImageHeader(encodeBmp(img)), { format: 'bmp', width: 37, height: 21 });
  assert.deepEqual(readImageHeader(encodeBmp(img, { topDown: true })), { format: 'bmp', width: 37, height: 21 });
  assert.deepEqual(readImageHeader(await encode(img, 'jpeg', { progressive: true })), { format: 'jpeg', width: 37, height: 21 });
});

test('refuses huge dimensions from the header alone, before decoding', () => {
  const png = new Uint8Array(33);
  png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(png.buffer).setUint32(16, 100000);
  new DataView(png.buffer).setUint32(20, 100000);
  assert.throws(() => checkImageHeader(png, 16e6), ImageTooLargeError);
  new DataView(png.buffer).setUint32(16, 0xffffffff);
  assert.throws(() => checkImageHeader(png, 16e6), ImageTooLargeError);
  const gif = new TextEncoder().encode('GIF89a\xff\xff\xff\xff');
  gif[6] = gif[7] = gif[8] = gif[9] = 0xff;
  assert.throws(() => checkImageHeader(gif, 16e6), ImageTooLargeError);
});

test('truncated headers and unknown bytes give typed errors', async () => {
  const png = await encode(syntheticImage(10, 10), 'png');
  for (let n = 0; n < 24; n++) {
    assert.throws(() => readImageHeader(png.subarray(0, n)), (e: unknown) => e instanceof InvalidImageError || e instanceof UnsupportedMediaTypeError);
  }
  const jpeg = await encode(syntheticImage(10, 10), 'jpeg');
  assert.throws(() => readImageHeader(jpeg.subarray(0, 20)), InvalidImageError);
  assert.throws(() => readImageHeader(new TextEncoder().encode('<svg></svg>')), UnsupportedMediaTypeError);
  assert.equal(sniffFormat(new Uint8Array(0)), undefined);
});

test('property: any bytes either give a positive size or a typed 4xx error', () => {
  const prefixes = [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], [0xff, 0xd8, 0xff], [0x47, 0x49, 0x46, 0x38, 0x39, 0x61], [0x42, 0x4d], [0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50], []];
  fc.assert(
    fc.property(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 200 }), (prefix, tail) => {
      const bytes = new Uint8Array([...prefix, ...tail]);
      try {
        const h = checkImageHeader(bytes, 1e6);
        return h.width > 0 && h.height > 0 && h.width * h.height <= 1e6;
      } catch (e) {
        return e instanceof CaptchaOcrError && e.status >= 400 && e.status < 500;
      }
    }),
    { numRuns: 3000 },
  );
});
