import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateSync, inflateSync } from 'node:zlib';
import { pngChunk } from '../captcha/encode.ts';
import sharp from 'sharp';
import { InvalidImageError } from './errors.ts';
import type { RawImage } from './image.ts';
import { decodeSimplePng } from './png-fast.ts';
import { defaultPreprocess, preprocess, preprocessReference } from './preprocess.ts';
import { captchaSamples, syntheticImage } from '../test/fixtures/images.ts';

async function png(data: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: 1 | 2 | 3 | 4, options: sharp.PngOptions = {}): Promise<Uint8Array> {
  const s = sharp(data, { raw: { width, height, channels } });
  return new Uint8Array(await (channels <= 2 ? s.toColourspace('b-w') : s).png(options).toBuffer());
}

/** An RGB PNG whose row y uses filter y % 5 (None, Sub, Up, Average, Paeth), with real CRCs. */
function pngWithEveryFilter(image: RawImage): Uint8Array {
  const { width: w, height: h, data } = image;
  const bpp = image.channels;
  const stride = w * bpp;
  const raw = new Uint8Array((stride + 1) * h);
  const at = (x: number, y: number) => (x < 0 || y < 0 ? 0 : data[y * stride + x]);
  for (let y = 0; y < h; y++) {
    const f = y % 5;
    raw[y * (stride + 1)] = f;
    for (let x = 0; x < stride; x++) {
      const a = at(x - bpp, y);
      const b = at(x, y - 1);
      const c = at(x - bpp, y - 1);
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][f];
      raw[y * (stride + 1) + 1 + x] = (data[y * stride + x] - pred) & 255;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, bpp === 4 ? 6 : 2, 0, 0, 0], 8);
  return new Uint8Array(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', new Uint8Array(0))]));
}

/** The row filter types a PNG uses (0 None .. 4 Paeth), read from its inflated data. */
function filtersOf(bytes: Uint8Array, stride: number, height: number): Set<number> {
  const idat: Uint8Array[] = [];
  for (let o = 8; o + 8 <= bytes.length; ) {
    const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(o);
    if (String.fromCharCode(...bytes.subarray(o + 4, o + 8)) === 'IDAT') idat.push(bytes.subarray(o + 8, o + 8 + len));
    o += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  return new Set(Array.from({ length: height }, (_, y) => raw[y * (stride + 1)]));
}

test('8-bit PNGs (grey, grey+alpha, RGB, RGBA; every row filter) decode exactly like libvips', async () => {
  const w = 61;
  const h = 37;
  const rgba = syntheticImage(w, h, 4).data;
  const seen = new Set<number>();
  let cases = 0;
  for (const channels of [1, 2, 3, 4] as const) {
    const data = new Uint8Array(w * h * channels);
    for (let i = 0; i < w * h; i++) for (let c = 0; c < channels; c++) data[i * channels + c] = rgba[i * 4 + (channels === 2 && c === 1 ? 3 : c)];
    for (const options of [{ adaptiveFiltering: true }, { adaptiveFiltering: false }, { compressionLevel: 0 }, { compressionLevel: 9, adaptiveFiltering: true }]) {
      const bytes = await png(data, w, h, channels, options);
      for (const f of filtersOf(bytes, w * channels, h)) seen.add(f);
      const ours = decodeSimplePng(bytes, inflateSync);
      assert.ok(ours, `${channels} channels decoded`);
      assert.equal(ours.channels, channels === 2 ? 4 : channels, 'grey+alpha comes back as RGBA');
      assert.deepEqual([ours.width, ours.height], [w, h]);
      // libvips hands grey out as RGB(A): compare every sample it gives with ours
      const { data: ref, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
      const alpha = channels === 2 || channels === 4;
      assert.equal(info.channels, alpha ? 4 : 3);
      for (let i = 0; i < w * h; i++) {
        const mine: number[] = ours.channels === 1 ? [ours.data[i], ours.data[i], ours.data[i]] : [...ours.data.subarray(i * ours.channels, (i + 1) * ours.channels)];
        assert.deepEqual(mine, [...ref.subarray(i * info.channels, (i + 1) * info.channels)], `pixel ${i}, ${channels} channels`);
      }
      cases++;
    }
  }
  assert.equal(cases, 16);
  assert.ok(seen.size >= 3, `libvips used filters ${[...seen].join(',')}`);
  for (const channels of [3, 4] as const) {
    const image = syntheticImage(w, h, channels);
    const bytes = pngWithEveryFilter(image);
    assert.deepEqual([...filtersOf(bytes, w * channels, h)].sort(), [0, 1, 2, 3, 4]);
    const { data: ref } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual(Buffer.from(image.data), ref, 'the test encoder is right (libvips agrees)');
    assert.deepEqual(Buffer.from(decodeSimplePng(bytes, inflateSync)!.data), ref);
  }
});

test('PNGs it does not handle (palette, 16-bit, interlaced) are left to the general decoder', async () => {
  const img = syntheticImage(40, 20);
  const raw = { width: 40, height: 20, channels: 3 as const };
  assert.equal(decodeSimplePng(new Uint8Array(await sharp(img.data, { raw }).png({ palette: true }).toBuffer()), inflateSync), undefined);
  assert.equal(decodeSimplePng(new Uint8Array(await sharp(img.data, { raw }).png({ progressive: true }).toBuffer()), inflateSync), undefined);
  assert.equal(decodeSimplePng(new Uint8Array(await sharp(img.data, { raw }).toColourspace('rgb16').png().toBuffer()), inflateSync), undefined);
  assert.equal(decodeSimplePng(new Uint8Array(10), inflateSync), undefined);
  // an RGB PNG with a tRNS colour key (the key colour is transparent): left to the general decoder
  const plain = new Uint8Array(await sharp(img.data, { raw }).png().toBuffer());
  const ihdrEnd = 8 + 12 + 13;
  const trns = pngChunk('tRNS', new Uint8Array(6));
  const keyed = new Uint8Array(Buffer.concat([plain.subarray(0, ihdrEnd), trns, plain.subarray(ihdrEnd)]));
  assert.equal(decodeSimplePng(keyed, inflateSync), undefined);
  assert.equal((await sharp(keyed).metadata()).hasAlpha, true, 'libvips reads the key as alpha');
});

test('corrupt PNG data is an InvalidImageError, never a crash', async () => {
  const good = await png(syntheticImage(40, 20).data, 40, 20, 3);
  const idat = Buffer.from(good).indexOf('IDAT');
  const truncated = good.slice(0, idat + 20);
  assert.throws(() => decodeSimplePng(truncated, inflateSync), InvalidImageError);
  const garbled = good.slice();
  for (let i = idat + 4; i < idat + 40; i++) garbled[i] ^= 0x5a;
  assert.throws(() => decodeSimplePng(garbled, inflateSync), InvalidImageError);
  // a valid stream whose first row names filter 7
  const bad = good.slice();
  const lenAt = idat - 4;
  const row = Buffer.alloc((40 * 3 + 1) * 20);
  row[0] = 7;
  const z = new Uint8Array(deflateSync(row));
  const chunk = Buffer.concat([bad.subarray(0, lenAt), Buffer.from([0, 0, 0, 0]), Buffer.from('IDAT'), z, Buffer.alloc(4), Buffer.from([0, 0, 0, 0]), Buffer.from('IEND'), Buffer.alloc(4)]);
  chunk.writeUInt32BE(z.length, lenAt);
  assert.throws(() => decodeSimplePng(new Uint8Array(chunk), inflateSync), /unknown row filter 7/);
});

test('the fused preprocess is bit-identical to its unfused definition (grey, RGB, RGBA; up, down, same size)', async () => {
  const samples = (await captchaSamples()).slice(0, 4).map((s) => s.image);
  const rgba = syntheticImage(90, 33, 4);
  const grey: RawImage = { width: 50, height: 20, channels: 1, data: Uint8Array.from(syntheticImage(50, 20).data).filter((_, i) => i % 3 === 0) };
  for (const image of [...samples, rgba, grey]) {
    for (const [h, w] of [[48, 128], [64, 160], [60, 160], [image.height, image.width], [100, 300], [24, 64]]) {
      const spec = { ...defaultPreprocess(h, w), invert: h % 2 === 0 };
      const ref = preprocessReference(image, spec);
      const out = new Float32Array(ref.length + 7).fill(-1);
      preprocess(image, spec, out, 7);
      assert.deepEqual(out.subarray(7), ref, `${image.width}x${image.height}x${image.channels} -> ${w}x${h}`);
      assert.equal(out[6], -1, 'writes nothing before offset');
    }
  }
});
