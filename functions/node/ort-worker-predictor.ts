import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../../command/ts-worker.ts';
import type { DecodedText } from '../../core/decode-output.ts';
import { InvalidModelError } from '../../core/errors.ts';
import { inputSize } from '../../core/model-contract.ts';
import type { Predictor, PredictorInfo } from '../predictor.ts';
import { resolveModelFiles } from './load-model.ts';
import type { OrtNodePredictorOptions } from './ort-node-predictor.ts';
import type { ErrorShape, WorkerInit, WorkerReply, WorkerRequest } from './ort-worker-protocol.ts';

export interface OrtWorkerPredictorOptions extends OrtNodePredictorOptions {
  /** Inference threads, one onnxruntime session each (default: defaultInferenceWorkers(), at least 1). */
  readonly workers?: number;
}

/**
 * Worker threads for `--workers auto` / $ORT_WORKERS unset. On 1-2 cores: none, the model runs
 * on the main thread with every core as onnxruntime threads (createNodePredictor). Measured on
 * this 2-core machine, three interleaved rounds each (docs/api.md "Threads"): the 154 MFLOP
 * campaign model in int8, /decode at 8 connections 930-1,332 req/s against 842-992 with one
 * worker, /score 1,368-1,684 images/s against 1,212-1,570; the shipped model's /decode
 * 1,279-1,654 against 1,187-1,223. A worker of one thread leaves a core idle while the main
 * thread decodes the next requests and the other half of the time the reverse (a third of the
 * CPU idle under load). From 3 cores: one core stays with the main thread (HTTP, unzip, image
 * decoding, preprocessing), the others run the model, 1 to 4 workers of one thread each.
 */
export function defaultInferenceWorkers(cores = availableParallelism()): number {
  return cores <= 2 ? 0 : Math.min(4, cores - 1);
}

interface Slot {
  readonly worker: Worker;
  inFlight: number;
  dead?: Error;
}

function revive(e: ErrorShape): Error {
  return e.name === 'InvalidModelError' ? new InvalidModelError(e.message) : new Error(e.message);
}

/**
 * onnxruntime-node in worker threads: each worker holds one session (1 intra-op thread by
 * default) and runs whole batches, so model runs never block the event loop that parses
 * requests, decodes and preprocesses images. Calls go to the least busy worker; `concurrency`
 * tells the micro-batcher and the scorer how many runs may be in flight at once.
 */
export async function createOrtWorkerPredictor(options: OrtWorkerPredictorOptions): Promise<Predictor> {
  const log = options.log ?? ((line: string) => console.warn(line));
  const { bytes, metadata } = await resolveModelFiles(options, 'createOrtWorkerPredictor');
  const count = Math.max(1, Math.floor(options.workers ?? defaultInferenceWorkers()));
  const init: WorkerInit = { modelBytes: bytes, metadata, providers: options.providers, intraOpThreads: options.intraOpThreads, warmUp: options.warmUp };
  const pending = new Map<number, { slot: Slot; resolve: (t: DecodedText[]) => void; reject: (e: unknown) => void }>();
  let nextId = 1;
  const slots: Slot[] = [];
  let info: PredictorInfo | undefined;

  const start = () =>
    new Promise<Slot>((resolve, reject) => {
      const worker = startTsWorker(new URL('./ort-worker.ts', import.meta.url), init);
      const slot: Slot = { worker, inFlight: 0 };
      let ready = false;
      worker.on('message', (reply: WorkerReply) => {
        if (reply.kind === 'ready') {
          ready = true;
          if (!info) {
            info = reply.info;
            for (const line of reply.logs) log(line);
          }
          resolve(slot);
        } else if (reply.kind === 'failed') reject(revive(reply.error));
        else {
          const p = pending.get(reply.id);
          if (!p) return;
          pending.delete(reply.id);
          p.slot.inFlight--;
          if (reply.kind === 'result') p.resolve(reply.texts);
          else p.reject(revive(reply.error));
        }
      });
      const die = (error: Error) => {
        slot.dead = error;
        if (!ready) reject(error);
        for (const [id, p] of pending) {
          if (p.slot !== slot) continue;
          pending.delete(id);
          p.reject(new Error(`inference worker stopped: ${error.message}`));
        }
      };
      worker.on('error', die);
      worker.on('exit', (code) => die(new Error(`exited with code ${code}`)));
    });

  const started = await Promise.allSettled(Array.from({ length: count }, start));
  const failure = started.find((r) => r.status === 'rejected');
  if (failure) {
    // stop the workers that did start: no thread outlives a failed start
    await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.worker.terminate() : undefined)));
    const error = failure.reason as Error;
    throw error instanceof InvalidModelError ? error : new InvalidModelError(`cannot start the inference workers: ${error.message}`, { cause: error });
  }
  for (const r of started) if (r.status === 'fulfilled') slots.push(r.value);
  const per = inputSize(metadata.input);
  const shown: PredictorInfo = { ...info!, runtime: `${info!.runtime} (${count} worker thread${count === 1 ? '' : 's'})` };

  return {
    metadata,
    concurrency: count,
    info: () => shown,
    predict(inputs, n, options) {
      if (n === 0) return Promise.resolve([]);
      const live = slots.filter((s) => !s.dead);
      if (live.length === 0) return Promise.reject(new Error(`every inference worker stopped (${slots[0].dead!.message})`));
      const slot = live.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      const id = nextId++;
      slot.inFlight++;
      return new Promise<DecodedText[]>((resolve, reject) => {
        pending.set(id, { slot, resolve, reject });
        // a copy travels to the thread: the caller may reuse `inputs` once this settles
        slot.worker.postMessage({ kind: 'predict', id, inputs: inputs.slice(0, n * per), n, mask: options?.mask } satisfies WorkerRequest);
      });
    },
    async dispose() {
      await Promise.all(
        slots.map(async (s) => {
          if (s.dead) return;
          s.worker.postMessage({ kind: 'close' } satisfies WorkerRequest);
          const timer = setTimeout(() => void s.worker.terminate(), 2000);
          await new Promise((r) => s.worker.once('exit', r));
          clearTimeout(timer);
        }),
      );
    },
  };
}
