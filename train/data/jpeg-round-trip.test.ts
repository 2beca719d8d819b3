import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCaptchaGenerator } from '../../captcha/generator.ts';
import type { RawImage } from '../../core/image.ts';
import { createRng } from '../../core/rng.ts';
import { jpegRoundTripPixels, quantTables } from './jpeg-round-trip.ts';
import { jpegRoundTripSharp } from './jpeg-sharp.ts';

function differences(a: RawImage, b: RawImage): number {
  assert.deepEqual([a.width, a.height, a.channels], [b.width, b.height, b.channels]);
  let n = 0;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) n++;
  return n;
}

test('the JS round trip gives the pixels of sharp (libjpeg) bit for bit: the data mix JPEG kinds at every quality they draw', async () => {
  const kinds = [
    { style: '0.2', width: 170, height: 80 },
    { style: '0.2', width: 200, height: 80 },
  ] as const;
  for (const kind of kinds) {
    const gen = createCaptchaGenerator({ ...kind, seed: 11 });
    for (let quality = 60; quality <= 95; quality++) {
      const image = gen.generate(quality).image;
      assert.equal(differences(jpegRoundTripPixels(image, quality), await jpegRoundTripSharp(image, quality)), 0, `${kind.width}x${kind.height} q${quality}`);
    }
  }
});

test('...and on odd sizes (edge replication, an odd last row, planes 1-2 chroma samples wide) and noise, at qualities 1-100', async () => {
  const rng = createRng(3, 4);
  for (let quality = 1; quality <= 100; quality += 3) {
    const width = 1 + Math.floor(rng.next() * 60);
    const height = 1 + Math.floor(rng.next() * 40);
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < data.length; i++) data[i] = quality % 2 ? Math.floor(rng.next() * 256) : rng.next() < 0.5 ? 0 : 255;
    const image: RawImage = { width, height, channels: 3, data };
    assert.equal(differences(jpegRoundTripPixels(image, quality), await jpegRoundTripSharp(image, quality)), 0, `${width}x${height} q${quality}`);
  }
  for (const [width, height] of [[1, 1], [2, 3], [4, 2], [5, 17], [17, 5]]) {
    const gen = createCaptchaGenerator({ style: '0.3', width: 40, height: 30, seed: width });
    const big = gen.generate(0).image;
    const image: RawImage = { width, height, channels: 3, data: big.data.subarray(0, width * height * 3) };
    assert.equal(differences(jpegRoundTripPixels(image, 75), await jpegRoundTripSharp(image, 75)), 0, `${width}x${height}`);
  }
});

test('quantisation tables: the standard ones scaled as libjpeg does (pinned first entries)', () => {
  assert.deepEqual([...quantTables(75).luma.quant.subarray(0, 4)], [8, 6, 5, 8]);
  assert.deepEqual([...quantTables(60).chroma.quant.subarray(0, 4)], [14, 14, 19, 38]);
  assert.deepEqual([...quantTables(95).luma.quant.subarray(0, 4)], [2, 1, 1, 2]);
  assert.throws(() => jpegRoundTripPixels({ width: 2, height: 2, channels: 4, data: new Uint8Array(16) }, 75), /RGB/);
});
