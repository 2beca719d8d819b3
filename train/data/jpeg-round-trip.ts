import type { RawImage } from '../../core/image.ts';
import { fdctIslow, idctIslow } from './jpeg-dct.ts';

let scratch = new Uint8Array(0);

/**
 * What saving an RGB image as a baseline JPEG (4:2:0, the standard quantisation tables scaled
 * to `quality`) and decoding it again does to its pixels, computed the way libjpeg does it
 * (sharp's mozjpeg/libvips with their defaults: the encoder's colour conversion, 2x2 box
 * downsampling with alternating bias and edge replication, islow DCT, rounding quantisation;
 * the decoder's islow IDCT, "fancy" triangle upsampling and colour conversion). The entropy
 * coding is lossless and left out, so the bytes on disk are never made; the pixels are the
 * same as sharp's round trip bit for bit (`jpeg-round-trip.test.ts` checks it over qualities
 * and sizes). About 0.5 ms of CPU for a 170x80 image here, against about 1 ms for sharp's two
 * calls (and no wait for its thread pool).
 */
export function jpegRoundTripPixels(image: RawImage, quality: number): RawImage {
  if (image.channels !== 3) throw new RangeError(`jpegRoundTripPixels: RGB images only (got ${image.channels} channels)`);
  const { width: w, height: h, data } = image;
  const { luma, chroma } = quantTables(Math.round(quality));
  // Planes padded to whole blocks: luma to 8, chroma (half size) to 8 (16 in full-size pixels).
  const lw = Math.ceil(w / 8) * 8;
  const lh = Math.ceil(h / 8) * 8;
  const cw = Math.ceil(w / 16) * 8;
  const ch = Math.ceil(h / 16) * 8;
  // Scratch planes, reused (a fresh ArrayBuffer per image costs more than the colour conversion).
  if (scratch.length < lw * lh + 2 * cw * ch) scratch = new Uint8Array(lw * lh + 2 * cw * ch);
  const y = scratch.subarray(0, lw * lh);
  const cb = scratch.subarray(lw * lh, lw * lh + cw * ch);
  const cr = scratch.subarray(lw * lh + cw * ch, lw * lh + 2 * cw * ch);
  encodePlanes(data, w, h, y, lw, lh, cb, cr, cw, ch);
  roundTripBlocks(y, lw, lh, luma);
  roundTripBlocks(cb, cw, ch, chroma);
  roundTripBlocks(cr, cw, ch, chroma);
  const out = new Uint8Array(w * h * 3);
  decodePlanes(y, lw, cb, cr, cw, out, w, h);
  return { width: w, height: h, channels: 3, data: out };
}

/**
 * Encoder side: colour conversion (jccolor.c's fixed-point arithmetic: 16 fraction bits, the
 * products of its tables written out), edges replicated (jcprepct.c, jcsample.c: an odd last
 * row repeated, each row padded with its last pixel), 2x2 downsampling with bias 1, 2, 1, 2, ...
 * along each row (h2v2_downsample), bottom rows repeated down to whole blocks.
 */
function encodePlanes(data: Uint8Array | Uint8ClampedArray, w: number, h: number, y: Uint8Array, lw: number, lh: number, cb: Uint8Array, cr: Uint8Array, cw: number, ch: number): void {
  const dh = (h + 1) >> 1;
  const last = (w - 1) * 3;
  for (let pr = 0; pr < dh; pr++) {
    const s0 = 2 * pr * w * 3;
    const s1 = (2 * pr + 1 < h ? 2 * pr + 1 : h - 1) * w * 3;
    const y0 = 2 * pr * lw;
    const y1 = y0 + lw;
    const o = pr * cw;
    for (let c = 0; c < cw; c++) {
      const x0 = 2 * c;
      const a = x0 * 3 < last ? x0 * 3 : last;
      const b = x0 * 3 + 3 < last ? x0 * 3 + 3 : last;
      let cbSum = c & 1 ? 2 : 1;
      let crSum = cbSum;
      for (let k = 0; k < 4; k++) {
        const i = (k & 2 ? s1 : s0) + (k & 1 ? b : a);
        const red = data[i];
        const green = data[i + 1];
        const blue = data[i + 2];
        const x = x0 + (k & 1);
        if (x < lw) y[(k & 2 ? y1 : y0) + x] = (19595 * red + 38470 * green + 7471 * blue + 32768) >> 16;
        cbSum += (-11059 * red - 21709 * green + 32768 * blue + 8421375) >> 16;
        crSum += (32768 * red - 27439 * green - 5329 * blue + 8421375) >> 16;
      }
      cb[o + c] = cbSum >> 2;
      cr[o + c] = crSum >> 2;
    }
  }
  for (let r = 2 * dh; r < lh; r++) y.copyWithin(r * lw, (2 * dh - 1) * lw, 2 * dh * lw);
  for (let r = dh; r < ch; r++) cb.copyWithin(r * cw, (dh - 1) * cw, dh * cw);
  for (let r = dh; r < ch; r++) cr.copyWithin(r * cw, (dh - 1) * cw, dh * cw);
}

/**
 * Decoder side: h2v2 "fancy" upsampling (jdsample.c: 3/4 of the nearer chroma row and 1/4 of
 * the farther one, the rows beyond the edges being the edge rows, then the same across;
 * planes at most 2 samples wide are replicated instead, as h2v2_upsample does) and colour
 * conversion (jdcolor.c's fixed-point arithmetic).
 */
function decodePlanes(y: Uint8Array, lw: number, cb: Uint8Array, cr: Uint8Array, cw: number, out: Uint8Array, w: number, h: number): void {
  const dh = (h + 1) >> 1;
  const dw = (w + 1) >> 1;
  for (let r = 0; r < h; r++) {
    const inRow = r >> 1;
    const near = inRow * cw;
    const far = (r & 1 ? (inRow + 1 < dh ? inRow + 1 : dh - 1) : inRow > 0 ? inRow - 1 : 0) * cw;
    const yRow = r * lw;
    const o = r * w * 3;
    let bCur = cb[near] * 3 + cb[far];
    let rCur = cr[near] * 3 + cr[far];
    let bLast = bCur;
    let rLast = rCur;
    for (let c = 0; c < dw; c++) {
      const more = c + 1 < dw;
      const bNext = more ? cb[near + c + 1] * 3 + cb[far + c + 1] : bCur;
      const rNext = more ? cr[near + c + 1] * 3 + cr[far + c + 1] : rCur;
      const x = 2 * c;
      if (dw <= 2) {
        put(out, o + x * 3, y[yRow + x], cb[near + c], cr[near + c]);
        if (x + 1 < w) put(out, o + x * 3 + 3, y[yRow + x + 1], cb[near + c], cr[near + c]);
      } else {
        put(out, o + x * 3, y[yRow + x], (bCur * 3 + bLast + 8) >> 4, (rCur * 3 + rLast + 8) >> 4);
        if (x + 1 < w) put(out, o + x * 3 + 3, y[yRow + x + 1], (bCur * 3 + bNext + 7) >> 4, (rCur * 3 + rNext + 7) >> 4);
      }
      bLast = bCur;
      rLast = rCur;
      bCur = bNext;
      rCur = rNext;
    }
  }
}

/** One YCbCr pixel as RGB (ycc_rgb_convert; its tables' entries written out, then clamped). */
function put(out: Uint8Array, o: number, yy: number, b: number, r: number): void {
  const red = yy + ((91881 * (r - 128) + 32768) >> 16);
  const green = yy + ((-22554 * (b - 128) - 46802 * (r - 128) + 32768) >> 16);
  const blue = yy + ((116130 * (b - 128) + 32768) >> 16);
  out[o] = red < 0 ? 0 : red > 255 ? 255 : red;
  out[o + 1] = green < 0 ? 0 : green > 255 ? 255 : green;
  out[o + 2] = blue < 0 ? 0 : blue > 255 ? 255 : blue;
}

const block = new Int32Array(64);

/**
 * Every 8x8 block of a plane: forward DCT, quantise (round half away from zero: libjpeg's
 * reciprocal multiplication gives the exact quotient; here the quotient is below 2^16 and
 * 1e-9 is far below 1/divisor, so truncating the product rounds the same), inverse DCT.
 */
function roundTripBlocks(plane: Uint8Array, pw: number, ph: number, table: QuantTable): void {
  const { quant, half, inverse } = table;
  for (let by = 0; by < ph; by += 8) {
    for (let bx = 0; bx < pw; bx += 8) {
      const o = by * pw + bx;
      for (let r = 0, k = 0; r < 8; r++) {
        const p = o + r * pw;
        for (let c = 0; c < 8; c++, k++) block[k] = plane[p + c] - 128;
      }
      fdctIslow(block);
      for (let k = 0; k < 64; k++) {
        const v = block[k];
        block[k] = v < 0 ? -(((half[k] - v) * inverse[k] + 1e-9) | 0) : (((v + half[k]) * inverse[k] + 1e-9) | 0);
      }
      idctIslow(block, quant, plane, o, pw);
    }
  }
}

// The standard (Annex K) tables in natural order, scaled as jpeg_set_quality does.
const STD_LUMA = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104,
  113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const STD_CHROMA = [17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99, ...new Array<number>(32).fill(99)];

/** A quantisation table (natural order) and, for the islow DCT's output scaled by 8, half and the inverse of each divisor. */
interface QuantTable {
  readonly quant: Int32Array;
  readonly half: Int32Array;
  readonly inverse: Float64Array;
}

const tableCache = new Map<number, { luma: QuantTable; chroma: QuantTable }>();

/** The quantisation tables of libjpeg's jpeg_set_quality(quality, force_baseline = TRUE). */
export function quantTables(quality: number): { luma: QuantTable; chroma: QuantTable } {
  let t = tableCache.get(quality);
  if (!t) {
    const q = Math.min(100, Math.max(1, quality));
    const scale = q < 50 ? Math.floor(5000 / q) : 200 - q * 2;
    const scaled = (base: number[]): QuantTable => {
      const quant = Int32Array.from(base, (b) => Math.min(255, Math.max(1, Math.floor((b * scale + 50) / 100))));
      return { quant, half: quant.map((v) => v * 4), inverse: Float64Array.from(quant, (v) => 1 / (v * 8)) };
    };
    t = { luma: scaled(STD_LUMA), chroma: scaled(STD_CHROMA) };
    tableCache.set(quality, t);
  }
  return t;
}
