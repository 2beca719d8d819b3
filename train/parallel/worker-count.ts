import { availableParallelism } from 'node:os';

/** `--replicas` (formerly `--workers`): a count, or `auto` (the CPU cores, at most 4, on wasm/cpu; see resolveWorkers for the onnxruntime engine). */
export type WorkersChoice = number | 'auto';

export const MAX_AUTO_WORKERS = 4;

/**
 * The fewest images a replica of the onnxruntime engine gets under `auto`: each normalises its
 * share by the share's own batch-norm statistics (the engine cannot gather them across threads
 * inside a graph), and 16 keeps those statistics close to the batch's.
 */
export const MIN_ORT_SHARE = 16;

/**
 * The replicas (training threads) a run uses, and why when that is not what was asked. On the
 * onnxruntime engine `auto` (and no choice) is a replica per core while each gets at least
 * MIN_ORT_SHARE images, on the CPU provider; one on a GPU provider (`gpu`).
 */
export function resolveWorkers(choice: WorkersChoice | undefined, backend: string, batchSize: number, cores = availableParallelism(), gpu = false): { workers: number; note?: string } {
  if (backend === 'tensorflow') {
    const asked = choice === undefined || choice === 'auto' ? 1 : choice;
    return { workers: 1, note: asked > 1 ? `--replicas ${asked} ignored: the native backend already uses every core` : undefined };
  }
  let workers: number;
  if (backend === 'ort') workers = choice === undefined || choice === 'auto' ? (gpu ? 1 : Math.max(1, Math.min(cores, Math.floor(batchSize / MIN_ORT_SHARE)))) : choice;
  else workers = choice === undefined ? 1 : choice === 'auto' ? (backend === 'wasm' ? Math.min(cores, MAX_AUTO_WORKERS) : 1) : choice;
  if (workers > batchSize) {
    const note = `${workers} replicas > batch size ${batchSize}: using ${batchSize}`;
    workers = batchSize;
    return { workers, note };
  }
  return { workers };
}
