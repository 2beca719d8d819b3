/** A decoded image: rows top to bottom, pixels interleaved (grey, RGB or RGBA), 8 bits a channel. */
export interface RawImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** Grey+alpha samples (2 a pixel) as RGBA: RawImage has no two-channel form. */
export function greyAlphaToRgba(data: Uint8Array, width: number, height: number): RawImage {
  const n = width * height;
  const rgba = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = data[i * 2];
    rgba[i * 4 + 3] = data[i * 2 + 1];
  }
  return { width, height, channels: 4, data: rgba };
}

/** Luma of an RGB triple, ITU-R 601-2 (the weights Pillow's convert('L') uses). */
export function luma(r: number, g: number, b: number): number {
  return (r * 299 + g * 587 + b * 114) / 1000;
}

/**
 * Grey levels (0..255, float) of an image, alpha flattened onto white.
 * One copy of this rule, used by training and every predictor.
 */
export function toGrey(image: RawImage): Float32Array {
  const { width, height, channels, data } = image;
  const n = width * height;
  const out = new Float32Array(n);
  if (channels === 1) {
    for (let i = 0; i < n; i++) out[i] = data[i];
  } else if (channels === 3) {
    for (let i = 0, j = 0; i < n; i++, j += 3) out[i] = luma(data[j], data[j + 1], data[j + 2]);
  } else {
    for (let i = 0, j = 0; i < n; i++, j += 4) {
      const a = data[j + 3] / 255;
      out[i] = luma(data[j], data[j + 1], data[j + 2]) * a + 255 * (1 - a);
    }
  }
  return out;
}
