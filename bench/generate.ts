// Generator speed: images/s in memory on one core, and written as PNG files (in-process and
// with worker threads), for each style; then images per CPU-second in memory at each
// reference set's size. "Per CPU-second" counts only this process's CPU time
// (process.cpuUsage), so it stays comparable on a busy machine where wall-clock rates swing.
// Run: node --import tsx bench/generate.ts [count]
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDataset } from '../captcha/dataset-writer.ts';
import { encodePng } from '../captcha/encode.ts';
import { createCaptchaGenerator, type CaptchaGenerator, type CaptchaOptions } from '../captcha/generator.ts';
import { CAPTCHA_STYLES } from '../captcha/options.ts';

const count = Number(process.argv[2] ?? 3000);
const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

/** Runs `work` for every index; returns [images per wall-second, images per CPU-second]. */
function rates(gen: CaptchaGenerator, work: (gen: CaptchaGenerator, i: number) => void): [number, number] {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) work(gen, i);
  return [count / ((performance.now() - t0) / 1000), count / cpuSeconds(process.cpuUsage(c0))];
}

function warm(options: Partial<CaptchaOptions>): CaptchaGenerator {
  const gen = createCaptchaGenerator(options);
  for (let i = 0; i < 200; i++) gen.generate(i); // warm up: glyph masks, JIT
  return gen;
}

console.log(`captcha generator, 160x60, ${count} images per row, ${availableParallelism()} cores`);
console.log('| style | in memory, 1 core (images/s) | per CPU-second | + PNG encode, 1 core | per CPU-second | PNG files, 1 thread | PNG files, all cores |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const style of CAPTCHA_STYLES) {
  const gen = warm({ style, seed: 1 });
  const memory = rates(gen, (g, i) => g.generate(i));
  const withPng = rates(gen, (g, i) => encodePng(g.generate(i).image));
  const files: number[] = [];
  for (const workers of [0, availableParallelism() - 1]) {
    const dir = mkdtempSync(join(tmpdir(), 'captcha-bench-'));
    const t0 = performance.now();
    await writeDataset({ captcha: { style, seed: 1 }, count, outDir: dir, workers });
    files.push(count / ((performance.now() - t0) / 1000));
    rmSync(dir, { recursive: true, force: true });
  }
  const cells = [...memory, ...withPng, ...files].map((v) => v.toFixed(0));
  console.log(`| ${style} | ${cells.join(' | ')} |`);
}

const sets: [string, Partial<CaptchaOptions>][] = [
  ['0.2, 170 x 80', { style: '0.2', width: 170, height: 80 }],
  ['0.3, 192 x 64', { style: '0.3', width: 192, height: 64 }],
  ['0.7, 160 x 60', { style: '0.7', width: 160, height: 60 }],
  ['0.7, 200 x 70, 4-6 characters', { style: '0.7', width: 200, height: 70, minLength: 4, maxLength: 6 }],
];
console.log('\n| reference set size | in memory, images per CPU-second |');
console.log('| --- | --- |');
for (const [name, options] of sets) {
  const [, perCpu] = rates(warm({ ...options, seed: 1 }), (g, i) => g.generate(i));
  console.log(`| ${name} | ${perCpu.toFixed(0)} |`);
}
