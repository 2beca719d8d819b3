import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_SETTINGS, type TrainSettings } from '../settings.ts';
import type { TrainEvent } from '../train-events.ts';
import { train } from '../trainer.ts';
import { checksum, shareSizes, sliceBatch } from './shares.ts';
import { resolveWorkers } from './worker-count.ts';

// A tiny default-architecture model (BN everywhere, CTC): a few steps take about a second.
const TINY = { height: 16, width: 64, channels: [4, 8, 8, 8, 8], sequenceChannels: 16, sequenceLayers: 1 } as const;

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'captcha-ocr-parallel-'));
  dirs.push(d);
  return d;
}

function settings(out: string, workers: number, overrides: Partial<TrainSettings> = {}): TrainSettings {
  return { ...DEFAULT_SETTINGS, out, workers, backend: 'wasm', batchSize: 8, maxSteps: 4, warmupSteps: 2, evalEvery: 0, checkpointEvery: 0, validationSize: 8, maxLength: 4, defaultModel: TINY, ...overrides };
}

/** Every weight of the checkpoint (trainable and batch-norm moving statistics) and Adam's state. */
async function checkpointValues(out: string): Promise<{ weights: Float32Array; optimizer: Float32Array; optimizerSpecs: unknown }> {
  const f32 = async (name: string) => new Float32Array((await readFile(join(out, 'checkpoint', name))).buffer.slice(0));
  return {
    weights: await f32('weights.bin'),
    optimizer: await f32('optimizer.bin'),
    optimizerSpecs: JSON.parse(await readFile(join(out, 'checkpoint', 'optimizer.json'), 'utf8')),
  };
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

let straight: Promise<string> | undefined;
/** 4 steps on one thread: the reference. */
function oneWorkerRun(): Promise<string> {
  straight ??= tmp().then(async (out) => {
    await train(settings(out, 1), false, { log: () => {} });
    return out;
  });
  return straight;
}

test('2 workers train the same weights as 1 (synchronised batch norm, summed gradients)', async () => {
  const one = await checkpointValues(await oneWorkerRun());
  const out = await tmp();
  const events: TrainEvent[] = [];
  const summary = await train(settings(out, 2), false, { log: (e) => events.push(e) });
  assert.equal(summary.workers, 2);
  assert.equal(summary.steps, 4);
  assert.ok(summary.imagesPerSecond > 0);
  assert.deepEqual(events.find((e) => e.event === 'workers'), { event: 'workers', workers: 2 });
  const two = await checkpointValues(out);
  const diff = maxDiff(one.weights, two.weights);
  assert.ok(diff < 1e-5, `max weight difference ${diff}`);
  assert.ok(maxDiff(one.optimizer, two.optimizer) < 1e-5);
  // The same checkpoint format: Adam's state has the same names and shapes.
  assert.deepEqual(two.optimizerSpecs, one.optimizerSpecs);
});

for (const [first, second] of [
  [1, 2],
  [2, 1],
] as const) {
  test(`a checkpoint written with ${first} worker(s) resumes with ${second} and ends where a straight run ends`, async () => {
    const reference = await checkpointValues(await oneWorkerRun());
    const out = await tmp();
    let checks = 0;
    const part = await train(settings(out, first), false, { log: () => {}, shouldStop: () => ++checks >= 2 });
    assert.equal(part.interrupted, true);
    assert.equal(part.steps, 2);
    const resumed = await train(settings(out, second), true, { log: () => {} });
    assert.equal(resumed.steps, 4);
    assert.equal(resumed.workers, second);
    const diff = maxDiff(reference.weights, (await checkpointValues(out)).weights);
    assert.ok(diff < 1e-5, `max weight difference ${diff}`);
  });
}

test('a failing worker fails the run with its error (the other replica does not hang)', async () => {
  process.env.CAPTCHA_OCR_FAIL_REPLICA = '1:1';
  try {
    const out = await tmp();
    const t0 = performance.now();
    await assert.rejects(train(settings(out, 2), false, { log: () => {} }), /training worker 1: .*injected failure at step 1/);
    assert.ok(performance.now() - t0 < 20_000);
  } finally {
    delete process.env.CAPTCHA_OCR_FAIL_REPLICA;
  }
});

test('batches split into consecutive shares that put the whole batch back together', () => {
  assert.deepEqual(shareSizes(32, 2), [16, 16]);
  assert.deepEqual(shareSizes(10, 4), [3, 3, 2, 2]);
  const batch = { step: 7, size: 5, images: Float32Array.from({ length: 10 }, (_, i) => i), labels: Int32Array.from({ length: 15 }, (_, i) => i), lengths: Int32Array.from([1, 2, 3, 1, 2]), maxLength: 3 };
  const shares = sliceBatch(batch, 2);
  assert.deepEqual(shares.map((s) => s.size), [3, 2]);
  assert.deepEqual([...shares[0].images, ...shares[1].images], [...batch.images]);
  assert.deepEqual([...shares[0].labels, ...shares[1].labels], [...batch.labels]);
  assert.deepEqual([...shares[0].lengths, ...shares[1].lengths], [...batch.lengths]);
  assert.equal(checksum([Float32Array.of(1, 2)]), checksum([Float32Array.of(1), Float32Array.of(2)]));
  assert.notEqual(checksum([Float32Array.of(1, 2)]), checksum([Float32Array.of(1, 2.0000002)]));
});

test('--replicas auto: the cores (at most 4) on wasm, 1 on the native backend; on the onnxruntime engine a core each while each gets 16 images (1 on a GPU)', () => {
  assert.deepEqual(resolveWorkers(undefined, 'ort', 32, 2), { workers: 2 });
  assert.deepEqual(resolveWorkers('auto', 'ort', 32, 16), { workers: 2 });
  assert.deepEqual(resolveWorkers('auto', 'ort', 128, 16), { workers: 8 });
  assert.deepEqual(resolveWorkers('auto', 'ort', 31, 2), { workers: 1 });
  assert.deepEqual(resolveWorkers('auto', 'ort', 32, 1), { workers: 1 });
  assert.deepEqual(resolveWorkers('auto', 'ort', 64, 2, true), { workers: 1 });
  assert.deepEqual(resolveWorkers(3, 'ort', 32, 2), { workers: 3 });
  assert.deepEqual(resolveWorkers(8, 'ort', 4, 2), { workers: 4, note: '8 replicas > batch size 4: using 4' });
  assert.deepEqual(resolveWorkers('auto', 'wasm', 32, 2), { workers: 2 });
  assert.deepEqual(resolveWorkers('auto', 'wasm', 32, 16), { workers: 4 });
  assert.deepEqual(resolveWorkers('auto', 'tensorflow', 32, 16), { workers: 1, note: undefined });
  assert.equal(resolveWorkers(3, 'tensorflow', 32, 16).workers, 1);
  assert.equal(resolveWorkers(undefined, 'wasm', 32, 16).workers, 1);
  assert.deepEqual(resolveWorkers(8, 'wasm', 4, 16), { workers: 4, note: '8 replicas > batch size 4: using 4' });
});
