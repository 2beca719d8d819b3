import * as tf from '@tensorflow/tfjs';
import { inputDims, type OutputSpec } from '../../core/model-contract.ts';
import { batchLabels, type Batch } from '../data/batch.ts';
import { decodeBatch, labelText, Scorer } from '../evaluate.ts';
import { lossFor } from '../loss.ts';
import { inputSizeOf } from '../models/model-spec.ts';

/** What one training step reports: the batch's mean loss and how many texts the training-mode output read right. */
export interface StepResult {
  readonly loss: number;
  readonly correct: number;
}

/**
 * Runs the training steps of a model held by the trainer (main thread): in this thread
 * (`LocalStepper`) or over worker-thread replicas (`ReplicaPool`).
 */
export interface TrainStepper {
  /** Training threads (1 = this thread). */
  readonly workers: number;
  step(batch: Batch, learningRate: number): Promise<StepResult>;
  /** Brings the trainer's model up to date (before evaluation, checkpoint and export). */
  syncModel(): Promise<void>;
  /** Runs `fn` with an optimizer that holds the current Adam state (for a checkpoint). */
  withOptimizer<T>(fn: (optimizer: tf.Optimizer) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Texts of a training batch that its logits `[N, T, K]` read right (greedy decoding). */
export function countCorrect(logits: Float32Array, shape: readonly number[], batch: Batch, charset: string, output: OutputSpec): number {
  const [n, t, k] = shape;
  const labels = batchLabels(batch);
  const scorer = new Scorer();
  decodeBatch(logits, n, t, k, charset, output).forEach((p, i) => scorer.add(labelText(labels[i], charset), p));
  return Math.round(scorer.score().accuracy * n);
}

/**
 * One training step of `logitsModel` on `batch` (the loss scaled by `weight`): returns the
 * (scaled) loss, the gradients of `varList` (caller disposes) and the logits' values.
 */
export function computeGradients(logitsModel: tf.LayersModel, varList: tf.Variable[], batch: Batch, output: OutputSpec, weight = 1) {
  const labels = batchLabels(batch);
  let logits: Float32Array | undefined;
  let shape: number[] = [];
  const { value, grads } = tf.tidy(() => {
    const x = tf.tensor4d(batch.images, inputDims(batch.size, inputSizeOf(logitsModel)));
    return tf.variableGrads(() => {
      const out = logitsModel.apply(x, { training: true }) as tf.Tensor3D;
      logits = out.dataSync() as Float32Array;
      shape = out.shape;
      const loss = lossFor(output, out, labels);
      return weight === 1 ? loss : tf.mul(loss, weight);
    }, varList);
  });
  const loss = value.dataSync()[0];
  value.dispose();
  return { loss, grads, logits: logits!, shape };
}

/** The single-thread stepper: `optimizer.minimize` on the trainer's own model (the original loop). */
export class LocalStepper implements TrainStepper {
  readonly workers = 1;
  private readonly varList: tf.Variable[];
  private readonly logitsModel: tf.LayersModel;

  constructor(
    model: tf.LayersModel,
    logitsLayer: string,
    private readonly optimizer: tf.Optimizer,
    private readonly charset: string,
    private readonly output: OutputSpec,
  ) {
    this.logitsModel = tf.model({ inputs: model.inputs, outputs: model.getLayer(logitsLayer).output });
    this.varList = model.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  async step(batch: Batch, learningRate: number): Promise<StepResult> {
    (this.optimizer as unknown as { learningRate: number }).learningRate = learningRate;
    const labels = batchLabels(batch);
    let logits: Float32Array | undefined;
    let shape: number[] = [];
    const loss = tf.tidy(() => {
      const x = tf.tensor4d(batch.images, inputDims(batch.size, inputSizeOf(this.logitsModel)));
      const cost = this.optimizer.minimize(
        () => {
          const out = this.logitsModel.apply(x, { training: true }) as tf.Tensor3D;
          logits = out.dataSync() as Float32Array;
          shape = out.shape;
          return lossFor(this.output, out, labels);
        },
        true,
        this.varList,
      );
      return cost!.dataSync()[0];
    });
    return { loss, correct: countCorrect(logits!, shape, batch, this.charset, this.output) };
  }

  async syncModel(): Promise<void> {}

  async withOptimizer<T>(fn: (optimizer: tf.Optimizer) => Promise<T>): Promise<T> {
    return fn(this.optimizer);
  }

  async close(): Promise<void> {}
}
