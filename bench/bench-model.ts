// Which model the benchmarks run: the shipped one (models/captcha-ocr.onnx) when present,
// else the tiny test model built by the pipeline (test/fixtures/tiny-model.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultModelPath } from '../functions/node/load-model.ts';
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
