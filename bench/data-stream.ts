// Training data stream speed for the default mix (what `captcha-ocr train` draws from):
//   (1) per stage, on this thread: the CPU time of each step that turns a sample index into
//       a model input (generate, JPEG encode and decode for the 0.2 kind, border jitter,
//       preprocess, photometric jitter), in ms per image of the mix;
//   (2) the stream itself (BatchStream: data worker thread(s), batches transferred to this
//       thread), images/s delivered and CPU-ms per image over all threads (process.cpuUsage),
//       at 48x128 and 64x160 input, with 1 and 2 data workers.
// Usage: node --import tsx bench/data-stream.ts [--images 2048] [--batch 32] [--stages-only] [--stream-only]
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { defaultPreprocess, type PreprocessSpec } from '../core/preprocess.ts';
import { DEFAULT_CHARSET } from '../core/charset.ts';
import { DEFAULT_AUGMENT } from '../train/data/augment.ts';
import { BatchStream } from '../train/data/batch-stream.ts';
import { defaultMix } from '../train/data/data-mix.ts';

const { values } = parseArgs({ options: { images: { type: 'string' }, batch: { type: 'string' }, 'stages-only': { type: 'boolean' }, 'stream-only': { type: 'boolean' } } });
const images = Number(values.images ?? 2048);
const batchSize = Number(values.batch ?? 32);
const inputs: PreprocessSpec[] = [defaultPreprocess(48, 128), defaultPreprocess(64, 160)];
const mix = defaultMix(8);
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

console.log(`training data stream, default mix, batch ${batchSize}, ${availableParallelism()} cores, load average ${loadavg()[0].toFixed(2)}`);

if (!values['stream-only']) {
  const { profileStages } = await import('./data-stages.ts');
  for (const input of inputs) {
    const p = await profileStages(mix, input, DEFAULT_AUGMENT, Math.min(images, 512));
    const per = (ms: number) => (ms / p.images).toFixed(3);
    const sum = (rows: { ms: number }[]) => rows.reduce((a, s) => a + s.ms, 0);
    const shared = sum(p.now.slice(0, 2)) + p.now[5].ms; // generate, copy, labels: the same both ways
    console.log(`\nstages on one thread, ${input.height}x${input.width} (${p.images} images of the mix; wall ms per image, the fastest of 3 passes for each stage)`);
    console.log('| stage | ms/image |');
    console.log('| --- | --- |');
    for (const s of p.now) console.log(`| ${s.name} | ${per(s.ms)} |`);
    console.log(`| **total now** | **${per(sum(p.now))}** (${((1000 * p.images) / sum(p.now)).toFixed(0)} images/s) |`);
    for (const s of p.before) console.log(`| before: ${s.name} | ${per(s.ms)} |`);
    const before = shared + sum(p.before);
    console.log(`| **total before** (generate, copy, labels + these) | **${per(before)}** (${((1000 * p.images) / before).toFixed(0)} images/s) |`);
  }
}

if (!values['stages-only']) {
  console.log(`\nBatchStream, ${images} images after a warm-up of 6 batches per worker (images/s delivered to this thread; CPU over all threads)`);
  console.log('| input | data workers | images/s | CPU-ms/image |');
  console.log('| --- | --- | --- | --- |');
  const results: { input: string; dataWorkers: number; imagesPerSecond: number; cpuMsPerImage: number }[] = [];
  for (const input of inputs) {
    for (const dataWorkers of [1, 2]) {
      const stream = await BatchStream.open({
        plan: { batchSize, input, charset: DEFAULT_CHARSET, maxLength: 8, augment: DEFAULT_AUGMENT, seed: 1 },
        mix,
        validationCount: 0,
        validationSeed: 1_000_003,
        dataWorkers,
      });
      // Warm-up: 6 batches per worker (JIT, glyph masks) before the clock starts.
      stream.start(0, 4);
      for (let i = 0; i < 6 * dataWorkers; i++) await stream.next();
      const steps = Math.ceil(images / batchSize);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) await stream.next();
      const seconds = (performance.now() - t0) / 1000;
      const cpu = cpuMs(process.cpuUsage(c0));
      await stream.close();
      const n = steps * batchSize;
      const r = { input: `${input.height}x${input.width}`, dataWorkers, imagesPerSecond: n / seconds, cpuMsPerImage: cpu / n };
      results.push(r);
      console.log(`| ${r.input} | ${dataWorkers} | ${r.imagesPerSecond.toFixed(0)} | ${r.cpuMsPerImage.toFixed(2)} |`);
    }
  }
  console.log(JSON.stringify({ batchSize, images, results }));
}
