import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../core/rng.ts';
import type { ModelSpec } from '../models/model-spec.ts';
import { batchLabels, type Batch } from '../data/batch.ts';
import { shareSizes, sliceBatch } from '../parallel/shares.ts';
import { countCorrect, type StepResult, type TrainStepper } from '../parallel/stepper.ts';
import { withAdamState } from '../checkpoint.ts';
import { valuesOfTensors } from '../named-values.ts';
import { Adam } from './adam.ts';
import { OrtGradients, sharedBufferFor, sharedViews, type EngineInfo, type GradientShard, type ShardResult, type ShardSetup } from './ort-gradients.ts';
import { OrtReplica } from './ort-replicas.ts';
import { buildTrainingGraphs, type TrainingGraphs } from './training-graph.ts';

export type { EngineInfo } from './ort-gradients.ts';

export interface OrtStepperOptions {
  readonly model: tf.LayersModel;
  readonly logitsLayer: string;
  readonly spec: ModelSpec;
  readonly batchSize: number;
  /** The trainer's optimizer; its Adam state is taken over when `resumed`. */
  readonly optimizer: tf.Optimizer;
  readonly resumed: boolean;
  /** Seeds the dropout masks (mask of step k depends on (seed, k) only). */
  readonly seed: number;
  /** onnxruntime execution providers, in order of preference (default ['cpu']). */
  readonly providers?: readonly string[];
  /**
   * Data-parallel replicas (default 1: this thread's sessions take the whole batch). With more,
   * each is a worker thread with its own sessions and a share of every batch, and batch norm
   * normalises each share by its own statistics.
   */
  readonly replicas?: number;
  /** Intra-op threads of each replica's sessions (default: the cores shared out over the replicas). */
  readonly threads?: number;
}

interface MovingStats {
  readonly mean: tf.LayerVariable;
  readonly variance: tf.LayerVariable;
  readonly meanValues: Float32Array;
  readonly varianceValues: Float32Array;
  readonly decay: number;
}

/** A share of every batch: `size` images from `offset`, and what computes its gradients. */
interface Shard {
  readonly offset: number;
  readonly size: number;
  readonly gradients: GradientShard;
}

/** A step's gradients over the whole batch (the shares combined). */
export interface StepGradients {
  /** The batch's mean loss. */
  readonly loss: number;
  /** d(loss)/d(weight), model order. */
  readonly grads: Float32Array[];
  /** Training-mode logits of the batch. */
  readonly logits: Float32Array;
  /** Each batch norm's mean and biased variance over the batch (graphs.batchNorms order). */
  readonly means: Float32Array[];
  readonly variances: Float32Array[];
}

/**
 * Training steps whose arithmetic runs in onnxruntime-node: the model stays a tfjs layers
 * model (built, checkpointed, evaluated and exported as before), its forward and backward
 * passes are ONNX graphs generated from its layers (train/ort/training-graph.ts), the loss
 * gradient is computed in TypeScript (ort-gradients.ts), and Adam runs here on Float32Arrays
 * in tfjs's exact arithmetic. `syncModel` writes the weights back into the tfjs model;
 * `withOptimizer` hands out a tfjs Adam with the same state, so checkpoints are
 * interchangeable with the tfjs path.
 *
 * With replicas, each worker thread computes its share of the batch at the current weights
 * and this thread combines them: the loss and gradients weighted by the samples each mean is
 * over (the whole batch's mean), the batch-norm statistics by the law of total variance (the
 * whole batch's, for the moving averages). Onnxruntime-node runs a session on the thread that
 * calls it, so threads of their own are what lets the shares run at the same time; a
 * replica per core with one onnxruntime thread each ran the step in 45 ms against 57 ms for
 * one session with two threads (default model, batch 32, 2 cores; docs/training.md).
 */
export class OrtStepper implements TrainStepper {
  /** The combined gradients of the last step with replicas (reused: see combine). */
  private combined: Float32Array[] | undefined;

  private constructor(
    private readonly options: OrtStepperOptions,
    private readonly graphs: TrainingGraphs,
    private readonly shards: readonly Shard[],
    private readonly weights: Float32Array[],
    private readonly adam: Adam,
    private readonly moving: MovingStats[],
  ) {}

  /** Training threads: the replicas. */
  get workers(): number {
    return this.shards.length;
  }

  /** The provider and intra-op threads of each replica's sessions. */
  get engine(): EngineInfo {
    return this.shards[0].gradients.engine;
  }

  static async open(options: OrtStepperOptions): Promise<OrtStepper> {
    const { model, batchSize } = options;
    const replicas = options.replicas ?? 1;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > batchSize) throw new RangeError(`replicas must be an integer from 1 to the batch size (${batchSize}), got ${replicas}`);
    const sizes = shareSizes(batchSize, replicas);
    const built = new Map<number, TrainingGraphs>();
    const graphsFor = (n: number): TrainingGraphs => {
      let g = built.get(n);
      if (!g) built.set(n, (g = buildTrainingGraphs(model, options.logitsLayer, n)));
      return g;
    };
    const weightShapes = model.trainableWeights.map((w) => w.shape as number[]);
    const setupFor = (n: number): ShardSetup => ({
      graphs: graphsFor(n),
      weightShapes,
      output: options.spec.output,
      providers: options.providers ?? ['cpu'],
      threads: options.threads ?? Math.max(1, Math.floor(availableParallelism() / replicas)),
      gradients: replicas > 1 ? sharedBufferFor(weightShapes) : undefined,
    });
    const opening = replicas === 1 ? [OrtGradients.open(setupFor(batchSize))] : sizes.map((n, rank) => OrtReplica.open(setupFor(n), rank));
    const settled = await Promise.allSettled(opening);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) {
      await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
      throw failed.reason;
    }
    let offset = 0;
    const shards = settled.map((s, i): Shard => {
      const shard = { offset, size: sizes[i], gradients: (s as PromiseFulfilledResult<GradientShard>).value };
      offset += sizes[i];
      return shard;
    });
    const graphs = graphsFor(sizes[0]);
    // With replicas the weights live in shared memory: each step's request hands them over
    // without a copy or a new buffer on this thread (each replica copies them into its own
    // arrays: onnxruntime refuses shared memory). Adam updates them in place between steps.
    const weights = replicas > 1 ? sharedViews(sharedBufferFor(weightShapes), weightShapes) : weightShapes.map((shape) => new Float32Array(shape.reduce((a, b) => a * b, 1)));
    model.trainableWeights.forEach((w, i) => weights[i].set(w.read().dataSync() as Float32Array));
    const adam = options.resumed ? await adamFrom(options.optimizer, weights.length) : Adam.zeros(weights.map((w) => w.length));
    const moving = graphs.batchNorms.map((bn): MovingStats => {
      const layer = model.getLayer(bn.layer);
      const find = (suffix: string) => {
        const v = layer.nonTrainableWeights.find((w) => w.originalName.endsWith(`/${suffix}`));
        if (!v) throw new Error(`batch norm ${bn.layer} has no ${suffix}`);
        return v;
      };
      const mean = find('moving_mean');
      const variance = find('moving_variance');
      return {
        mean,
        variance,
        meanValues: Float32Array.from(mean.read().dataSync() as Float32Array),
        varianceValues: Float32Array.from(variance.read().dataSync() as Float32Array),
        decay: 1 - bn.momentum,
      };
    });
    return new OrtStepper(options, graphs, shards, weights, adam, moving);
  }

  /** Each dropout layer's mask for step `step`, the whole batch's: it depends on (seed, step) only, not on the replicas. */
  private masks(step: number): Float32Array[] {
    return this.graphs.dropouts.map((d, i) => {
      const rng = createRng(this.options.seed, 0x0d70_0000 + step * 16 + i);
      const keep = 1 / (1 - d.rate);
      const mask = new Float32Array(this.options.batchSize * d.shape.slice(1).reduce((a, b) => a * b, 1));
      for (let j = 0; j < mask.length; j++) mask[j] = rng.next() < d.rate ? 0 : keep;
      return mask;
    });
  }

  /** The batch's loss, the gradient of every trainable weight (model order), the training-mode logits and the batch-norm statistics. */
  async gradients(batch: Batch): Promise<StepGradients> {
    const { batchSize } = this.options;
    if (batch.size !== batchSize) throw new Error(`the onnxruntime engine was built for batches of ${batchSize}, got ${batch.size}`);
    const masks = this.masks(batch.step);
    const one = this.shards.length === 1;
    // The shares are sliceBatch's (consecutive images, shareSizes), the shards' offsets and sizes.
    const parts = one ? [batch] : sliceBatch(batch, this.shards.length);
    const results = await Promise.all(
      this.shards.map(({ offset, size, gradients }, s) => {
        const rows = (a: Float32Array) => (one ? a : a.slice((a.length / batchSize) * offset, (a.length / batchSize) * (offset + size)));
        return gradients.compute({ images: parts[s].images, labels: batchLabels(parts[s]), weights: this.weights, masks: masks.map(rows) });
      }),
    );
    return one ? results[0] : this.combine(results);
  }

  /**
   * The shares' results as the whole batch's (see the class comment). The gradients are
   * written into buffers kept from step to step: they hold this step's until the next call.
   */
  private combine(results: readonly ShardResult[]): StepGradients {
    const total = results.reduce((a, r) => a + r.count, 0);
    const share = results.map((r) => (total > 0 ? r.count / total : 0));
    const grads = (this.combined ??= this.weights.map((w) => new Float32Array(w.length)));
    for (let k = 0; k < grads.length; k++) {
      const g = grads[k];
      const first = results[0].grads[k];
      const s0 = share[0];
      for (let i = 0; i < g.length; i++) g[i] = s0 * first[i];
      for (let s = 1; s < results.length; s++) {
        const part = results[s].grads[k];
        const f = share[s];
        for (let i = 0; i < g.length; i++) g[i] += f * part[i];
      }
    }
    const logits = new Float32Array(results.reduce((a, r) => a + r.logits.length, 0));
    let at = 0;
    for (const r of results) {
      logits.set(r.logits, at);
      at += r.logits.length;
    }
    const fraction = this.shards.map((s) => s.size / this.options.batchSize);
    const means = results[0].means.map((_, b) => {
      const m = new Float32Array(results[0].means[b].length);
      results.forEach((r, s) => r.means[b].forEach((v, c) => (m[c] += fraction[s] * v)));
      return m;
    });
    const variances = results[0].variances.map((_, b) => {
      const v = new Float32Array(results[0].variances[b].length);
      results.forEach((r, s) =>
        r.variances[b].forEach((x, c) => {
          const d = r.means[b][c] - means[b][c];
          v[c] += fraction[s] * (x + d * d);
        }),
      );
      return v;
    });
    return { loss: results.reduce((a, r, s) => a + share[s] * r.loss, 0), grads, logits, means, variances };
  }

  async step(batch: Batch, learningRate: number): Promise<StepResult> {
    const { loss, grads, logits, means, variances } = await this.gradients(batch);
    this.adam.apply(this.weights, grads, learningRate);
    this.moving.forEach((m, b) => {
      for (let c = 0; c < m.meanValues.length; c++) {
        m.meanValues[c] -= (m.meanValues[c] - means[b][c]) * m.decay;
        m.varianceValues[c] -= (m.varianceValues[c] - variances[b][c]) * m.decay;
      }
    });
    const shape = [batch.size, ...this.graphs.logitsShape.slice(1)];
    return { loss, correct: countCorrect(logits, shape, batch, this.options.spec.charset, this.options.spec.output) };
  }

  async syncModel(): Promise<void> {
    const write = (v: tf.LayerVariable, values: Float32Array) => {
      const t = tf.tensor(values, v.shape as number[]);
      v.write(t);
      t.dispose();
    };
    this.options.model.trainableWeights.forEach((w, i) => write(w, this.weights[i]));
    for (const m of this.moving) {
      write(m.mean, m.meanValues);
      write(m.variance, m.varianceValues);
    }
  }

  async withOptimizer<T>(fn: (optimizer: tf.Optimizer) => Promise<T>): Promise<T> {
    const names = this.options.model.trainableWeights.map((w) => (w.read() as tf.Variable).name);
    const shapes = this.options.model.trainableWeights.map((w) => w.shape as number[]);
    return withAdamState(
      [
        { name: 'iter', shape: [], values: Float32Array.of(this.adam.iterations) },
        ...this.adam.first.map((values, i) => ({ name: `${names[i]}/m`, shape: shapes[i], values })),
        ...this.adam.second.map((values, i) => ({ name: `${names[i]}/v`, shape: shapes[i], values })),
      ],
      fn,
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.gradients.close()));
  }
}

/** Adam's state from a tfjs Adam optimizer (iterations, then every first moment, then every second). */
async function adamFrom(optimizer: tf.Optimizer, count: number): Promise<Adam> {
  const named = await valuesOfTensors(await optimizer.getWeights());
  if (named.length !== 1 + 2 * count) throw new Error(`the checkpoint's optimizer holds ${named.length} tensors; this model needs ${1 + 2 * count}`);
  const [iterations, ...moments] = named.map((w) => w.values);
  return new Adam(moments.slice(0, count), moments.slice(count), iterations[0]);
}
