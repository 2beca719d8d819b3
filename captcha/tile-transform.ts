/**
 * The geometric steps of a character tile, as Pillow 9.4 does them. A tile is held as two
 * interleaved 8-bit channels per pixel: premultiplied grey `p` and alpha `a` (Pillow converts
 * RGBA to premultiplied RGBa around every resampling transform; the text colour is uniform,
 * so one grey channel carries what the final mask needs).
 */

/** Pillow's MULDIV255: round(a * b / 255) in integers. */
export function mulDiv255(a: number, b: number): number {
  const t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}

/** RGBa -> RGBA (Convert.c rgba2rgbA): truncating division, alpha 0 and 255 copied. */
export function unpremultiply(p: number, a: number): number {
  if (a === 0 || a === 255) return p;
  const v = Math.floor((255 * p) / a);
  return v > 255 ? 255 : v;
}

/** LUT over (a << 8 | p): unpremultiply then premultiply again (RGBa -> RGBA -> RGBa). */
export const REPREMULTIPLY = /* @__PURE__ */ (() => {
  const t = new Uint8Array(65536);
  for (let a = 0; a < 256; a++) for (let p = 0; p < 256; p++) t[(a << 8) | p] = mulDiv255(unpremultiply(p, a), a);
  return t;
})();

/**
 * LUT over (a << 8 | p): the paste mask the library makes, `convert('L')` of the tile (which
 * ignores alpha) through `point([int(i * 1.97) ...])`, clipped to 255.
 */
export const MASK_OF_PREMULTIPLIED = /* @__PURE__ */ (() => {
  const t = new Uint8Array(65536);
  for (let a = 0; a < 256; a++) for (let p = 0; p < 256; p++) t[(a << 8) | p] = Math.min(255, Math.trunc(unpremultiply(p, a) * 1.97));
  return t;
})();

export interface Size {
  width: number;
  height: number;
}

function round15(v: number): number {
  return Math.round(v * 1e15) / 1e15;
}

/** The affine matrix and output size of `Image.rotate(angle, expand=True)`. */
export function rotationMatrix(angleDeg: number, w: number, h: number): { matrix: number[]; width: number; height: number } {
  const angle = -(((angleDeg % 360) + 360) % 360) * (Math.PI / 180);
  // Pillow rounds the matrix to 15 decimals (so that 90 degrees is exact).
  const cos = round15(Math.cos(angle));
  const sin = round15(Math.sin(angle));
  const m = [cos, sin, 0, -sin, cos, 0];
  const cx = w / 2;
  const cy = h / 2;
  const tr = (x: number, y: number): [number, number] => [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
  [m[2], m[5]] = tr(-cx, -cy);
  m[2] += cx;
  m[5] += cy;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [x, y] of [
    [0, 0],
    [w, 0],
    [w, h],
    [0, h],
  ]) {
    const [tx, ty] = tr(x, y);
    xs.push(tx);
    ys.push(ty);
  }
  const nw = Math.ceil(Math.max(...xs)) - Math.floor(Math.min(...xs));
  const nh = Math.ceil(Math.max(...ys)) - Math.floor(Math.min(...ys));
  [m[2], m[5]] = tr(-(nw - w) / 2, -(nh - h) / 2);
  return { matrix: m, width: nw, height: nh };
}

/**
 * `Image.transform(size, AFFINE, matrix, BILINEAR)` on a 2-channel tile (Geometry.c: the
 * output pixel centre maps into the input, points outside are transparent, neighbours are
 * clamped at the edges, the result truncated). `dst` must hold dw * dh * 2 bytes. With
 * `repremultiply`, the grey channel then goes through REPREMULTIPLY (as `mapPremultiplied`).
 */
export function affineBilinear(
  src: Uint8Array,
  sw: number,
  sh: number,
  m: readonly number[],
  dst: Uint8Array,
  dw: number,
  dh: number,
  repremultiply = false,
): void {
  const [a0, a1, a2, a3, a4, a5] = m;
  dst.fill(0, 0, dw * dh * 2);
  const maxX = sw - 1;
  const rowStride = sw * 2;
  for (let y = 0; y < dh; y++) {
    const yc = y + 0.5;
    let xin = a0 * 0.5 + a1 * yc + a2;
    let yin = a3 * 0.5 + a4 * yc + a5;
    let o = y * dw * 2;
    for (let x = 0; x < dw; x++, xin += a0, yin += a3, o += 2) {
      if (xin < 0 || xin >= sw || yin < 0 || yin >= sh) continue;
      const xf = xin - 0.5;
      const yf = yin - 0.5;
      const ix = Math.floor(xf);
      const iy = Math.floor(yf);
      const dx = xf - ix;
      const dy = yf - iy;
      const x0 = (ix < 0 ? 0 : ix) * 2;
      const x1 = (ix + 1 > maxX ? maxX : ix + 1) * 2;
      const r0 = (iy < 0 ? 0 : iy) * rowStride;
      const r1 = iy + 1 < sh ? (iy + 1) * rowStride : r0;
      const q00 = r0 + x0;
      const q01 = r0 + x1;
      const q10 = r1 + x0;
      const q11 = r1 + x1;
      // Transparent neighbourhood (p <= a in a drawn tile): the output stays 0.
      if ((src[q00 + 1] | src[q01 + 1] | src[q10 + 1] | src[q11 + 1]) === 0) continue;
      // Each value lies in [0, 255] (a convex mix of bytes), so `| 0` truncates as the byte store does.
      let t0 = src[q00];
      let t1 = src[q10];
      let v1 = t0 + (src[q01] - t0) * dx;
      let v2 = t1 + (src[q11] - t1) * dx;
      const p = (v1 + (v2 - v1) * dy) | 0;
      t0 = src[q00 + 1];
      t1 = src[q10 + 1];
      v1 = t0 + (src[q01 + 1] - t0) * dx;
      v2 = t1 + (src[q11 + 1] - t1) * dx;
      const a = (v1 + (v2 - v1) * dy) | 0;
      dst[o] = repremultiply ? REPREMULTIPLY[(a << 8) | p] : p;
      dst[o + 1] = a;
    }
  }
}

/** Applies a (a << 8 | p) lookup table to every pixel of a 2-channel tile, in place. */
export function mapPremultiplied(buf: Uint8Array, pixels: number, lut: Uint8Array): void {
  for (let i = 0, j = 0; i < pixels; i++, j += 2) buf[j] = lut[(buf[j + 1] << 8) | buf[j]];
}

/**
 * Pillow's QUAD data -> the 8 coefficients of its bilinear map from output (x + .5, y + .5)
 * to the input. `corners` = NW, SW, SE, NE input points of the w x h output.
 */
export function quadCoefficients(corners: readonly number[], w: number, h: number): number[] {
  const [x0, y0, swx, swy, sex, sey, nex, ney] = corners;
  const as = 1 / w;
  const at = 1 / h;
  return [
    x0,
    (nex - x0) * as,
    (swx - x0) * at,
    (sex - swx - nex + x0) * as * at,
    y0,
    (ney - y0) * as,
    (swy - y0) * at,
    (sey - swy - ney + y0) * as * at,
  ];
}

/**
 * `Image.transform((w, h), QUAD, corners)` with nearest sampling (the default), fused with the
 * paste mask: each output pixel gets `lut[a << 8 | p]` of the source pixel it lands on, 0 outside.
 */
export function quadNearestMask(
  src: Uint8Array,
  sw: number,
  sh: number,
  corners: readonly number[],
  lut: Uint8Array,
  dst: Uint8Array,
  w: number,
  h: number,
): void {
  const [a0, a1, a2, a3, a4, a5, a6, a7] = quadCoefficients(corners, w, h);
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
        dst[o] = 0;
        continue;
      }
      const ix = Math.trunc(xin);
      const iy = Math.trunc(yin);
      if (ix >= sw || iy >= sh) {
        dst[o] = 0;
        continue;
      }
      const s = (iy * sw + ix) * 2;
      dst[o] = lut[(src[s + 1] << 8) | src[s]];
    }
  }
}
