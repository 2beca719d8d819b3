import { AttrType, DataType, type DataTypeCode } from '../onnx/onnx-schema.ts';

/** An attribute: a plain number is an INT, `{ f }` a FLOAT, a number array INTS, a string array STRINGS, `{ floats }` FLOATS. */
export type AttrValue = number | { f: number } | string | number[] | string[] | { floats: number[] };

/** One ONNX node while the graph is being built (inputs may be edited, e.g. to add a folded bias). */
export interface BuilderNode {
  readonly opType: string;
  readonly name: string;
  inputs: string[];
  outputs: string[];
  readonly attrs: Record<string, AttrValue>;
}

/** A constant tensor; `data` stays mutable until the model is written (batch-norm folding edits it). */
export interface Initializer {
  readonly name: string;
  dims: number[];
  dataType: DataTypeCode;
  data: Float32Array | Int32Array | BigInt64Array | Uint16Array;
}

/** Collects nodes and initializers with unique names; knows nothing about tfjs. */
export class GraphBuilder {
  readonly nodes: BuilderNode[] = [];
  readonly initializers = new Map<string, Initializer>();
  private readonly used = new Set<string>();

  /** A fresh tensor or node name based on `base`. */
  unique(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_./:-]/g, '_') || 't';
    let name = clean;
    for (let i = 1; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }

  reserve(name: string): void {
    this.used.add(name);
  }

  /** Adds a node with one output (named after `base`) and returns that output's name. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, base = opType): string {
    return this.opMulti(opType, inputs, 1, attrs, base)[0];
  }

  opMulti(opType: string, inputs: string[], outputs: number, attrs: Record<string, AttrValue> = {}, base = opType): string[] {
    const name = this.unique(base);
    const outs = Array.from({ length: outputs }, (_, i) => (i === 0 ? name : this.unique(`${name}:${i}`)));
    this.nodes.push({ opType, name, inputs, outputs: outs, attrs });
    return outs;
  }

  producer(tensor: string): BuilderNode | undefined {
    return this.nodes.find((n) => n.outputs.includes(tensor));
  }

  float(base: string, data: Float32Array | number[], dims: number[]): string {
    return this.init(base, DataType.FLOAT, Float32Array.from(data), dims);
  }

  int64(base: string, values: number[]): string {
    return this.init(base, DataType.INT64, BigInt64Array.from(values.map((v) => BigInt(v))), [values.length]);
  }

  /** A float scalar constant (rank 0). */
  scalar(base: string, value: number): string {
    return this.init(base, DataType.FLOAT, Float32Array.of(value), []);
  }

  init(base: string, dataType: DataTypeCode, data: Initializer['data'], dims: number[]): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) throw new Error(`internal error: initializer ${base} has ${data.length} values for dims [${dims}]`);
    const name = this.unique(base);
    this.initializers.set(name, { name, dims, dataType, data });
    return name;
  }

  /** Renames a tensor everywhere (node inputs and outputs). */
  rename(from: string, to: string): void {
    for (const n of this.nodes) {
      n.inputs = n.inputs.map((x) => (x === from ? to : x));
      n.outputs = n.outputs.map((x) => (x === from ? to : x));
    }
    this.used.add(to);
  }

  /** The ONNX NodeProto objects (plain objects for protobufjs). */
  nodeProtos(): Record<string, unknown>[] {
    return this.nodes.map((n) => this.nodeProto(n));
  }

  /** One node as an ONNX NodeProto object. */
  nodeProto(n: BuilderNode): Record<string, unknown> {
    return {
      op_type: n.opType,
      name: n.name,
      input: n.inputs,
      output: n.outputs,
      attribute: Object.entries(n.attrs).map(([name, v]) => attrProto(name, v)),
    };
  }

  initializerProtos(): Record<string, unknown>[] {
    return [...this.initializers.values()].map((t) => ({
      name: t.name,
      dims: t.dims,
      data_type: t.dataType,
      raw_data: toLittleEndianBytes(t.data),
    }));
  }
}

function attrProto(name: string, v: AttrValue): Record<string, unknown> {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`internal error: attribute ${name} must be an integer, got ${v}`);
    return { name, type: AttrType.INT, i: v };
  }
  if (typeof v === 'string') return { name, type: AttrType.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) {
    return { name, type: AttrType.STRINGS, strings: (v as string[]).map((x) => new TextEncoder().encode(x)) };
  }
  if (Array.isArray(v)) return { name, type: AttrType.INTS, ints: v as number[] };
  if ('f' in v) return { name, type: AttrType.FLOAT, f: v.f };
  return { name, type: AttrType.FLOATS, floats: v.floats };
}

/** Raw little-endian bytes of a typed array (ONNX raw_data is little-endian). */
export function toLittleEndianBytes(data: Initializer['data']): Uint8Array {
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  const size = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < data.length; i++) {
    const o = i * size;
    if (data instanceof Float32Array) view.setFloat32(o, data[i], true);
    else if (data instanceof Int32Array) view.setInt32(o, data[i], true);
    else if (data instanceof BigInt64Array) view.setBigInt64(o, data[i], true);
    else view.setUint16(o, data[i], true);
  }
  return out;
}

export { DataType };
