import { identityPerm, type SymTensor } from '../graph/sym-tensor.ts';
import { applyActivation } from './activation-fn.ts';
import { bool, requireOneInput, type LayerContext, type LayerConverter } from './layer-context.ts';

/** Dense on 2-D inputs (Gemm) and on N-D inputs over the last axis (MatMul + Add). */
export const dense: LayerConverter = {
  classNames: ['Dense'],
  acceptsFeatureOrder: true,
  convert(ctx, inputs) {
    return [emitDense(ctx, requireOneInput(ctx, inputs))];
  },
};

export function emitDense(ctx: LayerContext, input: SymTensor, base = ctx.layer.name): SymTensor {
  const { g } = ctx;
  const k = ctx.weight('kernel');
  const [inF, units] = k.shape;
  const rank = input.shape.length;
  if (rank < 2) ctx.unsupported(`expected an input of rank >= 2, got ${rank}`);
  if (input.shape[rank - 1] !== inF) ctx.unsupported(`kernel shape [${k.shape}] does not match input features ${input.shape[rank - 1]}`);
  let kernel = k.values;
  let x = input;
  if (x.featureOrder) {
    // Physical feature j is logical feature order[j]: permute the kernel rows instead of the data.
    const order = x.featureOrder;
    kernel = new Float32Array(kernel.length);
    for (let j = 0; j < inF; j++) kernel.set(k.values.subarray(order[j] * units, order[j] * units + units), j * units);
    x = { name: x.name, shape: x.shape, perm: x.perm };
  }
  if (x.perm[rank - 1] !== rank - 1) x = ctx.layout(x, identityPerm(rank));
  const useBias = bool(ctx, 'use_bias', true);
  const bias = useBias ? ctx.weight('bias').values : undefined;
  const wName = g.float(`${base}/kernel`, kernel, [inF, units]);
  const rows = x.shape.slice(1, -1).reduce<number | null>((a, d) => (a === null || d === null ? null : a * d), 1);
  if (rows !== null) ctx.addFlops(2 * rows * inF * units);
  const outOf = (name: string): SymTensor => ({ name, shape: [...x.shape.slice(0, -1), units], perm: x.perm });
  let y: string;
  let biasName: string | undefined;
  const node = () => g.nodes[g.nodes.length - 1];
  if (rank === 2) {
    const ins = [x.name, wName];
    if (bias) ins.push((biasName = g.float(`${base}/bias`, bias, [units])));
    y = g.op('Gemm', ins, {}, `${base}/Gemm`);
    const gemm = node();
    ctx.setFoldable(outOf(y), (scale, shift) => foldColumns(ctx, wName, gemm.inputs[2], units, scale, shift, (b) => gemm.inputs.push(g.float(`${base}/bias`, b, [units]))));
  } else {
    y = g.op('MatMul', [x.name, wName], {}, `${base}/MatMul`);
    if (bias) {
      biasName = g.float(`${base}/bias`, bias, [units]);
      y = g.op('Add', [y, biasName], {}, `${base}/BiasAdd`);
      const b = biasName;
      ctx.setFoldable(outOf(y), (scale, shift) => foldColumns(ctx, wName, b, units, scale, shift, () => undefined));
    }
  }
  return applyActivation(ctx, ctx.layer.config.activation, outOf(y), base);
}

function foldColumns(ctx: LayerContext, wName: string, biasName: string | undefined, units: number, scale: Float32Array, shift: Float32Array, addBias: (b: Float32Array) => void): boolean {
  const w = ctx.g.initializers.get(wName)!.data as Float32Array;
  for (let i = 0; i < w.length; i++) w[i] *= scale[i % units];
  const old = biasName ? (ctx.g.initializers.get(biasName)!.data as Float32Array) : undefined;
  const b = new Float32Array(units);
  for (let o = 0; o < units; o++) b[o] = (old ? old[o] : 0) * scale[o] + shift[o];
  if (old) old.set(b);
  else addBias(b);
  return true;
}
