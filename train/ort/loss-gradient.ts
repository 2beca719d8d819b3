import type { OutputSpec } from '../../core/model-contract.ts';
import { ctcMeanLoss } from '../ctc.ts';

/** The batch's mean loss and its gradient with respect to the logits `[N, T, K]`. */
export interface LossGradient {
  readonly loss: number;
  /** The samples the mean is over: those whose label fits (CTC), else all. */
  readonly count: number;
  readonly grad: Float32Array;
}

/**
 * The same losses as train/loss.ts (which tfjs differentiates), with the gradient written out:
 * CTC's mean over the samples whose label fits, or the mean softmax cross-entropy per position.
 */
export function lossGradient(output: OutputSpec, logits: Float32Array, shape: readonly number[], labels: readonly (readonly number[])[]): LossGradient {
  const [n, t, k] = shape;
  if (output.kind === 'ctc') return ctcMeanLoss(logits, n, t, k, labels, output.blankIndex);
  const grad = new Float32Array(n * t * k);
  const scale = 1 / (n * t);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < t; j++) {
      const base = (i * t + j) * k;
      const target = labels[i][j] ?? output.endIndex ?? 0;
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, logits[base + c]);
      let z = 0;
      for (let c = 0; c < k; c++) z += Math.exp(logits[base + c] - max);
      for (let c = 0; c < k; c++) grad[base + c] = (Math.exp(logits[base + c] - max) / z - (c === target ? 1 : 0)) * scale;
      sum += max + Math.log(z) - logits[base + target];
    }
  }
  return { loss: sum * scale, count: n, grad };
}
