import type { KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { callKernel, release } from './kernel-call.ts';

/**
 * BatchMatMul with transposeA/transposeB done as an explicit Transpose followed by the
 * plain product: the wasm backend's transposed products ran about 10x slower than plain
 * ones, and every Dense/MatMul gradient asks for one.
 */
export function fastBatchMatMul(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return stock(args);
    const kb = backend as KernelBackend;
    const at = transposeA ? swapLastTwo(kb, a) : a;
    const bt = transposeB ? swapLastTwo(kb, b) : b;
    const out = stock({ inputs: { a: at, b: bt }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    if (at !== a) release(kb, at);
    if (bt !== b) release(kb, bt);
    return out;
  };
}

function swapLastTwo(backend: KernelBackend, x: TensorInfo): TensorInfo {
  const r = x.shape.length;
  const perm = [...Array(r).keys()];
  perm[r - 1] = r - 2;
  perm[r - 2] = r - 1;
  return callKernel('Transpose', backend, { x }, { perm });
}
