// One metric: training's evaluation (train/evaluate.ts `evaluate`, the validation line and
// metadata) and the scoring of a folder (functions/app/score-archive.ts, behind POST /score and
// `captcha-ocr score DIR`) give identical numbers for the same texts read the same way.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { folderEntries } from '../functions/node/folder-entries.ts';
import { DEFAULT_CHARSET, encodeText } from '../core/charset.ts';
import { pureJsImageDecoder } from '../core/image-decode.ts';
import type { ModelMetadata } from '../core/model-contract.ts';
import { createRng } from '../core/rng.ts';
import type { Recognizer } from '../functions/app/recognizer.ts';
import { scoreEntries } from '../functions/app/score-archive.ts';
import type { Predictor } from '../functions/predictor.ts';
import type { Batch } from '../train/data/batch.ts';
import { evaluate, type Score } from '../train/evaluate.ts';

type Pair = readonly [truth: string, reading: string];

const CHARSET = DEFAULT_CHARSET;
const END = CHARSET.length; // the end class of a positions model
const ROWS = 8; // the longest reading, 7 characters, and its end

/**
 * Training's path: `evaluate` runs a model over validation batches, decodes its output with
 * core/decode-output.ts and scores the texts. The model here passes its input through, and each
 * input holds its reading one-hot (row t: character t, then the end class), so it reads exactly it.
 */
function trainingScore(pairs: readonly Pair[]): Score {
  const model = tf.sequential({ layers: [tf.layers.reshape({ inputShape: [ROWS, END + 1, 1], targetShape: [ROWS, END + 1] })] });
  const maxLength = Math.max(...pairs.map(([truth]) => truth.length));
  const batches: Batch[] = [];
  for (let start = 0; start < pairs.length; start += 64) {
    const part = pairs.slice(start, start + 64);
    const images = new Float32Array(part.length * ROWS * (END + 1));
    const labels = new Int32Array(part.length * maxLength).fill(-1);
    const lengths = new Int32Array(part.length);
    part.forEach(([truth, reading], i) => {
      const read = encodeText(reading, CHARSET);
      for (let row = 0; row < ROWS; row++) images[(i * ROWS + row) * (END + 1) + (read[row] ?? END)] = 1;
      const codes = encodeText(truth, CHARSET);
      labels.set(codes, i * maxLength);
      lengths[i] = codes.length;
    });
    batches.push({ step: 0, size: part.length, images, labels, lengths, maxLength });
  }
  try {
    return evaluate(model, batches, CHARSET, { kind: 'positions', positions: ROWS, endIndex: END });
  } finally {
    model.dispose();
  }
}

/**
 * The scoring path on a folder as `captcha-ocr score DIR` reads it (labels.txt + i.png), with a
 * recognizer whose "image" i reads as pair i's reading.
 */
async function folderScore(pairs: readonly Pair[]) {
  const dir = mkdtempSync(join(tmpdir(), 'one-metric-'));
  try {
    writeFileSync(join(dir, 'labels.txt'), pairs.map(([truth]) => truth).join('\n') + '\n');
    pairs.forEach((_, i) => writeFileSync(join(dir, `${i}.png`), String(i)));
    const metadata: ModelMetadata = {
      format: 'captcha-ocr-model',
      formatVersion: 1,
      name: 'readings',
      architecture: 'test',
      charset: CHARSET,
      minLength: 1,
      maxLength: ROWS - 1,
      input: { kind: 'grey-stretch', height: 1, width: 1, invert: true },
      output: { kind: 'positions', positions: ROWS, endIndex: END },
    };
    const predictor: Predictor = {
      metadata,
      info: () => ({ runtime: 'test', provider: 'cpu', requestedProviders: [], warnings: [] }),
      predict: async (inputs, n) => Array.from(inputs.subarray(0, n), (i) => ({ text: pairs[i][1], confidence: 1, characters: [] })),
    };
    const recognizer: Recognizer = {
      metadata,
      predictor,
      decoder: pureJsImageDecoder,
      prepare: async (bytes, out, slot) => {
        out[slot] = Number(new TextDecoder().decode(bytes));
        return { width: 1, height: 1, channels: 1, data: new Uint8Array(1) };
      },
      read: (input, images) => predictor.predict(input, images.length),
      recognize: () => Promise.reject(new Error('not used')),
      recognizeMany: () => Promise.reject(new Error('not used')),
      dispose: async () => undefined,
    };
    const { report } = await scoreEntries(folderEntries(dir, 10_000), recognizer, { batchSize: 50 });
    assert.equal(report.failed.length, 0);
    return report;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bothWays(pairs: readonly Pair[]): Promise<{ training: Score; scoring: Score }> {
  const training = trainingScore(pairs);
  const report = await folderScore(pairs);
  const scoring = { count: report.scored, accuracy: report.sequenceAccuracy, characterAccuracy: report.characterAccuracy, perPosition: report.positionAccuracy.map((p) => p.accuracy) };
  return { training, scoring };
}

test('characterAccuracy is characters right at their position over the longer text, in training and in /score alike', async () => {
  // 4 + 3 + 3 + 2 right of 4 + 4 + 4 + 4 compared; a dropped first character costs every position
  const { training, scoring } = await bothWays([
    ['AB12', 'AB12'],
    ['AB12', 'A812'],
    ['CD34', 'CD3'],
    ['O0O0', '0000'],
  ]);
  assert.deepEqual(training, scoring);
  assert.equal(training.characterAccuracy, 12 / 16);
  assert.deepEqual((await bothWays([['ABCD', 'BCD']])).training.characterAccuracy, 0);
});

test('training evaluation and folder scoring agree on 500 texts with substitutions, insertions and deletions', async () => {
  const rng = createRng(23);
  const alphabet = 'O0Q8BDAKNC';
  const pick = () => alphabet[rng.int(0, alphabet.length - 1)];
  const pairs: Pair[] = [];
  for (let i = 0; i < 500; i++) {
    const truth = Array.from({ length: rng.int(1, 6) }, pick).join('');
    const read = [...truth];
    for (let edits = rng.int(0, 2); edits > 0; edits--) {
      const at = rng.int(0, read.length);
      const kind = rng.int(0, 2);
      if (kind === 0 && at < read.length) read[at] = pick();
      else if (kind === 1 && at < read.length) read.splice(at, 1);
      else if (read.length < ROWS - 1) read.splice(at, 0, pick());
    }
    pairs.push([truth, read.join('')]);
  }
  const { training, scoring } = await bothWays(pairs);
  assert.ok(training.accuracy > 0.2 && training.accuracy < 0.8, `a mix of right and wrong texts (${training.accuracy})`);
  assert.deepEqual(training, scoring);
});
