import { backend_util, util, type KernelBackend, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { jsKernel } from './heap.ts';

/**
 * Sum over every axis but the last (bias gradients of Conv2D/Dense: `dy` summed to one value
 * per channel) as one JS pass; the wasm backend transposes the whole tensor first. Other
 * reductions go to the stock kernel.
 */
export function fastSum(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs as { x: TensorInfo };
    const { axis, keepDims } = attrs as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = util.parseAxisParam(axis, x.shape);
    const allButLast = rank >= 2 && axes.length === rank - 1 && [...axes].sort((a, b) => a - b).every((a, i) => a === i);
    if (!allButLast || x.dtype !== 'float32') return stock(args);
    const c = x.shape[rank - 1];
    const outShape = keepDims ? backend_util.expandShapeToKeepDim([c], axes) : [c];
    return jsKernel(backend as KernelBackend, [x], outShape, ([v], out) => {
      const acc = new Float64Array(c);
      for (let i = 0; i < v.length; i += c) {
        for (let k = 0; k < c; k++) acc[k] += v[i + k];
      }
      for (let k = 0; k < c; k++) out[k] = acc[k];
    });
  };
}
