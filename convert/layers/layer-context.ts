import { UnsupportedLayerError } from '../../core/errors.ts';
import type { GraphBuilder } from '../graph/graph-builder.ts';
import type { SymTensor } from '../graph/sym-tensor.ts';
import type { LayerSpec } from '../tfjs/topology.ts';
import type { Weight } from '../tfjs/artifacts.ts';

/**
 * Rewrites a just-emitted Conv/Gemm/MatMul so that it also applies `y * scale + shift` per output
 * channel; returns false (changing nothing) when it cannot, e.g. a max pool in between and a negative scale.
 */
export type FoldInto = (scale: Float32Array, shift: Float32Array) => boolean;

/** What a layer converter may use while it emits ONNX nodes for one call of one layer. */
export interface LayerContext {
  readonly g: GraphBuilder;
  readonly opset: number;
  readonly layer: LayerSpec;
  /** The layer's weight whose name ends with `/key` (inside `scope`, e.g. `forward_`, for wrappers). */
  weight(key: string, scope?: string): Weight;
  optionalWeight(key: string, scope?: string): Weight | undefined;
  /** The tensor in layout `perm` (cached Transpose/Reshape). */
  layout(t: SymTensor, perm: readonly number[]): SymTensor;
  /** Class names of the layers that consume this layer's output (for look-ahead rewrites). */
  consumerClasses(): string[];
  /** The converter for a (wrapped) layer class, if any. */
  converterFor(className: string): LayerConverter | undefined;
  /** Throws UnsupportedLayerError naming the layer and its class. */
  unsupported(reason: string): never;
  addFlops(n: number): void;
  /** Marks `tensor` (channels on its last logical axis) as the direct output of a Conv/Gemm that a batch norm may fold into. */
  setFoldable(tensor: SymTensor, fold: FoldInto): void;
  /** The fold function for `tensor` when it is such an output, unchanged, feeding only this layer and not a model output. */
  foldableInto(tensor: SymTensor): FoldInto | undefined;
}

/** A converter for one or more tfjs layer classes. */
export interface LayerConverter {
  readonly classNames: readonly string[];
  /** Converts one call of the layer; returns its outputs. */
  convert(ctx: LayerContext, inputs: SymTensor[]): SymTensor[];
  /** True if it accepts inputs carrying a pending `featureOrder` (only Dense). */
  readonly acceptsFeatureOrder?: boolean;
}

export function unsupportedError(layer: LayerSpec, reason: string): UnsupportedLayerError {
  return new UnsupportedLayerError(`layer "${layer.name}" (${layer.className}): ${reason}`);
}

// ---- small config readers shared by the layer modules ----

type Cfg = Record<string, unknown>;

export function pair(ctx: LayerContext, key: string, fallback?: [number, number]): [number, number] {
  const v = ctx.layer.config[key] ?? fallback;
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0], v[1]];
  if (v === undefined || v === null) ctx.unsupported(`missing ${key}`);
  return ctx.unsupported(`${key}=${JSON.stringify(v)} is not understood`);
}

export function str(ctx: LayerContext, key: string, fallback: string): string {
  const v = (ctx.layer.config as Cfg)[key];
  return typeof v === 'string' ? v : fallback;
}

export function num(ctx: LayerContext, key: string, fallback: number): number {
  const v = (ctx.layer.config as Cfg)[key];
  return typeof v === 'number' ? v : fallback;
}

export function bool(ctx: LayerContext, key: string, fallback: boolean): boolean {
  const v = (ctx.layer.config as Cfg)[key];
  return typeof v === 'boolean' ? v : fallback;
}

/** Refuses `data_format: channels_first` (tfjs models are channels-last). */
export function requireChannelsLast(ctx: LayerContext): void {
  const f = ctx.layer.config.data_format;
  if (f !== undefined && f !== null && f !== 'channels_last') ctx.unsupported(`data_format=${String(f)} (only channels_last)`);
}

/** Refuses regularisation-free options that would change inference results if ignored. */
export function requireOneInput(ctx: LayerContext, inputs: SymTensor[]): SymTensor {
  if (inputs.length !== 1) ctx.unsupported(`expected one input, got ${inputs.length}`);
  return inputs[0];
}
