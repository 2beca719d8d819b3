import type * as tf from '@tensorflow/tfjs';
import { INPUT_NAME } from '../../core/model-contract.ts';
import { DataType } from '../../convert/graph/graph-builder.ts';
import { encodeModel } from '../../convert/onnx/onnx-schema.ts';
import { batchNorm, concatLast, conv2d, convMaxPool, dense, dropout, maxPool, relu, reshape, toNchw, toTf, type BatchStats, type Tensor } from './ops.ts';
import { sizeOf, Tape } from './tape.ts';

/** The graph's image input: named as the model's input (core/model-contract.ts). */
export const IMAGE_INPUT = INPUT_NAME;
export const LOGITS_OUTPUT = 'logits';
export const LOGITS_GRAD_INPUT = 'logits_grad';
export const OPSET = 17;

/** A dropout layer's mask input: fed each step, shape of the layer's (tf-layout) input. */
export interface DropoutMask {
  readonly input: string;
  readonly shape: readonly number[];
  readonly rate: number;
}

/** A batch norm layer whose moving averages the trainer updates from the graph's batch statistics. */
export interface BatchNormStats {
  readonly layer: string;
  readonly mean: string;
  readonly variance: string;
  readonly momentum: number;
  readonly channels: number;
}

/** The two graphs of a training step and the names that connect them to the trainer. */
export interface TrainingGraphs {
  /** Forward in training mode (batch statistics, dropout masks): image + weights (+ masks) -> logits, batch statistics and the `saved` tensors. */
  readonly forward: Uint8Array;
  /** Backward: the `saved` tensors + `backwardInputs` + d(loss)/d(logits) -> the weights' gradients. */
  readonly backward: Uint8Array;
  /** Forward tensors the backward graph reads (outputs of the one, inputs of the other). */
  readonly saved: readonly string[];
  /** The backward graph's other inputs (some weights, masks, the logits' gradient). */
  readonly backwardInputs: readonly string[];
  /** Graph input of each trainable weight, in `model.trainableWeights` order. */
  readonly weightInputs: readonly string[];
  /** Graph output of each weight's gradient, same order. */
  readonly gradOutputs: readonly string[];
  readonly batchNorms: readonly BatchNormStats[];
  readonly dropouts: readonly DropoutMask[];
  readonly logitsShape: readonly number[];
  readonly inputShape: readonly number[];
}

interface LayerLike {
  readonly name: string;
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  readonly trainableWeights: readonly tf.LayerVariable[];
  readonly inboundNodes: readonly { readonly inboundLayers: readonly LayerLike[] }[];
}

/** A layer the engine cannot train: names it and says what to do. */
export class UnsupportedForEngineError extends Error {
  constructor(layer: string, what: string) {
    super(`the onnxruntime training engine cannot train layer "${layer}": ${what}; use --backend wasm for this model`);
    this.name = 'UnsupportedForEngineError';
  }
}

/** A graph input or output; without `dims` its shape is left to onnxruntime's inference. */
const valueInfo = (name: string, elemType: number, dims?: readonly number[]) => ({
  name,
  type: { tensor_type: { elem_type: elemType, ...(dims ? { shape: { dim: dims.map((d) => ({ dim_value: d })) } } : {}) } },
});

/**
 * Builds the training graphs of a tfjs layers model, from its input up to the layer named
 * `logitsLayer`, for batches of `batchSize`. Supported layers: InputLayer, Conv2D (stride 1,
 * 'same' or 'valid', relu or linear), MaxPooling2D (no overlap, 'valid'), BatchNormalization
 * (channels last), Activation (relu, linear), Dense, Reshape, Flatten, Dropout, Concatenate
 * (last axis). Anything else throws UnsupportedForEngineError. A linear Conv2D whose only
 * consumer is a MaxPooling2D is emitted together with it (ops.ts, convMaxPool).
 */
export function buildTrainingGraphs(model: tf.LayersModel, logitsLayer: string, batchSize: number): TrainingGraphs {
  return emit(model, logitsLayer, batchSize);
}

/** Adds an Identity node whose output must be exactly `name` (a graph output the trainer reads by name). */
function named(t: Tape, input: string, name: string): string {
  const out = t.op('Identity', [input], {}, name);
  if (out !== name) throw new Error(`internal error: graph output ${name} came out as ${out}`);
  return out;
}

function emit(model: tf.LayersModel, logitsLayer: string, n: number): TrainingGraphs {
  const t = new Tape();
  const weightIndex = new Map<tf.LayerVariable, number>();
  model.trainableWeights.forEach((w, i) => weightIndex.set(w, i));
  const weightInputs = model.trainableWeights.map((_, i) => `w${i}`);
  weightInputs.forEach((name) => t.g.reserve(name));
  t.g.reserve(IMAGE_INPUT);
  t.markConstant(IMAGE_INPUT);
  t.g.reserve(LOGITS_GRAD_INPUT);
  const inputs: { name: string; shape: readonly number[] }[] = [];
  const values = new Map<string, Tensor>();
  const batchNorms: BatchNormStats[] = [];
  const statsOutputs: BatchStats[] = [];
  const dropouts: DropoutMask[] = [];
  let logits: Tensor | undefined;
  let inputShape: readonly number[] = [];

  const weightOf = (layer: LayerLike, suffix: string): { name: string; shape: number[] } | undefined => {
    const v = layer.trainableWeights.find((w) => w.originalName.endsWith(`/${suffix}`));
    if (!v) return undefined;
    const index = weightIndex.get(v);
    if (index === undefined) throw new UnsupportedForEngineError(layer.name, `weight ${v.originalName} is not among the model's trainable weights`);
    return { name: weightInputs[index], shape: v.shape as number[] };
  };

  // A convolution whose output goes only to a max pooling is emitted with it (convMaxPool).
  const consumers = new Map<string, LayerLike[]>();
  for (const raw of model.layers) {
    const layer = raw as unknown as LayerLike;
    for (const node of layer.inboundNodes) for (const l of node.inboundLayers) consumers.set(l.name, [...(consumers.get(l.name) ?? []), layer]);
  }
  const pendingConvs = new Map<string, (pool: readonly number[], strides: readonly number[]) => Tensor>();

  for (const raw of model.layers) {
    const layer = raw as unknown as LayerLike;
    const cls = layer.getClassName();
    const config = layer.getConfig();
    if (cls === 'InputLayer') {
      const shape = [n, ...((config.batchInputShape as number[]).slice(1))];
      inputShape = shape;
      inputs.push({ name: IMAGE_INPUT, shape });
      values.set(layer.name, { name: IMAGE_INPUT, shape, layout: 'tf' });
      continue;
    }
    if (layer.inboundNodes.length !== 1) throw new UnsupportedForEngineError(layer.name, 'a layer called more than once (shared weights)');
    const pending = cls === 'MaxPooling2D' ? pendingConvs.get(layer.inboundNodes[0].inboundLayers[0]?.name) : undefined;
    if (pending) {
      const pool = config.poolSize as number[];
      const y = pending(pool, (config.strides as number[] | null) ?? pool);
      values.set(layer.name, y);
      if (layer.name === logitsLayer) {
        logits = toTf(t, y);
        break;
      }
      continue;
    }
    const ins = layer.inboundNodes[0].inboundLayers.map((l) => {
      const v = values.get(l.name);
      if (!v) throw new UnsupportedForEngineError(layer.name, `its input ${l.name} comes before it is computed`);
      return v;
    });
    const x = ins[0];
    const activation = (y: Tensor): Tensor => {
      const a = (config.activation as string | undefined) ?? 'linear';
      if (a === 'linear') return y;
      if (a === 'relu') return relu(t, y);
      throw new UnsupportedForEngineError(layer.name, `activation ${a}`);
    };
    let y: Tensor;
    switch (cls) {
      case 'Conv2D': {
        const strides = config.strides as number[];
        const dilation = config.dilationRate as number | number[];
        if (strides.some((s) => s !== 1)) throw new UnsupportedForEngineError(layer.name, `strides ${strides}`);
        if ((Array.isArray(dilation) ? dilation : [dilation]).some((d) => d !== 1)) throw new UnsupportedForEngineError(layer.name, `dilation ${dilation}`);
        if (config.dataFormat !== 'channelsLast') throw new UnsupportedForEngineError(layer.name, `data format ${config.dataFormat}`);
        const kernel = weightOf(layer, 'kernel');
        if (!kernel) throw new UnsupportedForEngineError(layer.name, 'a frozen kernel');
        const bias = config.useBias ? weightOf(layer, 'bias') : undefined;
        const padding = config.padding === 'same' ? 'same' : 'valid';
        const next = consumers.get(layer.name) ?? [];
        const linear = ((config.activation as string | undefined) ?? 'linear') === 'linear';
        if (linear && layer.name !== logitsLayer && next.length === 1 && next[0].getClassName() === 'MaxPooling2D' && next[0].getConfig().padding === 'valid' && next[0].inboundNodes.length === 1) {
          const nx = toNchw(t, x);
          pendingConvs.set(layer.name, (pool, strides) => convMaxPool(t, nx, kernel.name, kernel.shape, bias?.name, padding, pool, strides));
          continue;
        }
        y = activation(conv2d(t, toNchw(t, x), kernel.name, kernel.shape, bias?.name, padding));
        break;
      }
      case 'MaxPooling2D': {
        if (config.padding !== 'valid') throw new UnsupportedForEngineError(layer.name, `padding ${config.padding}`);
        const pool = config.poolSize as number[];
        y = maxPool(t, toNchw(t, x), pool, (config.strides as number[] | null) ?? pool);
        break;
      }
      case 'BatchNormalization': {
        const axis = config.axis as number;
        if (axis !== -1 && axis !== x.shape.length - 1) throw new UnsupportedForEngineError(layer.name, `axis ${axis} (only the channels axis)`);
        const gamma = weightOf(layer, 'gamma');
        const beta = weightOf(layer, 'beta');
        if (!gamma || !beta || !config.center || !config.scale) throw new UnsupportedForEngineError(layer.name, 'a batch norm without a trainable scale and offset');
        const bn = batchNorm(t, x, gamma.name, beta.name, config.epsilon as number);
        y = bn.y;
        const index = batchNorms.length;
        batchNorms.push({ layer: layer.name, mean: `mean${index}`, variance: `var${index}`, momentum: config.momentum as number, channels: gamma.shape[0] });
        statsOutputs.push(bn.stats);
        break;
      }
      case 'Activation':
        y = activation(x);
        break;
      case 'Dense': {
        const kernel = weightOf(layer, 'kernel');
        if (!kernel) throw new UnsupportedForEngineError(layer.name, 'a frozen kernel');
        const bias = config.useBias ? weightOf(layer, 'bias') : undefined;
        y = activation(dense(t, toTf(t, x), kernel.name, kernel.shape, bias?.name));
        break;
      }
      case 'Reshape':
        y = reshape(t, toTf(t, x), [n, ...(config.targetShape as number[])]);
        break;
      case 'Flatten': {
        const tx = toTf(t, x);
        y = reshape(t, tx, [n, sizeOf(tx.shape) / n]);
        break;
      }
      case 'Dropout': {
        const rate = config.rate as number;
        if (!(rate > 0)) {
          y = x;
          break;
        }
        const tx = toTf(t, x);
        const input = `mask${dropouts.length}`;
        t.g.reserve(input);
        dropouts.push({ input, shape: tx.shape, rate });
        inputs.push({ name: input, shape: tx.shape });
        y = dropout(t, tx, input);
        break;
      }
      case 'Concatenate': {
        if (config.axis !== -1 && config.axis !== x.shape.length - 1) throw new UnsupportedForEngineError(layer.name, `axis ${config.axis}`);
        y = concatLast(t, ins.map((v) => toTf(t, v)));
        break;
      }
      default:
        throw new UnsupportedForEngineError(layer.name, `layer kind ${cls}`);
    }
    values.set(layer.name, y);
    if (layer.name === logitsLayer) {
      logits = toTf(t, y);
      break;
    }
  }
  if (!logits) throw new UnsupportedForEngineError(logitsLayer, 'no such layer in the model');
  const weightShapes = model.trainableWeights.map((w) => w.shape as number[]);
  const graphInputs = new Map<string, readonly number[]>([...inputs.map((i) => [i.name, i.shape] as const), ...weightInputs.map((name, i) => [name, weightShapes[i]] as const)]);
  graphInputs.set(LOGITS_GRAD_INPUT, logits.shape);
  // The forward part ends with its outputs: the logits and every batch norm's statistics.
  const forwardOutputs: { name: string; shape?: readonly number[] }[] = [{ name: named(t, logits.name, LOGITS_OUTPUT), shape: logits.shape }];
  statsOutputs.forEach((s, i) => {
    const { channels } = batchNorms[i];
    forwardOutputs.push({ name: named(t, s.mean, batchNorms[i].mean), shape: [channels] }, { name: named(t, s.variance, batchNorms[i].variance), shape: [channels] });
  });
  const forwardEnd = t.g.nodes.length;
  t.backward(logits.name, LOGITS_GRAD_INPUT);
  const gradOutputs = weightInputs.map((w, i) => {
    const grad = t.gradOf(w);
    if (!grad) throw new UnsupportedForEngineError(model.trainableWeights[i].originalName, 'the loss does not depend on this weight');
    return named(t, grad, `grad${i}`);
  });
  const forwardNodes = t.g.nodes.slice(0, forwardEnd);
  const backwardNodes = t.g.nodes.slice(forwardEnd);
  // What the backward part reads from the forward part travels as outputs of one session and
  // inputs of the other (no forward pass twice); pool indices are int64.
  const produced = new Set(forwardNodes.flatMap((node) => node.outputs));
  const backwardReads = new Set(backwardNodes.flatMap((node) => node.inputs));
  const saved = [...backwardReads].filter((name) => produced.has(name) && !forwardOutputs.some((o) => o.name === name));
  const elemType = (name: string) => (t.isInt64(name) ? DataType.INT64 : DataType.FLOAT);
  const forwardReads = new Set(forwardNodes.flatMap((node) => node.inputs));
  const part = (name: string, nodes: typeof forwardNodes, reads: Set<string>, ins: { name: string; shape?: readonly number[] }[], outs: { name: string; shape?: readonly number[] }[]) =>
    encodeModel({
      ir_version: 8,
      opset_import: [{ domain: '', version: OPSET }],
      producer_name: 'captcha-ocr-train',
      graph: {
        name,
        node: nodes.map((node) => t.g.nodeProto(node)),
        initializer: t.g.initializerProtos().filter((i) => reads.has(i.name as string)),
        input: ins.map((i) => valueInfo(i.name, elemType(i.name), i.shape)),
        output: outs.map((o) => valueInfo(o.name, elemType(o.name), o.shape)),
      },
    });
  const inputsOf = (reads: Set<string>) => [...graphInputs].filter(([name]) => reads.has(name)).map(([name, shape]) => ({ name, shape }));
  const backwardInputs = inputsOf(backwardReads);
  const forward = part('training_forward', forwardNodes, forwardReads, inputsOf(forwardReads), [...forwardOutputs, ...saved.map((name) => ({ name }))]);
  const backward = part('training_backward', backwardNodes, backwardReads, [...backwardInputs, ...saved.map((name) => ({ name }))], gradOutputs.map((name, i) => ({ name, shape: weightShapes[i] })));
  return {
    forward,
    backward,
    weightInputs,
    gradOutputs,
    batchNorms,
    dropouts,
    saved,
    backwardInputs: backwardInputs.map((i) => i.name),
    logitsShape: logits.shape,
    inputShape,
  };
}
