import type { Predictor } from '../predictor.ts';
import { createOrtNodePredictor } from './ort-node-predictor.ts';
import { createOrtWorkerPredictor, defaultInferenceWorkers, type OrtWorkerPredictorOptions } from './ort-worker-predictor.ts';

/**
 * The Node predictor the server and the CLI use: onnxruntime-node in `workers` worker threads,
 * or on the calling thread with `workers: 0` (a one-off decode, where starting threads costs
 * more than it saves).
 */
export function createNodePredictor(options: OrtWorkerPredictorOptions): Promise<Predictor> {
  const workers = options.workers ?? defaultInferenceWorkers();
  return workers === 0 ? createOrtNodePredictor(options) : createOrtWorkerPredictor({ ...options, workers });
}

/** $ORT_WORKERS: a whole number >= 0, or `auto`/unset for the default. */
export function workersFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  return parseWorkers(env.ORT_WORKERS, 'ORT_WORKERS');
}

/** `auto` or unset -> undefined (the default); else a whole number 0..64, or a RangeError naming `what`. */
export function parseWorkers(value: string | undefined, what: string): number | undefined {
  if (value === undefined || value.trim() === '' || value.trim() === 'auto') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new RangeError(`${what} must be a whole number from 0 to 64 or auto, got ${JSON.stringify(value)}`);
  return n;
}
