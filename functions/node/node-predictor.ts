import { parseWorkers } from '../../command/workers-flag.ts';
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

/** $ORT_WORKERS: read as `--workers` is (parseWorkers), `auto`/unset for the default. */
export function workersFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  return parseWorkers(env.ORT_WORKERS, 'ORT_WORKERS');
}
