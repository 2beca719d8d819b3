import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs';
import { conv2dBackpropFilter } from './conv2d-backprop-filter.ts';
import { conv2dBackpropInput } from './conv2d-backprop-input.ts';
import { fastBatchMatMul } from './batch-mat-mul.ts';
import { maxPoolGrad } from './max-pool-grad.ts';
import { naiveConv2dBackpropFilter } from './naive-conv2d-backprop-filter.ts';
import { fastSum } from './sum.ts';

/** Which gradient kernels the wasm backend runs: the project's (fast) or stock (+ a naive JS dW). */
export type WasmKernelSet = 'fast' | 'stock';

const stock = new Map<string, KernelConfig | undefined>();

function replace(name: string, config: KernelConfig | undefined): void {
  if (!stock.has(name)) stock.set(name, getKernel(name, 'wasm'));
  if (getKernel(name, 'wasm')) unregisterKernel(name, 'wasm');
  if (config) registerKernel(config);
}

/** Installs the kernel set on the wasm backend (idempotent; can switch back and forth). */
export function useWasmKernels(set: WasmKernelSet): void {
  const fast: Record<string, KernelConfig['kernelFunc']> = {
    Conv2DBackpropFilter: conv2dBackpropFilter,
    Conv2DBackpropInput: conv2dBackpropInput,
    MaxPoolGrad: maxPoolGrad,
  };
  for (const name of [...Object.keys(fast), 'BatchMatMul', 'Sum']) if (!stock.has(name)) stock.set(name, getKernel(name, 'wasm'));
  const stockMatMul = stock.get('BatchMatMul');
  if (stockMatMul) fast.BatchMatMul = fastBatchMatMul(stockMatMul.kernelFunc);
  const stockSum = stock.get('Sum');
  if (stockSum) fast.Sum = fastSum(stockSum.kernelFunc);
  for (const [name, kernelFunc] of Object.entries(fast)) {
    if (set === 'fast') replace(name, { kernelName: name, backendName: 'wasm', kernelFunc });
    else if (name === 'Conv2DBackpropFilter') replace(name, { kernelName: name, backendName: 'wasm', kernelFunc: naiveConv2dBackpropFilter });
    else replace(name, stock.get(name));
  }
}
