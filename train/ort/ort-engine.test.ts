import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../core/rng.ts';
import { trainedModelMetadata } from '../../core/model-contract.ts';
import { decodeModel } from '../../convert/onnx/onnx-schema.ts';
import type { Batch } from '../data/batch.ts';
import { decodeBatch, evaluate } from '../evaluate.ts';
import { buildDefaultModel } from '../models/default-model.ts';
import { LOGITS_LAYER, type ModelSpec } from '../models/model-spec.ts';
import { buildSeedModel } from '../models/seed-model.ts';
import { computeGradients, LocalStepper } from '../parallel/stepper.ts';
import { evaluateOnnx } from './ort-evaluate.ts';
import { OrtReplica } from './ort-replicas.ts';
import { OrtStepper } from './ort-stepper.ts';
import { buildTrainingGraphs, UnsupportedForEngineError } from './training-graph.ts';

await tf.setBackend('cpu');

/** A batch of seeded random images and labels; `flat` paints a constant band into every image (ties in the pools). */
function randomBatch(seed: number, n: number, h: number, w: number, labelLength: number | [number, number], classes: number, flat = false): Batch {
  const rng = createRng(seed);
  const images = new Float32Array(n * h * w);
  for (let i = 0; i < images.length; i++) images[i] = flat && i % w < w / 2 ? 0.25 : rng.next();
  const maxLength = Array.isArray(labelLength) ? labelLength[1] : labelLength;
  const labels = new Int32Array(n * maxLength).fill(-1);
  const lengths = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    lengths[i] = Array.isArray(labelLength) ? rng.int(labelLength[0], labelLength[1]) : labelLength;
    for (let j = 0; j < lengths[i]; j++) labels[i * maxLength + j] = rng.int(0, classes - 1);
  }
  return { step: 0, size: n, images, labels, lengths, maxLength } as Batch;
}

function positionsSpec(h: number, w: number, positions: number, charset: string): ModelSpec {
  return { architecture: 'test', input: { kind: 'grey-stretch', height: h, width: w, invert: true }, output: { kind: 'positions', positions }, minLength: positions, maxLength: positions, charset };
}

async function engine(model: tf.LayersModel, spec: ModelSpec, batchSize: number, optimizer = tf.train.adam(1e-3), resumed = false, replicas = 1): Promise<OrtStepper> {
  return OrtStepper.open({ model, logitsLayer: LOGITS_LAYER, spec, batchSize, optimizer, resumed, seed: 1, threads: 1, replicas });
}

/**
 * Largest |a - b| over the largest |a|, per weight; returns the worst. A weight whose true
 * gradient is 0 (a bias before a batch norm: float noise only) is measured on 1e-3 of the
 * largest gradient of any weight instead.
 */
function worstRelative(expected: readonly Float32Array[], actual: readonly Float32Array[]): number {
  const scales = expected.map((a) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0));
  const floor = 1e-3 * Math.max(...scales);
  let worst = 0;
  expected.forEach((a, k) => {
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - actual[k][i]));
    worst = Math.max(worst, diff / Math.max(scales[k], floor, 1e-12));
  });
  return worst;
}

/** The engine's loss and gradients against tfjs autodiff (cpu backend) on the same batch. */
async function gradientError(model: tf.LayersModel, spec: ModelSpec, batch: Batch): Promise<{ loss: [number, number]; relative: number }> {
  const logitsModel = tf.model({ inputs: model.inputs, outputs: model.getLayer(LOGITS_LAYER).output });
  const varList = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const reference = computeGradients(logitsModel, varList, batch, spec.output);
  const expected = varList.map((v) => reference.grads[v.name].dataSync() as Float32Array);
  tf.dispose(Object.values(reference.grads));
  const stepper = await engine(model, spec, batch.size);
  try {
    const got = await stepper.gradients(batch);
    return { loss: [reference.loss, got.loss], relative: worstRelative(expected, got.grads) };
  } finally {
    await stepper.close();
  }
}

/** A tiny functional model: image -> body -> flatten -> dense -> reshape named `logits` ([N, positions, classes]). */
function tinyModel(h: number, w: number, body: (x: tf.SymbolicTensor) => tf.SymbolicTensor, positions = 2, classes = 5): tf.LayersModel {
  const input = tf.input({ shape: [h, w, 1] });
  let x = body(input);
  if (x.shape.length > 2) x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: positions * classes, kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }) }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reshape({ targetShape: [positions, classes], name: LOGITS_LAYER }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x });
}

const conv = (filters: number, kernel: number | [number, number], options: { padding?: 'same' | 'valid'; activation?: 'relu' | 'linear'; useBias?: boolean } = {}) =>
  tf.layers.conv2d({ filters, kernelSize: kernel, padding: options.padding ?? 'same', activation: options.activation ?? 'linear', useBias: options.useBias ?? true, kernelInitializer: tf.initializers.heNormal({ seed: 3 }) });

const LAYER_CASES: { name: string; h: number; w: number; flat?: boolean; body: (x: tf.SymbolicTensor) => tf.SymbolicTensor }[] = [
  { name: 'Conv2D 3x3 same, bias, relu, odd size', h: 7, w: 9, body: (x) => conv(3, 3, { activation: 'relu' }).apply(x) as tf.SymbolicTensor },
  { name: 'Conv2D 2x4 same (asymmetric pads), no bias', h: 6, w: 8, body: (x) => conv(4, [2, 4], { useBias: false }).apply(conv(2, 3).apply(x)) as tf.SymbolicTensor },
  { name: 'Conv2D full-height valid kernel', h: 6, w: 10, body: (x) => conv(5, [6, 1], { padding: 'valid' }).apply(conv(3, 3).apply(x)) as tf.SymbolicTensor },
  { name: 'Conv2D 1x3 along the width', h: 4, w: 11, body: (x) => conv(4, [1, 3]).apply(conv(3, [4, 1], { padding: 'valid' }).apply(x)) as tf.SymbolicTensor },
  // More weights than activations: dW takes the batch-folded Gemm path.
  { name: 'Conv2D on a small map with many channels (dW as one Gemm), asymmetric pads', h: 3, w: 4, body: (x) => conv(8, [2, 3]).apply(conv(3, 3).apply(x)) as tf.SymbolicTensor },
  { name: 'MaxPooling2D 2x2 on odd sizes', h: 7, w: 9, body: (x) => tf.layers.maxPooling2d({ poolSize: 2 }).apply(conv(3, 3).apply(x)) as tf.SymbolicTensor },
  // Exact ties inside windows: the gradient goes to the first maximum, as in tfjs.
  { name: 'MaxPooling2D 2x2 over constant image regions (ties)', h: 8, w: 12, flat: true, body: (x) => tf.layers.maxPooling2d({ poolSize: 2 }).apply(conv(3, 3, { activation: 'relu' }).apply(x)) as tf.SymbolicTensor },
  // A linear convolution whose only consumer is the pool: one strided convolution per window place (convMaxPool).
  { name: 'Conv2D (bias) then MaxPooling2D 2x2 as one convolution per window place, over constant image regions (ties)', h: 8, w: 12, flat: true, body: (x) => tf.layers.maxPooling2d({ poolSize: 2 }).apply(conv(3, 3).apply(x)) as tf.SymbolicTensor },
  { name: "Conv2D 'valid' then MaxPooling2D 2x2 with stride 3, as one convolution per window place, odd sizes", h: 9, w: 12, body: (x) => tf.layers.maxPooling2d({ poolSize: 2, strides: 3 }).apply(conv(3, 3, { padding: 'valid' }).apply(x)) as tf.SymbolicTensor },
  { name: 'MaxPooling2D 2x1 and stride 3 > pool 2', h: 8, w: 9, body: (x) => tf.layers.maxPooling2d({ poolSize: 2, strides: 3 }).apply(tf.layers.maxPooling2d({ poolSize: [2, 1] }).apply(conv(2, 3).apply(x))) as tf.SymbolicTensor },
  {
    name: 'BatchNormalization on feature maps, Activation relu',
    h: 6,
    w: 8,
    body: (x) => tf.layers.activation({ activation: 'relu' }).apply(tf.layers.batchNormalization({ epsilon: 1e-3 }).apply(conv(4, 3, { useBias: false }).apply(x))) as tf.SymbolicTensor,
  },
  {
    name: 'Dense on a sequence, BatchNormalization on its channels, Reshape',
    h: 4,
    w: 6,
    body: (x) => {
      const seq = tf.layers.reshape({ targetShape: [6, 4] }).apply(tf.layers.permute({ dims: [1, 2, 3] }).apply(x)) as tf.SymbolicTensor;
      return tf.layers.batchNormalization({ epsilon: 1e-3 }).apply(tf.layers.dense({ units: 7, kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }).apply(seq)) as tf.SymbolicTensor;
    },
  },
  {
    name: 'Concatenate of two Dense heads, Flatten',
    h: 5,
    w: 6,
    body: (x) => {
      const flat = tf.layers.flatten().apply(conv(2, 3, { activation: 'relu' }).apply(x)) as tf.SymbolicTensor;
      const a = tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) }).apply(flat) as tf.SymbolicTensor;
      const b = tf.layers.dense({ units: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) }).apply(flat) as tf.SymbolicTensor;
      return tf.layers.concatenate({ axis: -1 }).apply([a, b]) as tf.SymbolicTensor;
    },
  },
];

for (const c of LAYER_CASES) {
  test(`gradients match tfjs (cpu): ${c.name}`, async () => {
    let model: tf.LayersModel;
    try {
      model = tinyModel(c.h, c.w, c.body);
    } catch (error) {
      throw new Error(`test model: ${(error as Error).message}`);
    }
    if (c.name.startsWith('Dense on a sequence')) {
      // Permute is not an engine layer: the case is built without it below.
      model.dispose();
      const input = tf.input({ shape: [c.h, c.w, 1] });
      const seq = tf.layers.reshape({ targetShape: [c.w, c.h] }).apply(input) as tf.SymbolicTensor;
      // No bias before the batch norm: its true gradient is 0 and only float noise would be compared.
      const dense = tf.layers.dense({ units: 7, useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }).apply(seq) as tf.SymbolicTensor;
      const bn = tf.layers.batchNormalization({ epsilon: 1e-3 }).apply(dense) as tf.SymbolicTensor;
      const logits = tf.layers.dense({ units: 5, name: LOGITS_LAYER, kernelInitializer: tf.initializers.glorotUniform({ seed: 8 }) }).apply(bn) as tf.SymbolicTensor;
      model = tf.model({ inputs: input, outputs: logits });
      const spec = positionsSpec(c.h, c.w, c.w, '01234');
      const r = await gradientError(model, spec, randomBatch(11, 3, c.h, c.w, c.w, 5));
      assert.ok(Math.abs(r.loss[0] - r.loss[1]) <= 1e-5 * Math.abs(r.loss[0]), `loss ${r.loss}`);
      assert.ok(r.relative <= 1e-4, `relative gradient error ${r.relative}`);
      return;
    }
    const r = await gradientError(model, positionsSpec(c.h, c.w, 2, '01234'), randomBatch(11, 3, c.h, c.w, 2, 5, c.flat));
    assert.ok(Math.abs(r.loss[0] - r.loss[1]) <= 1e-5 * Math.abs(r.loss[0]), `loss ${r.loss}`);
    assert.ok(r.relative <= 1e-4, `relative gradient error ${r.relative}`);
  });
}

test('gradients match tfjs (cpu): the default model (CTC), with flat image regions that tie inside pool windows', async () => {
  for (const flat of [false, true]) {
    const { model, spec } = buildDefaultModel({ height: 16, width: 32, channels: [4, 6, 8, 8, 10], sequenceChannels: 12, sequenceLayers: 2 });
    const r = await gradientError(model, spec, randomBatch(flat ? 13 : 12, 4, 16, 32, [1, 3], 36, flat));
    assert.ok(Math.abs(r.loss[0] - r.loss[1]) <= 1e-5 * r.loss[0], `loss ${r.loss}`);
    assert.ok(r.relative <= 1e-4, `flat ${flat}: relative gradient error ${r.relative}`);
  }
});

test("the seed model (8 convolutions without batch norm, four heads): same loss, gradients as close as tfjs's own backends agree", async () => {
  const { model, spec } = buildSeedModel();
  // Dropout's random mask differs between tfjs and the engine: compare without it.
  (model.getLayer('dropout') as unknown as { rate: number }).rate = 0;
  const r = await gradientError(model, spec, randomBatch(21, 1, 80, 170, 4, 36));
  assert.ok(Math.abs(r.loss[0] - r.loss[1]) <= 1e-5 * r.loss[0], `loss ${r.loss}`);
  // Eight un-normalised ReLU layers: a unit whose input lies within rounding of 0 switches
  // with the order of summation. On this very batch tfjs's cpu and wasm backends disagree by
  // 1.6e-2 (measured); every layer kind alone agrees to 1e-4 (tests above).
  assert.ok(r.relative <= 5e-2, `relative gradient error ${r.relative}`);
});

test('five Adam steps on both engines from the same weights and batches end at the same losses and weights', async () => {
  const build = () => buildDefaultModel({ height: 16, width: 32, channels: [4, 6, 8, 8, 10], sequenceChannels: 12, sequenceLayers: 2, seed: 4 });
  const a = build();
  const b = build();
  const tfjsSteps = new LocalStepper(a.model, LOGITS_LAYER, tf.train.adam(1e-3), a.spec.charset, a.spec.output);
  const ortSteps = await engine(b.model, b.spec, 8);
  const losses: [number, number][] = [];
  for (let s = 0; s < 5; s++) {
    const batch = { ...randomBatch(30 + s, 8, 16, 32, [1, 4], 36, s % 2 === 1), step: s };
    const x = await tfjsSteps.step(batch, 3e-3);
    const y = await ortSteps.step(batch, 3e-3);
    losses.push([x.loss, y.loss]);
  }
  await ortSteps.syncModel();
  await ortSteps.close();
  for (const [x, y] of losses) assert.ok(Math.abs(x - y) <= 1e-3 * x, `losses ${JSON.stringify(losses)}`);
  const weights = (m: tf.LayersModel) => m.getWeights().map((w) => w.dataSync() as Float32Array);
  const error = worstRelative(weights(a.model), weights(b.model));
  assert.ok(error <= 1e-3, `weights differ by ${error} (moving statistics included)`);
  assert.ok(losses[4][1] < losses[0][1], `the loss went down: ${JSON.stringify(losses)}`);
});

test('replicas (worker threads, shares of 3 and 2): the loss and gradients of one session, on a model without batch norm; a CTC label that cannot fit counts in neither', async () => {
  // Read as 6 steps along the width by a full-height convolution after the pool.
  const body = (x: tf.SymbolicTensor) => conv(6, [4, 1], { padding: 'valid' }).apply(tf.layers.maxPooling2d({ poolSize: 2 }).apply(conv(4, 3, { activation: 'relu' }).apply(x))) as tf.SymbolicTensor;
  const x = tf.input({ shape: [8, 12, 1] });
  const columns = tf.layers.reshape({ targetShape: [6, 6] }).apply(body(x)) as tf.SymbolicTensor;
  const ctcModel = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 6, name: LOGITS_LAYER, kernelInitializer: tf.initializers.glorotUniform({ seed: 8 }) }).apply(columns) as tf.SymbolicTensor });
  const spec: ModelSpec = { architecture: 'test', input: { kind: 'grey-stretch', height: 8, width: 12, invert: true }, output: { kind: 'ctc', blankIndex: 5, timeSteps: 6 }, minLength: 1, maxLength: 4, charset: '01234' };
  const batch = randomBatch(70, 5, 8, 12, [1, 4], 5);
  // Sample 4 (the second share's last): four repeats of one character need 7 steps of 6.
  batch.labels.set([2, 2, 2, 2], 4 * batch.maxLength);
  batch.lengths[4] = 4;
  const one = await engine(ctcModel, spec, 5);
  const two = await engine(ctcModel, spec, 5, tf.train.adam(1e-3), false, 2);
  try {
    assert.equal(two.workers, 2);
    const a = await one.gradients(batch);
    const b = await two.gradients(batch);
    assert.ok(Number.isFinite(a.loss) && a.loss > 0);
    assert.ok(Math.abs(a.loss - b.loss) <= 1e-6 * a.loss, `loss ${a.loss} vs ${b.loss}`);
    const relative = worstRelative(a.grads, b.grads);
    assert.ok(relative <= 1e-5, `relative gradient difference ${relative}`);
    assert.deepEqual(b.logits, a.logits);
  } finally {
    await one.close();
    await two.close();
  }
});

test("replicas with batch norm: the moving statistics of the first batch norm are the whole batch's (law of total variance), and training goes on", async () => {
  const build = () => buildDefaultModel({ height: 16, width: 32, channels: [4, 6, 8, 8, 10], sequenceChannels: 12, sequenceLayers: 2, seed: 4 });
  const a = build();
  const b = build();
  const one = await engine(a.model, a.spec, 8);
  const two = await engine(b.model, b.spec, 8, tf.train.adam(1e-3), false, 2);
  const losses: number[] = [];
  try {
    for (let s = 0; s < 5; s++) {
      const batch = { ...randomBatch(80 + s, 8, 16, 32, [1, 4], 36), step: s };
      if (s === 0) await one.step(batch, 3e-3);
      losses.push((await two.step(batch, 3e-3)).loss);
      if (s === 0) {
        await one.syncModel();
        await two.syncModel();
        // The first batch norm's input (a convolution of the image) does not depend on how the batch is split.
        for (const name of ['moving_mean', 'moving_variance']) {
          const read = (m: tf.LayersModel) => m.getLayer('b1_bn').weights.find((w) => w.originalName.endsWith(name))!.read().dataSync() as Float32Array;
          const expected = read(a.model);
          const got = read(b.model);
          expected.forEach((v, c) => assert.ok(Math.abs(v - got[c]) <= 1e-6 * Math.max(1, Math.abs(v)), `${name}[${c}]: ${v} vs ${got[c]}`));
        }
      }
    }
  } finally {
    await one.close();
    await two.close();
  }
  assert.ok(losses[4] < losses[0], `the loss went down: ${JSON.stringify(losses)}`);
});

test('a replica that fails says which and why, and the step fails with it', async () => {
  const { model, spec } = buildDefaultModel({ height: 16, width: 32, channels: [4, 4, 4, 4, 4], sequenceChannels: 8, sequenceLayers: 1 });
  const graphs = buildTrainingGraphs(model, LOGITS_LAYER, 2);
  const replica = await OrtReplica.open({ graphs, weightShapes: model.trainableWeights.map((w) => w.shape as number[]), output: spec.output, providers: ['cpu'], threads: 1 }, 1);
  try {
    assert.equal(replica.engine.provider, 'cpu');
    const weights = model.trainableWeights.map((w) => w.read().dataSync() as Float32Array);
    await assert.rejects(replica.compute({ images: new Float32Array(2 * 16 * 32), labels: [[1]], weights, masks: [] }), /training replica 1: the onnxruntime engine was built for batches of 2, got 1/);
  } finally {
    await replica.close();
  }
  await assert.rejects(engine(model, spec, 4, tf.train.adam(1e-3), false, 5), /replicas must be an integer from 1 to the batch size \(4\), got 5/);
});

test("the engine's Adam state goes into a tfjs Adam and back unchanged (checkpoints are interchangeable)", async () => {
  const { model, spec } = buildDefaultModel({ height: 16, width: 32, channels: [4, 4, 4, 4, 4], sequenceChannels: 8, sequenceLayers: 1 });
  const first = await engine(model, spec, 4);
  for (let s = 0; s < 3; s++) await first.step({ ...randomBatch(40 + s, 4, 16, 32, [1, 3], 36), step: s }, 1e-3);
  const saved = await first.withOptimizer(async (o) => Promise.all((await o.getWeights()).map(async (w) => ({ name: w.name, values: Float32Array.from(await w.tensor.data()), shape: w.tensor.shape }))));
  assert.equal(saved.length, 1 + 2 * model.trainableWeights.length);
  assert.equal(saved[0].values[0], 3, 'iterations');
  assert.ok(saved[1].name.endsWith('/m') && saved[saved.length - 1].name.endsWith('/v'));
  await first.syncModel();
  const restored = tf.train.adam(1e-3);
  await restored.setWeights(saved.map((w) => ({ name: w.name, tensor: tf.tensor(w.values, w.shape) })));
  const second = await engine(model, spec, 4, restored, true);
  const next = { ...randomBatch(50, 4, 16, 32, [1, 3], 36), step: 3 };
  const a = await first.step(next, 1e-3);
  const b = await second.step(next, 1e-3);
  assert.equal(a.loss, b.loss);
  const again = await second.withOptimizer(async (o) => Promise.all((await o.getWeights()).map(async (w) => Float32Array.from(await w.tensor.data()))));
  const continued = await first.withOptimizer(async (o) => Promise.all((await o.getWeights()).map(async (w) => Float32Array.from(await w.tensor.data()))));
  assert.deepEqual(again, continued);
  await first.close();
  await second.close();
});

test('dropout: the mask of step k depends on (seed, k) only and drops about the rate', async () => {
  const model = tinyModel(4, 6, (x) => tf.layers.dropout({ rate: 0.25 }).apply(tf.layers.flatten().apply(conv(8, 3).apply(x))) as tf.SymbolicTensor);
  const graphs = buildTrainingGraphs(model, LOGITS_LAYER, 16);
  assert.equal(graphs.dropouts.length, 1);
  assert.deepEqual(graphs.dropouts[0].shape, [16, 4 * 6 * 8]);
  const spec = positionsSpec(4, 6, 2, '01234');
  const a = await engine(model, spec, 16);
  const b = await engine(model, spec, 16);
  const batch = { ...randomBatch(60, 16, 4, 6, 2, 5), step: 7 };
  assert.deepEqual((await a.gradients(batch)).grads, (await b.gradients(batch)).grads);
  const other = await a.gradients({ ...batch, step: 8 });
  assert.notDeepEqual(other.grads, (await b.gradients(batch)).grads);
  await a.close();
  await b.close();
});

test('a layer the engine cannot train is named, with what to do', () => {
  const model = tinyModel(6, 6, (x) => tf.layers.averagePooling2d({ poolSize: 2, name: 'avg' }).apply(conv(2, 3).apply(x)) as tf.SymbolicTensor);
  assert.throws(() => buildTrainingGraphs(model, LOGITS_LAYER, 2), (e: unknown) => e instanceof UnsupportedForEngineError && /layer "avg".*AveragePooling2D.*--backend wasm/.test(e.message));
});

test("the backward graph computes no gradient for the image: one dX convolution fewer than the model's convolutions", () => {
  const { model } = buildDefaultModel({ height: 16, width: 32, channels: [4, 6, 8, 8, 10], sequenceChannels: 12, sequenceLayers: 2 });
  const graphs = buildTrainingGraphs(model, LOGITS_LAYER, 2);
  const convLayers = model.layers.filter((l) => l.getClassName() === 'Conv2D').length;
  const backwardConvs = decodeModel(graphs.backward).graph.node.filter((n) => n.op_type === 'Conv').length;
  assert.equal(backwardConvs, convLayers - 1);
});

test('a linear convolution whose only consumer is a max pooling runs as one strided convolution per window place, without MaxPool, below 2^24 output floats', () => {
  const model = tinyModel(64, 128, (x) => tf.layers.maxPooling2d({ poolSize: 2 }).apply(conv(16, 3).apply(x)) as tf.SymbolicTensor);
  const ops = (batch: number) => decodeModel(buildTrainingGraphs(model, LOGITS_LAYER, batch).forward).graph.node.map((n) => n.op_type);
  const count = (list: string[], op: string) => list.filter((o) => o === op).length;
  const fused = ops(2);
  assert.deepEqual([count(fused, 'Conv'), count(fused, 'MaxPool'), count(fused, 'Max')], [4, 0, 1]);
  // 128 x 16 x 64 x 128 = 2^24 convolution outputs: the pool's float32 indices would not be exact.
  const plain = ops(128);
  assert.deepEqual([count(plain, 'Conv'), count(plain, 'MaxPool')], [1, 1]);
  // With a ReLU between them the pool stays a MaxPool.
  const relu = tinyModel(8, 8, (x) => tf.layers.maxPooling2d({ poolSize: 2 }).apply(conv(4, 3, { activation: 'relu' }).apply(x)) as tf.SymbolicTensor);
  const withRelu = decodeModel(buildTrainingGraphs(relu, LOGITS_LAYER, 2).forward).graph.node.map((n) => n.op_type);
  assert.deepEqual([count(withRelu, 'Conv'), count(withRelu, 'MaxPool')], [1, 1]);
});

test('dW is one Gemm (batch folded) exactly where a layer has more weights than input and output floats per image', () => {
  const { model } = buildDefaultModel({ height: 16, width: 32, channels: [4, 6, 8, 8, 10], sequenceChannels: 12, sequenceLayers: 2 });
  const backward = decodeModel(buildTrainingGraphs(model, LOGITS_LAYER, 2).backward).graph.node;
  const folded = model.layers
    .filter((l) => l.getClassName() === 'Conv2D')
    .filter((l) => {
      const [, h, w, cin] = (l.input as tf.SymbolicTensor).shape;
      const [, ho, wo, cout] = (l.output as tf.SymbolicTensor).shape;
      const [kh, kw] = l.getWeights()[0].shape;
      return cout! * kh * kw * cin! > cin! * h! * w! + cout! * ho! * wo!;
    }).length;
  assert.ok(folded > 0 && folded < model.layers.filter((l) => l.getClassName() === 'Conv2D').length, `both dW layouts appear in this model (${folded} folded)`);
  // (the Dense layers' dW is a Gemm with transA; the folded convolutions' is the one with transB)
  assert.equal(backward.filter((n) => n.op_type === 'Gemm' && n.attribute.some((a) => a.name === 'transB')).length, folded);
});

test('validation on the engine (the model converted to ONNX, run by onnxruntime) reads what tfjs reads: texts, and so scores', async () => {
  const body = (x: tf.SymbolicTensor) => tf.layers.maxPooling2d({ poolSize: 2 }).apply(conv(4, 3, { activation: 'relu' }).apply(x)) as tf.SymbolicTensor;
  const model = tinyModel(8, 12, body, 3, 5);
  const spec = positionsSpec(8, 12, 3, 'ABCDE');
  const metadata = trainedModelMetadata(spec, 0, {});
  const batches = [randomBatch(11, 8, 8, 12, 3, 5), randomBatch(12, 5, 8, 12, 3, 5)];
  // Labels set to what tfjs reads: then both must score every text right.
  const truths = batches.map((b) => {
    const probs = tf.tidy(() => model.predict(tf.tensor4d(b.images, [b.size, 8, 12, 1])) as tf.Tensor3D);
    const [n, t, k] = probs.shape;
    const texts = decodeBatch(probs.dataSync() as Float32Array, n, t, k, spec.charset, spec.output);
    probs.dispose();
    return texts;
  });
  const labelled = batches.map((b, j): Batch => ({ ...b, labels: Int32Array.from(truths[j].flatMap((s) => [...s].map((c) => spec.charset.indexOf(c)))) }));
  assert.ok(new Set(truths.flat()).size > 5, `the random model reads varied texts: ${truths.flat().join(',')}`);
  const tfjs = evaluate(model, labelled, spec.charset, spec.output);
  const onnx = await evaluateOnnx(model, labelled, metadata);
  assert.equal(tfjs.accuracy, 1);
  assert.deepEqual(onnx, tfjs);
  // And with other labels both give the same partial score.
  const other = evaluate(model, batches, spec.charset, spec.output);
  assert.ok(other.accuracy < 1);
  assert.deepEqual(await evaluateOnnx(model, batches, metadata), other);
});
