import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs';
import { InvalidModelError, UnsupportedLayerError } from '../core/errors.ts';
import { INPUT_NAME, OUTPUT_NAME, parseModelMetadata, type ModelMetadata } from '../core/model-contract.ts';
import { captureArtifacts, type TfjsArtifacts } from '../core/tfjs-artifacts.ts';
import type { ConversionReport } from './conversion-report.ts';
import { storeWeightsAsFloat16 } from './fp16.ts';
import { DataType, GraphBuilder } from './graph/graph-builder.ts';
import { identityPerm, materialize, toLayout, type Dim, type SymTensor } from './graph/sym-tensor.ts';
import { unsupportedError, type FoldInto, type LayerContext } from './layers/layer-context.ts';
import { identityLayers } from './layers/identity-layers.ts';
import { converterFor, supportedLayerClasses } from './layers/registry.ts';
import { encodeModel } from './onnx/onnx-schema.ts';
import { decodeWeights, readArtifactsFromDir, type Weight } from './tfjs/artifacts.ts';
import { parseTopology, refKey, type LayerSpec, type TensorRef } from './tfjs/topology.ts';

export const IR_VERSION = 8;
export const DEFAULT_OPSET = 13;
export const MIN_OPSET = 13;
export const MAX_OPSET = 17;

export interface ConvertOptions {
  /** ONNX default-domain opset, 13..17 (default 13). */
  readonly opset?: number;
  /** Store weights as float16 (Cast to float32 inside the graph). */
  readonly fp16?: boolean;
  /** Metadata to embed in metadata_props (convertTfjsModel reads DIR/metadata.json itself). */
  readonly metadata?: ModelMetadata;
  /** Graph input name when the model has one input (default INPUT_NAME, `image`). */
  readonly inputName?: string;
  /** Graph output name when the model has one output (default OUTPUT_NAME, `probabilities`). */
  readonly outputName?: string;
}

export interface ConversionResult {
  readonly onnx: Uint8Array;
  readonly metadata?: ModelMetadata;
  readonly report: ConversionReport;
}

/** Converts a tfjs layers model saved in `modelDir` (model.json + shards [+ metadata.json]). */
export async function convertTfjsModel(modelDir: string, options: ConvertOptions = {}): Promise<ConversionResult> {
  const artifacts = await readArtifactsFromDir(modelDir);
  let metadata = options.metadata;
  if (!metadata) {
    const raw = await readFile(join(modelDir, 'metadata.json'), 'utf8').catch(() => undefined);
    if (raw !== undefined) {
      try {
        metadata = parseModelMetadata(JSON.parse(raw));
      } catch (error) {
        throw new InvalidModelError(`${join(modelDir, 'metadata.json')}: ${(error as Error).message}`, { cause: error });
      }
    }
  }
  return convertArtifacts(artifacts, { ...options, metadata });
}

/** Converts an in-memory tfjs `LayersModel` (for tests and the training stage). */
export async function convertLayersModel(model: LayersModel, options: ConvertOptions = {}): Promise<ConversionResult> {
  return convertArtifacts(await captureArtifacts(model), options);
}

/** Converts tfjs artifacts (topology + weight specs + weight bytes) to ONNX bytes. */
export function convertArtifacts(artifacts: TfjsArtifacts, options: ConvertOptions = {}): ConversionResult {
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) throw new RangeError(`opset must be an integer in ${MIN_OPSET}..${MAX_OPSET}, got ${opset}`);
  const graph = parseTopology(artifacts.modelTopology);
  const weights = decodeWeights(artifacts.weightSpecs, artifacts.weightData);
  const g = new GraphBuilder();
  const layoutCache = new Map<string, SymTensor>();
  const values = new Map<string, SymTensor>();
  const consumers = new Map<string, LayerSpec[]>();
  for (const layer of graph.layers) for (const call of layer.calls) for (const ref of call) consumers.set(refKey(ref), [...(consumers.get(refKey(ref)) ?? []), layer]);
  const outputKeys = new Set(graph.outputs.map(refKey));
  const foldables = new Map<string, { fold: FoldInto; t: SymTensor }>();
  const usedWeights = new Set<string>();
  let flops = 0;
  let folded = 0;
  const removed: string[] = [];

  // Graph inputs.
  const inputProtos: Record<string, unknown>[] = [];
  const inputsReport: ConversionReport['inputs'] = [];
  graph.inputs.forEach((ref, i) => {
    const layer = graph.layers.find((l) => l.name === ref.layer);
    if (!layer || layer.className !== 'InputLayer') throw new InvalidModelError(`model input ${ref.layer} is not an InputLayer`);
    const shape = (layer.config.batch_input_shape ?? layer.config.batch_shape) as Dim[] | undefined;
    if (!Array.isArray(shape)) throw new InvalidModelError(`input layer ${layer.name} has no batch_input_shape`);
    const dtype = layer.config.dtype ?? 'float32';
    if (dtype !== 'float32') throw new UnsupportedLayerError(`layer "${layer.name}" (InputLayer): dtype ${String(dtype)} (only float32 inputs)`);
    if (layer.config.sparse || layer.config.ragged) throw new UnsupportedLayerError(`layer "${layer.name}" (InputLayer): sparse/ragged inputs`);
    const name = graph.inputs.length === 1 ? (options.inputName ?? INPUT_NAME) : layer.name;
    g.reserve(name);
    values.set(refKey(ref), { name, shape: shape.map((d) => (d === null || d === undefined || d < 0 ? null : d)), perm: identityPerm(shape.length) });
    const dims = dimsOf(shape, name);
    inputProtos.push(valueInfo(name, dims));
    inputsReport.push({ name, shape: dims });
    void i;
  });

  // Classes of the layers fed by a tensor, looking through layers that vanish (dropout); [] if it is a model output.
  const passThrough = new Set(identityLayers.classNames);
  const consumerClassesOf = (key: string): string[] => {
    if (outputKeys.has(key)) return [];
    return (consumers.get(key) ?? []).flatMap((l) => {
      if (!passThrough.has(l.className)) return [l.className];
      if (l.calls.length !== 1) return [''];
      const next = consumerClassesOf(refKey({ layer: l.name, node: 0, tensor: 0 }));
      return next.length ? next : [''];
    });
  };
  const layerWeights = (layer: LayerSpec) => [...weights.keys()].filter((n) => n.startsWith(`${layer.name}/`));
  const done = new Set<string>();
  const pending = graph.layers.filter((l) => l.className !== 'InputLayer').flatMap((layer) => layer.calls.map((call, node) => ({ layer, call, node })));
  while (pending.length > 0) {
    const idx = pending.findIndex((p) => p.call.every((r) => values.has(refKey(r))));
    if (idx < 0) throw new InvalidModelError(`cannot order the layers: ${pending.map((p) => p.layer.name).join(', ')} wait for inputs that no layer produces`);
    const { layer, call, node } = pending.splice(idx, 1)[0];
    const converter = converterFor(layer.className);
    if (!converter) throw unsupportedError(layer, `layer class not supported by the converter (supported: ${supportedLayerClasses().join(', ')})`);
    const findWeight = (key: string, scope?: string): string | undefined => {
      const names = layerWeights(layer).filter((n) => {
        const rest = n.slice(layer.name.length + 1);
        return (rest === key || rest.endsWith(`/${key}`)) && (!scope || rest.startsWith(scope));
      });
      if (names.length > 1) throw unsupportedError(layer, `ambiguous weights for ${key}: ${names.join(', ')}`);
      return names[0];
    };
    const ctx: LayerContext = {
      g,
      opset,
      layer,
      weight: (key, scope) => {
        const w = ctx.optionalWeight(key, scope);
        if (!w) throw new InvalidModelError(`layer "${layer.name}" (${layer.className}): weight ${scope ? `${scope}*/` : ''}${key} missing from the weights manifest`);
        return w;
      },
      optionalWeight: (key, scope): Weight | undefined => {
        const name = findWeight(key, scope);
        if (!name) return undefined;
        usedWeights.add(name);
        return weights.get(name);
      },
      layout: (t, perm) => toLayout(g, t, perm, layoutCache),
      consumerClasses: () => consumerClassesOf(refKey({ layer: layer.name, node, tensor: 0 })),
      converterFor,
      unsupported: (reason) => {
        throw unsupportedError(layer, reason);
      },
      addFlops: (n) => (flops += n),
      setFoldable: (t, fold) => foldables.set(t.name, { fold, t }),
      foldableInto: (t) => {
        const f = foldables.get(t.name);
        if (!f || f.t.perm.join() !== t.perm.join() || f.t.shape.join() !== t.shape.join()) return undefined;
        // Every tfjs tensor that aliases this ONNX tensor must feed exactly one layer and not be a model output.
        for (const [key, v] of values) {
          if (v.name !== t.name) continue;
          if (outputKeys.has(key) || (consumers.get(key)?.length ?? 0) !== 1) return undefined;
        }
        return (scale, shift) => {
          if (!f.fold(scale, shift)) return false;
          foldables.delete(t.name);
          return true;
        };
      },
    };
    const inputs = call.map((r) => {
      const v = values.get(refKey(r))!;
      return converter.acceptsFeatureOrder ? v : materialize(g, v);
    });
    const outs = converter.convert(ctx, inputs);
    if (outs.length === 1 && outs[0] === inputs[0]) {
      if (layer.className === 'BatchNormalization') folded++;
      else if (converter === identityLayers) removed.push(layer.name);
    }
    outs.forEach((t, i) => values.set(refKey({ layer: layer.name, node, tensor: i }), t));
    done.add(layer.name);
  }
  for (const layer of graph.layers) {
    if (!done.has(layer.name)) continue;
    const unused = layerWeights(layer).filter((n) => !usedWeights.has(n));
    if (unused.length) throw unsupportedError(layer, `weights not understood by the converter: ${unused.join(', ')}`);
  }

  // Graph outputs, back in tfjs layout.
  const outputProtos: Record<string, unknown>[] = [];
  const outputsReport: ConversionReport['outputs'] = [];
  const taken = new Set(inputsReport.map((i) => i.name));
  graph.outputs.forEach((ref: TensorRef) => {
    const v = values.get(refKey(ref));
    if (!v) throw new InvalidModelError(`model output ${ref.layer} was not produced`);
    const t = toLayout(g, materialize(g, v), identityPerm(v.shape.length), layoutCache);
    const name = graph.outputs.length === 1 ? (options.outputName ?? OUTPUT_NAME) : ref.layer;
    const produced = g.nodes.some((n) => n.outputs.includes(t.name));
    if (!produced || taken.has(t.name)) g.op('Identity', [t.name], {}, `${name}/Identity`);
    const last = !produced || taken.has(t.name) ? g.nodes[g.nodes.length - 1].outputs[0] : t.name;
    g.rename(last, name);
    taken.add(name);
    const dims = dimsOf(t.shape, name);
    outputProtos.push(valueInfo(name, dims));
    outputsReport.push({ name, shape: dims });
  });

  if (options.fp16) storeWeightsAsFloat16(g);
  const metadata = options.metadata;
  const model = {
    ir_version: IR_VERSION,
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'captcha-ocr',
    producer_version: '0.1.0',
    doc_string: `Converted from the TensorFlow.js layers model "${graph.name}". Input layout as in tfjs (channels-last).`,
    graph: {
      name: graph.name,
      node: g.nodeProtos(),
      initializer: g.initializerProtos(),
      input: inputProtos,
      output: outputProtos,
    },
    metadata_props: metadataProps(metadata),
  };
  const onnx = encodeModel(model);
  const parameters = [...weights.values()].reduce((n, w) => n + w.values.length, 0);
  const report: ConversionReport = {
    irVersion: IR_VERSION,
    opset,
    fp16: !!options.fp16,
    inputs: inputsReport,
    outputs: outputsReport,
    parameters,
    flopsPerImage: flops,
    bytes: onnx.byteLength,
    nodes: g.nodes.length,
    opTypes: g.nodes.map((n) => n.opType),
    foldedBatchNorms: folded,
    removedLayers: removed,
  };
  return { onnx, metadata, report };
}

function dimsOf(shape: readonly (Dim | undefined)[], name: string): (number | string)[] {
  return shape.map((d, i) => (d === null || d === undefined ? (i === 0 ? 'N' : `${name}_dim${i}`) : d));
}

function valueInfo(name: string, dims: (number | string)[]): Record<string, unknown> {
  return {
    name,
    type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } },
  };
}

/** metadata_props: the whole metadata as JSON under `captcha_ocr_metadata`, plus a few flat keys. */
export function metadataProps(m: ModelMetadata | undefined): { key: string; value: string }[] {
  if (!m) return [];
  const flat: Record<string, string | number | undefined> = {
    captcha_ocr_metadata: JSON.stringify(m),
    name: m.name,
    architecture: m.architecture,
    charset: m.charset,
    min_length: m.minLength,
    max_length: m.maxLength,
    input_height: m.input.height,
    input_width: m.input.width,
    output_kind: m.output.kind,
  };
  return Object.entries(flat)
    .filter(([, v]) => v !== undefined)
    .map(([key, value]) => ({ key, value: String(value) }));
}
