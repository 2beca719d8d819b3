import type { DecodedText } from '../core/decode-output.ts';
import { inputSize, type Predictor } from './predictor.ts';

export interface MicroBatchingOptions {
  /** Most images in one model run (default 32). */
  readonly maxBatch?: number;
  /** How long the first queued image waits for company when the model is idle (ms, default 1). */
  readonly maxWaitMs?: number;
}

interface Pending {
  readonly inputs: Float32Array;
  readonly n: number;
  readonly resolve: (texts: DecodedText[]) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Wraps a predictor so that concurrent calls share model runs: calls queue while a run is in
 * flight and go together in the next one (up to `maxBatch` images); when the model is idle the
 * first call waits at most `maxWaitMs`. Runtime-neutral (timers only), so every entry can use it.
 */
export function withMicroBatching(inner: Predictor, options: MicroBatchingOptions = {}): Predictor {
  const maxBatch = Math.max(1, options.maxBatch ?? 32);
  const maxWaitMs = Math.max(0, options.maxWaitMs ?? 1);
  const per = inputSize(inner.metadata);
  const queue: Pending[] = [];
  let queued = 0;
  let running = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const run = (): void => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (running || queue.length === 0) return;
    const batch: Pending[] = [];
    let n = 0;
    while (queue.length > 0 && (batch.length === 0 || n + queue[0].n <= maxBatch)) {
      const p = queue.shift()!;
      batch.push(p);
      n += p.n;
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
    running = true;
    inner.predict(inputs, n).then(
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
      running = false;
      if (queue.length > 0) run();
    });
  };

  return {
    metadata: inner.metadata,
    info: () => inner.info(),
    dispose: inner.dispose ? () => inner.dispose!() : undefined,
    predict(inputs, n) {
      if (n <= 0) return Promise.resolve([]);
      if (n >= maxBatch) return inner.predict(inputs, n);
      return new Promise<DecodedText[]>((resolve, reject) => {
        queue.push({ inputs, n, resolve, reject });
        queued += n;
        if (running) return;
        if (queued >= maxBatch) run();
        else if (timer === undefined) timer = setTimeout(run, maxWaitMs);
      });
    },
  };
}
