import { charsetMask } from '../core/decode-output.ts';
import { limitsFromEnv, type Limits } from '../core/limits.ts';
import { createRecognizer, type Recognizer } from '../functions/app/recognizer.ts';
import type { PredictOptions } from '../functions/predictor.ts';
import { parseProviders, providersFlag } from '../command/providers-flag.ts';
import { UsageError } from '../command/usage-error.ts';
import { workersFlag } from '../command/workers-flag.ts';
import { defaultModelPath, startModel } from '../functions/node/load-model.ts';
import { createNodePredictor, workersFromEnv } from '../functions/node/node-predictor.ts';
import { createSharpDecoder } from '../functions/node/sharp-decoder.ts';

/** Flags shared by decode, score and serve. */
export const MODEL_FLAGS = {
  model: { type: 'string', short: 'm' },
  providers: { type: 'string' },
  workers: { type: 'string' },
} as const;

export const MODEL_HELP = `  --model M         the .onnx model; its metadata is M with .json (default models/captcha-ocr.onnx, or $MODEL_PATH)
  --providers LIST  onnxruntime execution providers in order, e.g. cuda,cpu (default $ORT_PROVIDERS, else cpu);
                    an unavailable one falls back to cpu with a warning
  --workers N|auto  worker threads besides the main one that run the model, one onnxruntime
                    session each, while the main thread decodes images (0 = the model on the
                    main thread with every core; up to 256; default $ORT_WORKERS, else auto =
                    0 on 1-2 cores, CPU cores - 1 on more, at most 4)`;

/** `--charset` of decode and score. */
export const CHARSET_FLAG = { charset: { type: 'string' } } as const;

export const CHARSET_HELP = `  --charset CHARS   read only these characters, e.g. 0123456789: the model's other classes are
                    masked before decoding (as ?charset= on the HTTP API); a character the model
                    does not know is an error (exit code 2)`;

/**
 * `--charset CHARS` as the predict options of the recognizer's model. A character the model does
 * not know stops the recognizer's worker threads and is a UsageError.
 */
export async function charsetOption(recognizer: Recognizer, chars: string | undefined): Promise<PredictOptions | undefined> {
  if (chars === undefined) return undefined;
  try {
    return { mask: charsetMask(recognizer.metadata.charset, chars) };
  } catch (error) {
    await recognizer.dispose();
    throw new UsageError(`--charset: ${(error as Error).message}`);
  }
}

/** `--workers N|auto` of decode, score and serve, else $ORT_WORKERS (a bad value of either is a usage error). */
export function inferenceWorkers(value: string | undefined): number | undefined {
  const flag = workersFlag(value);
  if (flag !== undefined) return flag;
  try {
    return workersFromEnv();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * The same recognizer the routes use, on onnxruntime-node and sharp. `defaultWorkers` applies
 * when neither --workers nor $ORT_WORKERS says (undefined: one per core).
 */
export async function cliRecognizer(flags: { model?: string; providers?: string; workers?: string }, defaultWorkers?: number): Promise<{ recognizer: Recognizer; limits: Limits }> {
  const limits = limitsFromEnv(process.env);
  const providers = providersFlag(flags.providers) ?? parseProviders(process.env.ORT_PROVIDERS);
  const workers = inferenceWorkers(flags.workers) ?? defaultWorkers;
  const start = (modelPath: string) => createNodePredictor({ modelPath, providers, workers, warmUp: false, log: (line) => console.error(line) });
  const { predictor, secondLook } = await startModel(flags.model ?? defaultModelPath(), start);
  return { recognizer: createRecognizer({ predictor, secondLook, decoder: createSharpDecoder(), maxImagePixels: limits.maxImagePixels }), limits };
}
