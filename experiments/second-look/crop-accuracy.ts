// 0/O accuracy on a make-crops.ts folder: the crop model alone, the main model's own reading, and
// both combined (the sum of their log-odds of 0 against O).
// Usage: node --import tsx experiments/second-look/crop-accuracy.ts CROP_MODEL.onnx CROPS_DIR
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { parseLabelsTxt } from '../../core/labels.ts';
import { combinedChar, cropModel } from './second-look.ts';
const [model, dir] = process.argv.slice(2);
if (!model || !dir) {
  console.error('usage: crop-accuracy.ts CROP_MODEL.onnx CROPS_DIR');
  process.exit(2);
}
const labels = parseLabelsTxt(readFileSync(join(dir, 'labels.txt'), 'utf8'));
const mainReads = readFileSync(join(dir, 'main.txt'), 'utf8').trim().split('\n');
const m = await cropModel(model);
let right = 0;
let mainRight = 0;
let comb = 0;
const mp = readFileSync(join(dir, 'main-p.txt'), 'utf8').trim().split('\n').map((l) => l.split(' ').map(Number));
for (let i = 0; i < labels.length; i++) {
  const { data } = await sharp(join(dir, `${i}.png`)).greyscale().raw().toBuffer({ resolveWithObject: true });
  const d = await m.decide({ data: new Uint8Array(data) });
  if (d.char === labels[i]) right++;
  if (mainReads[i] === labels[i]) mainRight++;
  if (combinedChar(mp[i], d) === labels[i]) comb++;
}
console.log(JSON.stringify({ crops: labels.length, crop: right / labels.length, main: mainRight / labels.length, combined: comb / labels.length }));
