import * as ort from 'onnxruntime-node';
import type { OutputSpec } from '../../core/model-contract.ts';
import { resolveProviders } from '../../functions/node/ort-node-predictor.ts';
import { lossGradient } from './loss-gradient.ts';
import { IMAGE_INPUT, LOGITS_GRAD_INPUT, LOGITS_OUTPUT, type TrainingGraphs } from './training-graph.ts';

/** Blank passes through both graphs at open (see warmUp). */
const WARM_UP_PASSES = 2;

/** Which provider the sessions run on, and why when it is not the first one asked for. */
export interface EngineInfo {
  readonly provider: string;
  readonly threads: number;
  readonly note?: string;
}

/** One share of a step's batch, with the weights to compute it at. */
export interface ShardRequest {
  readonly images: Float32Array;
  readonly labels: readonly (readonly number[])[];
  /** Every trainable weight, in `model.trainableWeights` order. */
  readonly weights: readonly Float32Array[];
  /** The share's rows of each dropout layer's mask (graphs.dropouts order). */
  readonly masks: readonly Float32Array[];
}

/** What a share's forward and backward passes give. */
export interface ShardResult {
  /** The share's mean loss over `count` samples (those whose label fits: all, outside CTC). */
  readonly loss: number;
  readonly count: number;
  /** d(share's mean loss)/d(weight), model order. */
  readonly grads: Float32Array[];
  /** Training-mode logits of the share, `[n, T, K]`. */
  readonly logits: Float32Array;
  /** Each batch norm's mean and biased variance over the share (graphs.batchNorms order). */
  readonly means: Float32Array[];
  readonly variances: Float32Array[];
}

/** Computes shares of batches: in this thread (`OrtGradients`) or in a worker thread (ort-replicas.ts). */
export interface GradientShard {
  readonly engine: EngineInfo;
  compute(request: ShardRequest): Promise<ShardResult>;
  close(): Promise<void>;
}

/** The graphs' shapes and names a shard needs, plus its bytes: what a worker thread is handed. */
export interface ShardSetup {
  readonly graphs: TrainingGraphs;
  readonly weightShapes: readonly (readonly number[])[];
  readonly output: OutputSpec;
  readonly providers: readonly string[];
  readonly threads: number;
  /**
   * Where a replica in a worker thread writes its gradients (weightShapes' sizes end to end):
   * shared with the trainer's thread, so a step's gradients cross threads without a copy or a
   * new buffer for the trainer's garbage collector.
   */
  readonly gradients?: SharedArrayBuffer;
}

/** Float32Array views, one per shape, end to end over `buffer` (weights or gradients shared between threads). */
export function sharedViews(buffer: SharedArrayBuffer, shapes: readonly (readonly number[])[]): Float32Array[] {
  let offset = 0;
  return shapes.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const view = new Float32Array(buffer, offset * 4, size);
    offset += size;
    return view;
  });
}

/** A shared buffer that holds one float32 per element of every shape. */
export function sharedBufferFor(shapes: readonly (readonly number[])[]): SharedArrayBuffer {
  return new SharedArrayBuffer(4 * shapes.reduce((a, shape) => a + shape.reduce((x, y) => x * y, 1), 0));
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
 * The forward graph, the loss gradient (in TypeScript) and the backward graph for one share of
 * a batch, in this thread: onnxruntime-node runs a session on the thread that calls it, so
 * shares computed at the same time each need a thread of their own (ort-replicas.ts).
 */
export class OrtGradients implements GradientShard {
  private constructor(
    private readonly setup: ShardSetup,
    private readonly forward: ort.InferenceSession,
    private readonly backward: ort.InferenceSession,
    readonly engine: EngineInfo,
  ) {}

  static async open(setup: ShardSetup): Promise<OrtGradients> {
    const { forward, backward, info } = await createSessions(setup.graphs, setup.providers, setup.threads);
    const shard = new OrtGradients(setup, forward, backward, info);
    await shard.warmUp();
    return shard;
  }

  /**
   * Start-up, not training: a blank batch through both graphs, twice, results discarded.
   * onnxruntime grows its memory arena on a session's first runs: the first two steps took
   * 0.4-0.6 s each against about 0.1 s after, which `imagesPerSecond` would otherwise count
   * as training time.
   */
  private async warmUp(): Promise<void> {
    const { graphs, weightShapes } = this.setup;
    const zeros = (shape: readonly number[]) => new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let pass = 0; pass < WARM_UP_PASSES; pass++) {
      const feeds = this.feeds({ images: zeros(graphs.inputShape), labels: [], weights: weightShapes.map(zeros), masks: graphs.dropouts.map((d) => zeros(d.shape)) });
      const forward = await this.forward.run(feeds);
      feeds[LOGITS_GRAD_INPUT] = new ort.Tensor('float32', zeros(graphs.logitsShape), [...graphs.logitsShape]);
      await this.backward.run(this.backwardFeeds(feeds, forward));
    }
  }

  private feeds(request: ShardRequest): Record<string, ort.Tensor> {
    const { graphs, weightShapes } = this.setup;
    const feeds: Record<string, ort.Tensor> = { [IMAGE_INPUT]: new ort.Tensor('float32', request.images, [...graphs.inputShape]) };
    graphs.weightInputs.forEach((name, i) => {
      feeds[name] = new ort.Tensor('float32', request.weights[i], [...weightShapes[i]]);
    });
    graphs.dropouts.forEach((d, i) => {
      feeds[d.input] = new ort.Tensor('float32', request.masks[i], [...d.shape]);
    });
    return feeds;
  }

  /** The backward graph's inputs: the step's feeds it reads (weights, masks, logits' gradient) and the tensors the forward pass saved for it. */
  private backwardFeeds(feeds: Record<string, ort.Tensor>, forward: ort.InferenceSession.OnnxValueMapType): Record<string, ort.Tensor> {
    const out: Record<string, ort.Tensor> = {};
    for (const name of this.setup.graphs.backwardInputs) out[name] = feeds[name];
    for (const name of this.setup.graphs.saved) out[name] = forward[name];
    return out;
  }

  async compute(request: ShardRequest): Promise<ShardResult> {
    const { graphs, output } = this.setup;
    const n = graphs.inputShape[0];
    if (request.labels.length !== n) throw new Error(`the onnxruntime engine was built for batches of ${n}, got ${request.labels.length}`);
    const feeds = this.feeds(request);
    const forward = await this.forward.run(feeds);
    const logits = forward[LOGITS_OUTPUT].data as Float32Array;
    const shape = graphs.logitsShape;
    const { loss, count, grad } = lossGradient(output, logits, shape, request.labels);
    feeds[LOGITS_GRAD_INPUT] = new ort.Tensor('float32', grad, [...shape]);
    const result = await this.backward.run(this.backwardFeeds(feeds, forward));
    return {
      loss,
      count,
      grads: graphs.gradOutputs.map((name) => result[name].data as Float32Array),
      logits,
      means: graphs.batchNorms.map((bn) => forward[bn.mean].data as Float32Array),
      variances: graphs.batchNorms.map((bn) => forward[bn.variance].data as Float32Array),
    };
  }

  async close(): Promise<void> {
    await this.forward.release();
    await this.backward.release();
  }
}
