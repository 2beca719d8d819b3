import { DataType, type GraphBuilder } from './graph/graph-builder.ts';

/** float32 -> IEEE half bits, round to nearest even (overflow to +-inf, subnormals kept). */
export function float32ToFloat16Bits(value: number): number {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  f[0] = value;
  const x = u[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  e = half >>> 10;
  return sign | half;
}

/**
 * Stores the float weights (16 values or more) as float16 and inserts one Cast back to float32
 * per weight at the start of the graph: the file halves, inputs, outputs and arithmetic stay
 * float32 (onnxruntime folds the Casts when the session loads), so onnxruntime-node and
 * onnxruntime-web (wasm) both run it. Returns how many weights were converted.
 */
export function storeWeightsAsFloat16(g: GraphBuilder, minElements = 16): number {
  const casts = [];
  for (const init of g.initializers.values()) {
    if (init.dataType !== DataType.FLOAT || init.data.length < minElements) continue;
    const src = init.data as Float32Array;
    const bits = new Uint16Array(src.length);
    for (let i = 0; i < src.length; i++) bits[i] = float32ToFloat16Bits(src[i]);
    init.data = bits;
    init.dataType = DataType.FLOAT16;
    const cast = g.unique(`${init.name}_f32`);
    for (const n of g.nodes) n.inputs = n.inputs.map((x) => (x === init.name ? cast : x));
    casts.push({ opType: 'Cast', name: g.unique(`${init.name}_cast`), inputs: [init.name], outputs: [cast], attrs: { to: DataType.FLOAT } });
  }
  g.nodes.unshift(...casts);
  return casts.length;
}
