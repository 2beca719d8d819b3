import * as tf from '@tensorflow/tfjs';
import { decodeOutput } from '../core/decode-output.ts';
import { editDistance } from '../core/edit-distance.ts';
import type { OutputSpec } from '../core/model-metadata.ts';
import { batchLabels, type Batch } from './data/batch.ts';

export interface Score {
  readonly count: number;
  /** Whole text right. */
  readonly accuracy: number;
  /** 1 - (edit distance / truth length), summed over the set. */
  readonly characterAccuracy: number;
  /** Position i right (predicted[i] === truth[i]) among texts at least i+1 long. */
  readonly perPosition: readonly number[];
}

/** Accumulates predictions and scores them. */
export class Scorer {
  private count = 0;
  private right = 0;
  private chars = 0;
  private charErrors = 0;
  private readonly posRight: number[] = [];
  private readonly posTotal: number[] = [];

  add(truth: string, predicted: string): void {
    this.count++;
    if (truth === predicted) this.right++;
    const t = [...truth];
    const p = [...predicted];
    this.chars += t.length;
    this.charErrors += editDistance(truth, predicted);
    for (let i = 0; i < t.length; i++) {
      this.posTotal[i] = (this.posTotal[i] ?? 0) + 1;
      if (p[i] === t[i]) this.posRight[i] = (this.posRight[i] ?? 0) + 1;
    }
  }

  score(): Score {
    return {
      count: this.count,
      accuracy: this.count ? this.right / this.count : 0,
      characterAccuracy: this.chars ? Math.max(0, 1 - this.charErrors / this.chars) : 0,
      perPosition: this.posTotal.map((n, i) => (this.posRight[i] ?? 0) / n),
    };
  }
}

/** Greedy texts of one batch of model outputs `[N, T, K]` (probabilities or logits: argmax agrees). */
export function decodeBatch(values: Float32Array, n: number, t: number, k: number, charset: string, output: OutputSpec): string[] {
  const texts: string[] = [];
  for (let i = 0; i < n; i++) texts.push(decodeOutput(values.subarray(i * t * k, (i + 1) * t * k), t, k, charset, output).text);
  return texts;
}

export function labelText(codes: readonly number[], charset: string): string {
  const chars = [...charset];
  return codes.map((c) => chars[c]).join('');
}

/** Runs the model (inference mode) over the validation batches and scores it. */
export function evaluate(model: tf.LayersModel, batches: readonly Batch[], charset: string, output: OutputSpec): Score {
  const scorer = new Scorer();
  const [, h, w] = model.inputs[0].shape as number[];
  for (const batch of batches) {
    const probs = tf.tidy(() => model.predict(tf.tensor4d(batch.images, [batch.size, h, w, 1])) as tf.Tensor3D);
    const [n, t, k] = probs.shape;
    const texts = decodeBatch(probs.dataSync() as Float32Array, n, t, k, charset, output);
    probs.dispose();
    batchLabels(batch).forEach((codes, i) => scorer.add(labelText(codes, charset), texts[i]));
  }
  return scorer.score();
}
