// Whole-text accuracy on the reference sets (../shared/captcha-reference): the main model alone,
// with every 0/O it reads replaced by the crop model's decision, and with the two combined (sum of
// log-odds); and of the true 0s and Os (in readings of the right length), how many are read right.
// Usage: node --import tsx experiments/second-look/cascade.ts CROP_MODEL.onnx [MAIN.onnx] [--reference DIR]
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseLabelsTxt } from '../../core/labels.ts';
import { decodeLikeServer } from '../../train/data/labelled-data.ts';
import { combinedChar, cropAt, cropModel, mainModel } from './second-look.ts';

const args = process.argv.slice(2);
const refAt = args.indexOf('--reference');
const ref = refAt >= 0 ? args.splice(refAt, 2)[1] : join(import.meta.dirname, '..', '..', '..', 'shared', 'captcha-reference');
const [cropPath, mainPath = 'models/captcha-ocr.onnx'] = args;
if (!cropPath) {
  console.error('usage: cascade.ts CROP_MODEL.onnx [MAIN.onnx] [--reference DIR]');
  process.exit(2);
}
const main = await mainModel(mainPath);
const crop = await cropModel(cropPath);
for (const set of ['v071-4', 'v03-4', 'v022-4-jpg', 'v071-4to6']) {
  const dir = join(ref, set);
  const labels = parseLabelsTxt(readFileSync(join(dir, 'labels.txt'), 'utf8'));
  const files = new Set(readdirSync(dir));
  let before = 0;
  let after = 0;
  let ooTotal = 0;
  let ooBefore = 0;
  let ooAfter = 0;
  let combined = 0;
  let ooComb = 0;
  for (let i = 0; i < labels.length; i++) {
    const name = [`${i}.png`, `${i}.jpg`].find((n) => files.has(n))!;
    const image = await decodeLikeServer(readFileSync(join(dir, name)));
    const r = await main.read(image);
    const truth = labels[i];
    const first = r.chars.join('');
    const second = [...r.chars];
    const third = [...r.chars];
    for (let k = 0; k < r.chars.length; k++) {
      if (r.chars[k] !== '0' && r.chars[k] !== 'O') continue;
      const d = await crop.decide(cropAt(image, r.frames[k], r.timeSteps));
      second[k] = d.char;
      third[k] = combinedChar(r.probs[k], d);
    }
    const s2 = second.join('');
    const s3 = third.join('');
    if (s3 === truth) combined++;
    if (first === truth) before++;
    if (s2 === truth) after++;
    if (first.length === truth.length) {
      for (let k = 0; k < truth.length; k++) {
        if (truth[k] !== '0' && truth[k] !== 'O') continue;
        ooTotal++;
        if (first[k] === truth[k]) ooBefore++;
        if (s2[k] === truth[k]) ooAfter++;
        if (s3[k] === truth[k]) ooComb++;
      }
    }
  }
  const n = labels.length;
  console.log(`${set}: whole ${((100 * before) / n).toFixed(2)} -> ${((100 * after) / n).toFixed(2)} %; 0/O (aligned) ${ooBefore}/${ooTotal} -> ${ooAfter}/${ooTotal}; combined whole ${((100 * combined) / n).toFixed(2)} %, 0/O ${ooComb}/${ooTotal}`);
}
