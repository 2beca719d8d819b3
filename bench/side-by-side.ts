// Draws docs/generator-side-by-side.png: per reference set, real library images (left) next to
// ours (right) at the same version and size. Run: node --import tsx bench/side-by-side.ts
import sharp from 'sharp';
import { createCaptchaGenerator } from '../captcha/generator.ts';
import { REFERENCE_SETS, jpegRoundTrip, loadReference } from '../test/support/captcha-stats.ts';
import type { RawImage } from '../core/image.ts';

const PER_SIDE = 3;
const GAP = 6;
const LABEL = 22;
const cellW = Math.max(...REFERENCE_SETS.map((s) => s.width)) + GAP;
const totalW = cellW * PER_SIDE * 2 + 3 * GAP;
const png = (im: RawImage) => sharp(Buffer.from(im.data), { raw: { width: im.width, height: im.height, channels: 3 } }).png().toBuffer();
const text = (s: string, w: number) =>
  Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${LABEL}"><text x="4" y="16" font-family="sans-serif" font-size="14" fill="#222">${s}</text></svg>`);

const layers: sharp.OverlayOptions[] = [];
let y = 0;
for (const set of REFERENCE_SETS) {
  const ref = await loadReference(set, 0, PER_SIDE);
  const gen = createCaptchaGenerator({ style: set.style, width: set.width, height: set.height, minLength: set.minLength, maxLength: set.maxLength, seed: 2024 + y });
  layers.push({ input: text(`${set.name}: real library ${set.style === '0.7' ? '0.7.1' : set.style === '0.3' ? '0.3' : '0.2.2'} (left) | this generator, --style ${set.style} (right)`, totalW), left: 0, top: y });
  y += LABEL;
  for (let i = 0; i < PER_SIDE; i++) {
    layers.push({ input: await png(ref.images[i]), left: i * cellW, top: y });
    let ours = gen.generate(i).image;
    if (set.ext === 'jpg') ours = await jpegRoundTrip(ours, 75);
    layers.push({ input: await png(ours), left: (PER_SIDE + i) * cellW + 3 * GAP, top: y });
  }
  y += set.height + GAP;
}
await sharp({ create: { width: totalW, height: y, channels: 3, background: '#d8d8d8' } })
  .composite(layers)
  .png()
  .toFile('docs/generator-side-by-side.png');
console.log('wrote docs/generator-side-by-side.png');
