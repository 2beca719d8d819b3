import type { AttrValue } from '../graph/graph-builder.ts';
import { channelsFirstPerm, type Dim, type SymTensor } from '../graph/sym-tensor.ts';
import { applyActivation } from './activation-fn.ts';
import { pair, str, type LayerContext } from './layer-context.ts';

/** Kernel geometry of a 2-D convolution or pooling. */
export interface Geometry {
  readonly kernel: [number, number];
  readonly strides: [number, number];
  readonly dilation: [number, number];
  readonly padding: 'same' | 'valid';
}

export function readGeometry(ctx: LayerContext, kernelKey: string, stridesFallback?: [number, number]): Geometry {
  const kernel = pair(ctx, kernelKey);
  const strides = pair(ctx, 'strides', stridesFallback ?? [1, 1]);
  const dilation = pair(ctx, 'dilation_rate', [1, 1]);
  const padding = str(ctx, 'padding', 'valid');
  if (padding !== 'same' && padding !== 'valid') ctx.unsupported(`padding="${padding}" (only same and valid)`);
  if ((strides[0] > 1 || strides[1] > 1) && (dilation[0] > 1 || dilation[1] > 1)) ctx.unsupported('strides > 1 together with dilation_rate > 1');
  return { kernel, strides, dilation, padding };
}

/** Output size along one spatial axis, as TensorFlow computes it. */
export function outDim(size: Dim, k: number, s: number, d: number, padding: 'same' | 'valid'): Dim {
  if (size === null) return null;
  const eff = (k - 1) * d + 1;
  return padding === 'same' ? Math.ceil(size / s) : Math.floor((size - eff) / s) + 1;
}

/**
 * ONNX padding attributes reproducing TensorFlow: `same` pads floor(total/2) before and the rest
 * after (TF's asymmetric padding), explicit when the spatial size is known, SAME_UPPER otherwise.
 */
export function padAttrs(inH: Dim, inW: Dim, geo: Geometry): Record<string, AttrValue> {
  if (geo.padding === 'valid') return { pads: [0, 0, 0, 0] };
  if (inH === null || inW === null) return { auto_pad: 'SAME_UPPER' };
  const total = (size: number, i: 0 | 1) => {
    const out = Math.ceil(size / geo.strides[i]);
    return Math.max((out - 1) * geo.strides[i] + (geo.kernel[i] - 1) * geo.dilation[i] + 1 - size, 0);
  };
  const th = total(inH, 0);
  const tw = total(inW, 1);
  return { pads: [Math.floor(th / 2), Math.floor(tw / 2), th - Math.floor(th / 2), tw - Math.floor(tw / 2)] };
}

/** Output tensor description for a 4-D channels-first result with logical shape [N, H, W, C]. */
export function spatialOut(x: SymTensor, geo: Geometry, channels: number): Dim[] {
  return [x.shape[0], outDim(x.shape[1], geo.kernel[0], geo.strides[0], geo.dilation[0], geo.padding), outDim(x.shape[2], geo.kernel[1], geo.strides[1], geo.dilation[1], geo.padding), channels];
}

/**
 * Emits an ONNX Conv (weights already in ONNX [O, I/group, kh, kw] order) on a channels-last input
 * that is first brought channels-first, then the activation. A linear conv registers itself as
 * foldable so a following BatchNormalization folds into its weights.
 */
export function emitConv(
  ctx: LayerContext,
  input: SymTensor,
  weights: Float32Array,
  bias: Float32Array | undefined,
  geo: Geometry,
  group: number,
  outChannels: number,
  activation: unknown,
  base = ctx.layer.name,
): SymTensor {
  const { g } = ctx;
  if (input.shape.length !== 4) ctx.unsupported(`expected a 4-D input [N, H, W, C], got rank ${input.shape.length}`);
  const x = ctx.layout(input, channelsFirstPerm(4));
  const inC = input.shape[3] as number;
  const wName = g.float(`${base}/kernel`, weights, [outChannels, inC / group, geo.kernel[0], geo.kernel[1]]);
  const inputs = [x.name, wName];
  if (bias) inputs.push(g.float(`${base}/bias`, bias, [outChannels]));
  const attrs: Record<string, AttrValue> = {
    kernel_shape: [...geo.kernel],
    strides: [...geo.strides],
    dilations: [...geo.dilation],
    group,
    ...padAttrs(input.shape[1], input.shape[2], geo),
  };
  const y = g.op('Conv', inputs, attrs, `${base}/Conv`);
  const shape = spatialOut(input, geo, outChannels);
  if (shape[1] !== null && shape[2] !== null) ctx.addFlops(2 * shape[1] * shape[2] * outChannels * (inC / group) * geo.kernel[0] * geo.kernel[1]);
  const node = g.nodes[g.nodes.length - 1];
  const conv: SymTensor = { name: y, shape, perm: channelsFirstPerm(4) };
  const perOut = weights.length / outChannels;
  ctx.setFoldable(conv, (scale, shift) => {
    const w = g.initializers.get(wName)!.data as Float32Array;
    for (let o = 0; o < outChannels; o++) for (let i = 0; i < perOut; i++) w[o * perOut + i] *= scale[o];
    const b = new Float32Array(outChannels);
    const old = node.inputs[2] ? (g.initializers.get(node.inputs[2])!.data as Float32Array) : undefined;
    for (let o = 0; o < outChannels; o++) b[o] = (old ? old[o] : 0) * scale[o] + shift[o];
    if (old) old.set(b);
    else node.inputs.push(g.float(`${base}/bias`, b, [outChannels]));
    return true;
  });
  return applyActivation(ctx, activation, conv, base);
}

/** tfjs Conv2D kernel [kh, kw, in, out] -> ONNX [out, in, kh, kw]. */
export function convKernelToOnnx(k: Float32Array, [kh, kw, cin, cout]: number[]): Float32Array {
  const out = new Float32Array(k.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = k[((y * kw + x) * cin + i) * cout + o];
  return out;
}

/** tfjs depthwise kernel [kh, kw, in, mult] -> ONNX grouped [in*mult, 1, kh, kw] (output channel c*mult+m). */
export function depthwiseKernelToOnnx(k: Float32Array, [kh, kw, cin, mult]: number[]): Float32Array {
  const out = new Float32Array(k.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let c = 0; c < cin; c++)
        for (let m = 0; m < mult; m++) out[((c * mult + m) * kh + y) * kw + x] = k[((y * kw + x) * cin + c) * mult + m];
  return out;
}
