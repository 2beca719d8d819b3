import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidModelError } from '../../core/errors.ts';
import { parseModelMetadata, sidecarPath, type ModelMetadata } from '../../core/model-contract.ts';
import { secondLookOf, type SecondLook } from '../app/recognizer.ts';
import type { Predictor } from '../predictor.ts';

/** The shipped model: models/captcha-ocr.onnx (+ models/captcha-ocr.json), or $MODEL_PATH. */
export function defaultModelPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.MODEL_PATH || fileURLToPath(new URL('../../models/captcha-ocr.onnx', import.meta.url));
}

/** The model bytes and metadata a predictor was given, or read from `modelPath` for what is missing. */
export async function resolveModelFiles(options: { modelPath?: string; modelBytes?: Uint8Array; metadata?: ModelMetadata }, who: string): Promise<{ bytes: Uint8Array; metadata: ModelMetadata }> {
  const { modelBytes, metadata } = options;
  if (modelBytes && metadata) return { bytes: modelBytes, metadata };
  if (!options.modelPath) throw new InvalidModelError(`${who} needs modelPath or modelBytes + metadata`);
  const files = await loadModelFiles(options.modelPath);
  return { bytes: modelBytes ?? files.bytes, metadata: metadata ?? files.metadata };
}

/** Reads the model bytes and its metadata (contract 4: FILE.onnx + FILE.json). */
export async function loadModelFiles(modelPath: string): Promise<{ bytes: Uint8Array; metadata: ModelMetadata }> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(modelPath));
  } catch (error) {
    throw new InvalidModelError(`cannot read the model ${modelPath}: ${(error as Error).message}`, { cause: error });
  }
  const metaPath = sidecarPath(modelPath);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(metaPath, 'utf8'));
  } catch (error) {
    throw new InvalidModelError(`cannot read the model metadata ${metaPath}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return { bytes, metadata: parseModelMetadata(json) };
  } catch (error) {
    throw new InvalidModelError(`${metaPath}: ${(error as Error).message}`, { cause: error });
  }
}

/** A started model and the second model its metadata names (`secondLook`), if any. */
export interface StartedModel {
  readonly predictor: Predictor;
  readonly secondLook?: SecondLook;
}

/**
 * Starts the model at `modelPath` with `start`, then the second model its metadata's `secondLook`
 * names (a file in the same folder) the same way. A second look that does not load, or reads
 * another charset, fails the whole model (InvalidModelError naming both files).
 */
export async function startModel(modelPath: string, start: (modelPath: string) => Promise<Predictor>): Promise<StartedModel> {
  const predictor = await start(modelPath);
  const spec = predictor.metadata.secondLook;
  if (!spec) return { predictor };
  let second: Predictor | undefined;
  try {
    second = await start(join(dirname(modelPath), spec.model));
    return { predictor, secondLook: secondLookOf(predictor.metadata, second) };
  } catch (error) {
    await Promise.all([predictor.dispose?.(), second?.dispose?.()]);
    throw new InvalidModelError(`${basename(modelPath)}: its second look ${spec.model} cannot be used: ${(error as Error).message}`, { cause: error });
  }
}
