import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { InvalidModelError } from '../../core/errors.ts';
import { preprocess } from '../../core/preprocess.ts';
import { captchaSamples } from '../../test/fixtures/images.ts';
import { ensureTinyModel } from '../../test/fixtures/tiny-model.ts';
import type { ArchiveEntry } from '../../core/archive.ts';
import { createRecognizer } from '../app/recognizer.ts';
import { scoreEntries } from '../app/score-archive.ts';
import { withMicroBatching } from '../micro-batching.ts';
import type { Predictor } from '../predictor.ts';
import { createSharpDecoder } from './sharp-decoder.ts';
import { createOrtNodePredictor, envThreads } from './ort-node-predictor.ts';
import { createNodePredictor } from './node-predictor.ts';
import { createOrtWorkerPredictor, defaultInferenceWorkers } from './ort-worker-predictor.ts';

/** The predictor, counting its runs in flight: `most()` is the largest number seen at once. */
function countingRuns(inner: Predictor): { predictor: Predictor; most: () => number } {
  let running = 0;
  let most = 0;
  const predictor: Predictor = {
    ...inner,
    predict: async (inputs, n) => {
      most = Math.max(most, ++running);
      try {
        return await inner.predict(inputs, n);
      } finally {
        running--;
      }
    },
  };
  return { predictor, most: () => most };
}

/** An archive entry held in memory. */
const entry = (name: string, bytes: Uint8Array): ArchiveEntry => ({ name, size: bytes.length, isDirectory: false, read: () => bytes });

/** The /score report of `entries` read by `predictor`, without its timings. */
async function reportWithoutTimings(entries: readonly ArchiveEntry[], predictor: Predictor, batchSize: number) {
  const { report } = await scoreEntries(entries, createRecognizer({ predictor, decoder: createSharpDecoder(), maxImagePixels: 1e7 }), { batchSize, details: true });
  const { elapsedMs: _e, imagesPerSecond: _i, ...rest } = report;
  return rest;
}

test('worker threads read exactly like the in-process session, in order, several runs at once', async () => {
  const m = await ensureTinyModel();
  const local = await createOrtNodePredictor({ modelPath: m.modelPath, log: () => undefined });
  const pooled = await createOrtWorkerPredictor({ modelPath: m.modelPath, workers: 2, log: () => undefined });
  try {
    assert.equal(pooled.concurrency, 2);
    assert.match(pooled.info().runtime, /^onnxruntime-node .* \(2 worker threads\)$/);
    const samples = await captchaSamples();
    const per = m.metadata.input.height * m.metadata.input.width;
    const batch = new Float32Array(samples.length * per);
    samples.forEach((s, i) => preprocess(s.image, m.metadata.input, batch, i * per));
    const expected = await local.predict(batch, samples.length);
    // the whole batch, and each image on its own, all in flight together
    const [whole, ...singles] = await Promise.all([pooled.predict(batch, samples.length), ...samples.map((_, i) => pooled.predict(batch.slice(i * per, (i + 1) * per), 1))]);
    assert.deepEqual(whole, expected);
    assert.deepEqual(singles.map((r) => r[0]), expected);
    assert.deepEqual(await pooled.predict(batch, 0), []);
  } finally {
    await local.dispose?.();
    await pooled.dispose?.();
  }
});

test('micro-batching keeps as many runs in flight as the predictor has workers', async () => {
  const m = await ensureTinyModel();
  const pooled = await createOrtWorkerPredictor({ modelPath: m.modelPath, workers: 2, log: () => undefined });
  const counted = countingRuns(pooled);
  const batched = withMicroBatching(counted.predictor, { maxBatch: 2, maxWaitMs: 0 });
  try {
    assert.equal(batched.concurrency, 2);
    const per = m.metadata.input.height * m.metadata.input.width;
    const out = await Promise.all(Array.from({ length: 12 }, () => batched.predict(new Float32Array(per), 1)));
    assert.equal(out.length, 12);
    assert.equal(counted.most(), 2);
  } finally {
    await pooled.dispose?.();
  }
});

test('a model onnxruntime cannot load fails with InvalidModelError, the started threads stopped', async () => {
  const m = await ensureTinyModel();
  await assert.rejects(
    createOrtWorkerPredictor({ modelBytes: new Uint8Array([1, 2, 3, 4]), metadata: m.metadata, workers: 2, log: () => undefined }),
    (e: unknown) => e instanceof InvalidModelError && /cannot load the model/.test(e.message),
  );
});

test('scoring with several model runs in flight gives the report of one run at a time', async () => {
  const m = await ensureTinyModel();
  const samples = await captchaSamples();
  const entries = [
    ...samples.flatMap((s, i) => [entry(`${s.text}_${i}.png`, s.png), entry(`${s.text}_${i}b.png`, s.png)]),
    entry('BROKEN.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])),
  ];
  const local = await createOrtNodePredictor({ modelPath: m.modelPath, log: () => undefined });
  const pooled = await createOrtWorkerPredictor({ modelPath: m.modelPath, workers: 3, log: () => undefined });
  const watched = countingRuns(pooled);
  try {
    const one = await reportWithoutTimings(entries, local, 4);
    const many = await reportWithoutTimings(entries, watched.predictor, 4);
    assert.deepEqual(many, one);
    assert.equal(one.total, 49);
    assert.equal(one.scored, 48);
    assert.equal(one.failed.length, 1);
    assert.ok(watched.most() >= 2, `runs in flight at most: ${watched.most()}`);
  } finally {
    await local.dispose?.();
    await pooled.dispose?.();
  }
});

test('runs that finish in reverse order give the report, to the last bit, of runs in order', async () => {
  const m = await ensureTinyModel();
  const samples = await captchaSamples();
  const entries = samples.map((s, i) => entry(`${s.text}_${i}.png`, s.png));
  const local = await createOrtNodePredictor({ modelPath: m.modelPath, log: () => undefined });
  // The real session, claiming 3 workers: run k returns only after run k+1 has returned, except the
  // last of each group of 3 in flight (run k+1 cannot start before run 0 of the group returns),
  // which waits 100 ms; so each group finishes 2, 1, 0.
  const runs = Math.ceil(entries.length / 2);
  let started = 0;
  const finished: number[] = [];
  const gates = new Map<number, { promise: Promise<void>; open: () => void }>();
  const gate = (k: number) => {
    if (!gates.has(k)) {
      let open = () => {};
      const promise = new Promise<void>((r) => (open = r));
      gates.set(k, { promise, open });
    }
    return gates.get(k)!;
  };
  const reversed: Predictor = {
    ...local,
    concurrency: 3,
    predict: async (inputs, n) => {
      const k = started++;
      const out = await local.predict(inputs, n);
      await Promise.race([gate(k + 1).promise, new Promise((r) => setTimeout(r, k % 3 === 2 || k === runs - 1 ? 100 : 5000))]);
      finished.push(k);
      gate(k).open();
      return out;
    },
  };
  try {
    const inOrder = await reportWithoutTimings(entries, local, 2);
    const outOfOrder = await reportWithoutTimings(entries, reversed, 2);
    assert.equal(started, runs);
    assert.deepEqual(finished.slice(0, 6), [2, 1, 0, 5, 4, 3]);
    assert.deepEqual(outOfOrder, inOrder);
  } finally {
    await local.dispose?.();
  }
});

test('--workers auto: the model on the main thread on 1-2 cores, with every core as onnxruntime threads; workers of one thread from 3 cores', async () => {
  assert.deepEqual([1, 2, 3, 4, 5, 8, 64].map((cores) => defaultInferenceWorkers(cores)), [0, 0, 2, 3, 4, 4, 4]);
  const m = await ensureTinyModel();
  const local = await createOrtNodePredictor({ modelPath: m.modelPath, log: () => undefined });
  const main = await createNodePredictor({ modelPath: m.modelPath, workers: 0, log: () => undefined });
  const pinned = await createNodePredictor({ modelPath: m.modelPath, workers: 0, intraOpThreads: 1, log: () => undefined });
  try {
    const threads = envThreads() ?? availableParallelism();
    assert.equal(main.info().runtime, `${local.info().runtime} (main thread, ${threads} onnxruntime thread${threads === 1 ? '' : 's'})`);
    assert.match(pinned.info().runtime, /\(main thread, 1 onnxruntime thread\)$/);
    const samples = await captchaSamples();
    const per = m.metadata.input.height * m.metadata.input.width;
    const batch = new Float32Array(samples.length * per);
    samples.forEach((s, i) => preprocess(s.image, m.metadata.input, batch, i * per));
    assert.deepEqual(await main.predict(batch, samples.length), await local.predict(batch, samples.length));
  } finally {
    await Promise.all([local.dispose?.(), main.dispose?.(), pinned.dispose?.()]);
  }
});
