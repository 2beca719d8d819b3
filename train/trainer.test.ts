import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { alphabetOf, charactersOutside, DEFAULT_CHARSET } from '../core/charset.ts';
import { parseModelMetadata } from '../core/model-contract.ts';
import sharp from 'sharp';
import { createCaptchaGenerator } from '../captcha/generator.ts';
import { cudaProviderInstalled } from '../functions/node/ort-node-predictor.ts';
import { TrainingDataError } from './data/data-labels.ts';
import { fileLoadHandler, saveModel } from './model-io.ts';
import { resolveWorkers } from './parallel/worker-count.ts';
import { DEFAULT_SETTINGS, type TrainSettings } from './settings.ts';
import type { TrainEvent } from './train-events.ts';
import { shownPath, train } from './trainer.ts';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'captcha-ocr-train-'));
  dirs.push(d);
  return d;
}

function settings(out: string, overrides: Partial<TrainSettings> = {}): TrainSettings {
  return { ...DEFAULT_SETTINGS, out, backend: 'wasm', batchSize: 4, maxSteps: 4, warmupSteps: 2, evalEvery: 0, checkpointEvery: 0, validationSize: 8, ...overrides };
}

test('a tiny run exports tfjs artifacts that tf.loadLayersModel reads, with parseable metadata', async () => {
  const out = await tmp();
  const events: TrainEvent[] = [];
  const summary = await train(settings(out, { maxSteps: 3 }), false, { log: (e) => events.push(e) });
  assert.equal(summary.steps, 3);
  assert.equal(summary.backend, 'wasm');
  assert.ok(summary.imagesPerSecond > 0);
  assert.ok(events.some((e) => e.event === 'progress'));
  const model = await tf.loadLayersModel(fileLoadHandler(out));
  assert.deepEqual(model.inputs[0].shape, [null, 48, 128, 1]);
  const metadata = parseModelMetadata(JSON.parse(await readFile(join(out, 'metadata.json'), 'utf8')));
  assert.equal(metadata.output.kind, 'ctc');
  assert.equal(metadata.architecture, 'default');
  const probs = tf.tidy(() => model.predict(tf.zeros([2, 48, 128, 1])) as tf.Tensor3D);
  assert.deepEqual(probs.shape, [2, 16, 37]);
  const sums = tf.tidy(() => probs.sum(-1).dataSync());
  for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-4);
  const modelJson = JSON.parse(await readFile(join(out, 'model.json'), 'utf8')) as { format: string; weightsManifest: { paths: string[] }[] };
  assert.equal(modelJson.format, 'layers-model');
  assert.deepEqual(modelJson.weightsManifest[0].paths, ['./weights.bin']);
  probs.dispose();
  model.dispose();
});

test('an interrupted run resumed from its checkpoint ends where an uninterrupted run ends', async () => {
  const straight = await tmp();
  await train(settings(straight), false, { log: () => {} });
  const split = await tmp();
  let checks = 0;
  // shouldStop is asked once after every step: stop (like Ctrl-C) after the second.
  const first = await train(settings(split), false, { log: () => {}, shouldStop: () => ++checks >= 2 });
  assert.equal(first.interrupted, true);
  assert.equal(first.steps, 2);
  const resumed = await train(settings(split), true, { log: () => {} });
  assert.equal(resumed.steps, 4);
  const a = new Float32Array((await readFile(join(straight, 'checkpoint', 'weights.bin'))).buffer.slice(0));
  const b = new Float32Array((await readFile(join(split, 'checkpoint', 'weights.bin'))).buffer.slice(0));
  assert.equal(a.length, b.length);
  let maxDiff = 0;
  let changed = 0;
  for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
  const init = await tmp();
  await train(settings(init, { maxSteps: 1, learningRate: 1e-7 }), false, { log: () => {} });
  const c = new Float32Array((await readFile(join(init, 'checkpoint', 'weights.bin'))).buffer.slice(0));
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - c[i]) > 1e-4) changed++;
  assert.ok(changed > 100, 'training moved the weights');
  // Adam's bias corrections are recomputed as pow(beta, t) on resume instead of a running product: float rounding only.
  assert.ok(maxDiff < 1e-5, `max weight difference ${maxDiff}`);
});

test('--providers cuda,cpu without the CUDA build: the engine falls back to the CPU and runs a replica per core, not the GPU\'s one', { skip: cudaProviderInstalled() ? 'the CUDA build is installed here' : false }, async () => {
  const events: TrainEvent[] = [];
  const summary = await train(settings(await tmp(), { backend: 'ort', providers: ['cuda', 'cpu'], batchSize: 32, maxSteps: 1 }), false, { log: (e) => events.push(e) });
  assert.equal(summary.backend, 'ort');
  assert.ok(events.some((e) => e.event === 'engine' && e.provider === 'cpu' && /cuda requested/.test(e.note ?? '')), JSON.stringify(events.filter((e) => e.event === 'engine')));
  assert.equal(summary.workers, resolveWorkers('auto', 'ort', 32).workers);
  assert.equal(summary.workers, Math.min(availableParallelism(), 2));
});

test('--backend ort: trains on the onnxruntime engine; its checkpoint resumes on wasm and ends where a wasm-only run ends', async () => {
  const events: TrainEvent[] = [];
  const mixed = await tmp();
  const first = await train(settings(mixed, { backend: 'ort', maxSteps: 2 }), false, { log: (e) => events.push(e) });
  assert.equal(first.backend, 'ort');
  assert.equal(first.workers, 1);
  assert.ok(events.some((e) => e.event === 'engine' && e.provider === 'cpu'));
  const resumed = await train({ ...settings(mixed, { backend: 'wasm', maxSteps: 4 }) }, true, { log: () => {} });
  assert.equal(resumed.backend, 'wasm');
  assert.equal(resumed.steps, 4);
  const wasmOnly = await tmp();
  await train(settings(wasmOnly, { workers: 1 }), false, { log: () => {} });
  const a = new Float32Array((await readFile(join(mixed, 'checkpoint', 'weights.bin'))).buffer.slice(0));
  const b = new Float32Array((await readFile(join(wasmOnly, 'checkpoint', 'weights.bin'))).buffer.slice(0));
  let maxDiff = 0;
  for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
  // Two engines' float rounding (different summation orders), four Adam steps at the warm-up rate.
  assert.ok(maxDiff < 1e-3, `max weight difference ${maxDiff}`);
});

test('--backend auto: the onnxruntime engine when tfjs-node is absent; a model it cannot train continues on wasm, saying why', async () => {
  const events: TrainEvent[] = [];
  const out = await tmp();
  assert.equal((await train(settings(out, { backend: 'auto', maxSteps: 1 }), false, { log: (e) => events.push(e) })).backend, 'ort');
  assert.match(((events.find((e) => e.event === 'backend')?.notes ?? []) as string[]).join('; '), /onnxruntime-node loaded/);
  // A CTC model with an AveragePooling2D layer, which the engine does not train.
  const input = tf.input({ shape: [48, 128, 1] });
  let x = tf.layers.averagePooling2d({ poolSize: [48, 8], name: 'avg' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.reshape({ targetShape: [16, 1] }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 37, name: 'logits' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'softmax', name: 'probabilities' }).apply(x) as tf.SymbolicTensor;
  const saved = await tmp();
  await saveModel(tf.model({ inputs: input, outputs: x }), saved);
  const later: TrainEvent[] = [];
  // Named 'seed' only so the trainer does not read it as the default network (it has no metadata).
  const fallback = await train(settings(await tmp(), { backend: 'auto', architecture: 'seed', init: saved, maxSteps: 1 }), false, { log: (e) => later.push(e) });
  assert.equal(fallback.backend, 'wasm');
  const notes = later.filter((e) => e.event === 'backend').flatMap((e) => e.notes as string[]);
  assert.ok(notes.some((n) => /cannot train layer "avg".*training on wasm/.test(n)), notes.join('\n'));
});

test('--data: fine-tunes (--init) on a labelled folder in the seed layout', async () => {
  const data = await tmp();
  const gen = createCaptchaGenerator({ style: '0.3', width: 120, height: 50, seed: 3 });
  const texts: string[] = [];
  for (let i = 0; i < 12; i++) {
    const { text, image } = gen.generate(i);
    texts.push(text);
    const png = await sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } }).png().toBuffer();
    await writeFile(join(data, `${i}.png`), png);
  }
  await writeFile(join(data, 'labels.txt'), `${texts.join('\n')}\n`);
  const base = await tmp();
  await train(settings(base, { maxSteps: 1 }), false, { log: () => {} });
  const out = await tmp();
  const events: TrainEvent[] = [];
  const summary = await train(settings(out, { maxSteps: 2, data, init: base }), false, { log: (e) => events.push(e) });
  assert.equal(summary.steps, 2);
  const dataEvent = events.find((e) => e.event === 'data');
  assert.equal(dataEvent?.trainingImages, 12);
  const metadata = parseModelMetadata(JSON.parse(await readFile(join(out, 'metadata.json'), 'utf8')));
  assert.deepEqual((metadata.training as { data: unknown }).data, { kind: 'labelled', path: data });
  assert.equal((metadata.training as { init: unknown }).init, base);
});

test('--data with another alphabet: the charset and lengths come from the labels, --init rebuilds the output layer, --charset is checked', async () => {
  const data = await tmp();
  const gen = createCaptchaGenerator({ style: '0.3', width: 120, height: 50, seed: 3, charset: 'abcXYZ789', minLength: 3, maxLength: 5 });
  const texts: string[] = [];
  for (let i = 0; i < 12; i++) {
    const { text, image } = gen.generate(i);
    texts.push(text);
    const png = await sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } }).png().toBuffer();
    await writeFile(join(data, `${text}_${i}.png`), png);
  }
  const lengths = texts.map((t) => t.length);
  const base = await tmp();
  await train(settings(base, { maxSteps: 1 }), false, { log: () => {} });
  const out = await tmp();
  const events: TrainEvent[] = [];
  await train(settings(out, { maxSteps: 1, data, init: base }), false, { log: (e) => events.push(e) });
  const alphabet = alphabetOf(texts);
  assert.match(alphabet, /^[789XYZabc]+$/);
  const transfer = events.find((e) => e.event === 'transfer');
  assert.equal(transfer?.copied, 16);
  const classes = transfer?.classes as { shared: number; added: string; dropped: string };
  assert.equal(classes.added, charactersOutside([alphabet], DEFAULT_CHARSET));
  assert.equal(classes.shared, [...alphabet].length - [...classes.added].length);
  assert.deepEqual(events.find((e) => e.event === 'alphabet'), { event: 'alphabet', charset: alphabet, source: 'labels', minLength: Math.min(...lengths), maxLength: Math.max(...lengths), labels: 12 });
  const metadata = parseModelMetadata(JSON.parse(await readFile(join(out, 'metadata.json'), 'utf8')));
  assert.equal(metadata.charset, alphabet);
  assert.deepEqual([metadata.minLength, metadata.maxLength], [Math.min(...lengths), Math.max(...lengths)]);
  assert.deepEqual(metadata.output, { kind: 'ctc', blankIndex: [...alphabet].length, timeSteps: 16 });
  // A fresh model on a fixed --charset; a label outside it is refused, naming the characters.
  const fixed = await tmp();
  await train(settings(fixed, { maxSteps: 1, data, charset: 'abcdefXYZ0123456789', maxLength: 6 }), false, { log: () => {} });
  const fixedMetadata = parseModelMetadata(JSON.parse(await readFile(join(fixed, 'metadata.json'), 'utf8')));
  assert.deepEqual([fixedMetadata.charset, fixedMetadata.maxLength], ['abcdefXYZ0123456789', 6]);
  await assert.rejects(train(settings(await tmp(), { maxSteps: 1, data, charset: 'abcXYZ' }), false, { log: () => {} }), (e: Error) => e instanceof TrainingDataError && /outside --charset: "7" "8" "9"/.test(e.message));
  await assert.rejects(train(settings(await tmp(), { maxSteps: 1, data, maxLength: 2 }), false, { log: () => {} }), /more than --max-length 2/);
});

test('--focus and --twins: recorded in the metadata; a character outside the charset is refused', async () => {
  const out = await tmp();
  await train(settings(out, { maxSteps: 1, focus: { chars: '0O', probability: 0.4 }, twins: { chars: '0O', probability: 0.3 } }), false, { log: () => {} });
  const metadata = parseModelMetadata(JSON.parse(await readFile(join(out, 'metadata.json'), 'utf8')));
  const data = (metadata.training as { data: { focus: unknown; twins: unknown } }).data;
  assert.deepEqual(data.focus, { chars: '0O', probability: 0.4 });
  assert.deepEqual(data.twins, { chars: '0O', probability: 0.3 });
  await assert.rejects(train(settings(await tmp(), { maxSteps: 1, focus: { chars: '0o', probability: 0.4 } }), false, { log: () => {} }), /focus: o not in the model's charset/);
  await assert.rejects(train(settings(await tmp(), { maxSteps: 1, twins: { chars: '0o', probability: 0.4 } }), false, { log: () => {} }), /twins: o not in the model's charset/);
});

test('--init with --input at another size: the weights are carried over and the model trains at the new size', async () => {
  const base = await tmp();
  await train(settings(base, { maxSteps: 1 }), false, { log: () => {} });
  const out = await tmp();
  const events: TrainEvent[] = [];
  const summary = await train(settings(out, { maxSteps: 1, init: base, defaultModel: { height: 64, width: 160 } }), false, { log: (e) => events.push(e) });
  assert.equal(summary.steps, 1);
  const transfer = events.find((e) => e.event === 'transfer');
  assert.deepEqual(transfer?.resampled, ['collapse_conv']);
  assert.equal(transfer?.copied, 16);
  const model = await tf.loadLayersModel(fileLoadHandler(out));
  assert.deepEqual(model.inputs[0].shape, [null, 64, 160, 1]);
  assert.deepEqual(model.outputs[0].shape, [null, 20, 37]);
  const metadata = parseModelMetadata(JSON.parse(await readFile(join(out, 'metadata.json'), 'utf8')));
  assert.deepEqual(metadata.input, { kind: 'grey-stretch', height: 64, width: 160, invert: true });
  assert.deepEqual(metadata.output, { kind: 'ctc', blankIndex: 36, timeSteps: 20 });
  // The seed network's input is fixed: resizing it is refused.
  const seedBase = await tmp();
  await train(settings(seedBase, { architecture: 'seed', maxSteps: 1 }), false, { log: () => {} });
  await assert.rejects(train(settings(await tmp(), { maxSteps: 1, init: seedBase, defaultModel: { height: 64, width: 160 } }), false, { log: () => {} }), /only the default model can change its input size/);
});

test('--init with --channels/--sequence-*: the saved model grows (shape read from its layers), and cannot shrink', async () => {
  const base = await tmp();
  await train(settings(base, { maxSteps: 1, defaultModel: { channels: [8, 8, 8, 8, 8], sequenceChannels: 16, sequenceLayers: 1 } }), false, { log: () => {} });
  const out = await tmp();
  const events: TrainEvent[] = [];
  // Only the sequence layers are named: the 8-channel backbone is kept (read from the saved layers, not the defaults).
  await train(settings(out, { maxSteps: 1, init: base, defaultModel: { sequenceChannels: 24, sequenceLayers: 2 } }), false, { log: (e) => events.push(e) });
  const transfer = events.find((e) => e.event === 'transfer');
  assert.deepEqual(transfer?.widened, ['collapse_conv', 'collapse_bn', 'seq1_conv', 'seq1_bn', 'logits']);
  assert.deepEqual(transfer?.added, ['seq2_conv', 'seq2_bn']);
  assert.equal(transfer?.copied, 10); // b1-b5, conv and batch norm each
  const model = await tf.loadLayersModel(fileLoadHandler(out));
  assert.deepEqual(model.getLayer('b5_conv').getWeights()[0].shape, [3, 3, 8, 8]);
  assert.deepEqual(model.getLayer('seq2_conv').getWeights()[0].shape, [1, 3, 24, 24]);
  await assert.rejects(train(settings(await tmp(), { maxSteps: 1, init: base, defaultModel: { sequenceLayers: 0 } }), false, { log: () => {} }), /layer seq1_conv has no place here \(a model can grow, not shrink\)/);
  await assert.rejects(train(settings(await tmp(), { maxSteps: 1, init: base, defaultModel: { channels: [8, 8, 8, 8, 4] } }), false, { log: () => {} }), /b5_conv weight 0 is \[3, 3, 8, 8\] in the saved model, \[3, 3, 8, 4\] here \(a model can grow, not shrink\)/);
});

test('maxMinutes: stops at the budget, the schedule decays to its floor by then, progress shows the time left', async () => {
  const out = await tmp();
  const events: TrainEvent[] = [];
  const t0 = performance.now();
  // A 9 s budget, validation every 0.5 s, no step cap; the tiny model runs many steps a second.
  const tiny = { channels: [4, 4, 4, 4, 4], sequenceChannels: 8, sequenceLayers: 0 };
  const summary = await train(settings(out, { maxSteps: Number.MAX_SAFE_INTEGER, maxMinutes: 0.15, evalEverySeconds: 0.5, defaultModel: tiny }), false, { log: (e) => events.push(e), progressSeconds: 0 });
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(summary.timeUp, true);
  assert.equal(summary.interrupted, false);
  // The budget covers the whole run; the final evaluation and checkpoint were kept free (a little slack for a busy machine).
  assert.ok(seconds < 9 + 1.5, `ran ${seconds.toFixed(1)} s`);
  const progress = events.filter((e) => e.event === 'progress');
  const last = progress[progress.length - 1];
  assert.ok(Number(last.secondsLeft) <= 1, `time left at the end ${String(last.secondsLeft)}`);
  assert.ok(Number(last.plannedSteps) > 20, `planned ${String(last.plannedSteps)}`);
  // By the deadline the cosine decay is (nearly) done: the floor is 5 % of the peak 3e-3.
  assert.ok(Number(last.learningRate) < 3e-3 * 0.2, `last learning rate ${String(last.learningRate)}`);
  const evals = events.filter((e) => e.event === 'eval');
  assert.ok(evals.length >= 4, `${evals.length} evaluations`);
  const metadata = parseModelMetadata(JSON.parse(await readFile(join(out, 'metadata.json'), 'utf8')));
  assert.equal((metadata.training as { maxMinutes: unknown }).maxMinutes, 0.15);
});

test('shownPath: the metadata records paths inside the working folder relative to it, others as given', () => {
  assert.equal(shownPath(join(process.cwd(), 'models', 'tfjs')), join('models', 'tfjs'));
  assert.equal(shownPath('/elsewhere/run'), '/elsewhere/run');
  assert.equal(shownPath(process.cwd()), process.cwd());
});
