// Prints the fidelity table of docs/generator.md: reference statistics (two halves of 250) next to
// 200 of ours per set. Run: node --import tsx bench/fidelity.ts
import { createCaptchaGenerator } from '../captcha/generator.ts';
import { REFERENCE_SETS, STAT_KEYS, captchaStats, jpegRoundTrip, loadReference } from '../test/support/captcha-stats.ts';

const digits = (k: string) => (k.startsWith('background') || k.startsWith('contrast') ? 1 : 3);
console.log('| set | statistic | reference A | reference B | ours | ours - mean(A, B) |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const set of REFERENCE_SETS) {
  const a = captchaStats((await loadReference(set, 0, 250)).images, set.width);
  const b = captchaStats((await loadReference(set, 250, 500)).images, set.width);
  const gen = createCaptchaGenerator({ style: set.style, width: set.width, height: set.height, minLength: set.minLength, maxLength: set.maxLength, seed: 1 });
  let ours = Array.from({ length: 200 }, (_, i) => gen.generate(i).image);
  if (set.ext === 'jpg') ours = await Promise.all(ours.map((im) => jpegRoundTrip(im, 75)));
  const o = captchaStats(ours, set.width);
  for (const k of STAT_KEYS) {
    if (k === 'widthRatio') continue;
    const d = digits(k);
    console.log(`| ${set.name} | ${k} | ${a[k].toFixed(d)} | ${b[k].toFixed(d)} | ${o[k].toFixed(d)} | ${(o[k] - (a[k] + b[k]) / 2).toFixed(d)} |`);
  }
}
