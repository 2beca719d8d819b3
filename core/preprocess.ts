import { toGrey, type RawImage } from './image.ts';

/**
 * How pixels become the model's input. One copy of this rule, used by the training data
 * stream and every predictor, so the served model sees what the trained one saw.
 *
 * The image is converted to grey (alpha flattened onto white), stretched to
 * `width x height` with an antialiased triangle filter (like Pillow's BILINEAR resize),
 * and scaled to [0, 1]; with `invert`, ink is high (1) and paper low (0).
 */
export interface PreprocessSpec {
  readonly kind: 'grey-stretch';
  readonly height: number;
  readonly width: number;
  readonly invert: boolean;
}

export function defaultPreprocess(height: number, width: number): PreprocessSpec {
  return { kind: 'grey-stretch', height, width, invert: true };
}

interface Taps {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly weights: Float32Array;
  readonly stride: number;
}

const tapCache = new Map<string, Taps>();

/** Filter taps for resampling `src` samples to `dst` (triangle filter widened when shrinking). */
function taps(src: number, dst: number): Taps {
  const key = `${src}>${dst}`;
  const hit = tapCache.get(key);
  if (hit) return hit;
  const scale = src / dst;
  const support = Math.max(1, scale);
  const stride = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(dst);
  const count = new Int32Array(dst);
  const weights = new Float32Array(dst * stride);
  for (let i = 0; i < dst; i++) {
    const center = (i + 0.5) * scale;
    const lo = Math.max(0, Math.floor(center - support));
    const hi = Math.min(src, Math.ceil(center + support));
    let sum = 0;
    let n = 0;
    for (let s = lo; s < hi && n < stride; s++, n++) {
      const w = Math.max(0, 1 - Math.abs((s + 0.5 - center) / support));
      weights[i * stride + n] = w;
      sum += w;
    }
    if (sum === 0) {
      weights[i * stride] = 1;
      sum = 1;
      n = Math.max(n, 1);
    }
    for (let k = 0; k < n; k++) weights[i * stride + k] /= sum;
    start[i] = lo;
    count[i] = n;
  }
  const t = { start, count, weights, stride };
  if (tapCache.size > 256) tapCache.clear();
  tapCache.set(key, t);
  return t;
}

/** Resamples a single-channel float image to `dw x dh` (separable triangle filter). */
export function resizeGrey(src: Float32Array, sw: number, sh: number, dw: number, dh: number): Float32Array {
  if (sw === dw && sh === dh) return src;
  const tx = taps(sw, dw);
  const tmp = new Float32Array(dw * sh);
  for (let y = 0; y < sh; y++) {
    const row = y * sw;
    for (let x = 0; x < dw; x++) {
      const base = x * tx.stride;
      const s0 = tx.start[x];
      let acc = 0;
      for (let k = 0; k < tx.count[x]; k++) acc += src[row + s0 + k] * tx.weights[base + k];
      tmp[y * dw + x] = acc;
    }
  }
  const ty = taps(sh, dh);
  const out = new Float32Array(dw * dh);
  for (let y = 0; y < dh; y++) {
    const base = y * ty.stride;
    const s0 = ty.start[y];
    const n = ty.count[y];
    for (let x = 0; x < dw; x++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += tmp[(s0 + k) * dw + x] * ty.weights[base + k];
      out[y * dw + x] = acc;
    }
  }
  return out;
}

/**
 * The model input for one image: `height * width` floats, row-major (an NHWC tensor with C = 1).
 * Writes into `out` at `offset` when given (to fill a batch without copies).
 */
export function preprocess(image: RawImage, spec: PreprocessSpec, out?: Float32Array, offset = 0): Float32Array {
  const grey = resizeGrey(toGrey(image), image.width, image.height, spec.width, spec.height);
  const n = spec.width * spec.height;
  const target = out ?? new Float32Array(n);
  if (target.length < offset + n) throw new RangeError('preprocess: output buffer too small');
  for (let i = 0; i < n; i++) {
    const v = grey[i] / 255;
    const c = v < 0 ? 0 : v > 1 ? 1 : v;
    target[offset + i] = spec.invert ? 1 - c : c;
  }
  return target;
}
