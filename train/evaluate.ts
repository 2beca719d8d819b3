import * as tf from '@tensorflow/tfjs';
import { decodeOutput } from '../core/decode-output.ts';
import { inputDims, type OutputSpec } from '../core/model-contract.ts';
import { ScoreAccumulator } from '../core/scoring.ts';
import { batchLabels, type Batch } from './data/batch.ts';
import { inputSizeOf } from './models/model-spec.ts';

export interface Score {
  readonly count: number;
  /** Whole text right. */
  readonly accuracy: number;
  /** Characters right at their position / characters compared (the longer of truth and reading, per text): POST /score's characterAccuracy. */
  readonly characterAccuracy: number;
  /** Position i right (predicted[i] === truth[i]) among texts at least i+1 long. */
  readonly perPosition: readonly number[];
}

/** Accumulates predictions and scores them with core/scoring.ts, the rule POST /score and `captcha-ocr score` use. */
export class Scorer {
  private readonly acc = new ScoreAccumulator();

  add(truth: string, predicted: string): void {
    this.acc.add({ truth, predicted, confidence: 0 });
  }

  score(): Score {
    const m = this.acc.summary(0);
    return { count: m.scored, accuracy: m.sequenceAccuracy, characterAccuracy: m.characterAccuracy, perPosition: m.positionAccuracy.map((p) => p.accuracy) };
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
  const size = inputSizeOf(model);
  for (const batch of batches) {
    const probs = tf.tidy(() => model.predict(tf.tensor4d(batch.images, inputDims(batch.size, size))) as tf.Tensor3D);
    const [n, t, k] = probs.shape;
    const texts = decodeBatch(probs.dataSync() as Float32Array, n, t, k, charset, output);
    probs.dispose();
    batchLabels(batch).forEach((codes, i) => scorer.add(labelText(codes, charset), texts[i]));
  }
  return scorer.score();
}
