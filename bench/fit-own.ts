// "Fit your own CAPTCHAs", measured (README: Training): a CAPTCHA style the shipped model has never
// seen, from another generator, svg-captcha (its own font, coloured letters, noise curves, a
// case-sensitive alphabet of 62 characters), never the reference images. It draws TRAIN labelled
// training images and TEST held-out ones (independent draws) into DIR/train and DIR/test
// (PNG rendered from the SVG by sharp, labels in labels.csv), then runs the walkthrough's commands:
//   captcha-ocr train --out DIR/run --data DIR/train --init INIT --max-minutes M
//   captcha-ocr convert DIR/run --out DIR/models-dir/site.onnx
//   captcha-ocr score DIR/test --model DIR/models-dir/site.onnx --json
// and prints the whole-text accuracy on the held-out images (case-sensitive). --curve runs the
// grid of the issue instead: 1k, 5k and 20k training images (the first N of DIR/train) x 5, 15 and
// 30 minutes (as far as --train and --minutes reach), one table; --cells 20000x5,1000x30 runs
// just those cells (training images x minutes), in that order, and tables them. Each cell's result is kept in
// DIR/results.json as it finishes; a later run with the same seed and held-out count reuses the
// cells already there (--fresh runs them all again), so a curve may be measured across sessions.
//
// svg-captcha is a devDependency (npm install brings it); another copy can be named with
// --generator-from DIR (a folder where `npm install svg-captcha@1.4.0` ran). It draws with Math.random: the bench swaps in a seeded generator while it draws, so
// the same seed gives the same images with the same svg-captcha version.
//
// INIT (--init) is the model fitted from: models/training/default-v3 by default, the small general
// model (run 3, 59.7 MFLOP per image, what README's walkthrough starts from); models/tfjs (the
// shipped campaign model, 154 MFLOP) reads the reference CAPTCHAs better but fits 2.6x fewer images
// a minute.
// Usage: node --import tsx bench/fit-own.ts [--dir work/fit-own] [--train 20000] [--test 1000]
//          [--minutes 30] [--init models/training/default-v3] [--backend auto] [--seed 1] [--generator-from DIR] [--generate-only] [--curve] [--cells LIST] [--fresh]
// Keep the machine otherwise idle for figures worth quoting: the budget is wall time.
import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { createRng } from '../core/rng.ts';

/** What the bench uses of svg-captcha 1.4 (`create` returns the SVG and its text). */
interface SvgCaptcha {
  create(options: Readonly<Record<string, unknown>>): { text: string; data: string };
}

const PACKAGE = 'svg-captcha';
const VERSION = '1.4.0';
/** The library's defaults (150x50, 4 characters of A-Za-z0-9, font size 56) with colour and two noise curves. */
const STYLE = { noise: 2, color: true } as const;

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    train: { type: 'string' },
    test: { type: 'string' },
    minutes: { type: 'string' },
    backend: { type: 'string' },
    seed: { type: 'string' },
    init: { type: 'string' },
    'generator-from': { type: 'string' },
    'generate-only': { type: 'boolean' },
    curve: { type: 'boolean' },
    cells: { type: 'string' },
    fresh: { type: 'boolean' },
  },
});
const dir = resolve(values.dir ?? 'work/fit-own');
const trainCount = Number(values.train ?? 20_000);
const testCount = Number(values.test ?? 1_000);
const minutes = Number(values.minutes ?? 30);
const seed = Number(values.seed ?? 1);
const backend = values.backend ?? 'auto';
/** Run 3's export: where the walkthrough fits from, and what results.json cells saved before --init were fitted from. */
const RUN3 = 'models/training/default-v3';
const init = values.init ?? RUN3;
if (!existsSync(join(init, 'model.json'))) {
  console.error(`fit-own: --init: no model.json in ${init} (give a folder that train wrote)`);
  process.exit(2);
}
for (const [name, v] of [['--train', trainCount], ['--test', testCount], ['--minutes', minutes], ['--seed', seed]] as const) {
  if (!(Number.isFinite(v) && v > 0)) {
    console.error(`fit-own: ${name} must be a positive number`);
    process.exit(2);
  }
}
const bin = join(import.meta.dirname, '..', 'bin', 'captcha-ocr.js');

async function loadGenerator(): Promise<SvgCaptcha> {
  try {
    if (values['generator-from']) return createRequire(join(resolve(values['generator-from']), 'package.json'))(PACKAGE) as SvgCaptcha;
    const name: string = PACKAGE;
    const mod = (await import(name)) as { default?: SvgCaptcha } & Partial<SvgCaptcha>;
    return mod.default ?? (mod as SvgCaptcha);
  } catch {
    console.error(`fit-own: ${PACKAGE} is not installed (a devDependency: run npm install, or install ${PACKAGE}@${VERSION} into another folder and pass --generator-from DIR).`);
    process.exit(2);
  }
}

/** Labels already written in `folder`, when it holds `count` of them. */
function complete(folder: string, count: number): boolean {
  const csv = join(folder, 'labels.csv');
  return existsSync(csv) && readFileSync(csv, 'utf8').trim().split('\n').length === count + 1;
}

/** Draws `count` CAPTCHAs with svg-captcha (Math.random seeded by `stream`) into `folder`: 000000.png, ... and labels.csv. */
async function draw(generator: SvgCaptcha, folder: string, count: number, stream: number): Promise<void> {
  if (complete(folder, count)) return;
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const rng = createRng(seed, stream);
  const lines = ['file,label'];
  const started = performance.now();
  const random = Math.random;
  for (let i = 0; i < count; i++) {
    let captcha: { text: string; data: string };
    Math.random = () => rng.next();
    try {
      captcha = generator.create(STYLE);
    } finally {
      Math.random = random;
    }
    const name = `${String(i).padStart(6, '0')}.png`;
    writeFileSync(join(folder, name), await sharp(Buffer.from(captcha.data)).png().toBuffer());
    lines.push(`${name},${captcha.text}`);
    if ((i + 1) % 5000 === 0) console.error(`  ${folder}: ${i + 1}/${count} (${((performance.now() - started) / (i + 1)).toFixed(1)} ms/image)`);
  }
  writeFileSync(join(folder, 'labels.csv'), `${lines.join('\n')}\n`);
}

/** The first `count` images of DIR/train as their own folder (hard links and a shorter labels.csv). */
function subset(count: number): string {
  if (count >= trainCount) return join(dir, 'train');
  const folder = join(dir, `train-${count}`);
  if (complete(folder, count)) return folder;
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const lines = readFileSync(join(dir, 'train', 'labels.csv'), 'utf8').trim().split('\n').slice(0, count + 1);
  for (const line of lines.slice(1)) {
    const file = line.split(',')[0];
    linkSync(join(dir, 'train', file), join(folder, file));
  }
  writeFileSync(join(folder, 'labels.csv'), `${lines.join('\n')}\n`);
  return folder;
}

function captchaOcr(args: string[], capture = false): string {
  console.error(`\n$ captcha-ocr ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [bin, ...args], { stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'], encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`captcha-ocr ${args[0]} exited with ${r.status}`);
  return r.stdout ?? '';
}

interface Result {
  readonly images: number;
  readonly minutes: number;
  readonly accuracy: number;
  readonly characterAccuracy: number;
  readonly wallMinutes: number;
  /** Steps trained and images/s over the training. */
  readonly steps: number;
  readonly imagesPerSecond: number;
}

/** Steps trained and images/s over the training, from the run's last checkpoint. */
function runSpeed(run: string): { steps: number; imagesPerSecond: number } {
  const state = JSON.parse(readFileSync(join(run, 'checkpoint', 'state.json'), 'utf8')) as { step: number; imagesSeen: number; elapsedSeconds: number };
  return { steps: state.step, imagesPerSecond: state.imagesSeen / state.elapsedSeconds };
}

/** The walkthrough: train with a time budget from INIT, convert, score the held-out images. */
function fit(images: number, budget: number): Result {
  const data = subset(images);
  const tag = `${images}-${budget}min`;
  const run = join(dir, `run-${tag}`);
  const onnx = join(dir, 'models-dir', images === trainCount && budget === minutes ? 'site.onnx' : `site-${tag}.onnx`);
  rmSync(run, { recursive: true, force: true });
  const t0 = performance.now();
  captchaOcr(['train', '--out', run, '--data', data, '--init', init, '--max-minutes', String(budget), '--backend', backend]);
  const wallMinutes = (performance.now() - t0) / 60_000;
  captchaOcr(['convert', run, '--out', onnx]);
  const report = JSON.parse(captchaOcr(['score', join(dir, 'test'), '--model', onnx, '--json'], true)) as { sequenceAccuracy: number; characterAccuracy: number; scored: number; total: number };
  if (report.scored !== testCount) throw new Error(`scored ${report.scored} of ${report.total} held-out images`);
  const result = { images, minutes: budget, accuracy: report.sequenceAccuracy, characterAccuracy: report.characterAccuracy, wallMinutes, ...runSpeed(run) };
  console.error(`\n${images} training images, ${budget} min (train took ${wallMinutes.toFixed(1)} min, ${result.steps} steps, ${result.imagesPerSecond.toFixed(0)} images/s): ${(100 * result.accuracy).toFixed(2)} % of ${testCount} held-out images read whole, ${(100 * result.characterAccuracy).toFixed(2)} % of characters`);
  return result;
}

const chosenCells = values.cells ? parseCells(values.cells) : undefined;
const generator = await loadGenerator();
mkdirSync(join(dir, 'models-dir'), { recursive: true });
const t0 = performance.now();
await draw(generator, join(dir, 'train'), trainCount, 1);
await draw(generator, join(dir, 'test'), testCount, 2);
console.error(`${PACKAGE}: ${trainCount} training and ${testCount} held-out images in ${dir} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
if (values['generate-only']) process.exit(0);

/** `--cells 20000x5,1000x30`: training images x minutes, each within --train. */
function parseCells(list: string): [number, number][] {
  return list.split(',').map((cell): [number, number] => {
    const m = /^(\d+)x(\d+(?:\.\d+)?)$/.exec(cell.trim());
    if (!m || Number(m[1]) < 1 || Number(m[1]) > trainCount || Number(m[2]) <= 0) {
      console.error(`--cells: "${cell}" is not IMAGESxMINUTES with 1 <= IMAGES <= --train (${trainCount}) and MINUTES > 0`);
      process.exit(2);
    }
    return [Number(m[1]), Number(m[2])];
  });
}
const grid: [number, number][] =
  chosenCells ??
  (values.curve
    ? [1000, 5000, 20_000].filter((n) => n <= trainCount).flatMap((n) => [5, 15, 30].filter((m) => m <= minutes).map((m): [number, number] => [n, m]))
    : [[trainCount, minutes]]);
const resultsFile = join(dir, 'results.json');
const header = { generator: `${PACKAGE}@${VERSION}`, style: STYLE, seed, test: testCount, backend, init };
/**
 * Cells measured before with the same generator, seed, held-out count, backend and --init (unless
 * --fresh). Results saved before --init existed were fitted from models/tfjs when it held run 3,
 * the weights now in models/training/default-v3.
 */
function earlier(): Result[] {
  if (values.fresh || !existsSync(resultsFile)) return [];
  const saved = JSON.parse(readFileSync(resultsFile, 'utf8')) as typeof header & { results: Partial<Result>[] };
  const same = saved.generator === header.generator && saved.seed === seed && saved.test === testCount && saved.backend === backend && (saved.init ?? RUN3) === init;
  return same ? saved.results.filter((r): r is Result => typeof r.steps === 'number') : [];
}
const results = earlier();
for (const [images, budget] of grid) {
  const known = results.find((r) => r.images === images && r.minutes === budget);
  if (known) {
    console.error(`\n${images} training images, ${budget} min: kept from ${resultsFile} (--fresh to run it again)`);
    continue;
  }
  results.push(fit(images, budget));
  results.sort((a, b) => a.images - b.images || a.minutes - b.minutes);
  writeFileSync(resultsFile, `${JSON.stringify({ ...header, results }, null, 2)}\n`);
}
const shown = results.filter((r) => grid.some(([images, budget]) => r.images === images && r.minutes === budget));
console.log(`\n${PACKAGE}@${VERSION} ${JSON.stringify(STYLE)}, ${testCount} held-out images, whole text read (case-sensitive):\n`);
console.log('| training images | budget | train wall time | steps | images/s | whole text | characters |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of shown) console.log(`| ${r.images.toLocaleString('en')} | ${r.minutes} min | ${r.wallMinutes.toFixed(1)} min | ${r.steps.toLocaleString('en')} | ${r.imagesPerSecond.toFixed(0)} | ${(100 * r.accuracy).toFixed(2)} % | ${(100 * r.characterAccuracy).toFixed(2)} % |`);
