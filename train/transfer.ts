import * as tf from '@tensorflow/tfjs';

/** What `transferWeights` did, layer by layer (names of the layers). */
export interface TransferReport {
  /** Layers whose weights were copied unchanged. */
  readonly copied: readonly string[];
  /** Layers whose convolution kernel was resampled to a new kernel height/width. */
  readonly resampled: readonly string[];
}

/**
 * Resamples a conv kernel [kh, kw, in, out] to [th, tw, in, out] by linear interpolation
 * over the spatial taps (centres aligned, edges clamped), scaled by kh*kw / (th*tw) so that a
 * feature map stretched the same way gives the same response. It is how a full-height
 * "collapse" kernel follows a change of the input height.
 */
export function resampleKernel(kernel: Float32Array, shape: readonly number[], th: number, tw: number): Float32Array {
  const [kh, kw, cin, cout] = shape;
  const inner = cin * cout;
  const gain = (kh * kw) / (th * tw);
  const axis = (src: number, dst: number, i: number): [number, number, number] => {
    const c = Math.min(src - 1, Math.max(0, ((i + 0.5) * src) / dst - 0.5));
    const lo = Math.floor(c);
    const hi = Math.min(src - 1, lo + 1);
    return [lo, hi, c - lo];
  };
  const out = new Float32Array(th * tw * inner);
  for (let y = 0; y < th; y++) {
    const [y0, y1, fy] = axis(kh, th, y);
    for (let x = 0; x < tw; x++) {
      const [x0, x1, fx] = axis(kw, tw, x);
      const taps: [number, number][] = [
        [(y0 * kw + x0) * inner, (1 - fy) * (1 - fx)],
        [(y0 * kw + x1) * inner, (1 - fy) * fx],
        [(y1 * kw + x0) * inner, fy * (1 - fx)],
        [(y1 * kw + x1) * inner, fy * fx],
      ];
      const base = (y * tw + x) * inner;
      for (const [at, w] of taps) {
        if (w === 0) continue;
        for (let k = 0; k < inner; k++) out[base + k] += kernel[at + k] * w * gain;
      }
    }
  }
  return out;
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Copies the weights of `source` into `target`, layer by layer by name: the warm start of a
 * model whose input size changed (`train --init DIR --input HxW`). Weights of the same shape
 * are copied; a conv kernel that differs only in its spatial size (the full-height collapse
 * kernel follows the input height) is resampled. Any other difference throws a RangeError
 * naming the layer, so a different architecture is never half-loaded.
 */
export function transferWeights(source: tf.LayersModel, target: tf.LayersModel): TransferReport {
  const copied: string[] = [];
  const resampled: string[] = [];
  for (const layer of target.layers) {
    const wanted = layer.getWeights();
    if (wanted.length === 0) continue;
    let from: tf.layers.Layer;
    try {
      from = source.getLayer(layer.name);
    } catch {
      throw new RangeError(`transfer: the saved model has no layer ${layer.name} (a different architecture?)`);
    }
    const have = from.getWeights();
    if (have.length !== wanted.length) throw new RangeError(`transfer: layer ${layer.name} has ${have.length} weights in the saved model, ${wanted.length} here`);
    let changed = false;
    const values = wanted.map((w, i) => {
      const s = have[i];
      if (sameShape(s.shape, w.shape)) return s.clone();
      const spatialOnly = s.shape.length === 4 && w.shape.length === 4 && s.shape[2] === w.shape[2] && s.shape[3] === w.shape[3];
      if (!spatialOnly) throw new RangeError(`transfer: layer ${layer.name} weight ${i} is [${s.shape.join(', ')}] in the saved model, [${w.shape.join(', ')}] here`);
      changed = true;
      return tf.tensor(resampleKernel(s.dataSync() as Float32Array, s.shape, w.shape[0], w.shape[1]), w.shape, 'float32');
    });
    layer.setWeights(values);
    // getWeights() hands out the variables' own tensors: only the copies made here are disposed.
    for (const t of values) t.dispose();
    (changed ? resampled : copied).push(layer.name);
  }
  return { copied, resampled };
}
