import { backend_util, type KernelBackend, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { callKernel, conv2dPadded, release } from './kernel-call.ts';

interface Attrs {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

/**
 * dX of a 2-D convolution, as ONE forward convolution: `dy` dilated by the stride (zeros
 * between rows/columns), padded by kh-1-pt (top) so the output is the input's size, convolved
 * with the filter flipped in space and with in/out channels swapped.
 */
export const conv2dBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as Attrs;
  if (a.dataFormat === 'NCHW') throw new Error('Conv2DBackpropInput: only NHWC is supported');
  const info = backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, 1, a.pad, a.dimRoundingMode);
  return inputGradient(backend as KernelBackend, dy, filter, info);
};

export function inputGradient(backend: KernelBackend, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { filterHeight: kh, filterWidth: kw, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) throw new Error('Conv2DBackpropInput: dilations must be 1');
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  if (oh === 1 && kh === h && pt === 0 && kw === 1 && sw === 1 && pl === 0 && ow === w) return fullHeightInputGradient(backend, dy, filter, info);
  const flipped = callKernel('Reverse', backend, { x: filter }, { dims: [0, 1] });
  const swapped = callKernel('Transpose', backend, { x: flipped }, { perm: [0, 1, 3, 2] });
  release(backend, flipped);
  const dyd = sh === 1 && sw === 1 ? dy : dilate(backend, dy, sh, sw);
  const lh = (oh - 1) * sh + 1;
  const lw = (ow - 1) * sw + 1;
  const pads = [kh - 1 - pt, h - lh + pt, kw - 1 - pl, w - lw + pl] as const;
  const out = conv2dPadded(backend, dyd, swapped, pads, [1, 1], [1, 1]);
  release(backend, swapped);
  if (dyd !== dy) release(backend, dyd);
  return out;
}

/** [N, H, W, C] -> [N, (H-1)*sh+1, (W-1)*sw+1, C] with zeros between the original rows/columns. */
function dilate(backend: KernelBackend, dy: TensorInfo, sh: number, sw: number): TensorInfo {
  const [n, h, w, c] = dy.shape;
  const r6 = callKernel('Reshape', backend, { x: dy }, { shape: [n, h, 1, w, 1, c] });
  const padded = callKernel('PadV2', backend, { x: r6 }, { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 });
  release(backend, r6);
  const r4 = callKernel('Reshape', backend, { x: padded }, { shape: [n, h * sh, w * sw, c] });
  release(backend, padded);
  const out = callKernel('Slice', backend, { x: r4 }, { begin: [0, 0, 0, 0], size: [n, (h - 1) * sh + 1, (w - 1) * sw + 1, c] });
  release(backend, r4);
  return out;
}

/**
 * dX of a full-height, one-column convolution (kernel [H, 1], valid: one output row, as used
 * to collapse the height): a plain product dy [N*W, Cout] x W^T [Cout, H*Cin], then
 * [N, W, H, Cin] -> [N, H, W, Cin]. The padded-convolution route would multiply H-1 zero rows
 * for every real one.
 */
function fullHeightInputGradient(backend: KernelBackend, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
  const dy2 = callKernel('Reshape', backend, { x: dy }, { shape: [1, n * w, co] });
  const f2 = callKernel('Reshape', backend, { x: filter }, { shape: [h * ci, co] });
  const ft = callKernel('Transpose', backend, { x: f2 }, { perm: [1, 0] });
  release(backend, f2);
  const ft3 = callKernel('Reshape', backend, { x: ft }, { shape: [1, co, h * ci] });
  release(backend, ft);
  const prod = callKernel('BatchMatMul', backend, { a: dy2, b: ft3 }, { transposeA: false, transposeB: false });
  release(backend, dy2, ft3);
  const p4 = callKernel('Reshape', backend, { x: prod }, { shape: [n, w, h, ci] });
  release(backend, prod);
  const out = callKernel('Transpose', backend, { x: p4 }, { perm: [0, 2, 1, 3] });
  release(backend, p4);
  return out;
}
