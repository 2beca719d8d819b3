// Training throughput of the default model on this machine, in one run:
//   (a) stock tfjs cpu backend (1-2 steps, capped in time),
//   (b) wasm backend without the project's kernels (stock kernels + a naive JS dW, stock batch norm),
//   (c) wasm backend with them (what `captcha-ocr train` uses),
//   (d) the whole trainer (`train()`: data worker + loop), 40 steps, one training thread,
//   (e) the same with `--replicas 2` (two data-parallel replicas in worker threads),
//   (f) the onnxruntime engine (train/ort/: ONNX training graphs run by onnxruntime-node), one
//       session on every core (`--replicas 1`),
//   (g) the engine as `captcha-ocr train` runs it by default: a replica per core (worker
//       threads, one onnxruntime thread each, each a share of the batch),
//   (h) the whole trainer on it (`captcha-ocr train`, backend and replicas auto), 40 steps,
//   (i) the seed model (1.4 GFLOP per image) on the onnxruntime engine (replicas auto).
// GFLOP/s counts a training step as 3 forward passes (forward, dX, dW).
// Usage: node --import tsx bench/train.ts [--batch 32] [--cap 300] [--model default|seed] [--skip-cpu]
//        [--trainer-only] (only d, e and h) [--steps 40]
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { batch: { type: 'string' }, cap: { type: 'string' }, model: { type: 'string' }, 'skip-cpu': { type: 'boolean' }, 'trainer-only': { type: 'boolean' }, steps: { type: 'string' } } });
const trainerSteps = Number(values.steps ?? 40);
const batch = Number(values.batch ?? 32);
const cap = Number(values.cap ?? 300);
const model = values.model ?? 'default';
const child = fileURLToPath(new URL('./train-step-child.ts', import.meta.url));

interface Result {
  label: string;
  imagesPerSecond: number | undefined;
  msPerStep: number | undefined;
  note: string;
}

function measure(label: string, args: string[], capSeconds: number): Promise<Result> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let errors = '';
    p.stderr.on('data', (d: Buffer) => {
      errors = (errors + d.toString()).slice(-4000);
    });
    const steps: number[] = [];
    let done: { msPerStep: number; imagesPerSecond: number; replicas?: number } | undefined;
    let buf = '';
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = JSON.parse(buf.slice(0, i)) as { ms?: number; done?: boolean; msPerStep: number; imagesPerSecond: number; replicas?: number };
        buf = buf.slice(i + 1);
        if (line.done) done = line;
        else if (line.ms !== undefined) steps.push(line.ms);
      }
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), capSeconds * 1000);
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      const failure = code !== 0 && signal === null ? (errors.match(/^\w*Error: .*$/m)?.[0] ?? `exit code ${code}`) : undefined;
      if (failure && !done && steps.length === 0) {
        resolve({ label, imagesPerSecond: undefined, msPerStep: undefined, note: `failed: ${failure}` });
        return;
      }
      if (done) resolve({ label, imagesPerSecond: done.imagesPerSecond, msPerStep: done.msPerStep, note: (done.replicas ?? 1) > 1 ? `${done.replicas} replicas` : '' });
      else if (steps.length > 0) {
        const ms = steps[steps.length - 1];
        resolve({ label, imagesPerSecond: (batch * 1000) / ms, msPerStep: ms, note: `${steps.length} step(s) in the ${capSeconds} s cap` });
      } else resolve({ label, imagesPerSecond: undefined, msPerStep: undefined, note: `no step finished in ${capSeconds} s` });
    });
  });
}

async function wholeTrainer(workers: number | 'auto', backend: 'wasm' | 'ort' = 'wasm'): Promise<Result> {
  const { train } = await import('../train/trainer.ts');
  const { DEFAULT_SETTINGS } = await import('../train/settings.ts');
  const out = await mkdtemp(join(tmpdir(), 'bench-train-'));
  try {
    const cpu0 = process.cpuUsage();
    const s = await train({ ...DEFAULT_SETTINGS, architecture: model === 'seed' ? 'seed' : 'default', out, backend, workers, batchSize: batch, maxSteps: trainerSteps, evalEvery: 0, checkpointEvery: 0, validationSize: 64 }, false, { log: () => {} });
    const label =
      backend === 'ort'
        ? `(h) captcha-ocr train (the engine, replicas auto, + data workers), ${trainerSteps} steps`
        : workers === 1
          ? `(d) captcha-ocr train (wasm + kernels + data worker), ${trainerSteps} steps`
          : `(e) captcha-ocr train --replicas ${workers}, ${trainerSteps} steps`;
    // CPU time of every thread of this process (trainer, replicas, data worker) per image, start-up and validation included.
    const cpu = process.cpuUsage(cpu0);
    const cpuMsPerImage = (cpu.user + cpu.system) / 1000 / s.imagesSeen;
    return { label, imagesPerSecond: s.imagesPerSecond, msPerStep: (batch * 1000) / s.imagesPerSecond, note: `includes waiting for data; ${cpuMsPerImage.toFixed(1)} ms CPU/image (all threads); load average ${loadavg()[0].toFixed(2)}` };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

const results: Result[] = [];
if (!values['trainer-only']) {
  if (!values['skip-cpu']) results.push(await measure('(a) tfjs cpu backend (stock)', ['cpu', 'stock', String(batch), '2', model], cap));
  results.push(await measure('(b) wasm, stock kernels (+ naive JS dW)', ['wasm', 'stock', String(batch), '4', model], cap));
  results.push(await measure("(c) wasm + the project's kernels", ['wasm', 'fast', String(batch), '8', model], cap));
}
results.push(await wholeTrainer(1));
results.push(await wholeTrainer(2));
if (!values['trainer-only']) {
  results.push(await measure('(f) the onnxruntime engine (train/ort/), one session on every core', ['ort', 'fast', String(batch), '12', model, '1'], cap));
  results.push(await measure('(g) the onnxruntime engine, replicas auto (a worker thread per core)', ['ort', 'fast', String(batch), '12', model, 'auto'], cap));
}
results.push(await wholeTrainer('auto', 'ort'));
if (!values['trainer-only'] && model !== 'seed') results.push(await measure('(i) seed model on the onnxruntime engine (replicas auto)', ['ort', 'fast', String(batch), '6', 'seed', 'auto'], cap));

/** Forward MFLOP per image of each model, for the GFLOP/s column. */
const { buildModel } = await import('../train/models/registry.ts');
const { countMacs } = await import('../train/models/flops.ts');
const mflops = (name: 'default' | 'seed') => {
  const { model: m } = buildModel(name);
  const value = (2 * countMacs(m)) / 1e6;
  m.dispose();
  return value;
};
const modelMflops = { default: mflops('default'), seed: mflops('seed') };
const mflopsOf = (r: Result) => (r.label.startsWith('(i)') ? modelMflops.seed : modelMflops[model === 'seed' ? 'seed' : 'default']);

const base = results.find((r) => r.label.startsWith('(c)'))?.imagesPerSecond ?? results.find((r) => r.label.startsWith('(d)'))?.imagesPerSecond;
console.log(`\nTraining throughput, model ${model}, batch ${batch} (synthetic batches for a-c; first step excluded where more than one ran)\n`);
console.log(`| setup | ms/step | images/s | GFLOP/s | vs ${values['trainer-only'] ? '(d)' : '(c)'} | note |`);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const ips = r.imagesPerSecond;
  const gflops = ips ? (3 * mflopsOf(r) * ips) / 1000 : undefined;
  console.log(`| ${r.label} | ${r.msPerStep ? r.msPerStep.toFixed(0) : '-'} | ${ips ? ips.toFixed(1) : '-'} | ${gflops ? gflops.toFixed(1) : '-'} | ${ips && base ? `${(ips / base).toFixed(2)}x` : '-'} | ${r.note} |`);
}
console.log(JSON.stringify({ model, batch, mflopsPerImage: modelMflops, results }));
