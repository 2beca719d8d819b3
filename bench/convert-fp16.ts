/**
 * Accuracy and size cost of `convert --fp16`: converts a model with float32 and with float16
 * weights and compares both against tfjs on generated CAPTCHAs and on random inputs.
 * Model: models/tfjs (the shipped model) when present, else MODEL_DIR=..., else a
 * CAPTCHA-sized CNN with seeded random weights.
 *   node --import tsx bench/convert-fp16.ts [MODEL_DIR]
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { existsSync } from 'node:fs';
import { createCaptchaGenerator } from '../captcha/generator.ts';
import { defaultPreprocess, preprocess, type PreprocessSpec } from '../core/preprocess.ts';
import { captureArtifacts, memoryArtifacts } from '../core/tfjs-artifacts.ts';
import { convertArtifacts, convertTfjsModel } from '../convert/convert.ts';
import { readArtifactsFromDir } from '../convert/tfjs/artifacts.ts';
import { randomArray, randomizeWeights, seeded } from '../test/convert-harness.ts';

tf.env().set('PROD', true);
await tf.setBackend('cpu');

async function loadModel(): Promise<{ model: tf.LayersModel; label: string; fp32: Uint8Array; fp16: Uint8Array; spec: PreprocessSpec }> {
  const dir = process.argv[2] ?? (existsSync('models/tfjs/model.json') ? 'models/tfjs' : undefined);
  if (dir) {
    const a = await readArtifactsFromDir(dir);
    const model = await tf.loadLayersModel(tf.io.fromMemory(memoryArtifacts(a)));
    const r32 = await convertTfjsModel(dir);
    const r16 = await convertTfjsModel(dir, { fp16: true });
    const [, h, w] = model.inputs[0].shape as number[];
    return { model, label: dir, fp32: r32.onnx, fp16: r16.onnx, spec: r32.metadata?.input ?? defaultPreprocess(h, w) };
  }
  const L = tf.layers;
  const model = tf.sequential();
  model.add(L.inputLayer({ inputShape: [64, 160, 1] }));
  for (const f of [32, 64, 96]) {
    model.add(L.conv2d({ filters: f, kernelSize: 3, padding: 'same', useBias: false }));
    model.add(L.batchNormalization());
    model.add(L.reLU());
    model.add(L.maxPooling2d({ poolSize: 2 }));
  }
  model.add(L.flatten());
  model.add(L.dense({ units: 128, activation: 'relu' }));
  model.add(L.dense({ units: 6 * 37 }));
  model.add(L.reshape({ targetShape: [6, 37] }));
  model.add(L.softmax({ axis: -1 }));
  randomizeWeights(model, 42);
  // Scale the random weights down so activations stay in a realistic range.
  model.setWeights(model.getWeights().map((w, i) => (/moving_variance/.test(model.weights[i].originalName) ? w : w.mul(0.3))));
  const a = await captureArtifacts(model);
  return { model, label: 'CAPTCHA-sized CNN, random weights', fp32: convertArtifacts(a).onnx, fp16: convertArtifacts(a, { fp16: true }).onnx, spec: defaultPreprocess(64, 160) };
}

const { model, label, fp32, fp16, spec } = await loadModel();
const n = 64;
const size = spec.height * spec.width;
const gen = createCaptchaGenerator({ width: spec.width, height: spec.height, seed: 7 });
const captchas = new Float32Array(n * size);
for (let i = 0; i < n; i++) preprocess(gen.generate(i).image, spec, captchas, i * size);
const random = randomArray(n * size, seeded(3), 0, 1);

async function run(bytes: Uint8Array, data: Float32Array): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', data, [n, spec.height, spec.width, 1]) });
  await s.release();
  return out[s.outputNames[0]].data as Float32Array;
}

console.log(`model: ${label}; fp32 ${(fp32.byteLength / 1024).toFixed(1)} KiB, fp16 ${(fp16.byteLength / 1024).toFixed(1)} KiB`);
for (const [name, data] of [['generated CAPTCHAs', captchas], ['random inputs', random]] as const) {
  const ref = tf.tidy(() => (model.predict(tf.tensor(data, [n, spec.height, spec.width, 1])) as tf.Tensor).dataSync() as Float32Array);
  const k = model.outputs[0].shape[model.outputs[0].shape.length - 1] as number;
  for (const [variant, bytes] of [['fp32', fp32], ['fp16', fp16]] as const) {
    const got = await run(bytes, data);
    let max = 0;
    let agree = 0;
    for (let i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i] - ref[i]));
    const rows = got.length / k;
    for (let r = 0; r < rows; r++) {
      let a = 0;
      let b = 0;
      for (let j = 1; j < k; j++) {
        if (got[r * k + j] > got[r * k + a]) a = j;
        if (ref[r * k + j] > ref[r * k + b]) b = j;
      }
      if (a === b) agree++;
    }
    console.log(`${name.padEnd(19)} ${variant}: max abs diff vs tfjs ${max.toExponential(2)}, argmax agreement ${agree}/${rows} (${((agree / rows) * 100).toFixed(2)}%)`);
  }
}
