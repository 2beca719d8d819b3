/**
 * Pillow's convolution resize (Resample.c) with its default filter for `Image.resize` since
 * Pillow 7: bicubic, a = -0.5, support 2, widened by the scale when shrinking (antialiasing),
 * 8-bit coefficients with 22 fractional bits, horizontal pass first, each pass rounded and
 * clipped to 0..255. Works on interleaved 8-bit channels.
 */
export const PRECISION_BITS = 32 - 8 - 2;
export const HALF = 1 << (PRECISION_BITS - 1);
export const MAX = 255 << PRECISION_BITS;

/** Per output pixel: the first input index, the tap count and `ksize` fixed-point weights. */
export interface Coefficients {
  readonly ksize: number;
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly weights: Int32Array;
}

export function bicubic(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

const cache = new Map<number, Coefficients>();

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for inSize -> outSize (cached). */
export function coefficients(inSize: number, outSize: number): Coefficients {
  const key = inSize * 65536 + outSize;
  const hit = cache.get(key);
  if (hit) return hit;
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = 2 * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = bicubic((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? k[x] / ww : k[x];
      weights[xx * ksize + x] = v < 0 ? Math.trunc(-0.5 + v * (1 << PRECISION_BITS)) : Math.trunc(0.5 + v * (1 << PRECISION_BITS));
    }
    start[xx] = xmin;
    count[xx] = xmax;
  }
  const c = { ksize, start, count, weights };
  if (cache.size > 8192) cache.clear();
  cache.set(key, c);
  return c;
}

function clip8(v: number): number {
  return v >= MAX ? 255 : v <= 0 ? 0 : v >> PRECISION_BITS;
}

/** Resizes the width of `src` (sw x h, `channels` interleaved) to dw, into `dst`. */
export function resampleHorizontal(src: Uint8Array, sw: number, h: number, channels: number, dst: Uint8Array, dw: number): void {
  const { ksize, start, count, weights } = coefficients(sw, dw);
  if (channels === 2) return horizontal2(src, sw, h, dst, dw, ksize, start, count, weights);
  if (channels === 3) return horizontal3(src, sw, h, dst, dw, ksize, start, count, weights);
  for (let y = 0; y < h; y++) {
    const row = y * sw * channels;
    const orow = y * dw * channels;
    for (let xx = 0; xx < dw; xx++) {
      const n = count[xx];
      const kb = xx * ksize;
      const s0 = row + start[xx] * channels;
      for (let c = 0; c < channels; c++) {
        let ss = HALF;
        for (let x = 0, s = s0 + c; x < n; x++, s += channels) ss += src[s] * weights[kb + x];
        dst[orow + xx * channels + c] = clip8(ss);
      }
    }
  }
}

function horizontal2(src: Uint8Array, sw: number, h: number, dst: Uint8Array, dw: number, ksize: number, start: Int32Array, count: Int32Array, weights: Int32Array): void {
  for (let y = 0, o = 0; y < h; y++) {
    const row = y * sw * 2;
    for (let xx = 0; xx < dw; xx++, o += 2) {
      const n = count[xx];
      let kb = xx * ksize;
      let s = row + start[xx] * 2;
      let s0 = HALF;
      let s1 = HALF;
      for (let x = 0; x < n; x++, s += 2, kb++) {
        const k = weights[kb];
        s0 += src[s] * k;
        s1 += src[s + 1] * k;
      }
      dst[o] = clip8(s0);
      dst[o + 1] = clip8(s1);
    }
  }
}

function horizontal3(src: Uint8Array, sw: number, h: number, dst: Uint8Array, dw: number, ksize: number, start: Int32Array, count: Int32Array, weights: Int32Array): void {
  for (let y = 0, o = 0; y < h; y++) {
    const row = y * sw * 3;
    for (let xx = 0; xx < dw; xx++, o += 3) {
      const n = count[xx];
      let kb = xx * ksize;
      let s = row + start[xx] * 3;
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      for (let x = 0; x < n; x++, s += 3, kb++) {
        const k = weights[kb];
        s0 += src[s] * k;
        s1 += src[s + 1] * k;
        s2 += src[s + 2] * k;
      }
      dst[o] = clip8(s0);
      dst[o + 1] = clip8(s1);
      dst[o + 2] = clip8(s2);
    }
  }
}

let acc = new Int32Array(0);

/** Resizes the height of `src` (w x sh) to dh, into `dst`. */
export function resampleVertical(src: Uint8Array, w: number, sh: number, channels: number, dst: Uint8Array, dh: number): void {
  const { ksize, start, count, weights } = coefficients(sh, dh);
  const stride = w * channels;
  if (acc.length < stride) acc = new Int32Array(stride * 2);
  const a = acc;
  for (let yy = 0; yy < dh; yy++) {
    const n = count[yy];
    const kb = yy * ksize;
    // Row by row (contiguous memory); the sums stay below 2^31 for 8-bit data.
    a.fill(HALF, 0, stride);
    for (let y = 0; y < n; y++) {
      const k = weights[kb + y];
      for (let i = 0, s = (start[yy] + y) * stride; i < stride; i++, s++) a[i] += src[s] * k;
    }
    for (let i = 0, o = yy * stride; i < stride; i++, o++) {
      const v = a[i];
      dst[o] = v >= MAX ? 255 : v <= 0 ? 0 : v >> PRECISION_BITS;
    }
  }
}

/**
 * `Image.resize((dw, dh))`: horizontal pass (if the width changes) then vertical (if the height
 * does). `tmp` must hold dw * sh * channels bytes. Returns the buffer holding the result.
 */
export function resize(
  src: Uint8Array,
  sw: number,
  sh: number,
  channels: number,
  dw: number,
  dh: number,
  tmp: Uint8Array,
  dst: Uint8Array,
): Uint8Array {
  if (sw === dw && sh === dh) return src;
  if (sw === dw) {
    resampleVertical(src, sw, sh, channels, dst, dh);
    return dst;
  }
  if (sh === dh) {
    resampleHorizontal(src, sw, sh, channels, dst, dw);
    return dst;
  }
  resampleHorizontal(src, sw, sh, channels, tmp, dw);
  resampleVertical(tmp, dw, sh, channels, dst, dh);
  return dst;
}

let nextInk = new Int32Array(0);

/**
 * The width pass of `resize` for an RGB canvas (sw x h) that is mostly the background colour
 * `bg`, into `dst` (dw x h): a window holding only background pixels sums to
 * HALF + bg * (sum of its weights), worked out once per output column; only windows that
 * meet other pixels are summed tap by tap. Identical to `resize(src, sw, h, 3, dw, h, ...)`.
 */
export function resizeWidthOverBackground(src: Uint8Array, sw: number, h: number, bg: readonly number[], dst: Uint8Array, dw: number): void {
  const { ksize, start, count, weights } = coefficients(sw, dw);
  const [b0, b1, b2] = bg;
  // Background test 4 pixels (12 bytes, three aligned words) at a time over the whole canvas:
  // next[g] = the first group >= g of pixels 4g..4g+3 that holds a non-background pixel.
  if (src.byteOffset % 4 !== 0) src = src.slice(0, sw * h * 3);
  const groups = (sw * h) >> 2;
  if (nextInk.length < groups + 2) nextInk = new Int32Array(groups * 2 + 2);
  const next = nextInk;
  const words = new Uint32Array(src.buffer, src.byteOffset, groups * 3);
  const [p0, p1, p2] = new Uint32Array(new Uint8Array([b0, b1, b2, b0, b1, b2, b0, b1, b2, b0, b1, b2]).buffer);
  next[groups + 1] = groups + 1;
  next[groups] = groups; // a partial last group counts as ink
  for (let g = groups - 1, q = g * 3; g >= 0; g--, q -= 3) next[g] = words[q] !== p0 || words[q + 1] !== p1 || words[q + 2] !== p2 ? g : next[g + 1];
  const ds = dw * 3;
  for (let xx = 0; xx < dw; xx++) {
    const st = start[xx];
    const n = count[xx];
    const kb = xx * ksize;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += weights[kb + i];
    const f0 = clip8(HALF + b0 * sum);
    const f1 = clip8(HALF + b1 * sum);
    const f2 = clip8(HALF + b2 * sum);
    // Up to 6 taps, padded with zero weights while the row has the pixels (adding 0 changes nothing).
    const six = n <= 6 && st + 6 <= sw;
    const k0 = weights[kb];
    const k1 = n > 1 ? weights[kb + 1] : 0;
    const k2 = n > 2 ? weights[kb + 2] : 0;
    const k3 = n > 3 ? weights[kb + 3] : 0;
    const k4 = n > 4 ? weights[kb + 4] : 0;
    const k5 = n > 5 ? weights[kb + 5] : 0;
    for (let y = 0, k = st, o = xx * 3; y < h; y++, k += sw, o += ds) {
      // Pixels k .. k + n - 1 (row y, columns st ..) are background if no ink group starts before k + n.
      if (next[k >> 2] * 4 >= k + n) {
        dst[o] = f0;
        dst[o + 1] = f1;
        dst[o + 2] = f2;
        continue;
      }
      if (six) {
        const s = k * 3;
        dst[o] = clip8(HALF + src[s] * k0 + src[s + 3] * k1 + src[s + 6] * k2 + src[s + 9] * k3 + src[s + 12] * k4 + src[s + 15] * k5);
        dst[o + 1] = clip8(HALF + src[s + 1] * k0 + src[s + 4] * k1 + src[s + 7] * k2 + src[s + 10] * k3 + src[s + 13] * k4 + src[s + 16] * k5);
        dst[o + 2] = clip8(HALF + src[s + 2] * k0 + src[s + 5] * k1 + src[s + 8] * k2 + src[s + 11] * k3 + src[s + 14] * k4 + src[s + 17] * k5);
        continue;
      }
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      for (let i = 0, s = k * 3; i < n; i++, s += 3) {
        const w = weights[kb + i];
        s0 += src[s] * w;
        s1 += src[s + 1] * w;
        s2 += src[s + 2] * w;
      }
      dst[o] = clip8(s0);
      dst[o + 1] = clip8(s1);
      dst[o + 2] = clip8(s2);
    }
  }
}
