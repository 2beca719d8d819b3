/**
 * Static int8 quantization of a converted model, for serving on CPUs with int8 arithmetic
 * (onnxruntime's MLAS, AVX-512 VNNI / AVX-VNNI): every Conv whose input is never negative (except
 * one of a single input channel, the image's: see `quantizable` below) gets
 * int8 weights (symmetric, one scale per output channel), an int32 bias and a uint8 input
 * (zero point 0, one scale per tensor from the largest value seen on calibration images), as
 * QuantizeLinear / DequantizeLinear pairs around the float graph (the "QDQ" format):
 * onnxruntime fuses them into QLinearConv, and any runtime without int8 kernels still runs the
 * pairs as plain arithmetic. A Conv -> MaxPool -> Relu chain becomes Conv -> Relu -> MaxPool
 * first (the same function: max and relu commute) so each Conv's Relu fuses with it and the
 * pool runs on uint8. The rest (the final MatMul, Softmax) stays float32.
 * A Relu after the last Conv gets a pair of its own so that Conv fuses too.
 * Measured on the campaign's 154 MFLOP model (shipped so): with every Conv quantized, batch 1
 * 1.13-1.45x faster in onnxruntime-node (depending on the hour), about 2x in onnxruntime-web,
 * the reference sets read exactly as in float32 (docs/experiments.md); with the first Conv left
 * float32, 1.8x faster again in onnxruntime-node (docs/model-card.md, "Serving it"). Run 3's
 * 60 MFLOP model gained nothing on Node.
 */
import type * as Ort from 'onnxruntime-node';
import { decodeOutput } from '../core/decode-output.ts';
import type { ModelMetadata } from '../core/model-contract.ts';
import { AttrType, DataType, decodeModel, encodeModel } from './onnx/onnx-schema.ts';

const { FLOAT, UINT8, INT8, INT32 } = DataType;

interface Node {
  op_type: string;
  name?: string;
  input: string[];
  output: string[];
  attribute?: { name: string; type?: number; i?: number }[];
}
interface Initializer {
  name: string;
  dims: number[];
  data_type: number;
  raw_data?: Uint8Array;
  float_data?: number[];
}
interface Model {
  graph: { node: Node[]; initializer: Initializer[]; output: { name: string }[] };
}

export interface Int8Result {
  readonly onnx: Uint8Array;
  /** Convolutions quantized, of those in the model. */
  readonly quantized: number;
  readonly convolutions: number;
}

// The decoded ModelProto, with the fields this pass reads and writes.
const decode = (bytes: Uint8Array): Model => decodeModel(bytes) as unknown as Model;
const encode = (model: Model): Uint8Array => encodeModel(model as unknown as Record<string, unknown>);

function floatsOf(init: Initializer): Float32Array {
  if (init.data_type !== FLOAT) throw new Error(`initializer ${init.name} is not float32`);
  const raw = init.raw_data;
  return raw ? new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)) : Float32Array.from(init.float_data ?? []);
}

function bytesOf(values: Float32Array | Int8Array | Int32Array | Uint8Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Conv -> MaxPool -> Relu (one consumer each) becomes Conv -> Relu -> MaxPool, for the Convs `quantized` picks. */
function reluBeforePool(nodes: Node[], quantized: (conv: Node) => boolean): void {
  const consumers = (name: string) => nodes.filter((n) => n.input.includes(name)).length;
  for (let k = 0; k + 2 < nodes.length; k++) {
    const [conv, pool, relu] = nodes.slice(k, k + 3);
    if (conv.op_type !== 'Conv' || pool.op_type !== 'MaxPool' || relu.op_type !== 'Relu' || !quantized(conv)) continue;
    if (pool.input[0] !== conv.output[0] || relu.input[0] !== pool.output[0] || pool.output.length !== 1) continue;
    if (consumers(conv.output[0]) !== 1 || consumers(pool.output[0]) !== 1) continue;
    const rectified = `${conv.output[0]}_relu`;
    nodes.splice(k + 1, 2, { ...relu, input: [conv.output[0]], output: [rectified] }, { ...pool, input: [rectified], output: [relu.output[0]] });
  }
}

/** The smallest and largest value of each named tensor over the images (run one at a time). */
async function tensorRanges(model: Model, names: readonly string[], images: readonly Float32Array[], inputShape: readonly number[]): Promise<Map<string, [number, number]>> {
  const ort = await import('onnxruntime-node');
  const probe: Model = { ...model, graph: { ...model.graph, output: [...model.graph.output, ...names.map((name) => ({ name }))] } };
  const session = await ort.InferenceSession.create(encode(probe), { executionProviders: ['cpu'], graphOptimizationLevel: 'basic' });
  const ranges = new Map<string, [number, number]>(names.map((n) => [n, [Infinity, -Infinity]]));
  try {
    for (const image of images) {
      const out: Ort.InferenceSession.OnnxValueMapType = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', image, [1, ...inputShape]) });
      for (const name of names) {
        const data = out[name].data as Float32Array;
        const r = ranges.get(name)!;
        for (let i = 0; i < data.length; i++) {
          if (data[i] < r[0]) r[0] = data[i];
          if (data[i] > r[1]) r[1] = data[i];
        }
      }
    }
  } finally {
    await session.release();
  }
  return ranges;
}

/**
 * Quantizes `onnx` (a float32 model from this converter, inputs [N, ...inputShape]) with
 * activation ranges measured on `calibration` (model inputs, one image each).
 */
export async function quantizeInt8(onnx: Uint8Array, calibration: readonly Float32Array[], inputShape: readonly number[]): Promise<Int8Result> {
  if (calibration.length === 0) throw new RangeError('int8 quantization needs calibration images');
  const model = decode(onnx);
  const g = model.graph;
  const inits = new Map(g.initializer.map((i) => [i.name, i]));
  // A Conv of one input channel (the image's) stays float: onnxruntime's QLinearConv spends 40 %
  // of the campaign model's int8 run on that layer's 1.5 M multiply-adds (profiled, batch 1),
  // where the float kernel is several times faster.
  const quantizable = (n: Node) => n.op_type === 'Conv' && inits.has(n.input[1]) && inits.get(n.input[1])!.data_type === FLOAT && inits.get(n.input[1])!.dims[1] !== 1;
  reluBeforePool(g.node, quantizable);
  const convs = g.node.filter(quantizable);
  const convolutions = g.node.filter((n) => n.op_type === 'Conv').length;
  const inputs = [...new Set(convs.map((n) => n.input[0]))];
  const producer = new Map<string, Node>();
  for (const n of g.node) for (const o of n.output) producer.set(o, n);
  // A Relu right after a Conv whose output is neither a Conv input nor pooled into one (the
  // last convolution, before the float head) gets its own pair, so that Conv fuses too.
  const consumers = (name: string) => g.node.filter((n) => n.input.includes(name));
  const convOutputs = new Set(convs.map((n) => n.output[0]));
  const tails = g.node
    .filter((n) => n.op_type === 'Relu' && convOutputs.has(n.input[0]) && !inputs.includes(n.output[0]))
    .filter((n) => !consumers(n.output[0]).some((c) => c.op_type === 'MaxPool' && inputs.includes(c.output[0])))
    .map((n) => n.output[0]);
  const ranges = await tensorRanges(model, [...inputs, ...tails], calibration, inputShape);
  // uint8 with zero point 0 holds non-negative tensors only; a Conv fed anything else stays float.
  const scaleOf = new Map<string, number>();
  for (const [name, [lo, hi]] of ranges) if (lo >= 0 && hi > 0) scaleOf.set(name, hi / 255);

  const added: Initializer[] = [];
  const replaced = new Set<string>();
  const scalar = (name: string, value: number) => added.push({ name, dims: [], data_type: FLOAT, raw_data: bytesOf(Float32Array.of(value)) });
  const zeroPoint = (name: string) => added.push({ name, dims: [], data_type: UINT8, raw_data: new Uint8Array(1) });
  const qdq = (tensor: string, scale: number, out: Node[]): string => {
    scalar(`${tensor}_scale`, scale);
    zeroPoint(`${tensor}_zero`);
    const q = [`${tensor}_scale`, `${tensor}_zero`];
    out.push({ op_type: 'QuantizeLinear', name: `${tensor}_quantize`, input: [tensor, ...q], output: [`${tensor}_uint8`] });
    out.push({ op_type: 'DequantizeLinear', name: `${tensor}_dequantize`, input: [`${tensor}_uint8`, ...q], output: [`${tensor}_q`] });
    return `${tensor}_q`;
  };
  const perChannel = (name: string, values: Int8Array | Int32Array, type: number, scales: Float32Array, out: Node[]): string => {
    const o = scales.length;
    added.push({ name: `${name}_q`, dims: inits.get(name)!.dims, data_type: type, raw_data: bytesOf(values) });
    added.push({ name: `${name}_scale`, dims: [o], data_type: FLOAT, raw_data: bytesOf(scales) });
    added.push({ name: `${name}_zero`, dims: [o], data_type: type, raw_data: new Uint8Array(o * (type === INT32 ? 4 : 1)) });
    out.push({ op_type: 'DequantizeLinear', name: `${name}_dequantize`, input: [`${name}_q`, `${name}_scale`, `${name}_zero`], output: [`${name}_dq`], attribute: [{ name: 'axis', type: AttrType.INT, i: 0 }] });
    replaced.add(name);
    return `${name}_dq`;
  };

  const nodes: Node[] = [];
  const dequantized = new Map<string, string>();
  let quantized = 0;
  const quantizedOutputs = new Set<string>();
  for (const n of g.node) {
    const x = n.input[0];
    const sx = scaleOf.get(x);
    if (n.op_type === 'Conv' && sx !== undefined && convs.includes(n)) {
      if (!dequantized.has(x)) dequantized.set(x, qdq(x, sx, nodes));
      const w = floatsOf(inits.get(n.input[1])!);
      const o = inits.get(n.input[1])!.dims[0];
      const per = w.length / o;
      const ws = new Float32Array(o);
      const wq = new Int8Array(w.length);
      for (let c = 0; c < o; c++) {
        let m = 0;
        for (let j = 0; j < per; j++) m = Math.max(m, Math.abs(w[c * per + j]));
        ws[c] = m > 0 ? m / 127 : 1;
        for (let j = 0; j < per; j++) wq[c * per + j] = Math.round(w[c * per + j] / ws[c]);
      }
      const inputs = [dequantized.get(x)!, perChannel(n.input[1], wq, INT8, ws, nodes)];
      if (n.input[2]) {
        const b = floatsOf(inits.get(n.input[2])!);
        const bs = ws.map((s) => s * sx);
        inputs.push(perChannel(n.input[2], Int32Array.from(b, (v, c) => Math.round(v / bs[c])), INT32, bs, nodes));
      }
      nodes.push({ ...n, input: inputs });
      quantized++;
      quantizedOutputs.add(n.output[0]);
    } else if (n.op_type === 'MaxPool' && n.output.length === 1 && scaleOf.has(n.output[0]) && producer.get(x)?.op_type === 'Relu') {
      // a pool of a Relu that feeds a quantized Conv: uint8 in and out, at its output's scale
      nodes.push({ ...n, input: [qdq(x, scaleOf.get(n.output[0])!, nodes)] });
    } else if (n.op_type === 'Relu' && tails.includes(n.output[0]) && scaleOf.has(n.output[0]) && quantizedOutputs.has(x)) {
      // rename the Relu's output and let the pair give the tensor its old name back
      const y = n.output[0];
      nodes.push({ ...n, output: [`${y}_float`] });
      const dq = qdq(`${y}_float`, scaleOf.get(y)!, nodes);
      nodes.push({ op_type: 'Identity', name: `${y}_identity`, input: [dq], output: [y] });
    } else nodes.push(n);
  }
  if (quantized === 0) throw new RangeError('no convolution of this model can be quantized (int8 needs Conv layers of more than one input channel with non-negative inputs)');
  g.node = nodes;
  g.initializer = [...g.initializer.filter((i) => !replaced.has(i.name)), ...added];
  return { onnx: encode(model), quantized, convolutions };
}

/**
 * How often the int8 model reads the same text as the float one, over `images` (model inputs
 * of metadata's shape): the check `convert --int8` prints, with the first differences.
 */
export async function readingAgreement(floatOnnx: Uint8Array, int8Onnx: Uint8Array, images: readonly Float32Array[], metadata: ModelMetadata): Promise<{ images: number; same: number; differences: { float: string; int8: string }[] }> {
  const ort = await import('onnxruntime-node');
  const sessions = await Promise.all([floatOnnx, int8Onnx].map((b) => ort.InferenceSession.create(b, { executionProviders: ['cpu'] })));
  const shape = [1, metadata.input.height, metadata.input.width, 1];
  let same = 0;
  const differences: { float: string; int8: string }[] = [];
  try {
    for (const image of images) {
      const [a, b] = await Promise.all(
        sessions.map(async (s) => {
          const out = (await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', image, shape) }))[s.outputNames[0]];
          const dims = out.dims as readonly number[];
          const classes = dims[dims.length - 1];
          return decodeOutput(out.data as Float32Array, (out.data as Float32Array).length / classes, classes, metadata.charset, metadata.output).text;
        }),
      );
      if (a === b) same++;
      else if (differences.length < 5) differences.push({ float: a, int8: b });
    }
  } finally {
    await Promise.all(sessions.map((s) => s.release()));
  }
  return { images: images.length, same, differences };
}
