import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { createCaptchaGenerator } from '../captcha/generator.ts';
import { decodeOutput } from '../core/decode-output.ts';
import { preprocess } from '../core/preprocess.ts';
import { loadModel } from './model-io.ts';
import { buildModel } from './models/registry.ts';
import { resampleKernel, transferWeights } from './transfer.ts';

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

test('transferWeights: the shipped model at 64x160 keeps every weight but the collapse kernel and still reads', async () => {
  const source = await loadModel(join(import.meta.dirname, '..', 'models', 'tfjs'));
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
  const gen = createCaptchaGenerator({ style: '0.7', width: 160, height: 60, seed: 5 });
  const n = 32;
  const size = 64 * 160;
  const x = new Float32Array(n * size);
  const texts: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = gen.generate(i);
    texts.push(c.text);
    preprocess(c.image, target.spec.input, x, i * size);
  }
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
