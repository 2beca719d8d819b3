// Experiment: static int8 QDQ quantization of a converted model (Conv weights int8 per channel,
// activations uint8 per tensor, calibrated on generated images), to see what onnxruntime-node's
// int8 kernels (AVX-512 VNNI here) make of it. Usage: node --import tsx experiments/int8/quantize.ts IN.onnx OUT.onnx [--images 512] [--percentile 100]
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { createCaptchaGenerator } from '../../captcha/generator.ts';
import { ModelProto } from '../../convert/onnx/onnx-schema.ts';
import { preprocess } from '../../core/preprocess.ts';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { images: { type: 'string', default: '512' }, percentile: { type: 'string', default: '100' } } });
const [input, output] = positionals;
const meta = JSON.parse(readFileSync(input.replace(/\.onnx$/, '.json'), 'utf8'));
const { height, width } = meta.input;
type Node = { op_type: string; name?: string; input: string[]; output: string[]; attribute?: unknown[] };
type Init = { name: string; dims: number[]; data_type: number; raw_data?: Uint8Array; float_data?: number[] };
const model = ModelProto.toObject(ModelProto.decode(readFileSync(input)), { longs: Number, arrays: true }) as { graph: { node: Node[]; initializer: Init[]; output: { name: string; type?: unknown }[] }; opset_import: { domain?: string; version: number }[] };
const g = model.graph;
const inits = new Map(g.initializer.map((i) => [i.name, i]));
const floats = (i: Init) => (i.raw_data ? new Float32Array(i.raw_data.buffer.slice(i.raw_data.byteOffset, i.raw_data.byteOffset + i.raw_data.byteLength)) : Float32Array.from(i.float_data ?? []));

// 1. Reorder Conv -> MaxPool -> Relu into Conv -> Relu -> MaxPool (the same function: max and relu commute).
for (let k = 0; k + 2 < g.node.length; k++) {
  const [a, b, c] = g.node.slice(k, k + 3);
  if (a.op_type === 'Conv' && b.op_type === 'MaxPool' && c.op_type === 'Relu' && b.input[0] === a.output[0] && c.input[0] === b.output[0]) {
    const pooled = c.output[0];
    const relu = { ...c, input: [a.output[0]], output: [`${a.output[0]}_relu`] };
    const pool = { ...b, input: [relu.output[0]], output: [pooled] };
    g.node.splice(k + 1, 2, relu, pool);
  }
}

// 2. Calibration: the range of every Conv input, over generated images of the training mix's kinds.
const convs = g.node.filter((n) => n.op_type === 'Conv');
const watched = [...new Set(convs.map((n) => n.input[0]))];
const calib = ModelProto.toObject(ModelProto.decode(readFileSync(input)), { longs: Number, arrays: true }) as typeof model;
calib.graph = { ...g, output: [...g.output, ...watched.map((name) => ({ name }))] } as never;
const session = await ort.InferenceSession.create(ModelProto.encode(ModelProto.fromObject(calib)).finish());
const kinds = [
  { style: '0.7' as const, width: 160, height: 60 },
  { style: '0.3' as const, width: 160, height: 60 },
  { style: '0.2' as const, width: 170, height: 80 },
  { style: '0.7' as const, width: 200, height: 70, minLength: 4, maxLength: 6 },
];
const count = Number(values.images);
const samples = new Map<string, Float32Array[]>(watched.map((w) => [w, []]));
for (let i = 0; i < count; i++) {
  const gen = createCaptchaGenerator({ ...kinds[i % kinds.length], seed: 777 + (i % kinds.length) });
  const x = preprocess(gen.generate(i).image, meta.input);
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, [1, height, width, 1]) });
  for (const w of watched) {
    const d = out[w].data as Float32Array;
    // keep a strided sample of each tensor for percentiles
    const step = Math.max(1, Math.floor(d.length / 2048));
    const s = new Float32Array(Math.ceil(d.length / step));
    for (let j = 0, k = 0; j < d.length; j += step, k++) s[k] = d[j];
    samples.get(w)!.push(s);
  }
}
const scaleOf = new Map<string, number>();
for (const w of watched) {
  const all = Float32Array.from(samples.get(w)!.flatMap((a) => [...a])).sort();
  const lo = all[0];
  if (lo < -1e-6) throw new Error(`${w} has negative values (${lo}): uint8 with zero point 0 needs non-negative inputs`);
  const hi = all[Math.min(all.length - 1, Math.floor((all.length * Number(values.percentile)) / 100))];
  scaleOf.set(w, hi / 255);
  console.log(`${w}: max ${all[all.length - 1].toFixed(3)}, p${values.percentile} ${hi.toFixed(3)}`);
}

// 3. QDQ: Q/DQ on every Conv input (uint8, zero point 0), int8 per-channel weights, int32 bias.
const newInits: Init[] = [];
const scalar = (name: string, v: number): string => {
  newInits.push({ name, dims: [], data_type: 1, raw_data: new Uint8Array(Float32Array.of(v).buffer) });
  return name;
};
const u8zero = (name: string): string => {
  newInits.push({ name, dims: [], data_type: 2, raw_data: new Uint8Array(1) });
  return name;
};
const nodes: Node[] = [];
const dq = new Map<string, string>();
for (const n of g.node) {
  if (n.op_type === 'Conv') {
    const x = n.input[0];
    if (!dq.has(x)) {
      const s = scalar(`${x}_scale`, scaleOf.get(x)!);
      const z = u8zero(`${x}_zp`);
      nodes.push({ op_type: 'QuantizeLinear', name: `${x}_q`, input: [x, s, z], output: [`${x}_quant`] });
      nodes.push({ op_type: 'DequantizeLinear', name: `${x}_dq`, input: [`${x}_quant`, s, z], output: [`${x}_deq`] });
      dq.set(x, `${x}_deq`);
    }
    const wInit = inits.get(n.input[1])!;
    const w = floats(wInit);
    const o = wInit.dims[0];
    const per = w.length / o;
    const ws = new Float32Array(o);
    const wq = new Int8Array(w.length);
    for (let c = 0; c < o; c++) {
      let m = 0;
      for (let j = 0; j < per; j++) m = Math.max(m, Math.abs(w[c * per + j]));
      ws[c] = m / 127 || 1e-8;
      for (let j = 0; j < per; j++) wq[c * per + j] = Math.max(-127, Math.min(127, Math.round(w[c * per + j] / ws[c])));
    }
    const wName = n.input[1];
    newInits.push({ name: `${wName}_q`, dims: wInit.dims, data_type: 3, raw_data: new Uint8Array(wq.buffer) });
    newInits.push({ name: `${wName}_scale`, dims: [o], data_type: 1, raw_data: new Uint8Array(ws.buffer) });
    newInits.push({ name: `${wName}_zp`, dims: [o], data_type: 3, raw_data: new Uint8Array(o) });
    nodes.push({ op_type: 'DequantizeLinear', name: `${wName}_dq`, input: [`${wName}_q`, `${wName}_scale`, `${wName}_zp`], output: [`${wName}_deq`], attribute: [{ name: 'axis', type: 2, i: 0 }] });
    const inputs = [dq.get(x)!, `${wName}_deq`];
    if (n.input[2]) {
      const b = floats(inits.get(n.input[2])!);
      const sx = scaleOf.get(x)!;
      const bs = Float32Array.from(ws, (v) => v * sx);
      const bq = Int32Array.from(b, (v, c) => Math.round(v / bs[c]));
      const bName = n.input[2];
      newInits.push({ name: `${bName}_q`, dims: [o], data_type: 6, raw_data: new Uint8Array(bq.buffer) });
      newInits.push({ name: `${bName}_scale`, dims: [o], data_type: 1, raw_data: new Uint8Array(bs.buffer) });
      newInits.push({ name: `${bName}_zp`, dims: [o], data_type: 6, raw_data: new Uint8Array(4 * o) });
      nodes.push({ op_type: 'DequantizeLinear', name: `${bName}_dq`, input: [`${bName}_q`, `${bName}_scale`, `${bName}_zp`], output: [`${bName}_deq`], attribute: [{ name: 'axis', type: 2, i: 0 }] });
      inputs.push(`${bName}_deq`);
    }
    nodes.push({ ...n, input: inputs });
  } else nodes.push(n);
}
// Conv outputs: Q/DQ after each Relu that follows a Conv (so Conv+Relu fuse into one QLinearConv),
// with the scale of the tensor the Relu's consumer quantizes anyway when it is a Conv input.
const out: Node[] = [];
for (const n of nodes) {
  out.push(n);
  if (n.op_type === 'Relu' && scaleOf.has(n.output[0]) === false) {
    // the Relu feeds a MaxPool whose output is a Conv input: quantize with that scale
    const pool = nodes.find((m) => m.op_type === 'MaxPool' && m.input[0] === n.output[0]);
    const target = pool ? pool.output[0] : undefined;
    const s = target && scaleOf.get(target);
    if (s) {
      const y = n.output[0];
      const sName = scalar(`${y}_scale`, s);
      const z = u8zero(`${y}_zp`);
      out.push({ op_type: 'QuantizeLinear', name: `${y}_q`, input: [y, sName, z], output: [`${y}_quant`] });
      out.push({ op_type: 'DequantizeLinear', name: `${y}_dq`, input: [`${y}_quant`, sName, z], output: [`${y}_deq`] });
      pool!.input[0] = `${y}_deq`;
    }
  }
}
g.node = out;
g.initializer = [...g.initializer.filter((i) => !convs.some((c) => c.input[1] === i.name || c.input[2] === i.name)), ...newInits];
mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, ModelProto.encode(ModelProto.fromObject(model)).finish());
copyFileSync(input.replace(/\.onnx$/, '.json'), output.replace(/\.onnx$/, '.json'));
console.log(`wrote ${output}`);
