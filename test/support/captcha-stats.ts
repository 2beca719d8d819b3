import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RawImage } from '../../core/image.ts';

/**
 * Measurable properties of a set of CAPTCHA images, for comparing the generator with the
 * real library (../shared/captcha-reference). Each is a mean over images of a per-image value.
 */
export interface CaptchaStats {
  /** Background luma (per-channel median colour). */
  background: number;
  /** Standard deviation over images of the background luma (its range). */
  backgroundSpread: number;
  /** Fraction of pixels that differ from the background by more than 40 in some channel. */
  ink: number;
  /** Strongest contrast: 95th percentile of the per-pixel difference from the background. */
  contrast: number;
  /** Spread over images of that contrast (text colour range, faint colours included). */
  contrastSpread: number;
  /** Rows holding the middle 80 % of the ink (glyph height), as a fraction of the height. */
  inkHeight: number;
  /** Ink centroid row, as a fraction of the height. */
  inkCentreY: number;
  /** Columns holding the middle 90 % of the ink (text extent), as a fraction of the width. */
  inkWidth: number;
  /** Ink centroid column, as a fraction of the width. */
  inkCentreX: number;
  /** Ink fraction in the top and bottom 12 % of rows (noise dots, away from the text). */
  edgeInk: number;
  /** Image width over requested width (0.2 grows wider with wide text). */
  widthRatio: number;
  /** Mean ink fraction in 8 equal column bands. */
  columnProfile: number[];
}

export const STAT_KEYS = ['background', 'backgroundSpread', 'ink', 'contrast', 'contrastSpread', 'inkHeight', 'inkCentreY', 'inkWidth', 'inkCentreX', 'edgeInk', 'widthRatio'] as const;

function quantile(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1) + 0.5)))];
}

function span(profile: Float64Array, lo: number, hi: number): [number, number] {
  let total = 0;
  for (const v of profile) total += v;
  let acc = 0;
  let a = 0;
  let b = profile.length - 1;
  let foundA = false;
  for (let i = 0; i < profile.length; i++) {
    acc += profile[i];
    if (!foundA && acc >= lo * total) {
      a = i;
      foundA = true;
    }
    if (acc >= hi * total) {
      b = i;
      break;
    }
  }
  return [a, b];
}

/** Statistics of a list of RGB images; `requestedWidth` normalises the width ratio. */
export function captchaStats(images: readonly RawImage[], requestedWidth: number): CaptchaStats {
  const per: Record<string, number[]> = {};
  const push = (k: string, v: number) => (per[k] ??= []).push(v);
  const bands = new Float64Array(8);
  for (const im of images) {
    const { width: w, height: h, data } = im;
    const n = w * h;
    const bg = [0, 1, 2].map((c) => {
      const hist = new Uint32Array(256);
      for (let i = c; i < n * 3; i += 3) hist[data[i]]++;
      let acc = 0;
      for (let v = 0; v < 256; v++) if ((acc += hist[v]) * 2 >= n) return v;
      return 255;
    });
    const bgLuma = 0.299 * bg[0] + 0.587 * bg[1] + 0.114 * bg[2];
    const dist = new Float64Array(n);
    const rows = new Float64Array(h);
    const cols = new Float64Array(w);
    let ink = 0;
    for (let i = 0; i < n; i++) {
      const d = Math.max(Math.abs(data[i * 3] - bg[0]), Math.abs(data[i * 3 + 1] - bg[1]), Math.abs(data[i * 3 + 2] - bg[2]));
      dist[i] = d;
      if (d > 40) {
        ink++;
        rows[Math.floor(i / w)]++;
        cols[i % w]++;
      }
    }
    push('background', bgLuma);
    push('ink', ink / n);
    dist.sort();
    push('contrast', quantile(dist, 0.95));
    const [ry0, ry1] = span(rows, 0.1, 0.9);
    const [cx0, cx1] = span(cols, 0.05, 0.95);
    push('inkHeight', (ry1 - ry0 + 1) / h);
    push('inkWidth', (cx1 - cx0 + 1) / w);
    let sy = 0;
    let sx = 0;
    for (let y = 0; y < h; y++) sy += rows[y] * (y + 0.5);
    for (let x = 0; x < w; x++) sx += cols[x] * (x + 0.5);
    push('inkCentreY', ink ? sy / ink / h : 0.5);
    push('inkCentreX', ink ? sx / ink / w : 0.5);
    const edge = Math.round(h * 0.12);
    let edgeInk = 0;
    for (let y = 0; y < edge; y++) edgeInk += rows[y] + rows[h - 1 - y];
    push('edgeInk', edgeInk / (2 * edge * w));
    push('widthRatio', w / requestedWidth);
    for (let x = 0; x < w; x++) bands[Math.min(7, Math.floor((x * 8) / w))] += cols[x] / (h * (w / 8)) / images.length;
  }
  const mean = (k: string) => per[k].reduce((a, b) => a + b, 0) / per[k].length;
  const sd = (k: string) => {
    const m = mean(k);
    return Math.sqrt(per[k].reduce((a, b) => a + (b - m) ** 2, 0) / per[k].length);
  };
  return {
    background: mean('background'),
    backgroundSpread: sd('background'),
    ink: mean('ink'),
    contrast: mean('contrast'),
    contrastSpread: sd('contrast'),
    inkHeight: mean('inkHeight'),
    inkCentreY: mean('inkCentreY'),
    inkWidth: mean('inkWidth'),
    inkCentreX: mean('inkCentreX'),
    edgeInk: mean('edgeInk'),
    widthRatio: mean('widthRatio'),
    columnProfile: [...bands],
  };
}

export const REFERENCE_ROOT = '/work/shared/captcha-reference';

export interface ReferenceSet {
  readonly name: string;
  readonly style: '0.2' | '0.3' | '0.7';
  readonly width: number;
  readonly height: number;
  readonly minLength: number;
  readonly maxLength: number;
  readonly ext: 'png' | 'jpg';
}

export const REFERENCE_SETS: readonly ReferenceSet[] = [
  { name: 'v071-4', style: '0.7', width: 160, height: 60, minLength: 4, maxLength: 4, ext: 'png' },
  { name: 'v03-4', style: '0.3', width: 192, height: 64, minLength: 4, maxLength: 4, ext: 'png' },
  { name: 'v022-4-jpg', style: '0.2', width: 170, height: 80, minLength: 4, maxLength: 4, ext: 'jpg' },
  { name: 'v071-4to6', style: '0.7', width: 200, height: 70, minLength: 4, maxLength: 6, ext: 'png' },
];

/** Decodes any image file (or buffer) to RGB. */
export async function decodeRgb(input: string | Buffer): Promise<RawImage> {
  const { data, info } = await sharp(input).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** Reference images `from` .. `to - 1` of one set, with their labels. */
export async function loadReference(set: ReferenceSet, from: number, to: number): Promise<{ images: RawImage[]; labels: string[] }> {
  const dir = join(REFERENCE_ROOT, set.name);
  const labels = readFileSync(join(dir, 'labels.txt'), 'utf8').split('\n');
  const images: RawImage[] = [];
  for (let i = from; i < to; i++) images.push(await decodeRgb(join(dir, `${i}.${set.ext}`)));
  return { images, labels: labels.slice(from, to) };
}

/** Round-trips our image through JPEG at `quality`, as the 0.2 reference set was saved. */
export async function jpegRoundTrip(image: RawImage, quality: number): Promise<RawImage> {
  const buf = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
  return decodeRgb(buf);
}
