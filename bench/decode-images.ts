// Image decoding + preprocessing per 160x60 PNG CAPTCHA: sharp (Node) against the pure-JS
// decoders of core/ (edge), wall time and CPU time. Usage: node --import tsx bench/decode-images.ts
import { decodeImage, pureJsImageDecoder, type ImageDecoder } from '../core/image-decode.ts';
import { defaultPreprocess, preprocess } from '../core/preprocess.ts';
import { createSharpDecoder } from '../functions/node/sharp-decoder.ts';
import { captchaPngs } from './bench-images.ts';

const images = await captchaPngs(64);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const rounds = 20;
const n = rounds * images.length;
for (const decoder of [createSharpDecoder(), pureJsImageDecoder] as ImageDecoder[]) {
  await Promise.all(images.map((im) => decodeImage(im.png, 1e8, decoder)));
  const c0 = cpuMs();
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) await Promise.all(images.map((im) => decodeImage(im.png, 1e8, decoder)));
  const wall = performance.now() - t0;
  console.log(`${decoder.name.padEnd(8)} decode: ${((wall / n) * 1000).toFixed(0)} us/image wall (${Math.round((n / wall) * 1000)} images/s), ${(((cpuMs() - c0) / n) * 1000).toFixed(0)} us CPU/image`);
}
const raw = await decodeImage(images[0].png, 1e8);
for (const [h, w] of [[64, 160], [60, 160], [48, 128]]) {
  const spec = defaultPreprocess(h, w);
  const out = new Float32Array(h * w);
  const t0 = performance.now();
  for (let k = 0; k < 2000; k++) preprocess(raw, spec, out);
  console.log(`preprocess 160x60 -> ${w}x${h}: ${(((performance.now() - t0) / 2000) * 1000).toFixed(0)} us/image`);
}
