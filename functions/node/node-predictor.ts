import { availableParallelism } from 'node:os';
import { parseWorkers } from '../../command/workers-flag.ts';
import type { Predictor } from '../predictor.ts';
import { createOrtNodePredictor, envThreads } from './ort-node-predictor.ts';
import { createOrtWorkerPredictor, defaultInferenceWorkers, type OrtWorkerPredictorOptions } from './ort-worker-predictor.ts';

/**
 * The Node predictor the server and the CLI use: onnxruntime-node in `workers` worker threads
 * (one onnxruntime thread each unless $ORT_THREADS says otherwise), or on the calling thread
 * with `workers: 0`, where a model run uses every core (the default on 1-2 cores, see
 * defaultInferenceWorkers, and for a one-off decode, where starting threads costs more than
 * it saves).
 */
export async function createNodePredictor(options: OrtWorkerPredictorOptions): Promise<Predictor> {
  const workers = options.workers ?? defaultInferenceWorkers();
  if (workers > 0) return createOrtWorkerPredictor({ ...options, workers });
  const threads = options.intraOpThreads ?? envThreads() ?? availableParallelism();
  const predictor = await createOrtNodePredictor({ ...options, intraOpThreads: threads });
  const info = predictor.info();
  const shown = { ...info, runtime: `${info.runtime} (main thread, ${threads} onnxruntime thread${threads === 1 ? '' : 's'})` };
  return { ...predictor, info: () => shown };
}

/** $ORT_WORKERS: read as `--workers` is (parseWorkers), `auto`/unset for the default. */
export function workersFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  return parseWorkers(env.ORT_WORKERS, 'ORT_WORKERS');
}
