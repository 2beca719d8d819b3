import * as tf from '@tensorflow/tfjs';
import { useWasmKernels, type WasmKernelSet } from './kernels/register-wasm-kernels.ts';

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'ort', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export interface BackendInfo {
  /**
   * What runs the training arithmetic: 'tensorflow' (tfjs-node / tfjs-node-gpu), 'ort' (the
   * onnxruntime-node engine, train/ort/, which also validates; tfjs itself then runs on wasm
   * for checkpoints and export), 'wasm' or 'cpu'.
   */
  readonly name: string;
  /** Which package provides it and why it was chosen (and why the others were not). */
  readonly notes: readonly string[];
  readonly package: string;
}

const NODE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

function why(error: unknown): string {
  const e = error as { code?: string; message?: string };
  if (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') return 'not installed';
  return (e?.message ?? String(error)).split('\n')[0];
}

async function tryNative(notes: string[]): Promise<string | undefined> {
  for (const pkg of NODE_PACKAGES) {
    try {
      // A variable specifier: neither package is a dependency (they download libtensorflow at install).
      await import(/* @vite-ignore */ pkg);
      if (tf.findBackend('tensorflow')) {
        await tf.setBackend('tensorflow');
        await tf.ready();
        notes.push(`${pkg} loaded: using the native TensorFlow backend`);
        return pkg;
      }
      notes.push(`${pkg} loaded but registered no 'tensorflow' backend (a second copy of @tensorflow/tfjs?)`);
    } catch (error) {
      notes.push(`${pkg}: ${why(error)}`);
    }
  }
  return undefined;
}

/**
 * Selects and initialises the training backend. `auto`: tfjs-node-gpu, then tfjs-node, then
 * the onnxruntime engine, else wasm (with the project's gradient kernels). Logs nothing
 * itself: the notes say what happened.
 */
export async function selectBackend(choice: BackendChoice, wasmKernels: WasmKernelSet = 'fast'): Promise<BackendInfo> {
  const notes: string[] = [];
  if (choice === 'auto' || choice === 'tensorflow') {
    const pkg = await tryNative(notes);
    if (pkg) return { name: 'tensorflow', notes, package: pkg };
    if (choice === 'tensorflow') throw new Error(`--backend tensorflow: no native backend (${notes.join('; ')}); see docs/training.md "Training on a GPU"`);
  }
  if (choice === 'auto' || choice === 'ort') {
    const loaded = await onnxruntimeLoads();
    if (loaded === true) {
      await useWasm();
      notes.push('onnxruntime-node loaded: training graphs and validation run in onnxruntime (MLAS, every core); tfjs on wasm for checkpoints and export');
      return { name: 'ort', notes, package: 'onnxruntime-node' };
    }
    notes.push(`onnxruntime-node: ${loaded}`);
    if (choice === 'ort') throw new Error(`--backend ort: ${notes.join('; ')}`);
  }
  if (choice === 'cpu') {
    await tf.setBackend('cpu');
    await tf.ready();
    notes.push('stock tfjs cpu backend (plain JS; very slow for training)');
    return { name: 'cpu', notes, package: '@tensorflow/tfjs-backend-cpu' };
  }
  await useWasm(wasmKernels);
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  notes.push(`wasm backend (XNNPACK${simd ? ', SIMD' : ''}, 1 thread) with ${wasmKernels === 'fast' ? "the project's gradient kernels" : 'stock kernels + a naive JS Conv2DBackpropFilter'}`);
  return { name: 'wasm', notes, package: '@tensorflow/tfjs-backend-wasm' };
}

async function useWasm(wasmKernels: WasmKernelSet = 'fast'): Promise<void> {
  await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
  await tf.ready();
  useWasmKernels(wasmKernels);
}

/** true when onnxruntime-node's native binding loads, else why not. */
async function onnxruntimeLoads(): Promise<true | string> {
  try {
    const ort = await import('onnxruntime-node');
    return ort.listSupportedBackends().some((b) => b.name === 'cpu') ? true : 'no cpu execution provider';
  } catch (error) {
    return why(error);
  }
}

/** After the model is known: the engine cannot train it, so `auto` continues on wasm (the note says why). */
export function fallBackToWasm(info: BackendInfo, reason: string): BackendInfo {
  return { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', notes: [...info.notes, `${reason}: training on wasm with the project's gradient kernels instead`] };
}
