import * as tf from '@tensorflow/tfjs';
import { jsKernel } from './heap.ts';

/** Kernel names of the fused training-mode batch normalisation (registered for every backend in use). */
export const BN_FORWARD = 'CaptchaOcrBatchNormTrain';
export const BN_BACKWARD = 'CaptchaOcrBatchNormTrainGrad';

/**
 * Batch normalisation in training mode over all axes but the last, as ONE op with a
 * hand-written gradient (plain JS loops over the channels-last data, in place on the wasm
 * heap). Stock tfjs builds it from moments + FusedBatchNorm, whose gradient (Tile,
 * broadcasting Sub/Mul, transposing Sums) took over half of a training step on wasm.
 *
 * `onStats` receives the batch mean and biased variance (for the moving averages) while
 * they exist (inside the op; tensors made there are disposed afterwards unless assigned to variables).
 */
export function batchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
  onStats?: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void,
): tf.Tensor {
  ensureRegistered();
  const channels = x.shape[x.rank - 1];
  const op = tf.customGrad(((xIn: tf.Tensor, gIn: tf.Tensor, bIn: tf.Tensor, save: tf.GradSaveFunc) => {
    const [y, st] = tf.engine().runKernel(BN_FORWARD, { x: xIn, gamma: gIn, beta: bIn }, { epsilon }) as unknown as [tf.Tensor, tf.Tensor2D];
    save([xIn, gIn, st]);
    if (onStats) {
      const [mean, variance] = tf.split(tf.slice(st, [0, 0], [2, channels]), 2, 0).map((t) => t.reshape([channels]) as tf.Tensor1D);
      onStats(mean, variance);
    }
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, gs, sv] = saved;
        return tf.engine().runKernel(BN_BACKWARD, { x: xs, dy, gamma: gs, stats: sv }, {}) as unknown as tf.Tensor[];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, gamma, beta);
}

/**
 * Cross-replica exchange for data-parallel training (train/parallel/): every replica calls it
 * at the same points with vectors of the same length and gets every replica's vector in rank
 * order. While one is set, the batch statistics and the gradient sums that `dx` needs are
 * taken over the whole batch (all replicas' shares), as if one thread ran it (synchronised
 * batch norm); the `gamma`/`beta` gradients stay per share (the gradient all-reduce sums them).
 */
export type ReplicaGather = (local: Float64Array) => readonly Float64Array[];
let replicaGather: ReplicaGather | undefined;

/** Sets (or clears) the cross-replica exchange of this thread's batch norm. */
export function setBatchNormReplicaGather(gather: ReplicaGather | undefined): void {
  replicaGather = gather;
}

let registered = new Set<string>();

function ensureRegistered(): void {
  const backend = tf.getBackend();
  if (registered.has(backend)) return;
  if (!tf.getKernel(BN_FORWARD, backend)) tf.registerKernel({ kernelName: BN_FORWARD, backendName: backend, kernelFunc: forwardKernel });
  if (!tf.getKernel(BN_BACKWARD, backend)) tf.registerKernel({ kernelName: BN_BACKWARD, backendName: backend, kernelFunc: backwardKernel });
  registered = new Set([...registered, backend]);
}

const forwardKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta } = inputs as { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo };
  const epsilon = (attrs as { epsilon: number }).epsilon;
  const channels = x.shape[x.shape.length - 1];
  const kb = backend as tf.KernelBackend;
  const stats = jsKernel(kb, [x], [3, channels], ([xv], out) => {
    const s = replicaGather ? replicaChannelStats(xv, channels, replicaGather) : channelStats(xv, channels);
    out.set(s.mean, 0);
    out.set(s.variance, channels);
    for (let c = 0; c < channels; c++) out[2 * channels + c] = 1 / Math.sqrt(s.variance[c] + epsilon);
  });
  const y = jsKernel(kb, [x, gamma, beta, stats], x.shape, ([xv, g, b, st], out) => {
    const scale = new Float32Array(channels);
    const shift = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      scale[c] = g[c] * st[2 * channels + c];
      shift[c] = b[c] - st[c] * scale[c];
    }
    affine(xv, out, scale, shift, channels);
  });
  return [y, stats];
};

const backwardKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const { x, dy, gamma, stats } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo; gamma: tf.TensorInfo; stats: tf.TensorInfo };
  const channels = x.shape[x.shape.length - 1];
  const kb = backend as tf.KernelBackend;
  // With replicas: [count, sum dy, sum dy * (x - mean)] over the whole batch, for dx.
  let whole: Float64Array | undefined;
  const params = jsKernel(kb, [x, dy, stats], [2, channels], ([xv, g, st], out) => {
    const sums = gradientSums(xv, g, st.subarray(0, channels), channels);
    if (replicaGather) {
      const local = new Float64Array(1 + 2 * channels);
      local[0] = xv.length / channels;
      local.set(sums.dBeta, 1);
      local.set(sums.dGamma, 1 + channels);
      whole = new Float64Array(local.length);
      for (const v of replicaGather(local)) for (let i = 0; i < v.length; i++) whole[i] += v[i];
    }
    for (let c = 0; c < channels; c++) {
      out[c] = sums.dGamma[c] * st[2 * channels + c];
      out[channels + c] = sums.dBeta[c];
    }
  });
  const dx = jsKernel(kb, [x, dy, gamma, stats, params], x.shape, ([xv, g, gm, st, p], out) => {
    const m = xv.length / channels;
    // dx = gamma * invStd * (dy - dBeta/m - (x - mean) * invStd * dGamma/m)
    const k1 = new Float32Array(channels);
    const k2 = new Float32Array(channels);
    const k3 = new Float32Array(channels);
    const mean = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      const inv = st[2 * channels + c];
      mean[c] = st[c];
      k1[c] = gm[c] * inv;
      if (whole) {
        k2[c] = whole[1 + c] / whole[0];
        k3[c] = ((whole[1 + channels + c] * inv) / whole[0]) * inv;
      } else {
        k2[c] = p[channels + c] / m;
        k3[c] = (p[c] / m) * inv;
      }
    }
    for (let i = 0; i < xv.length; i += channels) {
      for (let c = 0; c < channels; c++) out[i + c] = k1[c] * (g[i + c] - k2[c] - (xv[i + c] - mean[c]) * k3[c]);
    }
  });
  const dGamma = sliceRow(kb, params, 0, channels);
  const dBeta = sliceRow(kb, params, 1, channels);
  kb.disposeData(params.dataId);
  return [dx, dGamma, dBeta];
};

function sliceRow(backend: tf.KernelBackend, m: tf.TensorInfo, row: number, n: number): tf.TensorInfo {
  return jsKernel(backend, [m], [n], ([v], out) => out.set(v.subarray(row * n, row * n + n)));
}

function affine(x: Float32Array, out: Float32Array, scale: Float32Array, shift: Float32Array, channels: number): void {
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) out[i + c] = x[i + c] * scale[c] + shift[c];
  }
}

/** Per-channel mean and biased variance of channels-last data (shifted sums in float64). */
export function channelStats(x: Float32Array, channels: number): { mean: Float32Array; variance: Float32Array } {
  const sum = new Float64Array(channels);
  const sq = new Float64Array(channels);
  const shift = x.slice(0, channels);
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const v = x[i + c] - shift[c];
      sum[c] += v;
      sq[c] += v * v;
    }
  }
  const m = x.length / channels;
  const mean = new Float32Array(channels);
  const variance = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const mu = sum[c] / m;
    mean[c] = mu + shift[c];
    variance[c] = Math.max(0, sq[c] / m - mu * mu);
  }
  return { mean, variance };
}

/**
 * Per-channel mean and biased variance over every replica's share: each sends its count,
 * mean and centred sum of squares (float64); all combine them in rank order (Chan et al.).
 */
function replicaChannelStats(x: Float32Array, channels: number, gather: ReplicaGather): { mean: Float32Array; variance: Float32Array } {
  const m = x.length / channels;
  const sum = new Float64Array(channels);
  const sq = new Float64Array(channels);
  const shift = x.slice(0, channels);
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const v = x[i + c] - shift[c];
      sum[c] += v;
      sq[c] += v * v;
    }
  }
  const local = new Float64Array(1 + 2 * channels);
  local[0] = m;
  for (let c = 0; c < channels; c++) {
    local[1 + c] = shift[c] + sum[c] / m;
    local[1 + channels + c] = Math.max(0, sq[c] - (sum[c] * sum[c]) / m);
  }
  const parts = gather(local);
  const total = parts.reduce((a, p) => a + p[0], 0);
  const mean = new Float32Array(channels);
  const variance = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    let mu = 0;
    for (const p of parts) mu += (p[0] * p[1 + c]) / total;
    let m2 = 0;
    for (const p of parts) m2 += p[1 + channels + c] + p[0] * (p[1 + c] - mu) ** 2;
    mean[c] = mu;
    variance[c] = Math.max(0, m2 / total);
  }
  return { mean, variance };
}

function gradientSums(x: Float32Array, dy: Float32Array, mean: Float32Array, channels: number) {
  const dBeta = new Float64Array(channels);
  const dGamma = new Float64Array(channels);
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const g = dy[i + c];
      dBeta[c] += g;
      dGamma[c] += g * (x[i + c] - mean[c]);
    }
  }
  return { dBeta, dGamma };
}
