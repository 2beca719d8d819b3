import type { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { startTsWorker } from '../../command/ts-worker.ts';
import { captureArtifacts } from '../../core/tfjs-artifacts.ts';
import { withAdamState } from '../checkpoint.ts';
import type { Batch } from '../data/batch.ts';
import type { ModelSpec } from '../models/model-spec.ts';
import { valuesOfTensors, type NamedValues } from '../named-values.ts';
import { abortSharedGroup, createSharedGroup, type SharedGroup } from './collective.ts';
import type { FromReplica, ReplicaInit, ToReplica } from './messages.ts';
import { sliceBatch } from './shares.ts';
import type { StepResult, TrainStepper } from './stepper.ts';

export interface ReplicaPoolOptions {
  readonly replicas: number;
  readonly backend: 'wasm' | 'cpu';
  /** The trainer's model: replicas start as copies of it, and `syncModel` writes theirs back into it. */
  readonly model: tf.LayersModel;
  /** The trainer's optimizer: its Adam state is copied when `resumed`. */
  readonly optimizer: tf.Optimizer;
  readonly resumed: boolean;
  readonly spec: ModelSpec;
  readonly learningRate: number;
  /** Compare the replicas' weight checksums every this many steps (0 = never). */
  readonly checkEvery?: number;
}

type Reply = Exclude<FromReplica, { type: 'error' }>;

/**
 * Data-parallel training over worker threads: `replicas` copies of the model (one per
 * thread, each with its own tfjs wasm backend and Adam). A step sends each replica its slice
 * of the batch; they exchange gradients and batch-norm sums through shared memory and all
 * apply the same summed gradient. Any replica's failure aborts the others and fails the run.
 */
export class ReplicaPool implements TrainStepper {
  private readonly pending: ({ resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined)[];
  private failure: Error | undefined;
  private closing = false;
  private steps = 0;

  private constructor(
    private readonly workers_: Worker[],
    private readonly group: SharedGroup,
    private readonly options: ReplicaPoolOptions,
  ) {
    this.pending = workers_.map(() => undefined);
    workers_.forEach((w, rank) => {
      w.on('message', (m: FromReplica) => this.onMessage(rank, m));
      w.on('error', (e: Error) => this.fail(new Error(`training worker ${rank} failed: ${e.message}`)));
      w.on('exit', (code) => {
        if (!this.closing) this.fail(new Error(`training worker ${rank} exited (code ${code})`));
      });
    });
  }

  get workers(): number {
    return this.workers_.length;
  }

  static async open(options: ReplicaPoolOptions): Promise<ReplicaPool> {
    const model = await captureArtifacts(options.model);
    const optimizer = options.resumed ? await valuesOfTensors(await options.optimizer.getWeights()) : undefined;
    const params = options.model.countParams();
    const group = createSharedGroup(options.replicas, params);
    const workers = Array.from({ length: options.replicas }, (_, rank) => {
      const init: ReplicaInit = { rank, group, backend: options.backend, model, spec: options.spec, learningRate: options.learningRate, optimizer };
      return startTsWorker(new URL('./replica-worker.ts', import.meta.url), init);
    });
    const pool = new ReplicaPool(workers, group, options);
    try {
      await Promise.all(workers.map((_, rank) => pool.expect(rank)));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  private onMessage(rank: number, m: FromReplica): void {
    if (m.type === 'error') {
      this.fail(new Error(`training worker ${rank}: ${m.message}`));
      return;
    }
    const p = this.pending[rank];
    this.pending[rank] = undefined;
    p?.resolve(m);
  }

  private fail(error: Error): void {
    if (this.failure || this.closing) return;
    this.failure = error;
    abortSharedGroup(this.group);
    for (const p of this.pending) p?.reject(error);
    this.pending.fill(undefined);
    for (const w of this.workers_) void w.terminate();
  }

  /** The next reply of replica `rank`. */
  private expect(rank: number): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending[rank] = { resolve, reject };
    });
  }

  private request(rank: number, message: ToReplica, transfer: ArrayBuffer[] = []): Promise<Reply> {
    const reply = this.expect(rank);
    if (!this.failure) this.workers_[rank].postMessage(message, transfer);
    return reply;
  }

  async step(batch: Batch, learningRate: number): Promise<StepResult> {
    const shares = sliceBatch(batch, this.workers);
    const every = this.options.checkEvery ?? 50;
    const check = every > 0 && ++this.steps % every === 0;
    const replies = await Promise.all(
      shares.map((s, rank) =>
        this.request(
          rank,
          { type: 'step', step: batch.step, learningRate, size: s.size, weight: s.size / batch.size, images: s.images, labels: s.labels, lengths: s.lengths, maxLength: s.maxLength, check },
          [s.images.buffer as ArrayBuffer, s.labels.buffer as ArrayBuffer, s.lengths.buffer as ArrayBuffer],
        ),
      ),
    );
    let loss = 0;
    let correct = 0;
    for (const r of replies) {
      if (r.type !== 'stepped' || r.step !== batch.step) throw new Error(`training worker answered ${r.type} to step ${batch.step}`);
      loss += r.loss;
      correct += r.correct;
    }
    if (check) {
      const sums = replies.map((r) => (r.type === 'stepped' ? r.checksum : undefined));
      if (sums.some((s) => s !== sums[0])) throw new Error(`training workers diverged at step ${batch.step + 1}: weight checksums ${sums.join(', ')}`);
    }
    return { loss, correct };
  }

  /**
   * Copies the replicas' weights into the trainer's model: the trainable ones must agree
   * bit for bit (else the run fails); non-trainable ones (batch-norm moving statistics) are
   * averaged over the replicas and the average is sent back where they differ.
   */
  async syncModel(): Promise<void> {
    const replies = await Promise.all(this.workers_.map((_, rank) => this.request(rank, { type: 'weights' })));
    const sets = replies.map((r) => {
      if (r.type !== 'weights') throw new Error(`training worker answered ${r.type} to weights`);
      return r;
    });
    const [first] = sets;
    let differ = false;
    const merged: NamedValues[] = first.weights.map((w, i) => {
      const others = sets.slice(1).map((s) => s.weights[i].values);
      const same = others.every((o) => o.every((v, j) => Object.is(v, w.values[j])));
      if (same) return w;
      if (first.trainable[i]) throw new Error(`training workers diverged: weight ${w.name} differs between replicas`);
      differ = true;
      const mean = new Float32Array(w.values.length);
      for (let j = 0; j < mean.length; j++) mean[j] = (w.values[j] + others.reduce((a, o) => a + o[j], 0)) / sets.length;
      return { ...w, values: mean };
    });
    const tensors = merged.map((w) => tf.tensor(w.values, w.shape));
    this.options.model.setWeights(tensors);
    tf.dispose(tensors);
    if (differ) {
      await Promise.all(this.workers_.map((_, rank) => this.request(rank, { type: 'set-weights', weights: merged.map((w) => ({ ...w, values: w.values.slice() })) })));
    }
  }

  async withOptimizer<T>(fn: (optimizer: tf.Optimizer) => Promise<T>): Promise<T> {
    const reply = await this.request(0, { type: 'optimizer' });
    if (reply.type !== 'optimizer') throw new Error(`training worker answered ${reply.type} to optimizer`);
    return withAdamState(reply.weights, fn);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    abortSharedGroup(this.group);
    await Promise.all(this.workers_.map((w) => w.terminate()));
  }
}
