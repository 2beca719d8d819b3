// Which model the benchmarks run: the shipped one (models/captcha-ocr.onnx) when present,
// else the tiny test model built by the pipeline (test/fixtures/tiny-model.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { limitsFromEnv } from '../core/limits.ts';
import { wantsSecondLook } from '../core/second-look.ts';
import { createRecognizer } from '../functions/app/recognizer.ts';
import { defaultModelPath } from '../functions/node/load-model.ts';
import { createNodePredictor } from '../functions/node/node-predictor.ts';
import { createSharpDecoder } from '../functions/node/sharp-decoder.ts';
import { ensureTinyModel } from '../test/fixtures/tiny-model.ts';

export async function benchModel(): Promise<{ modelPath: string; tfjsDir?: string; label: string }> {
  const shipped = process.env.BENCH_MODEL ?? defaultModelPath();
  if (existsSync(shipped)) {
    const dir = join(shipped, '..', 'tfjs');
    return { modelPath: shipped, tfjsDir: existsSync(join(dir, 'model.json')) ? dir : undefined, label: shipped };
  }
  const tiny = await ensureTinyModel();
  return { modelPath: tiny.modelPath, tfjsDir: tiny.tfjsDir, label: `${tiny.modelPath} (tiny test model: models/captcha-ocr.onnx is missing)` };
}

/**
 * How many of `pngs` the model's second look (its metadata's `secondLook`) reads, for the
 * benchmark's heading: the first model reads them alone, as the recognizer does before it
 * decides. '' for a model without a second look.
 */
export async function secondLookShare(modelPath: string, pngs: readonly Uint8Array[]): Promise<string> {
  const predictor = await createNodePredictor({ modelPath, workers: 0, warmUp: false });
  const spec = predictor.metadata.secondLook;
  const first = createRecognizer({ predictor, decoder: createSharpDecoder(), maxImagePixels: limitsFromEnv(process.env).maxImagePixels });
  try {
    if (!spec) return '';
    const asked = (await first.recognizeMany(pngs)).filter((r) => !(r instanceof Error) && wantsSecondLook(r, spec)).length;
    return `; its second look ${spec.model} reads ${asked} of the ${pngs.length} images (those where the first reads one of ${spec.chars} or a character below ${spec.below})`;
  } finally {
    await first.dispose();
  }
}
