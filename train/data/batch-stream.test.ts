import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { test } from 'node:test';
import { DEFAULT_CHARSET } from '../../core/charset.ts';
import { defaultPreprocess } from '../../core/preprocess.ts';
import { DEFAULT_AUGMENT } from './augment.ts';
import type { Batch } from './batch.ts';
import { BatchStream } from './batch-stream.ts';
import { defaultMix } from './data-mix.ts';
import { DATA_WORKER_NICE, defaultDataWorkers, type StreamConfig } from './stream-config.ts';

const config: StreamConfig = {
  plan: { batchSize: 6, input: defaultPreprocess(48, 128), charset: DEFAULT_CHARSET, maxLength: 8, augment: DEFAULT_AUGMENT, seed: 3 },
  mix: defaultMix(8),
  focus: { chars: '0O', probability: 0.3 },
  validationCount: 20,
  validationSeed: 77,
};

async function read(dataWorkers: number, fromStep: number, steps: number): Promise<{ validation: Batch[]; training: Batch[]; workers: number }> {
  const stream = await BatchStream.open({ ...config, dataWorkers });
  try {
    const validation = await stream.validation();
    await assert.rejects(stream.next(), /data stream not started/);
    stream.start(fromStep);
    // One stream: a second start, at any step, is a mistake.
    assert.throws(() => stream.start(fromStep), /already started at step/);
    assert.throws(() => stream.start(fromStep + 1), /already started at step/);
    const training: Batch[] = [];
    for (let i = 0; i < steps; i++) training.push(await stream.next());
    return { validation, training, workers: stream.dataWorkers };
  } finally {
    await stream.close();
  }
}

test('1, 2 and 3 data workers deliver the same batches, in step order (training from a resumed step, and validation)', async () => {
  const one = await read(1, 5, 7);
  assert.deepEqual(one.training.map((b) => b.step), [5, 6, 7, 8, 9, 10, 11]);
  assert.deepEqual(one.validation.map((b) => b.size), [6, 6, 6, 2]);
  for (const n of [2, 3]) {
    const many = await read(n, 5, 7);
    assert.equal(many.workers, n);
    assert.deepEqual(many.training, one.training, `${n} workers: training`);
    assert.deepEqual(many.validation, one.validation, `${n} workers: validation`);
  }
});

test('the default number of data workers: the cores, at most 4, for generated data; 1 for a labelled set', () => {
  assert.equal(defaultDataWorkers({}, 2), 2);
  assert.equal(defaultDataWorkers({}, 1), 1);
  assert.equal(defaultDataWorkers({}, 16), 4);
  assert.equal(defaultDataWorkers({ dataPath: 'x.zip' }, 16), 1);
});

/** The nice value of each thread of this process (Linux: field 19 of /proc/self/task/TID/stat). */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

test('on Linux the data worker threads run DATA_WORKER_NICE nicer than the trainer', { skip: process.platform !== 'linux' && 'nice values are per thread on Linux only' }, async () => {
  const own = getPriority();
  const wanted = Math.min(19, own + DATA_WORKER_NICE);
  assert.ok(wanted > own, `this test needs room below nice ${own}`);
  const before = threadNices().filter((n) => n === wanted).length;
  const stream = await BatchStream.open({ ...config, dataWorkers: 2 });
  try {
    await stream.validation();
    assert.equal(threadNices().filter((n) => n === wanted).length - before, 2);
    assert.equal(getPriority(), own, 'the trainer keeps its priority');
  } finally {
    await stream.close();
  }
});
