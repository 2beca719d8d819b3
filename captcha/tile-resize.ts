/**
 * The resize + QUAD warp of a premultiplied 2-channel glyph tile (grey, alpha), with the
 * integer arithmetic of `resize` (resample.ts) and `quadNearestMask` (tile-transform.ts),
 * reorganised for speed: the width pass keeps each output column's 4 or 5 weights in locals,
 * the height pass is evaluated only where the warp samples, and only windows that can meet
 * ink are summed (a window of zeros gives HALF >> 22 = 0). Results are identical (tested).
 */
import { HALF, MAX, PRECISION_BITS, coefficients } from './resample.ts';
import { quadCoefficients } from './tile-transform.ts';

const clip = (v: number): number => (v >= MAX ? 255 : v <= 0 ? 0 : v >> PRECISION_BITS);

// Rows [colLo, colHi) of each source column that may hold ink (the rows whose ink span,
// first to last non-zero pixel, covers the column; colHi = 0: none).
let colLo = new Int32Array(0);
let colHi = new Int32Array(0);
// Rows [outLo, outHi) of each column of the width-resized tile that may be non-zero.
let outLo = new Int32Array(0);
let outHi = new Int32Array(0);

function scanSpans(src: Uint8Array, sw: number, sh: number): void {
  if (colLo.length < sw) {
    colLo = new Int32Array(sw * 2);
    colHi = new Int32Array(sw * 2);
  }
  colHi.fill(0, 0, sw);
  for (let y = 0; y < sh; y++) {
    const row = y * sw * 2;
    let x0 = 0;
    while (x0 < sw && (src[row + 2 * x0] | src[row + 2 * x0 + 1]) === 0) x0++;
    if (x0 === sw) continue;
    let x1 = sw - 1;
    while ((src[row + 2 * x1] | src[row + 2 * x1 + 1]) === 0) x1--;
    for (let x = x0; x <= x1; x++) {
      if (colHi[x] === 0) colLo[x] = y;
      colHi[x] = y + 1;
    }
  }
}

/** Horizontal pass sw -> dw (rows sh) into `out`, one output column at a time. */
function horizontal(src: Uint8Array, sw: number, sh: number, out: Uint8Array, dw: number): void {
  const { ksize, start, count, weights } = coefficients(sw, dw);
  const ss = sw * 2;
  const os = dw * 2;
  out.fill(0, 0, dw * sh * 2);
  for (let xx = 0; xx < dw; xx++) {
    const st = start[xx];
    const n = count[xx];
    // Rows that can hold ink under this window.
    let ya = sh;
    let yb = 0;
    for (let x = st; x < st + n; x++) {
      if (colHi[x] === 0) continue;
      if (colLo[x] < ya) ya = colLo[x];
      if (colHi[x] > yb) yb = colHi[x];
    }
    outLo[xx] = ya;
    outHi[xx] = yb;
    const kb = xx * ksize;
    let s = ya * ss + st * 2;
    let o = ya * os + xx * 2;
    if (n === 4) {
      const k0 = weights[kb], k1 = weights[kb + 1], k2 = weights[kb + 2], k3 = weights[kb + 3];
      for (let y = ya; y < yb; y++, s += ss, o += os) {
        out[o] = clip(HALF + src[s] * k0 + src[s + 2] * k1 + src[s + 4] * k2 + src[s + 6] * k3);
        out[o + 1] = clip(HALF + src[s + 1] * k0 + src[s + 3] * k1 + src[s + 5] * k2 + src[s + 7] * k3);
      }
    } else if (n === 5) {
      const k0 = weights[kb], k1 = weights[kb + 1], k2 = weights[kb + 2], k3 = weights[kb + 3], k4 = weights[kb + 4];
      for (let y = ya; y < yb; y++, s += ss, o += os) {
        out[o] = clip(HALF + src[s] * k0 + src[s + 2] * k1 + src[s + 4] * k2 + src[s + 6] * k3 + src[s + 8] * k4);
        out[o + 1] = clip(HALF + src[s + 1] * k0 + src[s + 3] * k1 + src[s + 5] * k2 + src[s + 7] * k3 + src[s + 9] * k4);
      }
    } else {
      for (let y = ya; y < yb; y++, s += ss, o += os) {
        let s0 = HALF;
        let s1 = HALF;
        for (let i = 0, t = s; i < n; i++, t += 2) {
          s0 += src[t] * weights[kb + i];
          s1 += src[t + 1] * weights[kb + i];
        }
        out[o] = clip(s0);
        out[o + 1] = clip(s1);
      }
    }
  }
}

/**
 * `resize(src, sw, sh, 2, dw, dh)` then `quadNearestMask(resized, dw, dh, corners, lut, mask, w, h)`
 * (tile-transform.ts), fused: the QUAD transform samples at most w x h of the dw x dh resized
 * pixels, so the height pass is worked out only at those (and not at all where its window
 * holds no ink). `tmp` must hold dw * sh * 2 bytes. The result equals the unfused steps.
 */
export function resizeQuadMask(
  src: Uint8Array,
  sw: number,
  sh: number,
  dw: number,
  dh: number,
  tmp: Uint8Array,
  corners: readonly number[],
  lut: Uint8Array,
  mask: Uint8Array,
  w: number,
  h: number,
): void {
  scanSpans(src, sw, sh);
  if (outLo.length < dw) {
    outLo = new Int32Array(dw * 2);
    outHi = new Int32Array(dw * 2);
  }
  let cur = src;
  if (sw !== dw) {
    horizontal(src, sw, sh, tmp, dw);
    cur = tmp;
  } else {
    outLo.set(colLo.subarray(0, sw));
    outHi.set(colHi.subarray(0, sw));
  }
  const { ksize, start, count, weights } = coefficients(sh, dh);
  const stride = dw * 2;
  const scaled = sh !== dh;
  const empty = lut[0];
  const [a0, a1, a2, a3, a4, a5, a6, a7] = quadCoefficients(corners, w, h);
  // The height window of resized row `row` (kept while the warp samples the same row).
  let row = -1;
  let st = 0;
  let n = 0;
  let kb = 0;
  let k0 = 0;
  let k1 = 0;
  let k2 = 0;
  let k3 = 0;
  for (let y = 0; y < h; y++) {
    const yc = y + 0.5;
    const bx = a0 + a2 * yc;
    const kx = a1 + a3 * yc;
    const by = a4 + a6 * yc;
    const ky = a5 + a7 * yc;
    let o = y * w;
    for (let x = 0; x < w; x++, o++) {
      const xc = x + 0.5;
      const xin = bx + kx * xc;
      const yin = by + ky * xc;
      if (xin < 0 || yin < 0) {
        mask[o] = 0;
        continue;
      }
      const ix = Math.trunc(xin);
      const iy = Math.trunc(yin);
      if (ix >= dw || iy >= dh) {
        mask[o] = 0;
        continue;
      }
      if (!scaled) {
        const s = iy * stride + ix * 2;
        mask[o] = lut[(cur[s + 1] << 8) | cur[s]];
        continue;
      }
      if (iy !== row) {
        row = iy;
        st = start[iy];
        n = count[iy];
        kb = iy * ksize;
        if (n === 4) {
          k0 = weights[kb];
          k1 = weights[kb + 1];
          k2 = weights[kb + 2];
          k3 = weights[kb + 3];
        }
      }
      if (st >= outHi[ix] || st + n <= outLo[ix]) {
        mask[o] = empty;
        continue;
      }
      const s = st * stride + ix * 2;
      if (n === 4) {
        const s1 = s + stride;
        const s2 = s1 + stride;
        const s3 = s2 + stride;
        const p = clip(HALF + cur[s] * k0 + cur[s1] * k1 + cur[s2] * k2 + cur[s3] * k3);
        const a = clip(HALF + cur[s + 1] * k0 + cur[s1 + 1] * k1 + cur[s2 + 1] * k2 + cur[s3 + 1] * k3);
        mask[o] = lut[(a << 8) | p];
        continue;
      }
      let p = HALF;
      let a = HALF;
      for (let t = 0, q = s; t < n; t++, q += stride) {
        p += cur[q] * weights[kb + t];
        a += cur[q + 1] * weights[kb + t];
      }
      mask[o] = lut[(clip(a) << 8) | clip(p)];
    }
  }
}
