/**
 * Images for int8 calibration and for checking the int8 model against the float one, as model
 * inputs: generated from the data mix the model was trained on (its metadata), or read from a
 * folder or zip of the user's own images (as `score` reads them; labels are not needed).
 */
import { labelEntries, type LabelledEntries } from '../../core/labelled-entries.ts';
import type { ModelMetadata } from '../../core/model-contract.ts';
import { preprocess } from '../../core/preprocess.ts';
import { createGeneratedSource } from './sample-source.ts';
import type { MixEntry } from './data-mix.ts';
import { decodeLikeServer, TRAINING_SET_LIMITS } from './labelled-data.ts';
import { pathEntries } from '../../functions/node/folder-entries.ts';

/** Why calibration images cannot be found (the command turns it into a usage error). */
export class CalibrationError extends Error {}

export interface CalibrationSet {
  readonly images: Float32Array[];
  /** Where they came from, for the report. */
  readonly source: string;
}

/** The generated mix the model was trained on, from its metadata (`training.data`), if any. */
function trainingMix(metadata: ModelMetadata): MixEntry[] | undefined {
  const data = metadata.training?.data as { kind?: string; mix?: MixEntry[] } | undefined;
  return data?.kind === 'generated' && Array.isArray(data.mix) && data.mix.length > 0 ? data.mix : undefined;
}

/** `count` images of the model's training mix, drawn with `seed` (not the training seeds' images). */
export async function generatedCalibration(metadata: ModelMetadata, count: number, seed: number): Promise<CalibrationSet> {
  const mix = trainingMix(metadata);
  if (!mix) throw new CalibrationError(`the model was not trained on generated images (its metadata names no generated data mix): give --calibration DIR|ZIP, a folder or zip of your own CAPTCHA images`);
  const source = createGeneratedSource(mix, seed, metadata.charset);
  const images: Float32Array[] = [];
  for (let i = 0; i < count; i++) images.push(preprocess((await source.sample(i)).image, metadata.input));
  return { images, source: `${count} generated images of the training mix (seed ${seed})` };
}

/**
 * Up to `count` images of a folder or zip archive, as model inputs: its entries read and sorted
 * out as `score` and `train --data` read them (labels not needed), decoded as the server decodes
 * them; entries that do not decode are skipped.
 */
export async function folderCalibration(path: string, metadata: ModelMetadata, count: number): Promise<CalibrationSet & { skipped: number }> {
  let entries: LabelledEntries['images'];
  try {
    entries = labelEntries(pathEntries(path, TRAINING_SET_LIMITS)).images;
  } catch (e) {
    throw new CalibrationError(`--calibration ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder or zip' : (e as Error).message}`);
  }
  const images: Float32Array[] = [];
  let skipped = 0;
  for (const { entry } of entries) {
    if (images.length === count) break;
    try {
      images.push(preprocess(await decodeLikeServer(entry.read()), metadata.input));
    } catch {
      skipped++;
    }
  }
  if (images.length < 2) throw new CalibrationError(`--calibration ${path}: ${images.length} readable image(s); int8 calibration and its check need at least 2 (a few hundred is better)`);
  return { images, skipped, source: `${images.length} images of ${path}${skipped ? ` (${skipped} unreadable skipped)` : ''}` };
}
