// Draws docs/zero-and-o.png: pairs of one-character images (left a 0, right an O), each pair from the
// same random draws, so only the glyph differs. Top: no rotation, warp, offsets or noise, at the
// three font sizes. Bottom: the library's full randomness (0.7, 160x60).
// Run: node --import tsx experiments/zero-and-o.ts [OUT.png]
import { join } from 'node:path';
import sharp from 'sharp';
import { createCaptchaGenerator } from '../captcha/generator.ts';
import type { RawImage } from '../core/image.ts';
const comps: sharp.OverlayOptions[] = [];
const W = 72; // the left of each 160x60 image, where its one character is
const png = async (img: RawImage) => sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } }).extract({ left: 0, top: 0, width: W, height: img.height }).png().toBuffer();
// Row 1: no rotation, warp, offsets or noise; sizes 42, 50, 56; a mid-grey text.
for (const [col, size] of [42, 50, 56].entries()) {
  const g = createCaptchaGenerator({ style: '0.7', width: 160, height: 60, minLength: 1, maxLength: 1, charset: '0O', seed: 1, noiseDots: 0, noiseCurve: false, characterRotate: [0, 0], characterWarpDx: [0, 0], characterWarpDy: [0, 0], fontSizes: [size], wordSpaceProbability: 0, textColor: [110, 110], characterOffsetDx: [0, 0], characterOffsetDy: [0, 0] });
  for (const [k, ch] of ['0', 'O'].entries()) comps.push({ input: await png(g.generate(0, ch).image), left: (2 * col + k) * (W + 4), top: 0 });
}
// Row 2: the library's full randomness (0.7, 160x60); each pair shares every random draw.
const g = createCaptchaGenerator({ style: '0.7', width: 160, height: 60, minLength: 1, maxLength: 1, charset: '0O', seed: 2 });
for (const col of [0, 1, 2]) {
  for (const [k, ch] of ['0', 'O'].entries()) comps.push({ input: await png(g.generate(col + 3, ch).image), left: (2 * col + k) * (W + 4), top: 64 });
}
const sheet = await sharp({ create: { width: 6 * (W + 4), height: 124, channels: 3, background: 'white' } }).composite(comps).png().toBuffer();
await sharp(sheet).resize(12 * (W + 4), 248, { kernel: 'nearest' }).png({ compressionLevel: 9 }).toFile(process.argv[2] ?? join(import.meta.dirname, '..', 'docs', 'zero-and-o.png'));
