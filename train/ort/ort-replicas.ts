import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../../command/ts-worker.ts';
import type { EngineInfo, GradientShard, ShardRequest, ShardResult, ShardSetup } from './ort-gradients.ts';

export type ToOrtReplica = ShardRequest;

export type FromOrtReplica =
  | { readonly type: 'ready'; readonly engine: EngineInfo }
  | { readonly type: 'result'; readonly result: ShardResult }
  | { readonly type: 'error'; readonly message: string };

/** A share of each batch computed by an onnxruntime replica in a worker thread (ort-replica-worker.ts). */
export class OrtReplica implements GradientShard {
  private pending: { resolve: (r: ShardResult) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  private closing = false;

  private constructor(
    private readonly worker: Worker,
    readonly engine: EngineInfo,
    private readonly rank: number,
  ) {
    worker.on('message', (m: FromOrtReplica) => {
      if (m.type === 'result') this.settle(m.result);
      else if (m.type === 'error') this.fail(new Error(`training replica ${rank}: ${m.message}`));
    });
    worker.on('error', (e: Error) => this.fail(new Error(`training replica ${rank} failed: ${e.message}`)));
    worker.on('exit', (code) => {
      if (!this.closing) this.fail(new Error(`training replica ${rank} exited (code ${code})`));
    });
  }

  /** Starts replica `rank` and waits until its sessions are built and warmed up. */
  static async open(setup: ShardSetup, rank: number): Promise<OrtReplica> {
    const worker = startTsWorker(new URL('./ort-replica-worker.ts', import.meta.url), setup);
    try {
      const engine = await new Promise<EngineInfo>((resolve, reject) => {
        worker.once('message', (m: FromOrtReplica) => (m.type === 'ready' ? resolve(m.engine) : reject(new Error(`training replica ${rank}: ${m.type === 'error' ? m.message : m.type}`))));
        worker.once('error', reject);
      });
      return new OrtReplica(worker, engine, rank);
    } catch (error) {
      await worker.terminate();
      throw error;
    }
  }

  private settle(result: ShardResult): void {
    const p = this.pending;
    this.pending = undefined;
    p?.resolve(result);
  }

  private fail(error: Error): void {
    if (this.closing) return;
    this.failure ??= error;
    const p = this.pending;
    this.pending = undefined;
    p?.reject(error);
  }

  compute(request: ShardRequest): Promise<ShardResult> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error(`training replica ${this.rank}: a share is already being computed`));
    return new Promise<ShardResult>((resolve, reject) => {
      this.pending = { resolve, reject };
      // The images are the share's own copy (sliced from the batch): moved, not copied again.
      this.worker.postMessage(request, [request.images.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.worker.terminate();
  }
}
