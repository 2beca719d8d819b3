import { backend_util, type KernelBackend, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { jsKernel } from './heap.ts';

/**
 * dX of a 2-D max pool (NHWC): each output window's gradient goes to the first maximum of
 * the window in row-major order (the tfjs cpu backend's rule). One pass over the windows.
 */
export const maxPoolGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input, output } = inputs as { dy: TensorInfo; input: TensorInfo; output?: TensorInfo };
  const a = attrs as unknown as { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'same' | 'valid' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  if (output && sh === fh && sw === fw && pt === 0 && pl === 0 && oh * fh <= h && ow * fw <= w) {
    // Non-overlapping windows: the gradient goes to the first element equal to the window's
    // output (that is the first maximum); equality tests branch predictably, unlike max searches.
    return jsKernel(backend as KernelBackend, [input, dy, output], input.shape, ([x, g, y], dx) => {
      const row = w * c;
      for (let b = 0; b < n; b++) {
        for (let yo = 0; yo < oh; yo++) {
          const r0 = (b * h + yo * fh) * row;
          for (let xo = 0; xo < ow; xo++) {
            const o = ((b * oh + yo) * ow + xo) * c;
            const p0 = r0 + xo * fw * c;
            if (fh === 2 && fw === 2) {
              const p1 = p0 + c;
              const p2 = p0 + row;
              const p3 = p2 + c;
              for (let ch = 0; ch < c; ch++) {
                const m = y[o + ch];
                const gv = g[o + ch];
                if (x[p0 + ch] === m) dx[p0 + ch] = gv;
                else if (x[p1 + ch] === m) dx[p1 + ch] = gv;
                else if (x[p2 + ch] === m) dx[p2 + ch] = gv;
                else if (x[p3 + ch] === m) dx[p3 + ch] = gv;
              }
              continue;
            }
            for (let ch = 0; ch < c; ch++) {
              const m = y[o + ch];
              let found = -1;
              for (let ky = 0; ky < fh && found < 0; ky++) {
                for (let kx = 0; kx < fw; kx++) {
                  const p = p0 + ky * row + kx * c + ch;
                  if (x[p] === m) {
                    found = p;
                    break;
                  }
                }
              }
              if (found >= 0) dx[found] = g[o + ch];
            }
          }
        }
      }
    });
  }
  return jsKernel(backend as KernelBackend, [input, dy], input.shape, ([x, g], dx) => {
    const best = new Float32Array(c);
    const where = new Int32Array(c);
    for (let b = 0; b < n; b++) {
      for (let y = 0; y < oh; y++) {
        const y0 = y * sh - pt;
        for (let xo = 0; xo < ow; xo++) {
          const x0 = xo * sw - pl;
          best.fill(-Infinity);
          where.fill(-1);
          for (let ky = 0; ky < fh; ky++) {
            const iy = y0 + ky;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < fw; kx++) {
              const ix = x0 + kx;
              if (ix < 0 || ix >= w) continue;
              const base = ((b * h + iy) * w + ix) * c;
              for (let ch = 0; ch < c; ch++) {
                const v = x[base + ch];
                if (v > best[ch]) {
                  best[ch] = v;
                  where[ch] = base + ch;
                }
              }
            }
          }
          const go = ((b * oh + y) * ow + xo) * c;
          for (let ch = 0; ch < c; ch++) if (where[ch] >= 0) dx[where[ch]] += g[go + ch];
        }
      }
    }
  });
};
