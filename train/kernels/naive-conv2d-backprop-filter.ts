import { backend_util, type KernelBackend, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';

/**
 * A straightforward JavaScript dW (6 nested loops), NHWC, dilation 1. Only used as the
 * "wasm without the project's kernels" baseline of bench/train.ts: stock wasm has no
 * Conv2DBackpropFilter at all, so a baseline needs some implementation to train.
 */
export const naiveConv2dBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as { strides: number | [number, number]; pad: 'same' | 'valid'; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number] };
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode);
  const b = backend as KernelBackend & { readSync(id: object): ArrayLike<number>; makeOutput?: unknown };
  const xv = b.readSync(x.dataId) as Float32Array;
  const dyv = b.readSync(dy.dataId) as Float32Array;
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const dw = new Float32Array(kh * kw * ci * co);
  for (let fy = 0; fy < kh; fy++) {
    for (let fx = 0; fx < kw; fx++) {
      for (let b0 = 0; b0 < n; b0++) {
        for (let y = 0; y < oh; y++) {
          const iy = y * sh + fy - pt;
          if (iy < 0 || iy >= h) continue;
          for (let xx = 0; xx < ow; xx++) {
            const ix = xx * sw + fx - pl;
            if (ix < 0 || ix >= w) continue;
            const xo = ((b0 * h + iy) * w + ix) * ci;
            const dyo = ((b0 * oh + y) * ow + xx) * co;
            const wo = (fy * kw + fx) * ci * co;
            for (let c = 0; c < ci; c++) {
              const xval = xv[xo + c];
              const row = wo + c * co;
              for (let o = 0; o < co; o++) dw[row + o] += xval * dyv[dyo + o];
            }
          }
        }
      }
    }
  }
  const dataId = b.write(dw, a.filterShape, 'float32');
  return { dataId, shape: a.filterShape, dtype: 'float32' };
};
