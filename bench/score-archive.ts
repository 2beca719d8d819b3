// POST /score throughput on a 2,000-image archive of 160x60 PNG CAPTCHAs (labels.txt layout),
// against `captcha-ocr serve` in its own process. Usage: node --import tsx bench/score-archive.ts [--images 2000]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { captchaPngs } from './bench-images.ts';
import { benchModel, secondLookShare } from './bench-model.ts';
import { startBenchServer } from './bench-server.ts';

const { values } = parseArgs({ options: { images: { type: 'string', default: '2000' }, runs: { type: 'string', default: '3' } } });
const n = Number(values.images);
const cache = `work/bench-score-${n}.zip`;
let zip: Uint8Array;
if (existsSync(cache)) zip = new Uint8Array(readFileSync(cache));
else {
  const images = await captchaPngs(n, 99);
  const files: Zippable = { 'labels.txt': new TextEncoder().encode(images.map((im) => im.text).join('\n') + '\n') };
  images.forEach((im, i) => (files[`${i}.png`] = [im.png, { level: 0 }]));
  zip = zipSync(files);
  mkdirSync('work', { recursive: true });
  writeFileSync(cache, zip);
}
const model = await benchModel();
const pngs = Object.entries(unzipSync(zip)).filter(([name]) => name.endsWith('.png')).map(([, bytes]) => bytes);
console.log(`model: ${model.label}${await secondLookShare(model.modelPath, pngs)}`);
const { url, process: server } = await startBenchServer(model.modelPath);
try {
  console.log(`archive: ${n} images, ${(zip.length / 1e6).toFixed(1)} MB`);
  for (let r = 0; r < Number(values.runs); r++) {
    const t0 = performance.now();
    const res = await fetch(`${url}/score`, { method: 'POST', body: zip as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'application/zip' } });
    const report = (await res.json()) as { total: number; scored: number; sequenceAccuracy: number; elapsedMs: number };
    const ms = performance.now() - t0;
    console.log(`POST /score: ${report.total} images (${report.scored} scored) in ${ms.toFixed(0)} ms = ${Math.round((report.total / ms) * 1000)} images/s end to end; scoring alone ${report.elapsedMs} ms = ${Math.round((report.total / report.elapsedMs) * 1000)} images/s`);
  }
} finally {
  server.kill('SIGTERM');
}
