import type { ArchiveLimits } from '../../core/archive.ts';
import type { RawImage } from '../../core/image.ts';
import { decodeImage, type ImageDecoder } from '../../core/image-decode.ts';
import { isLabelled, labelEntries, type LabelledImage, type SkippedEntry } from '../../core/labelled-entries.ts';
import { DEFAULT_LIMITS } from '../../core/limits.ts';
import { createRng } from '../../core/rng.ts';
import { pathEntries } from '../../functions/node/folder-entries.ts';
import { createSharpDecoder } from '../../functions/node/sharp-decoder.ts';
import type { Sample } from './sample-source.ts';

/** A training set may be far larger than one request's archive (the server's limits are for requests). */
export const TRAINING_SET_LIMITS: ArchiveLimits = { maxArchiveEntries: 10_000_000, maxUncompressedBytes: 16 * 2 ** 30, maxCompressionRatio: 1000 };

/** A labelled image that cannot be trained on, and why (no label, or it does not decode). */
export type UnusableImage = SkippedEntry;

export interface LabelledSet {
  /** The labelled images, in archive order. */
  readonly images: readonly LabelledImage[];
  /** Images without a label. */
  readonly unusable: readonly UnusableImage[];
}

/**
 * The labels of a `--data` folder or zip, without decoding an image: the entries as
 * `captcha-ocr score` reads them (functions/node/folder-entries.ts) labelled by the same rule
 * (core/labelled-entries.ts: labels.csv, labels.txt, the file name).
 */
export function readLabelledSet(path: string): LabelledSet {
  const { images } = labelEntries(pathEntries(path, TRAINING_SET_LIMITS));
  const labelled: LabelledImage[] = [];
  const unusable: UnusableImage[] = [];
  for (const image of images) {
    if (isLabelled(image)) labelled.push(image);
    else unusable.push({ file: image.entry.name, reason: image.reason });
  }
  return { images: labelled, unusable };
}

let decoder: ImageDecoder | undefined;

/** Image bytes -> pixels by the Node server's decoder (functions/node/sharp-decoder.ts), under the server's pixel limit. */
export function decodeLikeServer(bytes: Uint8Array): Promise<RawImage> {
  decoder ??= createSharpDecoder();
  return decodeImage(bytes, DEFAULT_LIMITS.maxImagePixels, decoder);
}

/** A decoded training image and the file it came from. */
export interface NamedSample extends Sample {
  readonly file: string;
}

export interface LabelledSamples {
  readonly samples: readonly NamedSample[];
  readonly unusable: readonly UnusableImage[];
}

/**
 * Reads and decodes a labelled folder or zip: the images `captcha-ocr score` would score,
 * with the pixels the server would see. Images without a label or that do not decode are
 * left out and listed in `unusable` (score counts them as failed).
 */
export async function readLabelledSamples(path: string, maxImages = Infinity): Promise<LabelledSamples> {
  const set = readLabelledSet(path);
  const unusable = [...set.unusable];
  const samples: NamedSample[] = [];
  const images = set.images.slice(0, Math.min(set.images.length, maxImages));
  // A few decodes in flight: sharp's (JPEG, WebP, unusual PNG) run on the libuv pool.
  const inFlight = 8;
  for (let start = 0; start < images.length; start += inFlight) {
    const chunk = images.slice(start, start + inFlight);
    const decoded = await Promise.all(chunk.map((image) => decodeLikeServer(image.entry.read()).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))));
    decoded.forEach((result, k) => {
      const file = chunk[k].entry.name;
      if (result instanceof Error) unusable.push({ file, reason: result.message });
      else samples.push({ file, text: chunk[k].label, image: result });
    });
  }
  if (samples.length === 0) throw new RangeError(`${path}: no labelled image${unusable.length > 0 ? ` (${unusable.length} unusable, e.g. ${unusable[0].file}: ${unusable[0].reason})` : ''}`);
  return { samples, unusable };
}

/**
 * Which of `n` images are held out for validation: `count` of them drawn by a seeded shuffle
 * (not the last ones: a folder labelled by file names is in label order). Sorted indices.
 */
export function holdOut(n: number, count: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = createRng(seed, 0x686f6c64);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, Math.max(0, Math.min(n, count))).sort((a, b) => a - b);
}

/** Training and validation images of a labelled set: 1/10 of it (at most `validationCount`) held out from 40 images on; below that, validation reuses the training images. */
export function splitLabelled<T>(all: readonly T[], validationCount: number, seed: number): { training: T[]; validation: T[] } {
  const count = all.length >= 40 ? Math.min(validationCount, Math.floor(all.length / 10)) : 0;
  if (count === 0) return { training: [...all], validation: all.slice(0, Math.min(all.length, validationCount)) };
  const held = new Set(holdOut(all.length, count, seed));
  return { training: all.filter((_, i) => !held.has(i)), validation: all.filter((_, i) => held.has(i)) };
}
