// How much of the 0/O difference reaches the network's input, image by image? Twin images: one
// CAPTCHA drawn twice from the same draws (`generate(i, text)`), once with a 0 and once with an O
// at the same place, so they differ only where the two glyphs differ. The difference is measured
// at the network's input (`core/preprocess.ts`, grey, 0-255 scale), as an L2 norm over the image,
// with the noise (dots and arc) and without it (the same draws: the noise is drawn last). Where
// the text-coloured noise lies over the glyphs, the twins agree: the ratio of the two norms is the
// share of the difference the noise leaves. (Neighbours overlap in both.)
// Usage: node --import tsx experiments/ambiguity/zero-o-twins.ts [--count N] [--input HxW]
import { parseArgs } from 'node:util';
import { createRng } from '../../core/rng.ts';
import { defaultPreprocess, preprocess } from '../../core/preprocess.ts';
import { createCaptchaGenerator, type CaptchaStyle } from '../../captcha/generator.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '1000' }, input: { type: 'string', default: '64x160' } } });
const count = Number(values.count);
const [ih, iw] = values.input.split('x').map(Number);
const spec = defaultPreprocess(ih, iw);
const KINDS: { name: string; style: CaptchaStyle; width: number; height: number }[] = [
  { name: 'v071-4', style: '0.7', width: 160, height: 60 },
  { name: 'v03-4', style: '0.3', width: 192, height: 64 },
  { name: 'v022-4 (PNG)', style: '0.2', width: 170, height: 80 },
];
const OTHERS = 'ABCDEFGHIJKLMNPQRSTUVWXYZ123456789';

const norm = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (255 * (v - b[i])) ** 2, 0));
const q = (xs: number[], p: number) => [...xs].sort((x, y) => x - y)[Math.floor(p * (xs.length - 1))];
console.log(`${count} twin pairs per kind at ${ih}x${iw} input: L2 of the 0/O difference (grey levels), and the share the noise leaves`);
for (const kind of KINDS) {
  const opts = { style: kind.style, width: kind.width, height: kind.height, seed: 11 };
  const noisy = createCaptchaGenerator(opts);
  const clean = createCaptchaGenerator({ ...opts, noiseDots: 0, noiseCurve: false });
  const rng = createRng(12, 0);
  const clean2: number[] = [];
  const kept: number[] = [];
  for (let i = 0; i < count; i++) {
    const chars = [0, 1, 2, 3].map(() => OTHERS[rng.int(0, OTHERS.length - 1)]);
    const at = rng.int(0, 3);
    const text = (c: string) => chars.map((x, k) => (k === at ? c : x)).join('');
    const input = (g: typeof noisy, c: string) => preprocess(g.generate(i, text(c)).image, spec);
    const dClean = norm(input(clean, '0'), input(clean, 'O'));
    const dNoisy = norm(input(noisy, '0'), input(noisy, 'O'));
    clean2.push(dClean);
    kept.push(dNoisy / dClean);
  }
  const share = (t: number) => `${((100 * kept.filter((k) => k < t).length) / count).toFixed(1)} %`;
  console.log(`${kind.name}: without noise, median ${q(clean2, 0.5).toFixed(0)} (10 %: ${q(clean2, 0.1).toFixed(0)}); kept with the noise: median ${(100 * q(kept, 0.5)).toFixed(0)} %, 5 %: ${(100 * q(kept, 0.05)).toFixed(0)} %, 1 %: ${(100 * q(kept, 0.01)).toFixed(0)} %; images keeping under 75 %: ${share(0.75)}, under 50 %: ${share(0.5)}`);
}
