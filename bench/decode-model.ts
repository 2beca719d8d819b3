// Model-only latency: onnxruntime-node on the ONNX model against TensorFlow.js (wasm backend)
// on the tfjs export it was converted from, same inputs, one run. Usage: node --import tsx bench/decode-model.ts
import type * as Tf from '@tensorflow/tfjs';
import { preprocess } from '../core/preprocess.ts';
import { memoryArtifacts } from '../core/tfjs-artifacts.ts';
import { readArtifactsFromDir } from '../convert/tfjs/artifacts.ts';
import { createOrtNodePredictor } from '../functions/node/ort-node-predictor.ts';
import { captchaPngs } from './bench-images.ts';
import { benchModel } from './bench-model.ts';
import { decodeImage } from '../core/image-decode.ts';

const model = await benchModel();
const predictor = await createOrtNodePredictor({ modelPath: model.modelPath, log: () => undefined });
const { height, width } = predictor.metadata.input;
const per = height * width;
const images = await captchaPngs(32);
const inputs = new Float32Array(per * images.length);
for (let i = 0; i < images.length; i++) preprocess(await decodeImage(images[i].png, 1e8), predictor.metadata.input, inputs, i * per);

async function time(label: string, fn: () => Promise<unknown>, minMs = 1500): Promise<number> {
  for (let i = 0; i < 5; i++) await fn();
  const samples: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < minMs || samples.length < 20) {
    const s = performance.now();
    await fn();
    samples.push(performance.now() - s);
  }
  samples.sort((a, b) => a - b);
  const p50 = samples[Math.floor(samples.length / 2)];
  console.log(`${label}: p50 ${p50.toFixed(3)} ms, p90 ${samples[Math.floor(samples.length * 0.9)].toFixed(3)} ms (${samples.length} runs)`);
  return p50;
}

console.log(`model: ${model.label} (${width}x${height} input)`);
const ort1 = await time('onnxruntime-node cpu, batch 1 ', () => predictor.predict(inputs.subarray(0, per), 1));
const ort32 = await time('onnxruntime-node cpu, batch 32', () => predictor.predict(inputs, 32));
if (!model.tfjsDir) {
  console.log('no tfjs export beside the model: tfjs comparison skipped');
} else {
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  await tf.ready();
  const tfModel = await tf.loadLayersModel(tf.io.fromMemory(memoryArtifacts(await readArtifactsFromDir(model.tfjsDir))));
  const run = (n: number) => async () => {
    const x = tf.tensor4d(inputs.subarray(0, n * per), [n, height, width, 1]);
    const y = tfModel.predict(x) as Tf.Tensor;
    await y.data();
    x.dispose();
    y.dispose();
  };
  const tf1 = await time('tfjs wasm, batch 1            ', run(1));
  const tf32 = await time('tfjs wasm, batch 32           ', run(32));
  console.log(`onnxruntime-node is ${(tf1 / ort1).toFixed(1)}x faster than tfjs wasm at batch 1, ${(tf32 / ort32).toFixed(1)}x at batch 32`);
}
await predictor.dispose?.();
