import { Worker } from 'node:worker_threads';
import type { Batch } from './batch.ts';
import type { FromWorker, StreamConfig, ToWorker } from './stream-config.ts';

/**
 * The trainer's side of the data worker: batches are built on the other core and arrive
 * as transferred Float32Arrays; `depth` batches are kept in flight.
 */
export class BatchStream {
  private readonly worker: Worker;
  private readonly queue: Batch[] = [];
  private waiting: ((b: Batch) => void) | undefined;
  private validationWaiter: ((b: Batch[]) => void) | undefined;
  private failure: Error | undefined;
  private failed: ((e: Error) => void) | undefined;
  readonly trainingSize: number | undefined;
  readonly validationSize: number;

  private constructor(worker: Worker, ready: { trainingSize: number | undefined; validationSize: number }) {
    this.worker = worker;
    this.trainingSize = ready.trainingSize;
    this.validationSize = ready.validationSize;
    worker.on('message', (m: FromWorker) => this.onMessage(m));
  }

  static async open(config: StreamConfig): Promise<BatchStream> {
    const worker = new Worker(new URL('./batch-worker-entry.mjs', import.meta.url), { workerData: config });
    const ready = await new Promise<{ trainingSize: number | undefined; validationSize: number }>((resolve, reject) => {
      const onMessage = (m: FromWorker) => {
        if (m.type === 'ready') resolve(m);
        else if (m.type === 'error') reject(new Error(`data worker: ${m.message}`));
        if (m.type === 'ready' || m.type === 'error') worker.off('message', onMessage);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
    const stream = new BatchStream(worker, ready);
    worker.on('error', (e) => stream.fail(e));
    return stream;
  }

  private fail(error: Error): void {
    this.failure = error;
    this.failed?.(error);
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'batch') {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(m.batch);
      } else {
        this.queue.push(m.batch);
      }
    } else if (m.type === 'validation') {
      this.validationWaiter?.(m.batches);
    } else if (m.type === 'error') {
      this.fail(new Error(`data worker: ${m.message}`));
    }
  }

  private send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private wait<T>(register: (resolve: (v: T) => void) => void): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      this.failed = reject;
      register(resolve);
    });
  }

  /** The fixed validation batches (no augmentation). */
  validation(): Promise<Batch[]> {
    const p = this.wait<Batch[]>((resolve) => {
      this.validationWaiter = resolve;
    });
    this.send({ type: 'validation' });
    return p;
  }

  /** Starts the training stream at `fromStep`. */
  start(fromStep: number, depth = 3): void {
    this.send({ type: 'start', fromStep, depth });
  }

  /** The next training batch (in step order). */
  next(): Promise<Batch> {
    const b = this.queue.shift();
    if (b) {
      this.send({ type: 'credit' });
      return Promise.resolve(b);
    }
    return this.wait<Batch>((resolve) => {
      this.waiting = (batch) => {
        this.send({ type: 'credit' });
        resolve(batch);
      };
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
