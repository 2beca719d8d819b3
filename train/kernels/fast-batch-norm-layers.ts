import * as tf from '@tensorflow/tfjs';
import { batchNormTraining } from './batch-norm-training.ts';

interface BatchNormLayerInternals {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: { read(): tf.Tensor };
  beta: { read(): tf.Tensor };
  movingMean: { read(): tf.Tensor; write(v: tf.Tensor): void };
  movingVariance: { read(): tf.Tensor; write(v: tf.Tensor): void };
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
}

const patched = new WeakSet<object>();

/**
 * Makes every channels-last BatchNormalization layer of `model` use batchNormTraining in
 * training mode (inference is untouched; the layers stay standard for saving/conversion).
 * The moving averages follow tfjs's rule: moving -= (moving - batch) * (1 - momentum).
 * Returns how many layers were patched.
 */
export function useFastBatchNorm(model: tf.LayersModel): number {
  let count = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization' || patched.has(layer)) continue;
    const bn = layer as unknown as BatchNormLayerInternals;
    if (!bn.center || !bn.scale) continue;
    const original = bn.call.bind(bn);
    bn.call = (inputs, kwargs) => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const axis = bn.axis >= 0 ? bn.axis : bn.axis + x.rank;
      if (!kwargs?.training || axis !== x.rank - 1) return original(inputs, kwargs);
      return tf.tidy(() =>
        batchNormTraining(x, bn.gamma.read() as tf.Tensor1D, bn.beta.read() as tf.Tensor1D, bn.epsilon, (mean, variance) => {
          const decay = 1 - bn.momentum;
          for (const [variable, value] of [[bn.movingMean, mean], [bn.movingVariance, variance]] as const) {
            tf.tidy(() => {
              const old = variable.read();
              variable.write(tf.sub(old, tf.mul(tf.sub(old, value), decay)));
            });
          }
        }),
      );
    };
    patched.add(layer);
    count++;
  }
  return count;
}
