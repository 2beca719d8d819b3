// Makes a labelled set of crops (labels.txt + i.png, 48x64 grey) around the characters the main
// model reads as 0 or O, at its CTC peaks, from generated images of the four reference kinds
// with two zeros/Os each; main.txt / main-p.txt hold the main model's reading and its p(0) p(O).
// Train a crop model on it with `captcha-ocr train --data OUT_DIR --input 64x48 --init models/tfjs`.
// Usage: node --import tsx experiments/second-look/make-crops.ts OUT_DIR IMAGES SEED [MAIN.onnx]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { createGeneratedSource } from '../../train/data/sample-source.ts';
import { defaultMix } from '../../train/data/data-mix.ts';
import { mainModel, cropAt, type Reading } from './second-look.ts';

const [out, countArg, seedArg, mainPath = 'models/captcha-ocr.onnx'] = process.argv.slice(2);
if (!out || !(Number(countArg) > 0) || !Number.isInteger(Number(seedArg))) {
  console.error('usage: make-crops.ts OUT_DIR IMAGES SEED [MAIN.onnx]');
  process.exit(2);
}
const count = Number(countArg);
const seed = Number(seedArg);
mkdirSync(out, { recursive: true });
const mix = defaultMix(6).slice(0, 4);
const src = createGeneratedSource(mix, seed, '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', undefined, { chars: '0O', probability: 1, count: 2 });
const main = await mainModel(mainPath);
const labels: string[] = [];
const mainReads: string[] = [];
const mainP: string[] = [];
let skipped = 0;
const t0 = Date.now();
for (let i = 0; i < count; i++) {
  const s = await src.sample(i);
  const r: Reading = await main.read(s.image);
  if (r.chars.length !== s.text.length) {
    skipped++;
    continue;
  }
  for (let k = 0; k < r.chars.length; k++) {
    const truth = s.text[k];
    if ((truth !== '0' && truth !== 'O') || (r.chars[k] !== '0' && r.chars[k] !== 'O')) continue;
    const crop = cropAt(s.image, r.frames[k], r.timeSteps);
    const n = labels.length;
    await sharp(Buffer.from(crop.data), { raw: { width: crop.width, height: crop.height, channels: 1 } })
      .png({ compressionLevel: 1 })
      .toFile(join(out, `${n}.png`));
    labels.push(truth);
    mainReads.push(r.chars[k]);
    mainP.push(r.probs[k].join(' '));
  }
  if (i % 5000 === 0) console.log(`${i} images, ${labels.length} crops, ${skipped} skipped, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
writeFileSync(join(out, 'labels.txt'), labels.join('\n') + '\n');
writeFileSync(join(out, 'main.txt'), mainReads.join('\n') + '\n');
writeFileSync(join(out, 'main-p.txt'), mainP.join('\n') + '\n');
const right = labels.filter((l, i) => l === mainReads[i]).length;
console.log(JSON.stringify({ images: count, crops: labels.length, skipped, mainRight: right, mainAccuracy: right / labels.length }));
