import { InvalidModelError, UnsupportedLayerError } from '../../core/errors.ts';

/** A reference to one output tensor of one call ("node") of a layer. */
export interface TensorRef {
  readonly layer: string;
  readonly node: number;
  readonly tensor: number;
}

/** A layer of the model: Keras-format class name and (snake_case) config, and the inputs of each of its calls. */
export interface LayerSpec {
  readonly className: string;
  readonly name: string;
  readonly config: Record<string, unknown>;
  readonly calls: TensorRef[][];
}

export interface ModelGraph {
  readonly name: string;
  readonly layers: LayerSpec[];
  readonly inputs: TensorRef[];
  readonly outputs: TensorRef[];
}

export const refKey = (r: TensorRef): string => `${r.layer}:${r.node}:${r.tensor}`;

type Json = Record<string, unknown>;

/** Normalises a Keras/tfjs `modelTopology` (Sequential or functional Model) into a layer graph. */
export function parseTopology(topology: unknown): ModelGraph {
  let top = topology as Json;
  if (top && typeof top === 'object' && 'model_config' in top) top = top.model_config as Json;
  if (!top || typeof top !== 'object' || typeof top.class_name !== 'string') throw new InvalidModelError('modelTopology is not a Keras model config');
  const cls = top.class_name;
  if (cls === 'Sequential') return parseSequential(top.config);
  if (cls === 'Model' || cls === 'Functional') return parseFunctional(top.config as Json);
  throw new InvalidModelError(`modelTopology class ${cls} is not a layers model (Sequential or Model)`);
}

function layerOf(raw: Json): { className: string; name: string; config: Json } {
  const className = String(raw.class_name);
  const config = (raw.config ?? {}) as Json;
  const name = String(raw.name ?? config.name ?? className);
  if (className === 'Sequential' || className === 'Model' || className === 'Functional') {
    throw new UnsupportedLayerError(`layer "${name}" (${className}): nested models are not supported; flatten the model first`);
  }
  return { className, name, config };
}

function parseSequential(config: unknown): ModelGraph {
  const c = config as Json | Json[];
  const rawLayers = (Array.isArray(c) ? c : (c.layers as Json[])) ?? [];
  const name = Array.isArray(c) ? 'sequential' : String(c.name ?? 'sequential');
  if (rawLayers.length === 0) throw new InvalidModelError('the Sequential model has no layers');
  const layers: LayerSpec[] = [];
  let prev: TensorRef | undefined;
  for (const raw of rawLayers) {
    const l = layerOf(raw);
    if (!prev) {
      if (l.className === 'InputLayer') {
        layers.push({ ...l, calls: [] });
        prev = { layer: l.name, node: 0, tensor: 0 };
        continue;
      }
      const shape = l.config.batch_input_shape ?? (l.config.input_shape ? [null, ...(l.config.input_shape as number[])] : undefined);
      if (!shape) throw new InvalidModelError(`the first layer "${l.name}" has no batch_input_shape`);
      const inputName = `${l.name}_input`;
      layers.push({ className: 'InputLayer', name: inputName, config: { batch_input_shape: shape, dtype: l.config.dtype ?? 'float32', name: inputName }, calls: [] });
      prev = { layer: inputName, node: 0, tensor: 0 };
    }
    layers.push({ ...l, calls: [[prev]] });
    prev = { layer: l.name, node: 0, tensor: 0 };
  }
  const input = layers[0];
  return { name, layers, inputs: [{ layer: input.name, node: 0, tensor: 0 }], outputs: [prev!] };
}

function parseRefs(raw: unknown, what: string): TensorRef[] {
  if (!Array.isArray(raw)) throw new InvalidModelError(`${what}: expected a list of [layer, node, tensor]`);
  // A single ref ["name", 0, 0] or a list of refs.
  const list = typeof raw[0] === 'string' ? [raw] : raw;
  return list.map((r) => {
    if (!Array.isArray(r) || typeof r[0] !== 'string') throw new InvalidModelError(`${what}: expected [layer, node, tensor], got ${JSON.stringify(r)}`);
    return { layer: r[0], node: Number(r[1] ?? 0), tensor: Number(r[2] ?? 0) };
  });
}

function parseFunctional(config: Json): ModelGraph {
  const layers: LayerSpec[] = ((config.layers as Json[]) ?? []).map((raw) => {
    const l = layerOf(raw);
    const inbound = (raw.inbound_nodes ?? []) as unknown[];
    const calls = inbound.map((node) => {
      if (!Array.isArray(node)) throw new InvalidModelError(`layer "${l.name}": inbound node format not understood (Keras 3 models are not supported)`);
      return node.map((r) => {
        const ref = r as unknown[];
        if (ref.length > 3 && ref[3] && typeof ref[3] === 'object' && Object.keys(ref[3] as Json).length > 0) {
          throw new UnsupportedLayerError(`layer "${l.name}" (${l.className}): call arguments ${JSON.stringify(ref[3])} are not supported`);
        }
        return { layer: String(ref[0]), node: Number(ref[1] ?? 0), tensor: Number(ref[2] ?? 0) };
      });
    });
    return { ...l, calls };
  });
  return {
    name: String(config.name ?? 'model'),
    layers,
    inputs: parseRefs(config.input_layers, 'input_layers'),
    outputs: parseRefs(config.output_layers, 'output_layers'),
  };
}
