import { backend_util, type KernelBackend, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';
import { jsKernel } from './heap.ts';
import { callKernel, conv2dPadded, release } from './kernel-call.ts';

interface Attrs {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
  dilations?: number | [number, number];
}

/**
 * dW of a 2-D convolution, as ONE forward convolution (XNNPACK speed):
 * with the input's channels moved to the batch axis (`x^T`: [Cin, H, W, N]) and `dy` as the
 * filter ([oh, ow, N, Cout]), `conv(x^T, dy)` with dilation = the forward stride (and stride
 * = the forward dilation) gives [Cin, kh, kw, Cout], i.e. dW up to a transpose:
 *   dW[a, b, ci, co] = sum_{n, i, j} x[n, i*s + a*d - pt, j*s + b*d - pl, ci] * dy[n, i, j, co].
 */
export const conv2dBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Attrs;
  if (a.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter: only NHWC is supported');
  const dilations = a.dilations ?? 1;
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, dilations, a.pad, a.dimRoundingMode);
  return filterGradient(backend as KernelBackend, x, dy, info);
};

export function filterGradient(backend: KernelBackend, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  if (info.inChannels === 1 && info.dilationHeight === 1 && info.dilationWidth === 1) return singleChannelFilterGradient(backend, x, dy, info);
  const { filterHeight: kh, filterWidth: kw, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const xT = callKernel('Transpose', backend, { x }, { perm: [3, 1, 2, 0] });
  const dyT = callKernel('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] });
  // Pads so that the output is exactly kh x kw: rows used are -pt .. (kh-1)*dh + (oh-1)*sh - pt.
  const pb = (kh - 1) * dh + (oh - 1) * sh + 1 - h - pt;
  const pr = (kw - 1) * dw + (ow - 1) * sw + 1 - w - pl;
  const r = conv2dPadded(backend, xT, dyT, [pt, pb, pl, pr], [dh, dw], [sh, sw]);
  release(backend, xT, dyT);
  const out = callKernel('Transpose', backend, { x: r }, { perm: [1, 2, 0, 3] } as NamedAttrMap);
  release(backend, r);
  return out;
}

/**
 * dW for a one-channel input (the first layer): XNNPACK handles one input channel per tap
 * poorly, so build the transposed im2col matrix P^T [kh*kw, N*oh*ow] in JS (row (a, b) is the
 * input shifted by (a, b): contiguous copies for stride 1) and take ONE plain product
 * P^T x dy [N*oh*ow, Cout] -> [kh*kw, Cout]. No transposes of dy.
 */
function singleChannelFilterGradient(backend: KernelBackend, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: n, filterHeight: kh, filterWidth: kw, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { strideHeight: sh, strideWidth: sw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const m = n * oh * ow;
  const cols = jsKernel(backend, [x], [1, kh * kw, m], ([xv], out) => {
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const rowBase = (a * kw + b) * m;
        // Output columns j whose input column j*sw + b - pl lies inside [0, w).
        const j0 = Math.max(0, Math.ceil((pl - b) / sw));
        const j1 = Math.min(ow, Math.floor((w - 1 + pl - b) / sw) + 1);
        for (let img = 0; img < n; img++) {
          for (let i = 0; i < oh; i++) {
            const iy = i * sh + a - pt;
            if (iy < 0 || iy >= h || j1 <= j0) continue;
            const dst = rowBase + (img * oh + i) * ow;
            const src = (img * h + iy) * w + j0 * sw + b - pl;
            if (sw === 1) {
              out.set(xv.subarray(src, src + (j1 - j0)), dst + j0);
            } else {
              for (let j = j0, p = src; j < j1; j++, p += sw) out[dst + j] = xv[p];
            }
          }
        }
      }
    }
  });
  const dy3 = callKernel('Reshape', backend, { x: dy }, { shape: [1, m, co] });
  const prod = callKernel('BatchMatMul', backend, { a: cols, b: dy3 }, { transposeA: false, transposeB: false });
  release(backend, cols, dy3);
  const out = callKernel('Reshape', backend, { x: prod }, { shape: [kh, kw, 1, co] });
  release(backend, prod);
  return out;
}
