import type { DataType, KernelBackend, TensorInfo } from '@tensorflow/tfjs';

interface WasmLike {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

function isWasm(backend: KernelBackend): backend is KernelBackend & WasmLike {
  return typeof (backend as Partial<WasmLike>).typedArrayFromHeap === 'function';
}

/**
 * Runs a JS kernel body on float32 data: on wasm it reads the inputs in place from the heap
 * and writes the output in place (no copies); elsewhere through readSync/write.
 * The output is allocated before the input views are taken (allocation may grow the heap).
 */
export function jsKernel(backend: KernelBackend, inputs: TensorInfo[], outShape: number[], body: (inputs: Float32Array[], out: Float32Array) => void): TensorInfo {
  if (isWasm(backend)) {
    const out = backend.makeOutput(outShape, 'float32');
    const outView = backend.typedArrayFromHeap(out);
    outView.fill(0);
    body(inputs.map((t) => backend.typedArrayFromHeap(t)), outView);
    return out;
  }
  const size = outShape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  body(inputs.map((t) => backend.readSync(t.dataId) as Float32Array), out);
  return { dataId: backend.write(out, outShape, 'float32'), shape: outShape, dtype: 'float32' };
}
