import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { createCaptchaGenerator } from '../captcha/generator.ts';
import { decodeOutput } from '../core/decode-output.ts';
import { preprocess } from '../core/preprocess.ts';
import { loadModel } from './model-io.ts';
import { buildModel } from './models/registry.ts';
import { alphabetOf, DEFAULT_CHARSET } from '../core/charset.ts';
import { classMapping, embedWeight, reluStats, remapClasses, resampleKernel, transferWeights } from './transfer.ts';

/** A trained 48x128 default model that stays put: run 3's last checkpoint (the shipped model is its step-25,000 export). */
const RUN3 = join(import.meta.dirname, '..', 'models', 'training', 'default-v3', 'checkpoint');

/** The first `n` images of a seeded 160x60 style-0.7 generator, preprocessed for `input`, with their texts. */
function generatedBatch(n: number, input: { height: number; width: number } & Parameters<typeof preprocess>[1]): { x: Float32Array; texts: string[] } {
  const gen = createCaptchaGenerator({ style: '0.7', width: 160, height: 60, seed: 5 });
  const size = input.height * input.width;
  const x = new Float32Array(n * size);
  const texts: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = gen.generate(i);
    texts.push(c.text);
    preprocess(c.image, input, x, i * size);
  }
  return { x, texts };
}

test('resampleKernel: linear over the taps, centres aligned, edges clamped, sum kept', () => {
  // [2, 1, 1, 1] -> [4, 1, 1, 1]: taps at -0.25 (clamped), 0.25, 0.75, 1.25 (clamped), gain 2/4.
  assert.deepEqual([...resampleKernel(Float32Array.from([0, 1]), [2, 1, 1, 1], 4, 1)], [0, 0.125, 0.375, 0.5]);
  // Same size: unchanged. Channels stay where they are ([1, 1, 2, 3] kernel, 6 values).
  const k = Float32Array.from([1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...resampleKernel(k, [1, 1, 2, 3], 1, 1)], [...k]);
  // 6 -> 8 rows of a constant kernel: every tap is 6/8 of it, so the sum over the column is kept.
  const six = resampleKernel(new Float32Array(6).fill(2), [6, 1, 1, 1], 8, 1);
  assert.deepEqual([...six], new Array(8).fill(1.5));
});

test('transferWeights: the run-3 model at 64x160 keeps every weight but the collapse kernel and still reads', async () => {
  const source = await loadModel(RUN3);
  const target = buildModel('default', { defaultModel: { height: 64, width: 160 } });
  const report = transferWeights(source, target.model);
  assert.deepEqual(report.resampled, ['collapse_conv']);
  assert.equal(report.copied.length, 16); // 17 layers with weights
  for (const name of ['b1_conv', 'b5_bn', 'seq2_conv', 'logits']) {
    const a = source.getLayer(name).getWeights();
    const b = target.model.getLayer(name).getWeights();
    for (let i = 0; i < a.length; i++) assert.deepEqual(b[i].dataSync(), a[i].dataSync(), `${name} weight ${i}`);
  }
  const collapse = target.model.getLayer('collapse_conv').getWeights()[0];
  assert.deepEqual(collapse.shape, [8, 1, 64, 128]);
  assert.deepEqual(source.getLayer('collapse_conv').getWeights()[0].shape, [6, 1, 64, 128]);

  // Without any training the resized model reads most generated images (57/64 when measured).
  const n = 32;
  const { x, texts } = generatedBatch(n, target.spec.input);
  const y = tf.tidy(() => target.model.predict(tf.tensor4d(x, [n, 64, 160, 1])) as tf.Tensor);
  const [, t, k] = y.shape;
  assert.equal(t, 20);
  const probs = y.dataSync();
  let right = 0;
  for (let i = 0; i < n; i++) if (decodeOutput(probs.subarray(i * t * k, (i + 1) * t * k), t, k, target.spec.charset, target.spec.output).text === texts[i]) right++;
  assert.ok(right >= 26, `read ${right}/${n}`);
  y.dispose();
  source.dispose();
  target.model.dispose();
});

test('transferWeights: another architecture or channel count is refused, naming the layer', () => {
  const source = buildModel('default', { defaultModel: { channels: [8, 16, 24, 32, 32] } });
  const target = buildModel('default');
  assert.throws(() => transferWeights(source.model, target.model), (e: Error) => e instanceof RangeError && /b1_conv/.test(e.message) && /\[3, 3, 1, 8\]/.test(e.message));
  const seed = buildModel('seed');
  assert.throws(() => transferWeights(seed.model, target.model), (e: Error) => e instanceof RangeError && /no layer b1_conv/.test(e.message));
  for (const m of [source.model, target.model, seed.model]) m.dispose();
});

test('embedWeight: the saved block copied, new inputs of old outputs zeroed, new outputs left fresh', () => {
  // Dense [2 in, 2 out] into [3, 3]: rows are inputs. Fresh values are 9.
  const grown = embedWeight(Float32Array.from([1, 2, 3, 4]), [2, 2], new Float32Array(9).fill(9), [3, 3]);
  assert.deepEqual([...(grown ?? [])], [1, 2, 9, 3, 4, 9, 0, 0, 9]);
  // A vector (batch norm, bias): the first entries copied, the rest fresh.
  assert.deepEqual([...(embedWeight(Float32Array.from([5, 6]), [2], new Float32Array(3).fill(1), [3]) ?? [])], [5, 6, 1]);
  // A conv kernel [1, 2, 1, 1] into [1, 2, 2, 1]: per tap, input 1 is new, so zero.
  assert.deepEqual([...(embedWeight(Float32Array.from([7, 8]), [1, 2, 1, 1], new Float32Array(4).fill(9), [1, 2, 2, 1]) ?? [])], [7, 0, 8, 0]);
  // Smaller, or other taps: no fit.
  assert.equal(embedWeight(new Float32Array(9), [3, 3], new Float32Array(4), [2, 2]), undefined);
  assert.equal(embedWeight(new Float32Array(2), [2, 1, 1, 1], new Float32Array(3), [3, 1, 1, 1]), undefined);
});

test('reluStats: the moments of a rectified Gaussian', () => {
  // ReLU(N(0, 1)): mean 1/sqrt(2 pi), variance 1/2 - 1/(2 pi). Far above zero: unchanged. Far below: zero.
  const { mean, std } = reluStats(Float32Array.from([1, -1, 0.5, 2]), Float32Array.from([0, 0, 10, -20]));
  assert.ok(Math.abs(mean[0] - 1 / Math.sqrt(2 * Math.PI)) < 1e-6 && Math.abs(mean[1] - mean[0]) < 1e-9, `${mean[0]}`);
  assert.ok(Math.abs(std[0] - Math.sqrt(0.5 - 1 / (2 * Math.PI))) < 1e-6, `${std[0]}`);
  assert.ok(Math.abs(mean[2] - 10) < 1e-5 && Math.abs(std[2] - 0.5) < 1e-5, `${mean[2]} ${std[2]}`);
  assert.ok(mean[3] < 1e-9 && std[3] < 1e-9, `${mean[3]} ${std[3]}`);
});

test('transferWeights with grow: the run-3 model widened and deepened computes what it did', async () => {
  const source = await loadModel(RUN3);
  const target = buildModel('default', { defaultModel: { channels: [16, 32, 48, 64, 96], sequenceChannels: 192, sequenceLayers: 4 } });
  assert.throws(() => transferWeights(source, target.model), /b5_conv weight 0 is \[3, 3, 64, 64\] in the saved model, \[3, 3, 64, 96\] here$/);
  const report = transferWeights(source, target.model, { grow: true });
  assert.deepEqual(report.copied, ['b1_conv', 'b1_bn', 'b2_conv', 'b2_bn', 'b3_conv', 'b3_bn', 'b4_conv', 'b4_bn']);
  assert.deepEqual(report.widened, ['b5_conv', 'b5_bn', 'collapse_conv', 'collapse_bn', 'seq1_conv', 'seq1_bn', 'seq2_conv', 'seq2_bn', 'logits']);
  assert.deepEqual(report.added, ['seq3_conv', 'seq3_bn', 'seq4_conv', 'seq4_bn']);
  assert.deepEqual(report.resampled, []);
  assert.equal(target.model.countParams(), 443_765 + 2 * (3 * 192 * 192 + 4 * 192));

  const gen = createCaptchaGenerator({ style: '0.3', width: 192, height: 64, seed: 11 });
  const n = 16;
  const size = 48 * 128;
  const x = new Float32Array(n * size);
  for (let i = 0; i < n; i++) preprocess(gen.generate(i).image, target.spec.input, x, i * size);
  const [a, b] = tf.tidy(() => {
    const input = tf.tensor4d(x, [n, 48, 128, 1]);
    return [(source.predict(input) as tf.Tensor).dataSync(), (target.model.predict(input) as tf.Tensor).dataSync()];
  });
  assert.equal(a.length, n * 16 * 37);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  assert.ok(worst < 1e-5, `largest probability difference ${worst}`);
  // The added batch norms carry the statistics of what they read (seq2's ReLU output, worked out
  // from seq2_bn as a rectified Gaussian): within 20 % of those measured here (9-10 % on 64 images).
  const seq3 = target.model.getLayer('seq3_bn').getWeights().map((t) => t.dataSync());
  const measured = tf.tidy(() => {
    const sub = tf.model({ inputs: source.inputs, outputs: source.getLayer('seq2_relu').output as tf.SymbolicTensor });
    const m = tf.moments(sub.predict(tf.tensor4d(x, [n, 48, 128, 1])) as tf.Tensor, [0, 1, 2]);
    return [m.mean.dataSync(), m.variance.sqrt().dataSync()];
  });
  const relError = (got: ArrayLike<number>, want: ArrayLike<number>) => {
    let error = 0;
    let total = 0;
    for (let c = 0; c < want.length; c++) {
      error += Math.abs(got[c] - want[c]);
      total += Math.abs(want[c]);
    }
    return error / total;
  };
  // Widened seq2 has 192 channels; the first 128 are the saved ones.
  assert.ok(relError(seq3[1].subarray(0, 128), measured[0]) < 0.2, `beta against the measured mean: ${relError(seq3[1].subarray(0, 128), measured[0])}`);
  assert.ok(relError(seq3[0].subarray(0, 128), measured[1]) < 0.2, `gamma against the measured spread: ${relError(seq3[0].subarray(0, 128), measured[1])}`);
  // The new channels are live (random, not zero) so they can learn: the grown b5 has non-zero weights in its new outputs.
  const k = target.model.getLayer('b5_conv').getWeights()[0].dataSync();
  let fresh = 0;
  for (let i = 64; i < k.length; i += 96) for (let o = 0; o < 32; o++) fresh += Math.abs(k[i + o]);
  assert.ok(fresh > 1, `new b5 outputs ${fresh}`);
  source.dispose();
  target.model.dispose();
});

test('classMapping and remapClasses: shared characters and the blank copied, new ones fresh with the mean bias', () => {
  // 'AB' + blank -> 'BaA' + blank: B was class 1, a is new, A was 0, the blank was 2.
  assert.deepEqual([...classMapping('AB', 'BaA')], [1, -1, 0, 2]);
  assert.deepEqual([...classMapping('A𝟘', '𝟘')], [1, 2]);
  // A kernel [2 inputs, 3 classes] (rows are inputs); fresh values are 9.
  const kernel = remapClasses(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], new Float32Array(8).fill(9), [2, 4], Int32Array.from([1, -1, 0, 2]));
  assert.deepEqual([...kernel], [2, 9, 1, 3, 5, 9, 4, 6]);
  // A bias: the new class gets the mean of the saved characters' biases (not the blank's).
  assert.deepEqual([...remapClasses(Float32Array.from([-1, -3, 5]), [3], new Float32Array(4), [4], Int32Array.from([1, -1, 0, 2]))], [-3, -2, -1, 5]);
});

test('transferWeights with classes: the run-3 model on a case-sensitive alphabet keeps its backbone and the columns of shared characters', async () => {
  const source = await loadModel(RUN3);
  const to = alphabetOf(['0123456789', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz']);
  assert.equal(to, `${DEFAULT_CHARSET}abcdefghijklmnopqrstuvwxyz`);
  const target = buildModel('default', { charset: to, seed: 3 });
  const fresh = target.model.getLayer('logits').getWeights().map((t) => t.dataSync().slice());
  const report = transferWeights(source, target.model, { grow: true, classes: { layer: 'logits', map: classMapping(DEFAULT_CHARSET, to) } });
  assert.deepEqual(report.remapped, ['logits']);
  assert.equal(report.copied.length, 16);
  assert.deepEqual([report.widened, report.added, report.resampled], [[], [], []]);
  const [oldKernel, oldBias] = source.getLayer('logits').getWeights().map((t) => t.dataSync());
  const [kernel, bias] = target.model.getLayer('logits').getWeights().map((t) => t.dataSync());
  assert.equal(kernel.length, 128 * 63);
  const column = (k: ArrayLike<number>, classes: number, j: number) => Array.from({ length: 128 }, (_, i) => k[i * classes + j]);
  // Shared characters (0-9, A-Z: classes 0-35 in both) and the blank (36 -> 62): the very same logits columns.
  for (let j = 0; j < 36; j++) {
    assert.deepEqual(column(kernel, 63, j), column(oldKernel, 37, j), `class ${to[j]}`);
    assert.equal(bias[j], oldBias[j]);
  }
  assert.deepEqual(column(kernel, 63, 62), column(oldKernel, 37, 36), 'blank');
  assert.equal(bias[62], oldBias[36]);
  // New characters (a-z): the fresh initialisation, and the mean bias of the saved characters.
  const meanBias = Array.from(oldBias.subarray(0, 36)).reduce((a, b) => a + b, 0) / 36;
  for (let j = 36; j < 62; j++) {
    assert.deepEqual(column(kernel, 63, j), column(fresh[0], 63, j), `class ${to[j]}`);
    assert.ok(Math.abs(bias[j] - meanBias) < 1e-6);
  }
  // Every other layer is the saved one.
  for (const name of ['b1_conv', 'b5_bn', 'collapse_conv', 'seq2_bn']) {
    const a = source.getLayer(name).getWeights();
    const b = target.model.getLayer(name).getWeights();
    for (let i = 0; i < a.length; i++) assert.deepEqual(b[i].dataSync(), a[i].dataSync(), `${name} weight ${i}`);
  }
  // Before any training, the rebuilt model still reads upper-case CAPTCHAs about as the saved
  // one does (the fresh lower-case classes may take a reading): 30 of 32 against 31 when measured.
  const n = 32;
  const { x, texts } = generatedBatch(n, target.spec.input);
  const reads = (model: tf.LayersModel, charset: string) => {
    const y = tf.tidy(() => model.predict(tf.tensor4d(x, [n, 48, 128, 1])) as tf.Tensor);
    const [, t, k] = y.shape;
    const probs = y.dataSync();
    y.dispose();
    return texts.filter((text, i) => decodeOutput(probs.subarray(i * t * k, (i + 1) * t * k), t, k, charset, { kind: 'ctc', blankIndex: k - 1, timeSteps: t }).text === text).length;
  };
  const before = reads(source, DEFAULT_CHARSET);
  const after = reads(target.model, to);
  assert.equal(before, 31);
  assert.ok(after >= 29, `read ${after}/${n} after the output layer was rebuilt (${before} before)`);
  source.dispose();
  target.model.dispose();
});
