// Generator speed: images/s in memory on one core, and written as PNG files (in-process and
// with worker threads), for each style. Run: node --import tsx bench/generate.ts [count]
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDataset } from '../captcha/dataset-writer.ts';
import { encodePng } from '../captcha/encode.ts';
import { createCaptchaGenerator } from '../captcha/generator.ts';
import { CAPTCHA_STYLES } from '../captcha/options.ts';

const count = Number(process.argv[2] ?? 3000);
const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

console.log(`captcha generator, 160x60, ${count} images per row, ${availableParallelism()} cores`);
console.log('| style | in memory, 1 core (images/s) | per CPU-second | + PNG encode, 1 core | PNG files, 1 thread | PNG files, all cores |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const style of CAPTCHA_STYLES) {
  const gen = createCaptchaGenerator({ style, seed: 1 });
  for (let i = 0; i < 200; i++) gen.generate(i); // warm up: glyph masks, JIT
  let c0 = process.cpuUsage();
  let t0 = performance.now();
  for (let i = 0; i < count; i++) gen.generate(i);
  const memory = count / ((performance.now() - t0) / 1000);
  const perCpu = count / cpuSeconds(process.cpuUsage(c0));
  t0 = performance.now();
  for (let i = 0; i < count; i++) encodePng(gen.generate(i).image);
  const withPng = count / ((performance.now() - t0) / 1000);
  const files: number[] = [];
  for (const workers of [0, availableParallelism() - 1]) {
    const dir = mkdtempSync(join(tmpdir(), 'captcha-bench-'));
    c0 = process.cpuUsage();
    t0 = performance.now();
    await writeDataset({ captcha: { style, seed: 1 }, count, outDir: dir, workers });
    files.push(count / ((performance.now() - t0) / 1000));
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`| ${style} | ${memory.toFixed(0)} | ${perCpu.toFixed(0)} | ${withPng.toFixed(0)} | ${files[0].toFixed(0)} | ${files[1].toFixed(0)} |`);
}
