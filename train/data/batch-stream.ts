import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../../command/ts-worker.ts';
import type { Batch } from './batch.ts';
import { defaultDataWorkers, type FromWorker, type StreamConfig, type ToWorker } from './stream-config.ts';

type Ready = Omit<Extract<FromWorker, { type: 'ready' }>, 'type'>;

/**
 * The trainer's side of the data workers: batches are built on other threads and arrive as
 * transferred Float32Arrays. With N workers (`StreamConfig.dataWorkers`), worker r builds the
 * steps `fromStep + r`, `fromStep + r + N`, ...; batches are handed out in step order, so the
 * stream is the same for any N. About `depth` batches are kept in flight (at least 2 per
 * worker when there are several).
 */
export class BatchStream {
  private readonly workers: Worker[];
  /** Batches that arrived ahead of their turn, by step. */
  private readonly arrived = new Map<number, Batch>();
  private expected = 0;
  private fromStep = 0;
  private started: number | undefined;
  private waiting: ((b: Batch) => void) | undefined;
  private validationParts: (Batch[] | undefined)[] = [];
  private validationWaiter: ((b: Batch[]) => void) | undefined;
  private failure: Error | undefined;
  private failed: ((e: Error) => void) | undefined;
  readonly trainingSize: number | undefined;
  readonly validationSize: number;
  /** Labelled data: images left out (no label, or they do not decode), and the first few with the reason. */
  readonly unusable: number;
  readonly unusableExamples: readonly { readonly file: string; readonly reason: string }[];

  private constructor(workers: Worker[], ready: Ready) {
    this.workers = workers;
    this.trainingSize = ready.trainingSize;
    this.validationSize = ready.validationSize;
    this.unusable = ready.unusable ?? 0;
    this.unusableExamples = ready.unusableExamples ?? [];
    workers.forEach((worker, r) => {
      worker.on('message', (m: FromWorker) => this.onMessage(m, r));
      worker.on('error', (e) => this.fail(e));
    });
  }

  /** Number of data worker threads. */
  get dataWorkers(): number {
    return this.workers.length;
  }

  static async open(config: StreamConfig): Promise<BatchStream> {
    const n = config.dataWorkers ?? defaultDataWorkers(config, availableParallelism());
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`dataWorkers must be a positive integer, got ${n}`);
    const workers = Array.from({ length: n }, () => startTsWorker(new URL('./batch-worker.ts', import.meta.url), config));
    try {
      const ready = await Promise.all(workers.map(readyOf));
      return new BatchStream(workers, ready[0]);
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw error;
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.failed?.(error);
  }

  private onMessage(m: FromWorker, worker: number): void {
    if (m.type === 'batch') {
      if (this.waiting && m.batch.step === this.expected) {
        const w = this.waiting;
        this.waiting = undefined;
        w(m.batch);
      } else {
        this.arrived.set(m.batch.step, m.batch);
      }
    } else if (m.type === 'validation') {
      this.validationParts[worker] = m.batches;
      if (this.validationParts.every((p) => p !== undefined) && this.validationParts.length === this.workers.length) {
        const parts = this.validationParts as Batch[][];
        const total = parts.reduce((a, p) => a + p.length, 0);
        // Batch b was built by worker b % N as its (b / N)-th.
        this.validationWaiter?.(Array.from({ length: total }, (_, b) => parts[b % parts.length][Math.floor(b / parts.length)]));
      }
    } else if (m.type === 'error') {
      this.fail(new Error(`data worker: ${m.message}`));
    }
  }

  private send(worker: number, message: ToWorker): void {
    this.workers[worker].postMessage(message);
  }

  private wait<T>(register: (resolve: (v: T) => void) => void): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      this.failed = reject;
      register(resolve);
    });
  }

  /** The fixed validation batches (no augmentation), built by all workers, in order. */
  validation(): Promise<Batch[]> {
    this.validationParts = this.workers.map(() => undefined);
    const p = this.wait<Batch[]>((resolve) => {
      this.validationWaiter = resolve;
    });
    const parts = this.workers.length;
    for (let part = 0; part < parts; part++) this.send(part, { type: 'validation', part, parts });
    return p;
  }

  /**
   * Starts the training stream at `fromStep`, once (the trainer starts it before the engine's
   * setup, so the first batches are built meanwhile; the step loop only reads it).
   */
  start(fromStep: number, depth = 3): void {
    if (this.started !== undefined) throw new Error(`data stream already started at step ${this.started}, asked again for step ${fromStep}`);
    this.started = fromStep;
    const n = this.workers.length;
    this.fromStep = fromStep;
    this.expected = fromStep;
    const credits = n === 1 ? depth : Math.max(2, Math.ceil(depth / n));
    for (let r = 0; r < n; r++) this.send(r, { type: 'start', fromStep: fromStep + r, depth: credits, stride: n });
  }

  /** Hands the batch of the current step out and gives its worker credit for one more. */
  private take(batch: Batch): Batch {
    this.expected++;
    this.send((batch.step - this.fromStep) % this.workers.length, { type: 'credit' });
    return batch;
  }

  /** The next training batch (in step order). */
  next(): Promise<Batch> {
    if (this.started === undefined) return Promise.reject(new Error('data stream not started: call start(step) before next()'));
    const b = this.arrived.get(this.expected);
    if (b) {
      this.arrived.delete(this.expected);
      return Promise.resolve(this.take(b));
    }
    return this.wait<Batch>((resolve) => {
      this.waiting = (batch) => resolve(this.take(batch));
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function readyOf(worker: Worker): Promise<Ready> {
  return new Promise<Ready>((resolve, reject) => {
    const onMessage = (m: FromWorker) => {
      if (m.type === 'ready') resolve(m);
      else if (m.type === 'error') reject(new Error(`data worker: ${m.message}`));
      if (m.type === 'ready' || m.type === 'error') worker.off('message', onMessage);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}
