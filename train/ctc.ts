import * as tf from '@tensorflow/tfjs';

/** Result of the CTC forward-backward pass on a batch. */
export interface CtcResult {
  /** Negative log-likelihood per sample (Infinity where the label cannot fit in T steps). */
  readonly losses: Float64Array;
  /** d(sum of finite losses) / d(logits), same layout as the logits `[N, T, K]`. */
  readonly grad: Float32Array;
}

function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/**
 * CTC loss and its gradient with respect to the pre-softmax logits, computed with the
 * forward-backward algorithm in log space (Graves et al. 2006). `logits` is `[N, T, K]`
 * row-major; `labels[n]` holds class indices (never `blank`). The gradient of a sample's loss
 * is softmax(logits) minus the posterior occupancy of each class at each step.
 */
export function ctcForwardBackward(logits: Float32Array, n: number, t: number, k: number, labels: readonly (readonly number[])[], blank: number): CtcResult {
  const losses = new Float64Array(n);
  const grad = new Float32Array(n * t * k);
  const logProbs = new Float64Array(t * k);
  for (let b = 0; b < n; b++) {
    const label = labels[b];
    const base = b * t * k;
    // log-softmax per step
    for (let i = 0; i < t; i++) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, logits[base + i * k + c]);
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(logits[base + i * k + c] - max);
      const lse = max + Math.log(sum);
      for (let c = 0; c < k; c++) logProbs[i * k + c] = logits[base + i * k + c] - lse;
    }
    const s = 2 * label.length + 1;
    const ext = new Int32Array(s);
    for (let j = 0; j < s; j++) ext[j] = j % 2 === 0 ? blank : label[(j - 1) >> 1];
    let repeats = 0;
    for (let j = 1; j < label.length; j++) if (label[j] === label[j - 1]) repeats++;
    if (label.length + repeats > t) {
      losses[b] = Infinity;
      continue;
    }
    const alpha = new Float64Array(t * s).fill(-Infinity);
    const beta = new Float64Array(t * s).fill(-Infinity);
    alpha[0] = logProbs[ext[0]];
    if (s > 1) alpha[1] = logProbs[ext[1]];
    for (let i = 1; i < t; i++) {
      for (let j = 0; j < s; j++) {
        let a = alpha[(i - 1) * s + j];
        if (j >= 1) a = logAdd(a, alpha[(i - 1) * s + j - 1]);
        if (j >= 2 && ext[j] !== blank && ext[j] !== ext[j - 2]) a = logAdd(a, alpha[(i - 1) * s + j - 2]);
        alpha[i * s + j] = a === -Infinity ? a : a + logProbs[i * k + ext[j]];
      }
    }
    // beta[i][j]: log-probability of emitting the rest after step i, given state j at step i.
    beta[(t - 1) * s + s - 1] = 0;
    if (s > 1) beta[(t - 1) * s + s - 2] = 0;
    for (let i = t - 2; i >= 0; i--) {
      for (let j = 0; j < s; j++) {
        let v = beta[(i + 1) * s + j] + logProbs[(i + 1) * k + ext[j]];
        if (j + 1 < s) v = logAdd(v, beta[(i + 1) * s + j + 1] + logProbs[(i + 1) * k + ext[j + 1]]);
        if (j + 2 < s && ext[j + 2] !== blank && ext[j + 2] !== ext[j]) v = logAdd(v, beta[(i + 1) * s + j + 2] + logProbs[(i + 1) * k + ext[j + 2]]);
        beta[i * s + j] = v;
      }
    }
    let logP = alpha[(t - 1) * s + s - 1];
    if (s > 1) logP = logAdd(logP, alpha[(t - 1) * s + s - 2]);
    if (logP === -Infinity) {
      losses[b] = Infinity;
      continue;
    }
    losses[b] = -logP;
    for (let i = 0; i < t; i++) {
      const g = base + i * k;
      for (let c = 0; c < k; c++) grad[g + c] = Math.exp(logProbs[i * k + c]);
      for (let j = 0; j < s; j++) {
        const occ = alpha[i * s + j] + beta[i * s + j] - logP;
        if (occ > -60) grad[g + ext[j]] -= Math.exp(occ);
      }
    }
  }
  return { losses, grad };
}

/**
 * The batch's mean CTC loss over the samples whose label fits in T steps (`count` of them), and
 * its gradient with respect to the logits (the tfjs loss below and the onnxruntime engine both use it).
 */
export function ctcMeanLoss(logits: Float32Array, n: number, t: number, k: number, labels: readonly (readonly number[])[], blank: number): { loss: number; count: number; grad: Float32Array } {
  const { losses, grad } = ctcForwardBackward(logits, n, t, k, labels, blank);
  let sum = 0;
  let count = 0;
  for (const l of losses) {
    if (Number.isFinite(l)) {
      sum += l;
      count++;
    }
  }
  const scale = count > 0 ? 1 / count : 0;
  for (let i = 0; i < grad.length; i++) grad[i] *= scale;
  return { loss: count > 0 ? sum / count : 0, count, grad };
}

/**
 * Mean CTC loss over the batch as a differentiable tfjs scalar (tf.customGrad around
 * ctcForwardBackward). Samples whose label cannot fit are left out of the mean.
 */
export function ctcLoss(logits: tf.Tensor3D, labels: readonly (readonly number[])[], blank: number): tf.Scalar {
  const [n, t, k] = logits.shape;
  const op = tf.customGrad(((x: tf.Tensor) => {
    const { loss, grad } = ctcMeanLoss(x.dataSync() as Float32Array, n, t, k, labels, blank);
    return {
      value: tf.scalar(loss),
      gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.tensor3d(grad, [n, t, k])),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(logits) as tf.Scalar;
}
