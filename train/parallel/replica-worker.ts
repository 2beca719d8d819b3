import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { memoryArtifacts } from '../../core/tfjs-artifacts.ts';
import { selectBackend } from '../backend.ts';
import { setBatchNormReplicaGather } from '../kernels/batch-norm-training.ts';
import { useFastBatchNorm } from '../kernels/fast-batch-norm-layers.ts';
import { LOGITS_LAYER } from '../models/model-spec.ts';
import { tensorsOfValues, valuesOfTensors, type NamedValues } from '../named-values.ts';
import { Collective, ReplicaAbortedError } from './collective.ts';
import type { FromReplica, ReplicaInit, StepRequest, ToReplica } from './messages.ts';
import { checksum } from './shares.ts';
import { computeGradients, countCorrect } from './stepper.ts';

/**
 * A training replica (worker thread): its own tfjs backend (+ the project's kernels), model
 * and Adam. Each step it computes the gradients of its share, sums them with the other
 * replicas' (train/parallel/collective.ts) and applies the sum: every replica does the same
 * float ops in the same order, so all keep identical weights.
 */
const port = parentPort!;
const init = workerData as ReplicaInit;

function post(message: FromReplica, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function values(list: NamedValues[]): ArrayBuffer[] {
  return list.map((v) => v.values.buffer as ArrayBuffer);
}

function failAtStep(step: number): void {
  // Test seam: CAPTCHA_OCR_FAIL_REPLICA=RANK:STEP makes that replica throw at that step.
  const spec = process.env.CAPTCHA_OCR_FAIL_REPLICA;
  if (spec && spec === `${init.rank}:${step}`) throw new Error(`injected failure at step ${step} (CAPTCHA_OCR_FAIL_REPLICA)`);
}

tf.env().set('PROD', true);
await selectBackend(init.backend);
const collective = new Collective(init.group, init.rank);
setBatchNormReplicaGather((local) => collective.gather64(local));
const model = await tf.loadLayersModel(tf.io.fromMemory(memoryArtifacts(init.model)));
useFastBatchNorm(model);
const logitsModel = tf.model({ inputs: model.inputs, outputs: model.getLayer(LOGITS_LAYER).output });
const varList = model.trainableWeights.map((w) => w.read() as tf.Variable);
const optimizer = tf.train.adam(init.learningRate);
if (init.optimizer) await optimizer.setWeights(tensorsOfValues(init.optimizer));

function step(m: StepRequest): void {
  failAtStep(m.step);
  (optimizer as unknown as { learningRate: number }).learningRate = m.learningRate;
  const batch = { step: m.step, size: m.size, images: m.images, labels: m.labels, lengths: m.lengths, maxLength: m.maxLength };
  const { loss, grads, logits, shape } = computeGradients(logitsModel, varList, batch, init.spec.output, m.weight);
  const local = varList.map((v) => grads[v.name].dataSync() as Float32Array);
  tf.dispose(grads);
  const summed = collective.sum32(local);
  tf.tidy(() => optimizer.applyGradients(varList.map((v, i) => ({ name: v.name, tensor: tf.tensor(summed[i], v.shape) }))));
  const correct = countCorrect(logits, shape, batch, init.spec.charset, init.spec.output);
  const sum = m.check ? checksum(varList.map((v) => v.dataSync() as Float32Array)) : undefined;
  post({ type: 'stepped', step: m.step, loss, correct, checksum: sum });
}

async function handle(m: ToReplica): Promise<void> {
  if (m.type === 'step') {
    step(m);
  } else if (m.type === 'weights') {
    const weights = model.weights.map((w) => {
      const t = w.read();
      return { name: w.originalName, shape: [...t.shape], values: (t.dataSync() as Float32Array).slice() };
    });
    post({ type: 'weights', weights, trainable: model.weights.map((w) => w.trainable) }, values(weights));
  } else if (m.type === 'set-weights') {
    const tensors = m.weights.map((w) => tf.tensor(w.values, w.shape));
    model.setWeights(tensors);
    tf.dispose(tensors);
    post({ type: 'weights-set' });
  } else if (m.type === 'optimizer') {
    const weights = await valuesOfTensors(await optimizer.getWeights());
    post({ type: 'optimizer', weights }, values(weights));
  }
}

port.on('message', (m: ToReplica) => {
  handle(m).catch((error: unknown) => {
    const e = error instanceof Error ? error : new Error(String(error));
    post({ type: 'error', message: e instanceof ReplicaAbortedError ? e.message : (e.stack ?? e.message) });
  });
});
post({ type: 'ready' });
