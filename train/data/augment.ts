import type { RawImage } from '../../core/image.ts';
import type { Region } from '../../core/preprocess.ts';
import type { Rng } from '../../core/rng.ts';

/** Options of the cheap geometric / photometric augmentation. */
export interface AugmentOptions {
  /** Largest crop or pad per side, as a fraction of the size (0 disables). */
  readonly border: number;
  /** Probability of applying the photometric jitter (contrast, brightness, noise). */
  readonly photometric: number;
}

export const DEFAULT_AUGMENT: AugmentOptions = { border: 0.04, photometric: 0.5 };
export const NO_AUGMENT: AugmentOptions = { border: 0, photometric: 0 };

/**
 * The window of a random crop or white padding of each side (the text moves and scales a
 * little after the stretch to the model's input): up to `border` of the size per side. The
 * whole image when border is 0 (no draws then) or when the window would be under 8 pixels.
 */
export function borderRegion(width: number, height: number, rng: Rng, border: number): Region {
  const whole = { left: 0, top: 0, width, height };
  if (border <= 0) return whole;
  const side = (n: number) => Math.round(rng.uniform(-border, border) * n);
  const left = side(width);
  const right = side(width);
  const top = side(height);
  const bottom = side(height);
  const w = width - left - right;
  const h = height - top - bottom;
  return w < 8 || h < 8 ? whole : { left, top, width: w, height: h };
}

/**
 * The cropped/padded image of `borderRegion` (the stream fuses the crop into
 * `preprocessRegion` instead; this is the unfused form its test compares against). Returns the
 * image unchanged when the window is the whole image.
 */
export function jitterBorders(image: RawImage, rng: Rng, border: number): RawImage {
  const { width, height, channels } = image;
  const { left, top, width: w, height: h } = borderRegion(width, height, rng, border);
  if (left === 0 && top === 0 && w === width && h === height) return image;
  const out = new Uint8Array(w * h * channels).fill(255);
  for (let y = 0; y < h; y++) {
    const sy = y + top;
    if (sy < 0 || sy >= height) continue;
    for (let x = 0; x < w; x++) {
      const sx = x + left;
      if (sx < 0 || sx >= width) continue;
      const si = (sy * width + sx) * channels;
      const di = (y * w + x) * channels;
      for (let c = 0; c < channels; c++) out[di + c] = image.data[si + c];
    }
  }
  return { width: w, height: h, channels, data: out };
}

let uniforms = new Float64Array(0);

/** Contrast/brightness jitter and a little Gaussian-ish noise on a preprocessed input in [0, 1]. */
export function photometricJitter(input: Float32Array, offset: number, n: number, rng: Rng, probability: number): void {
  if (probability <= 0 || rng.next() >= probability) return;
  const contrast = rng.uniform(0.7, 1.2);
  const brightness = rng.uniform(-0.08, 0.08);
  const noise = rng.uniform(0, 0.06);
  // Three uniforms per pixel, drawn in one go: the numbers of three next() calls per pixel.
  if (uniforms.length < 3 * n) uniforms = new Float64Array(3 * n);
  const u = uniforms;
  rng.fill(u, 3 * n);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const g = (u[j] + u[j + 1] + u[j + 2] - 1.5) * noise * 2;
    const v = input[offset + i] * contrast + brightness + g;
    input[offset + i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
}
