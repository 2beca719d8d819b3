import * as tf from '@tensorflow/tfjs';

/** What `transferWeights` did, layer by layer (names of the layers). */
export interface TransferReport {
  /** Layers whose weights were copied unchanged. */
  readonly copied: readonly string[];
  /** Layers whose convolution kernel was resampled to a new kernel height/width. */
  readonly resampled: readonly string[];
  /** Layers with more channels than in the saved model (`grow`): the saved weights embedded. */
  readonly widened: readonly string[];
  /** Sequence layers the saved model lacks (`grow`): started as the identity. */
  readonly added: readonly string[];
  /** The output layer rebuilt for another alphabet (`classes`): shared characters and the blank copied. */
  readonly remapped: readonly string[];
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

/** A weight seen as [taps, inputs, outputs]: a conv kernel [kh, kw, in, out], a dense kernel [in, out], or a vector [n] (one input). */
function asTapsInOut(shape: readonly number[]): [number, number, number] {
  if (shape.length === 4) return [shape[0] * shape[1], shape[2], shape[3]];
  if (shape.length === 2) return [1, shape[0], shape[1]];
  return [1, 1, shape.reduce((a, b) => a * b, 1)];
}

/**
 * Embeds a saved weight in a larger one, keeping the function: the saved inputs x outputs block
 * is copied, the new inputs of the saved outputs get weight 0 (so the new channels cannot change
 * what the old ones compute), and the new outputs keep the target's fresh initialisation (so
 * they learn). Undefined when the saved weight does not fit inside the target one.
 */
export function embedWeight(saved: Float32Array, savedShape: readonly number[], fresh: Float32Array, shape: readonly number[]): Float32Array | undefined {
  if (savedShape.length !== shape.length) return undefined;
  const [st, si, so] = asTapsInOut(savedShape);
  const [t, wi, wo] = asTapsInOut(shape);
  if (st !== t || si > wi || so > wo) return undefined;
  const out = Float32Array.from(fresh);
  for (let p = 0; p < t; p++) {
    for (let i = 0; i < wi; i++) {
      for (let o = 0; o < so; o++) out[(p * wi + i) * wo + o] = i < si ? saved[(p * si + i) * so + o] : 0;
    }
  }
  return out;
}

/**
 * For each class of an output over the alphabet `to` (its characters, then the CTC blank):
 * the class of the output over `from` it takes its weights from, or -1 for a character `from`
 * lacks. Characters are matched as code points; the blank maps to the blank.
 */
export function classMapping(from: string, to: string): Int32Array {
  const old = [...from];
  const next = [...to];
  const map = new Int32Array(next.length + 1);
  next.forEach((c, j) => (map[j] = old.indexOf(c)));
  map[next.length] = old.length;
  return map;
}

/**
 * An output layer's weight for another alphabet: a kernel [inputs, K] (or a bias [K]) of the
 * saved model becomes [inputs, map.length] ([map.length]). Class j copies saved class map[j]
 * (a shared character, the blank); a new class (map[j] = -1) keeps the fresh kernel column of
 * the target (its initialiser) and gets the mean bias of the saved characters, so that it starts
 * as likely as a typical character: neither above the blank nor out of reach.
 */
export function remapClasses(saved: Float32Array, savedShape: readonly number[], fresh: Float32Array, freshShape: readonly number[], map: Int32Array): Float32Array {
  const k = savedShape[savedShape.length - 1];
  const kNew = map.length;
  if (freshShape[freshShape.length - 1] !== kNew) throw new RangeError(`remapClasses: the target has ${freshShape[freshShape.length - 1]} classes, the mapping ${kNew}`);
  if (savedShape.length === 1) {
    let mean = 0;
    for (let c = 0; c < k - 1; c++) mean += saved[c] / Math.max(1, k - 1);
    return Float32Array.from(map, (from) => (from >= 0 ? saved[from] : mean));
  }
  if (savedShape.length !== 2) throw new RangeError(`remapClasses: expected a dense kernel or bias, got [${savedShape.join(', ')}]`);
  const rows = savedShape[0];
  const freshRows = freshShape[0];
  const out = new Float32Array(rows * kNew);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < kNew; j++) out[i * kNew + j] = map[j] >= 0 ? saved[i * k + map[j]] : i < freshRows ? fresh[i * kNew + j] : 0;
  }
  return out;
}

/** gamma, beta, moving_mean or moving_variance: a batch norm weight's role (tfjs may suffix a variable's name with _N). */
const bnRole = (name: string) => /\/(gamma|beta|moving_mean|moving_variance)(_\d+)?$/.exec(name)?.[1] ?? '';

/** Per-channel mean and standard deviation of the activations an added layer reads. */
interface ChannelStats {
  readonly mean: Float32Array;
  readonly std: Float32Array;
}

/** Abramowitz & Stegun 7.1.26 (error under 1.5e-7): the normal CDF needs erf. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x < 0 ? -y : y;
}

/**
 * Mean and standard deviation of ReLU(z), z ~ N(beta, gamma^2) per channel: what a batch norm
 * with those gamma and beta hands on through its ReLU (the rectified Gaussian's moments).
 */
export function reluStats(gamma: Float32Array, beta: Float32Array): ChannelStats {
  const mean = new Float32Array(gamma.length);
  const std = new Float32Array(gamma.length);
  for (let c = 0; c < gamma.length; c++) {
    const g = Math.max(Math.abs(gamma[c]), 1e-6);
    const b = beta[c];
    const a = b / g;
    const cdf = 0.5 * (1 + erf(a / Math.SQRT2));
    const pdf = Math.exp(-0.5 * a * a) / Math.sqrt(2 * Math.PI);
    const m1 = b * cdf + g * pdf;
    const m2 = (b * b + g * g) * cdf + b * g * pdf;
    mean[c] = m1;
    std[c] = Math.sqrt(Math.max(m2 - m1 * m1, 0));
  }
  return { mean, std };
}

/**
 * An added sequence layer starts as the identity: its [1, k, C, C] kernel passes channel c
 * through its centre tap, and its batch norm is set to the statistics of what it reads
 * (moving mean = beta = mean, gamma = sqrt(moving variance + epsilon)), so it is exactly the
 * identity at inference and nearly so in training, where batches are normalised by their own
 * statistics. (With mean 0 and variance 1 instead, training would centre the activations and
 * the ReLU would cut half of them.)
 */
function identityWeights(layer: tf.layers.Layer, stats: ChannelStats | undefined): tf.Tensor[] | undefined {
  const cls = layer.getClassName();
  if (cls === 'Conv2D') {
    const [kh, kw, cin, cout] = layer.getWeights()[0].shape;
    if (kh !== 1 || kw % 2 !== 1 || cin !== cout || layer.getWeights().length !== 1) return undefined;
    const kernel = new Float32Array(kw * cin * cout);
    const centre = (kw - 1) / 2;
    for (let c = 0; c < cin; c++) kernel[(centre * cin + c) * cout + c] = 1;
    return [tf.tensor(kernel, [kh, kw, cin, cout], 'float32')];
  }
  if (cls === 'BatchNormalization' && stats) {
    const epsilon = (layer.getConfig() as { epsilon: number }).epsilon;
    const variance = stats.std.map((s) => Math.max(s * s - epsilon, 1e-6));
    const values: Record<string, Float32Array> = {
      gamma: variance.map((v) => Math.sqrt(v + epsilon)),
      beta: stats.mean,
      moving_mean: stats.mean,
      moving_variance: variance,
    };
    const out = layer.weights.map((w) => values[bnRole(w.name)]);
    if (out.some((v, i) => v === undefined || v.length !== layer.weights[i].shape[0])) return undefined;
    return out.map((v) => tf.tensor1d(v, 'float32'));
  }
  return undefined;
}

export interface TransferOptions {
  /**
   * Also grow (`train --init DIR --channels/--sequence-*`): layers with more channels embed the
   * saved weights (`embedWeight`), and sequence layers the saved model lacks (seqN_conv/_bn)
   * start as the identity. The grown model computes what the saved one did, and trains on.
   */
  readonly grow?: boolean;
  /**
   * Another alphabet (`train --init DIR` on data with other characters): the output layer
   * `layer` (the default model's `logits`) is rebuilt by `remapClasses` with `map`
   * (`classMapping(saved charset, new charset)`); every other layer transfers as usual.
   */
  readonly classes?: { readonly layer: string; readonly map: Int32Array };
}

/**
 * Copies the weights of `source` into `target`, layer by layer by name: the warm start of a
 * model whose input size changed (`train --init DIR --input HxW`). Weights of the same shape
 * are copied; a conv kernel that differs only in its spatial size (the full-height collapse
 * kernel follows the input height) is resampled. With `grow`, wider layers and added sequence
 * layers are filled so that the function is kept. Any other difference (a narrower layer, a
 * layer missing on either side) throws a RangeError naming the layer, so a different
 * architecture is never half-loaded.
 */
export function transferWeights(source: tf.LayersModel, target: tf.LayersModel, options: TransferOptions = {}): TransferReport {
  const copied: string[] = [];
  const resampled: string[] = [];
  const widened: string[] = [];
  const added: string[] = [];
  const remapped: string[] = [];
  // What the layers after the last transferred batch norm read (its ReLU's output): the added
  // identity layers pass it on unchanged, so all of them share it.
  let lastStats: ChannelStats | undefined;
  for (const layer of target.layers) {
    const wanted = layer.getWeights();
    if (wanted.length === 0) continue;
    let from: tf.layers.Layer | undefined;
    try {
      from = source.getLayer(layer.name);
    } catch {
      from = undefined;
    }
    if (!from) {
      const identity = options.grow && /^seq\d+_(conv|bn)$/.test(layer.name) ? identityWeights(layer, lastStats) : undefined;
      if (!identity) throw new RangeError(`transfer: the saved model has no layer ${layer.name} (a different architecture?)`);
      layer.setWeights(identity);
      for (const t of identity) t.dispose();
      added.push(layer.name);
      continue;
    }
    const have = from.getWeights();
    if (have.length !== wanted.length) throw new RangeError(`transfer: layer ${layer.name} has ${have.length} weights in the saved model, ${wanted.length} here`);
    let kind: 'copied' | 'resampled' | 'widened' | 'remapped' = 'copied';
    const remap = options.classes?.layer === layer.name ? options.classes.map : undefined;
    const values = wanted.map((w, i) => {
      const s = have[i];
      if (!remap && sameShape(s.shape, w.shape)) return s.clone();
      let data = s.dataSync() as Float32Array;
      let shape = s.shape;
      if (remap) {
        data = remapClasses(data, shape, w.dataSync() as Float32Array, w.shape, remap);
        shape = [...shape.slice(0, -1), remap.length];
        kind = 'remapped';
      }
      if (s.shape.length === 4 && w.shape.length === 4 && (s.shape[0] !== w.shape[0] || s.shape[1] !== w.shape[1])) {
        data = resampleKernel(data, s.shape, w.shape[0], w.shape[1]);
        shape = [w.shape[0], w.shape[1], s.shape[2], s.shape[3]];
        if (kind === 'copied') kind = 'resampled';
      }
      if (!sameShape(shape, w.shape)) {
        const grown = options.grow ? embedWeight(data, shape, w.dataSync() as Float32Array, w.shape) : undefined;
        if (!grown) throw new RangeError(`transfer: layer ${layer.name} weight ${i} is [${s.shape.join(', ')}] in the saved model, [${w.shape.join(', ')}] here${options.grow ? ' (a model can grow, not shrink)' : ''}`);
        data = grown;
        if (kind !== 'remapped') kind = 'widened';
      }
      return tf.tensor(data, w.shape, 'float32');
    });
    layer.setWeights(values);
    if (layer.getClassName() === 'BatchNormalization') {
      const named = (role: string) => values[layer.weights.findIndex((w) => bnRole(w.name) === role)].dataSync() as Float32Array;
      lastStats = reluStats(named('gamma'), named('beta'));
    }
    // getWeights() hands out the variables' own tensors: only the copies made here are disposed.
    for (const t of values) t.dispose();
    ({ copied, resampled, widened, remapped })[kind].push(layer.name);
  }
  const targetNames = new Set(target.layers.map((l) => l.name));
  const dropped = source.layers.find((l) => l.getWeights().length > 0 && !targetNames.has(l.name));
  if (dropped) throw new RangeError(`transfer: the saved model's layer ${dropped.name} has no place here (a model can grow, not shrink)`);
  if (options.classes && !remapped.includes(options.classes.layer)) throw new RangeError(`transfer: no output layer ${options.classes.layer} to rebuild for the new alphabet`);
  return { copied, resampled, widened, added, remapped };
}
