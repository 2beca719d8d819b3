import { availableParallelism } from 'node:os';

/** `--replicas` (formerly `--workers`): a count, or `auto` (the CPU cores, at most 4, on wasm/cpu; 1 on the native backend and the onnxruntime engine). */
export type WorkersChoice = number | 'auto';

export const MAX_AUTO_WORKERS = 4;

/** The replicas (training threads) a run uses, and why when that is not what was asked. */
export function resolveWorkers(choice: WorkersChoice | undefined, backend: string, batchSize: number, cores = availableParallelism()): { workers: number; note?: string } {
  if (backend === 'tensorflow' || backend === 'ort') {
    const asked = choice === undefined || choice === 'auto' ? 1 : choice;
    return { workers: 1, note: asked > 1 ? `--replicas ${asked} ignored: the ${backend === 'ort' ? 'onnxruntime engine' : 'native backend'} already uses every core` : undefined };
  }
  let workers = choice === undefined ? 1 : choice === 'auto' ? (backend === 'wasm' ? Math.min(cores, MAX_AUTO_WORKERS) : 1) : choice;
  if (workers > batchSize) {
    const note = `${workers} replicas > batch size ${batchSize}: using ${batchSize}`;
    workers = batchSize;
    return { workers, note };
  }
  return { workers };
}
