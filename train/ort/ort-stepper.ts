import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { createRng } from '../../core/rng.ts';
import { resolveProviders } from '../../functions/node/ort-node-predictor.ts';
import type { ModelSpec } from '../models/model-spec.ts';
import { batchLabels, type Batch } from '../data/batch.ts';
import { countCorrect, type StepResult, type TrainStepper } from '../parallel/stepper.ts';
import { withAdamState } from '../checkpoint.ts';
import { valuesOfTensors } from '../named-values.ts';
import { Adam } from './adam.ts';
import { lossGradient } from './loss-gradient.ts';
import { buildTrainingGraphs, IMAGE_INPUT, LOGITS_GRAD_INPUT, LOGITS_OUTPUT, type TrainingGraphs } from './training-graph.ts';

/** Blank passes through both graphs at open (see warmUp). */
const WARM_UP_PASSES = 2;

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
  /** Intra-op threads (default: every core). */
  readonly threads?: number;
}

/** Which provider the sessions run on, and why when it is not the first one asked for. */
export interface EngineInfo {
  readonly provider: string;
  readonly threads: number;
  readonly note?: string;
}

interface MovingStats {
  readonly mean: tf.LayerVariable;
  readonly variance: tf.LayerVariable;
  readonly meanValues: Float32Array;
  readonly varianceValues: Float32Array;
  readonly decay: number;
  readonly meanOutput: string;
  readonly varianceOutput: string;
}

async function createSessions(graphs: TrainingGraphs, providers: readonly string[], threads: number): Promise<{ forward: ort.InferenceSession; backward: ort.InferenceSession; info: EngineInfo }> {
  const resolved = resolveProviders(providers);
  const failures: string[] = [...resolved.warnings];
  for (const provider of resolved.providers) {
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: [provider],
      intraOpNumThreads: threads,
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      // Spinning intra-op threads cost a third of the step here (measured: 93 ms a step of 32
      // at 48x128 without, 140 with), and they would take the data workers' core. Dynamic
      // blocks for the parallel loops (session.dynamic_block_base 4 or 16), to even out a thread
      // the data workers hold up, were no faster: `train --max-steps 60`, three interleaved
      // rounds, 275-294 images/s without, 267-300 with 4, 225-278 with 16. Nor were more
      // threads than cores (three more rounds: 246-311 with 2, 217-284 with 3, 233-292
      // with 4). The parallel execution mode (2 inter-op threads, 1 or 2 intra-op) nearly
      // doubled the step (docs/training.md).
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    };
    try {
      const forward = await ort.InferenceSession.create(graphs.forward, options);
      const backward = await ort.InferenceSession.create(graphs.backward, options);
      const note = failures.length > 0 ? `fell back to ${provider}: ${failures.join('; ')}` : undefined;
      return { forward, backward, info: { provider, threads, note } };
    } catch (error) {
      failures.push(`${provider}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(`onnxruntime could not start a training session (${failures.join('; ')})`);
}

/**
 * Training steps whose arithmetic runs in onnxruntime-node: the model stays a tfjs layers
 * model (built, checkpointed, evaluated and exported as before), its forward and backward
 * passes are ONNX graphs generated from its layers (train/ort/training-graph.ts), the loss
 * gradient is computed here, and Adam runs on Float32Arrays in tfjs's exact arithmetic.
 * `syncModel` writes the weights back into the tfjs model; `withOptimizer` hands out a tfjs
 * Adam with the same state, so checkpoints are interchangeable with the tfjs path.
 */
export class OrtStepper implements TrainStepper {
  readonly workers = 1;

  private constructor(
    private readonly options: OrtStepperOptions,
    private readonly graphs: TrainingGraphs,
    private readonly forward: ort.InferenceSession,
    private readonly backward: ort.InferenceSession,
    readonly engine: EngineInfo,
    private readonly weights: Float32Array[],
    private readonly adam: Adam,
    private readonly moving: MovingStats[],
  ) {}

  static async open(options: OrtStepperOptions): Promise<OrtStepper> {
    const { model } = options;
    const graphs = buildTrainingGraphs(model, options.logitsLayer, options.batchSize);
    const { forward, backward, info } = await createSessions(graphs, options.providers ?? ['cpu'], options.threads ?? availableParallelism());
    const weights = model.trainableWeights.map((w) => Float32Array.from(w.read().dataSync() as Float32Array));
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
        meanOutput: bn.mean,
        varianceOutput: bn.variance,
      };
    });
    const stepper = new OrtStepper(options, graphs, forward, backward, info, weights, adam, moving);
    await stepper.warmUp();
    return stepper;
  }

  /**
   * Start-up, not training: a blank batch through both graphs, twice, results discarded (no
   * weight, Adam or moving-statistics update). onnxruntime grows its memory arena on a
   * session's first runs: the first two steps took 0.4-0.6 s each against about 0.1 s after,
   * which `imagesPerSecond` would otherwise count as training time.
   */
  private async warmUp(): Promise<void> {
    const images = new Float32Array(this.graphs.inputShape.reduce((a, b) => a * b, 1));
    for (let pass = 0; pass < WARM_UP_PASSES; pass++) {
      const feeds = this.feeds(images, 0);
      const forward = await this.forward.run(feeds);
      feeds[LOGITS_GRAD_INPUT] = new ort.Tensor('float32', new Float32Array(this.graphs.logitsShape.reduce((a, b) => a * b, 1)), [...this.graphs.logitsShape]);
      await this.backward.run(this.backwardFeeds(feeds, forward));
    }
  }

  /** The backward graph's inputs: the step's feeds it reads (weights, masks, logits' gradient) and the tensors the forward pass saved for it. */
  private backwardFeeds(feeds: Record<string, ort.Tensor>, forward: ort.InferenceSession.OnnxValueMapType): Record<string, ort.Tensor> {
    const out: Record<string, ort.Tensor> = {};
    for (const name of this.graphs.backwardInputs) out[name] = feeds[name];
    for (const name of this.graphs.saved) out[name] = forward[name];
    return out;
  }

  private feeds(images: Float32Array, step: number): Record<string, ort.Tensor> {
    const feeds: Record<string, ort.Tensor> = { [IMAGE_INPUT]: new ort.Tensor('float32', images, [...this.graphs.inputShape]) };
    const shapes = this.options.model.trainableWeights.map((w) => w.shape as number[]);
    this.graphs.weightInputs.forEach((name, i) => {
      feeds[name] = new ort.Tensor('float32', this.weights[i], shapes[i]);
    });
    this.graphs.dropouts.forEach((d, i) => {
      const rng = createRng(this.options.seed, 0x0d70_0000 + step * 16 + i);
      const keep = 1 / (1 - d.rate);
      const mask = new Float32Array(d.shape.reduce((a, b) => a * b, 1));
      for (let j = 0; j < mask.length; j++) mask[j] = rng.next() < d.rate ? 0 : keep;
      feeds[d.input] = new ort.Tensor('float32', mask, [...d.shape]);
    });
    return feeds;
  }

  /** The batch's loss, the gradient of every trainable weight (model order), the training-mode logits and the forward outputs (batch statistics). */
  async gradients(batch: Batch): Promise<{ loss: number; grads: Float32Array[]; logits: Float32Array; forward: ort.InferenceSession.OnnxValueMapType }> {
    if (batch.size !== this.options.batchSize) throw new Error(`the onnxruntime engine was built for batches of ${this.options.batchSize}, got ${batch.size}`);
    const feeds = this.feeds(batch.images, batch.step);
    const forward = await this.forward.run(feeds);
    const logits = forward[LOGITS_OUTPUT].data as Float32Array;
    const shape = this.graphs.logitsShape;
    const { loss, grad } = lossGradient(this.options.spec.output, logits, shape, batchLabels(batch));
    feeds[LOGITS_GRAD_INPUT] = new ort.Tensor('float32', grad, [...shape]);
    const result = await this.backward.run(this.backwardFeeds(feeds, forward));
    const grads = this.graphs.gradOutputs.map((name) => result[name].data as Float32Array);
    return { loss, grads, logits, forward };
  }

  async step(batch: Batch, learningRate: number): Promise<StepResult> {
    const { loss, grads, logits, forward } = await this.gradients(batch);
    const shape = this.graphs.logitsShape;
    this.adam.apply(this.weights, grads, learningRate);
    for (const m of this.moving) {
      const mean = forward[m.meanOutput].data as Float32Array;
      const variance = forward[m.varianceOutput].data as Float32Array;
      for (let c = 0; c < mean.length; c++) {
        m.meanValues[c] -= (m.meanValues[c] - mean[c]) * m.decay;
        m.varianceValues[c] -= (m.varianceValues[c] - variance[c]) * m.decay;
      }
    }
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
    await this.forward.release();
    await this.backward.release();
  }
}

/** Adam's state from a tfjs Adam optimizer (iterations, then every first moment, then every second). */
async function adamFrom(optimizer: tf.Optimizer, count: number): Promise<Adam> {
  const named = await valuesOfTensors(await optimizer.getWeights());
  if (named.length !== 1 + 2 * count) throw new Error(`the checkpoint's optimizer holds ${named.length} tensors; this model needs ${1 + 2 * count}`);
  const [iterations, ...moments] = named.map((w) => w.values);
  return new Adam(moments.slice(0, count), moments.slice(count), iterations[0]);
}
