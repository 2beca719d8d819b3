import { encodeText } from '../../core/charset.ts';
import { preprocessRegion, type PreprocessSpec } from '../../core/preprocess.ts';
import { createRng } from '../../core/rng.ts';
import { borderRegion, photometricJitter, type AugmentOptions } from './augment.ts';
import type { SampleSource } from './sample-source.ts';

/** A training or validation batch, ready to become tensors (transferable buffers). */
export interface Batch {
  readonly step: number;
  readonly size: number;
  /** `size * height * width` model inputs (NHWC, C = 1), made by core/preprocess.ts. */
  readonly images: Float32Array;
  /** `size * maxLength` class indices, -1 after each text's end. */
  readonly labels: Int32Array;
  readonly lengths: Int32Array;
  readonly maxLength: number;
}

export interface BatchPlan {
  readonly batchSize: number;
  readonly input: PreprocessSpec;
  readonly charset: string;
  readonly maxLength: number;
  readonly augment: AugmentOptions;
  readonly seed: number;
}

/** Which sample indices make batch `step`: consecutive for an endless source, a seeded shuffle per epoch for a list. */
export function batchIndices(step: number, batchSize: number, sourceSize: number | undefined, seed: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < batchSize; i++) {
    const position = step * batchSize + i;
    if (sourceSize === undefined) {
      out.push(position);
    } else {
      const epoch = Math.floor(position / sourceSize);
      out.push(permutation(sourceSize, seed, epoch)[position % sourceSize]);
    }
  }
  return out;
}

const permCache = new Map<string, Int32Array>();
function permutation(n: number, seed: number, epoch: number): Int32Array {
  const key = `${n}/${seed}/${epoch}`;
  let p = permCache.get(key);
  if (!p) {
    p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    const rng = createRng(seed, 0x5eed0000 + epoch);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    if (permCache.size > 4) permCache.clear();
    permCache.set(key, p);
  }
  return p;
}

/** Builds batch `step` from `source`: the same step always gives the same batch. */
export async function buildBatch(source: SampleSource, plan: BatchPlan, step: number, indices = batchIndices(step, plan.batchSize, source.size, plan.seed)): Promise<Batch> {
  const { input, maxLength } = plan;
  const n = indices.length;
  const pixels = input.height * input.width;
  const images = new Float32Array(n * pixels);
  const labels = new Int32Array(n * maxLength).fill(-1);
  const lengths = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const index = indices[i];
    const s = await source.sample(index);
    // Augmentation is seeded by the position in the stream (so a repeated image is augmented anew
    // each epoch); the second image of a twin pair (endless sources, where index = position) as the first.
    const position = step * plan.batchSize + i;
    const rng = createRng(plan.seed, 0x61756700 + (source.size === undefined ? (source.twinOf?.(index) ?? position) : position) * 2 + 1);
    // The border crop/pad and core/preprocess.ts in one pass (bit-identical to cropping first).
    const region = borderRegion(s.image.width, s.image.height, rng, plan.augment.border);
    preprocessRegion(s.image, region, input, images, i * pixels);
    photometricJitter(images, i * pixels, pixels, rng, plan.augment.photometric);
    const codes = encodeText(s.text, plan.charset);
    if (codes.length > maxLength) throw new RangeError(`label ${JSON.stringify(s.text)} is longer than the model's maximum (${maxLength})`);
    labels.set(codes, i * maxLength);
    lengths[i] = codes.length;
  }
  return { step, size: n, images, labels, lengths, maxLength };
}

/** The texts of a batch as class-index arrays. */
export function batchLabels(batch: Batch): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < batch.size; i++) out.push(Array.from(batch.labels.subarray(i * batch.maxLength, i * batch.maxLength + batch.lengths[i])));
  return out;
}
