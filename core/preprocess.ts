import { luma, toGrey, type RawImage } from './image.ts';

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
    // Zero-weight taps at either end add nothing (x + 0 * y === x): drop them.
    let first = 0;
    while (first < n - 1 && weights[i * stride + first] === 0) first++;
    while (n - 1 > first && weights[i * stride + n - 1] === 0) n--;
    if (first > 0) weights.copyWithin(i * stride, i * stride + first, i * stride + n);
    start[i] = lo + first;
    count[i] = n - first;
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

/** Reusable scratch rows for `preprocess` (one grey row and the horizontally resampled image). */
let scratchRow = new Float32Array(0);
let scratchTmp = new Float32Array(0);
let scratchAcc = new Float64Array(0);

/**
 * A window of an image: `width x height` pixels from (`left`, `top`), which may reach past the
 * image's edges; pixels outside the image are white (255 in every channel, opaque), as if the
 * image had been cropped or padded with white to this window first.
 */
export interface Region {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Grey levels (alpha flattened onto white: the rule of `toGrey`) of the `w` pixels of image row
 * `y` from column `left` into `row`; pixels outside the image are white (255, also the grey
 * level of an opaque white pixel in every channel layout).
 */
function greyRow(image: RawImage, y: number, left: number, w: number, row: Float32Array): void {
  const { width, height, channels, data } = image;
  if (y < 0 || y >= height) {
    row.fill(255, 0, w);
    return;
  }
  // Columns [x0, x1) of the window lie inside the image.
  const x0 = Math.min(w, Math.max(0, -left));
  const x1 = Math.max(x0, Math.min(w, width - left));
  row.fill(255, 0, x0);
  row.fill(255, x1, w);
  if (channels === 1) {
    for (let x = x0, j = y * width + left + x0; x < x1; x++, j++) row[x] = data[j];
  } else if (channels === 3) {
    for (let x = x0, j = (y * width + left + x0) * 3; x < x1; x++, j += 3) row[x] = luma(data[j], data[j + 1], data[j + 2]);
  } else {
    for (let x = x0, j = (y * width + left + x0) * 4; x < x1; x++, j += 4) {
      const a = data[j + 3] / 255;
      row[x] = luma(data[j], data[j + 1], data[j + 2]) * a + 255 * (1 - a);
    }
  }
}

/**
 * The model input for one image: `height * width` floats, row-major (an NHWC tensor with C = 1).
 * Writes into `out` at `offset` when given (to fill a batch without copies).
 *
 * The same arithmetic as `resizeGrey(toGrey(image))` then scaling, fused row by row into
 * reusable buffers (no per-image allocation); `preprocessReference` is the unfused form.
 */
export function preprocess(image: RawImage, spec: PreprocessSpec, out?: Float32Array, offset = 0): Float32Array {
  return preprocessRegion(image, { left: 0, top: 0, width: image.width, height: image.height }, spec, out, offset);
}

/**
 * `preprocess` of a window of the image (a crop, or a white pad where the window reaches past
 * the edges) without making the cropped image: bit-identical to `preprocess(cropped)`. The
 * training stream's border jitter uses it; with the whole image as the window it is `preprocess`.
 */
export function preprocessRegion(image: RawImage, region: Region, spec: PreprocessSpec, out?: Float32Array, offset = 0): Float32Array {
  const { width: sw, height: sh, left, top } = region;
  const { width: dw, height: dh } = spec;
  const n = dw * dh;
  const target = out ?? new Float32Array(n);
  if (target.length < offset + n) throw new RangeError('preprocess: output buffer too small');
  if (scratchRow.length < sw) scratchRow = new Float32Array(sw);
  if (scratchTmp.length < dw * sh) scratchTmp = new Float32Array(dw * sh);
  const row = scratchRow;
  const tmp = scratchTmp;
  const tx = taps(sw, dw);
  const identityX = sw === dw;
  for (let y = 0; y < sh; y++) {
    greyRow(image, y + top, left, sw, row);
    const base = y * dw;
    if (identityX) {
      tmp.set(row.subarray(0, sw), base);
      continue;
    }
    for (let x = 0; x < dw; x++) {
      const w0 = x * tx.stride;
      const s0 = tx.start[x];
      const c = tx.count[x];
      let acc = 0;
      for (let k = 0; k < c; k++) acc += row[s0 + k] * tx.weights[w0 + k];
      tmp[base + x] = acc;
    }
  }
  const ty = taps(sh, dh);
  const identityY = sh === dh;
  const invert = spec.invert;
  if (scratchAcc.length < dw) scratchAcc = new Float64Array(dw);
  const acc = scratchAcc;
  for (let y = 0; y < dh; y++) {
    const o = offset + y * dw;
    if (identityY) {
      for (let x = 0; x < dw; x++) acc[x] = tmp[y * dw + x];
    } else {
      // Row by row, in the same order as resizeGrey's per-pixel sum (bit-identical results).
      acc.fill(0, 0, dw);
      const w0 = y * ty.stride;
      const s0 = ty.start[y];
      for (let k = 0; k < ty.count[y]; k++) {
        const w = ty.weights[w0 + k];
        const r = (s0 + k) * dw;
        for (let x = 0; x < dw; x++) acc[x] += tmp[r + x] * w;
      }
    }
    for (let x = 0; x < dw; x++) {
      const v = Math.fround(acc[x]) / 255;
      const cl = v < 0 ? 0 : v > 1 ? 1 : v;
      target[o + x] = invert ? 1 - cl : cl;
    }
  }
  return target;
}

/** The unfused definition of `preprocess` (kept as the reference its tests compare against). */
export function preprocessReference(image: RawImage, spec: PreprocessSpec): Float32Array {
  const grey = resizeGrey(toGrey(image), image.width, image.height, spec.width, spec.height);
  const n = spec.width * spec.height;
  const target = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = grey[i] / 255;
    const c = v < 0 ? 0 : v > 1 ? 1 : v;
    target[i] = spec.invert ? 1 - c : c;
  }
  return target;
}
