import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createRng, type Rng } from '../../core/rng.ts';
import { batchNormTraining } from './batch-norm-training.ts';
import { useWasmKernels } from './register-wasm-kernels.ts';

/**
 * Property tests: each kernel the project adds to the wasm backend agrees with the stock
 * tfjs cpu backend (relative error <= 1e-4 of the largest magnitude) on random shapes,
 * strides, paddings ('same'/'valid', odd sizes) and filter sizes.
 */
before(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('wasm');
  useWasmKernels('fast');
});

function randomArray(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
}

/** Runs a kernel on a backend with the given input arrays; returns the output values. */
async function runOn(backend: string, kernel: string, inputs: Record<string, { data: Float32Array; shape: number[] }>, attrs: Record<string, unknown>): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) tensors[k] = tf.tensor(v.data, v.shape);
    const out = tf.engine().runKernel(kernel, tensors as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
    return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
  });
}

function relativeError(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let maxDiff = 0;
  let scale = 1e-6;
  for (let i = 0; i < a.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return maxDiff / scale;
}

interface ConvCase {
  x: number[];
  f: number[];
  strides: [number, number];
  pad: 'same' | 'valid';
}

function randomConv(rng: Rng): ConvCase | undefined {
  const kh = rng.int(1, 5);
  const kw = rng.int(1, 5);
  const strides: [number, number] = [rng.int(1, 3), rng.int(1, 3)];
  const pad = rng.next() < 0.5 ? 'same' : 'valid';
  const h = rng.int(kh, 13);
  const w = rng.int(kw, 13);
  const n = rng.int(1, 4);
  const ci = rng.int(1, 6);
  const co = rng.int(1, 7);
  const info = tf.backend_util.computeConv2DInfo([n, h, w, ci], [kh, kw, ci, co], strides, 1, pad);
  if (info.outHeight < 1 || info.outWidth < 1) return undefined;
  return { x: [n, h, w, ci], f: [kh, kw, ci, co], strides, pad };
}

test('Conv2DBackpropFilter (forward convolution of x^T with dy) matches the cpu backend', async () => {
  const rng = createRng(11);
  let cases = 0;
  while (cases < 60) {
    const c = randomConv(rng);
    if (!c) continue;
    const info = tf.backend_util.computeConv2DInfo(c.x as [number, number, number, number], c.f as [number, number, number, number], c.strides, 1, c.pad);
    const x = { data: randomArray(rng, c.x.reduce((a, b) => a * b)), shape: c.x };
    const dy = { data: randomArray(rng, info.outShape.reduce((a, b) => a * b)), shape: info.outShape };
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.f };
    const [mine] = await runOn('wasm', 'Conv2DBackpropFilter', { x, dy }, attrs);
    const [ref] = await runOn('cpu', 'Conv2DBackpropFilter', { x, dy }, attrs);
    assert.ok(relativeError(mine, ref) <= 1e-4, `case ${JSON.stringify(c)}: rel err ${relativeError(mine, ref)}`);
    cases++;
  }
});

test('Conv2DBackpropInput (convolution of dilated dy with the flipped filter) matches the cpu backend', async () => {
  const rng = createRng(12);
  let cases = 0;
  while (cases < 60) {
    const c = randomConv(rng);
    if (!c) continue;
    const info = tf.backend_util.computeConv2DInfo(c.x as [number, number, number, number], c.f as [number, number, number, number], c.strides, 1, c.pad);
    const dy = { data: randomArray(rng, info.outShape.reduce((a, b) => a * b)), shape: info.outShape };
    const filter = { data: randomArray(rng, c.f.reduce((a, b) => a * b)), shape: c.f };
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x };
    const [mine] = await runOn('wasm', 'Conv2DBackpropInput', { dy, filter }, attrs);
    const [ref] = await runOn('cpu', 'Conv2DBackpropInput', { dy, filter }, attrs);
    assert.ok(relativeError(mine, ref) <= 1e-4, `case ${JSON.stringify(c)}: rel err ${relativeError(mine, ref)}`);
    cases++;
  }
});

test('MaxPoolGrad matches the cpu backend (pool sizes, strides, same/valid)', async () => {
  const rng = createRng(13);
  let cases = 0;
  while (cases < 50) {
    const fh = rng.int(1, 3);
    const fw = rng.int(1, 3);
    const strides: [number, number] = [rng.int(1, 3), rng.int(1, 3)];
    const pad = rng.next() < 0.5 ? 'same' : 'valid';
    const shape = [rng.int(1, 3), rng.int(fh, 11), rng.int(fw, 11), rng.int(1, 5)] as [number, number, number, number];
    const info = tf.backend_util.computePool2DInfo(shape, [fh, fw], strides, 1, pad);
    if (info.outHeight < 1 || info.outWidth < 1) continue;
    const xData = randomArray(rng, shape.reduce((a, b) => a * b));
    await tf.setBackend('cpu');
    const yData = tf.tidy(() => tf.maxPool(tf.tensor4d(xData, shape), [fh, fw], strides, pad).dataSync() as Float32Array);
    const inputs = { dy: { data: randomArray(rng, yData.length), shape: info.outShape }, input: { data: xData, shape }, output: { data: yData, shape: info.outShape } };
    const attrs = { filterSize: [fh, fw], strides, pad };
    const [mine] = await runOn('wasm', 'MaxPoolGrad', inputs, attrs);
    const [ref] = await runOn('cpu', 'MaxPoolGrad', inputs, attrs);
    assert.ok(relativeError(mine, ref) <= 1e-4, `case ${JSON.stringify({ shape, fh, fw, strides, pad })}`);
    cases++;
  }
});

test('fused training batch norm: output and gradients match moments + batchNorm on the cpu backend', async () => {
  const rng = createRng(14);
  for (let i = 0; i < 25; i++) {
    const rank = rng.int(2, 4);
    const shape = Array.from({ length: rank }, () => rng.int(1, 6));
    shape[0] = rng.int(2, 6);
    const c = shape[rank - 1];
    const xData = Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.uniform(-2, 3));
    const g = randomArray(rng, c);
    const b = randomArray(rng, c);
    const dy = randomArray(rng, xData.length);
    const run = async (backend: string, fused: boolean) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor(xData, shape);
        const gamma = tf.tensor1d(g);
        const beta = tf.tensor1d(b);
        const upstream = tf.tensor(dy, shape);
        const axes = [...Array(rank - 1).keys()];
        const f = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
          if (fused) return batchNormTraining(xx, gg as tf.Tensor1D, bb as tf.Tensor1D, 1e-3).mul(upstream).sum();
          const m = tf.moments(xx, axes);
          return tf.batchNorm(xx, m.mean, m.variance, bb, gg, 1e-3).mul(upstream).sum();
        };
        const { value, grads } = tf.valueAndGrads(f)([x, gamma, beta]);
        return [value.dataSync() as Float32Array, ...grads.map((t) => t.dataSync() as Float32Array)];
      });
    };
    const mine = await run('wasm', true);
    const ref = await run('cpu', false);
    mine.forEach((m, k) => assert.ok(relativeError(m, ref[k]) <= 1e-4, `shape ${shape}: output ${k} rel err ${relativeError(m, ref[k])}`));
  }
});

test('Sum over all axes but the last (bias gradients) matches the cpu backend; other sums still work', async () => {
  const rng = createRng(15);
  for (let i = 0; i < 30; i++) {
    const rank = rng.int(2, 4);
    const shape = Array.from({ length: rank }, () => rng.int(1, 9));
    const keepDims = rng.next() < 0.5;
    const axis = i % 5 === 4 ? [rank - 1] : [...Array(rank - 1).keys()].reverse();
    const x = { data: randomArray(rng, shape.reduce((a, b) => a * b)), shape };
    const [mine] = await runOn('wasm', 'Sum', { x }, { axis, keepDims });
    const [ref] = await runOn('cpu', 'Sum', { x }, { axis, keepDims });
    assert.ok(relativeError(mine, ref) <= 1e-4, `shape ${shape} axis ${axis}`);
  }
});

test('BatchMatMul with transposed operands matches the cpu backend', async () => {
  const rng = createRng(16);
  for (let i = 0; i < 30; i++) {
    const [b, m, k, n] = [rng.int(1, 3), rng.int(1, 9), rng.int(1, 9), rng.int(1, 9)];
    const transposeA = rng.next() < 0.5;
    const transposeB = rng.next() < 0.5;
    const a = { data: randomArray(rng, b * m * k), shape: transposeA ? [b, k, m] : [b, m, k] };
    const bb = { data: randomArray(rng, b * k * n), shape: transposeB ? [b, n, k] : [b, k, n] };
    const attrs = { transposeA, transposeB };
    const [mine] = await runOn('wasm', 'BatchMatMul', { a, b: bb }, attrs);
    const [ref] = await runOn('cpu', 'BatchMatMul', { a, b: bb }, attrs);
    assert.ok(relativeError(mine, ref) <= 1e-4, `case ${JSON.stringify({ b, m, k, n, transposeA, transposeB })}`);
  }
});
