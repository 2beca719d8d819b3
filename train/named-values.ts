import * as tf from '@tensorflow/tfjs';

/**
 * One tensor's values under its name: how weights and Adam state leave tfjs for another thread
 * or a file (structured-clonable; the buffer can be transferred).
 */
export interface NamedValues {
  readonly name: string;
  readonly shape: number[];
  readonly values: Float32Array;
}

/** A tensor under its name, as `optimizer.getWeights()` lists them. */
export interface NamedTensor {
  readonly name: string;
  readonly tensor: tf.Tensor;
}

/** Copies named tensors (e.g. `optimizer.getWeights()`) out of tfjs, as float32. */
export async function valuesOfTensors(named: readonly NamedTensor[]): Promise<NamedValues[]> {
  return Promise.all(named.map(async (w) => ({ name: w.name, shape: [...w.tensor.shape], values: Float32Array.from(await w.tensor.data()) })));
}

/** Named values as new tfjs tensors (e.g. for `optimizer.setWeights`; the caller disposes them). */
export function tensorsOfValues(list: readonly NamedValues[]): NamedTensor[] {
  return list.map((w) => ({ name: w.name, tensor: tf.tensor(w.values, w.shape) }));
}
