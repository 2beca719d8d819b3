import * as tf from '@tensorflow/tfjs';
import type { OutputSpec } from '../core/model-contract.ts';
import { ctcLoss } from './ctc.ts';

/**
 * The training loss on the logits `[N, T, K]`: CTC for `ctc` outputs, mean softmax
 * cross-entropy per position for `positions` outputs (labels padded with -1 are ignored by CTC;
 * positions models always get full-length labels).
 */
export function lossFor(output: OutputSpec, logits: tf.Tensor3D, labels: readonly (readonly number[])[]): tf.Scalar {
  if (output.kind === 'ctc') return ctcLoss(logits, labels, output.blankIndex);
  const [n, t, k] = logits.shape;
  const codes = new Int32Array(n * t);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < t; j++) {
      const c = labels[i][j];
      codes[i * t + j] = c ?? output.endIndex ?? 0;
    }
  }
  const onehot = tf.oneHot(tf.tensor1d(codes, 'int32'), k).reshape([n, t, k]);
  return tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar;
}
