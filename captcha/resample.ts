/**
 * Pillow's convolution resize (Resample.c) with its default filter for `Image.resize` since
 * Pillow 7: bicubic, a = -0.5, support 2, widened by the scale when shrinking (antialiasing),
 * 8-bit coefficients with 22 fractional bits, horizontal pass first, each pass rounded and
 * clipped to 0..255. Works on interleaved 8-bit channels.
 */
const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);
const MAX = 255 << PRECISION_BITS;

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

let rowPrefix = new Int32Array(0);
let colPrefix = new Int32Array(0);

/**
 * `resize` specialised for a premultiplied 2-channel tile (grey, alpha): the same arithmetic,
 * but output pixels whose whole input window is zero (both channels) are set to 0 without
 * summing (HALF >> 22 rounds to 0). Most of a rotated
 * glyph tile is transparent, so this skips much of the work; results are identical.
 */
export function resizeTile(src: Uint8Array, sw: number, sh: number, dw: number, dh: number, tmp: Uint8Array, dst: Uint8Array): Uint8Array {
  if (sw === dw && sh === dh) return src;
  let cur = src;
  let cw = sw;
  if (sw !== dw) {
    const out = sh === dh ? dst : tmp;
    const { ksize, start, count, weights } = coefficients(sw, dw);
    const pw = sw + 1;
    if (rowPrefix.length < pw * sh) rowPrefix = new Int32Array(pw * sh * 2);
    const pre = rowPrefix;
    for (let y = 0; y < sh; y++) {
      let acc = 0;
      const b = y * pw;
      pre[b] = 0;
      for (let x = 0, s = y * sw * 2; x < sw; x++, s += 2) pre[b + x + 1] = acc += src[s] + src[s + 1];
    }
    for (let y = 0, o = 0; y < sh; y++) {
      const row = y * sw * 2;
      const b = y * pw;
      for (let xx = 0; xx < dw; xx++, o += 2) {
        const n = count[xx];
        const st = start[xx];
        if (pre[b + st + n] === pre[b + st]) {
          out[o] = 0;
          out[o + 1] = 0;
          continue;
        }
        let kb = xx * ksize;
        let s = row + st * 2;
        let s0 = HALF;
        let s1 = HALF;
        for (let x = 0; x < n; x++, s += 2, kb++) {
          const k = weights[kb];
          s0 += src[s] * k;
          s1 += src[s + 1] * k;
        }
        out[o] = clip8(s0);
        out[o + 1] = clip8(s1);
      }
    }
    cur = out;
    cw = dw;
  }
  if (sh === dh) return cur;
  const { ksize, start, count, weights } = coefficients(sh, dh);
  const stride = cw * 2;
  if (colPrefix.length < (sh + 1) * cw) colPrefix = new Int32Array((sh + 1) * cw * 2);
  const pre = colPrefix;
  for (let x = 0; x < cw; x++) pre[x] = 0;
  for (let y = 0; y < sh; y++) {
    const b = y * cw;
    for (let x = 0, s = y * stride; x < cw; x++, s += 2) pre[b + cw + x] = pre[b + x] + cur[s] + cur[s + 1];
  }
  for (let yy = 0; yy < dh; yy++) {
    const n = count[yy];
    const st = start[yy];
    const kb = yy * ksize;
    const lo = st * cw;
    const hi = (st + n) * cw;
    for (let x = 0, o = yy * stride; x < cw; x++, o += 2) {
      if (pre[hi + x] === pre[lo + x]) {
        dst[o] = 0;
        dst[o + 1] = 0;
        continue;
      }
      let s0 = HALF;
      let s1 = HALF;
      for (let y = 0, s = st * stride + x * 2; y < n; y++, s += stride) {
        const k = weights[kb + y];
        s0 += cur[s] * k;
        s1 += cur[s + 1] * k;
      }
      dst[o] = clip8(s0);
      dst[o + 1] = clip8(s1);
    }
  }
  return dst;
}
