import type { DecodedText } from '../core/decode-output.ts';
import { inputSize } from '../core/model-contract.ts';
import type { PredictOptions, Predictor } from './predictor.ts';

export interface MicroBatchingOptions {
  /** Most images in one model run (default 32). */
  readonly maxBatch?: number;
  /** How long the first queued image waits for company when the model is idle (ms, default 1). */
  readonly maxWaitMs?: number;
  /** Model runs in flight at once (default: the inner predictor's `concurrency`, else 1). */
  readonly maxInFlight?: number;
}

interface Pending {
  readonly inputs: Float32Array;
  readonly n: number;
  readonly options?: PredictOptions;
  /** Calls share a run only when their options (the `?charset=` mask) are the same. */
  readonly key: string;
  readonly resolve: (texts: DecodedText[]) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Wraps a predictor so that concurrent calls share model runs: calls queue while `maxInFlight`
 * runs are in flight and go together in the next one (up to `maxBatch` images); when a run
 * slot is free the first call waits at most `maxWaitMs`. Calls with different options (a
 * `?charset=` mask) never share a run: a run takes the first call and the queued calls with the
 * same options. Runtime-neutral (timers only), so every entry can use it.
 */
export function withMicroBatching(inner: Predictor, options: MicroBatchingOptions = {}): Predictor {
  const maxBatch = Math.max(1, options.maxBatch ?? 32);
  const maxWaitMs = Math.max(0, options.maxWaitMs ?? 1);
  const per = inputSize(inner.metadata.input);
  const queue: Pending[] = [];
  let queued = 0;
  const maxInFlight = Math.max(1, options.maxInFlight ?? inner.concurrency ?? 1);
  let running = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const run = (): void => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (running >= maxInFlight || queue.length === 0) return;
    const batch: Pending[] = [queue.shift()!];
    let n = batch[0].n;
    for (let i = 0; i < queue.length; ) {
      const p = queue[i];
      if (p.key !== batch[0].key) i++;
      else if (n + p.n > maxBatch) break;
      else {
        queue.splice(i, 1);
        batch.push(p);
        n += p.n;
      }
    }
    queued -= n;
    let inputs: Float32Array;
    if (batch.length === 1) inputs = batch[0].inputs;
    else {
      inputs = new Float32Array(n * per);
      let at = 0;
      for (const p of batch) {
        inputs.set(p.inputs.subarray(0, p.n * per), at);
        at += p.n * per;
      }
    }
    running++;
    const done = inner.predict(inputs, n, batch[0].options);
    if (queue.length > 0 && running < maxInFlight) queueMicrotask(run);
    done.then(
      (texts) => {
        let at = 0;
        for (const p of batch) {
          p.resolve(texts.slice(at, at + p.n));
          at += p.n;
        }
      },
      (error: unknown) => {
        for (const p of batch) p.reject(error);
      },
    ).finally(() => {
      running--;
      if (queue.length > 0) run();
    });
  };

  return {
    metadata: inner.metadata,
    concurrency: maxInFlight,
    info: () => inner.info(),
    dispose: inner.dispose ? () => inner.dispose!() : undefined,
    predict(inputs, n, options) {
      if (n <= 0) return Promise.resolve([]);
      if (n >= maxBatch) return inner.predict(inputs, n, options);
      return new Promise<DecodedText[]>((resolve, reject) => {
        queue.push({ inputs, n, options, key: optionsKey(options), resolve, reject });
        queued += n;
        if (running >= maxInFlight) return;
        if (queued >= maxBatch) run();
        else if (timer === undefined) timer = setTimeout(run, maxWaitMs);
      });
    },
  };
}

function optionsKey(options: PredictOptions | undefined): string {
  return options?.mask ? options.mask.map((allowed) => (allowed ? '1' : '0')).join('') : '';
}
