// One training-throughput measurement in its own process (bench/train.ts runs several):
//   node --import tsx bench/train-step-child.ts BACKEND KERNELS BATCH STEPS MODEL [REPLICAS]
// BACKEND cpu|wasm|ort; KERNELS fast|stock (stock: no project kernels, a naive JS dW so wasm can
// train at all, stock batch norm; ignored for ort, the onnxruntime engine of train/ort/);
// REPLICAS (ort only): a count, or auto (what `captcha-ocr train` picks); default 1.
// Prints one JSON line per finished step, then a summary.
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../train/backend.ts';
import { useFastBatchNorm } from '../train/kernels/fast-batch-norm-layers.ts';
import { lossFor } from '../train/loss.ts';
import { LOGITS_LAYER } from '../train/models/model-spec.ts';
import { OrtStepper } from '../train/ort/ort-stepper.ts';
import { buildModel, type Architecture } from '../train/models/registry.ts';
import { resolveWorkers } from '../train/parallel/worker-count.ts';
import { createRng } from '../core/rng.ts';

const [backendArg = 'wasm', kernels = 'fast', batchArg = '32', stepsArg = '6', modelArg = 'default', replicasArg = '1'] = process.argv.slice(2);
const batch = Number(batchArg);
const steps = Number(stepsArg);
tf.env().set('PROD', true);
const info = await selectBackend(backendArg === 'cpu' ? 'cpu' : backendArg === 'ort' ? 'ort' : 'wasm', kernels === 'fast' ? 'fast' : 'stock');
const { model, spec } = buildModel(modelArg as Architecture);
if (kernels === 'fast') useFastBatchNorm(model);
const logits = tf.model({ inputs: model.inputs, outputs: model.getLayer(LOGITS_LAYER).output });
const optimizer = tf.train.adam(1e-3);
const varList = model.trainableWeights.map((w) => w.read() as tf.Variable);
const rng = createRng(5);
const { height: h, width: w } = spec.input;
const images = Float32Array.from({ length: batch * h * w }, () => rng.next());
const classes = [...spec.charset].length;
const labels = Array.from({ length: batch }, () => Array.from({ length: spec.output.kind === 'ctc' ? rng.int(4, 6) : spec.maxLength }, () => rng.int(0, classes - 1)));
const maxLength = Math.max(...labels.map((l) => l.length));
const flatLabels = new Int32Array(batch * maxLength).fill(-1);
labels.forEach((l, i) => flatLabels.set(l, i * maxLength));
const replicas = resolveWorkers(replicasArg === 'auto' ? 'auto' : Number(replicasArg), 'ort', batch).workers;
const engine = info.name === 'ort' ? await OrtStepper.open({ model, logitsLayer: LOGITS_LAYER, spec, batchSize: batch, optimizer, resumed: false, seed: 5, replicas }) : undefined;
const times: number[] = [];
for (let s = 0; s < steps; s++) {
  const t0 = performance.now();
  if (engine) {
    await engine.step({ step: s, size: batch, images, labels: flatLabels, lengths: Int32Array.from(labels, (l) => l.length), maxLength }, 1e-3);
  } else {
    tf.tidy(() => {
      const x = tf.tensor4d(images, [batch, h, w, 1]);
      optimizer.minimize(() => lossFor(spec.output, logits.apply(x, { training: true }) as tf.Tensor3D, labels), true, varList)!.dataSync();
    });
  }
  times.push(performance.now() - t0);
  process.stdout.write(`${JSON.stringify({ step: s, ms: times[s] })}\n`);
}
// The first step compiles/warms up; report the rest when there are any.
const timed = times.length > 1 ? times.slice(1) : times;
const ms = timed.reduce((a, b) => a + b, 0) / timed.length;
await engine?.close();
process.stdout.write(`${JSON.stringify({ done: true, backend: info.name, kernels, batch, replicas: engine ? replicas : 1, msPerStep: ms, imagesPerSecond: (batch * 1000) / ms, flopsNote: spec.architecture })}\n`);
