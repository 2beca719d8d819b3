import type * as tf from '@tensorflow/tfjs';

/**
 * Multiply-accumulates per image of the convolution and dense layers (the rest is noise):
 * FLOPs = 2 x MACs. Reads the layers' configs and output shapes.
 */
export function countMacs(model: tf.LayersModel): number {
  let macs = 0;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const out = layer.outputShape as number[];
    const inShape = layer.inputSpec?.[0]?.shape ?? (layer.input as tf.SymbolicTensor).shape;
    const config = layer.getConfig() as { kernelSize?: number[]; units?: number };
    if (cls === 'Conv2D') {
      const [kh, kw] = config.kernelSize ?? [1, 1];
      const cin = (inShape as number[])[3];
      macs += out[1] * out[2] * out[3] * kh * kw * cin;
    } else if (cls === 'Dense') {
      const shape = (layer.input as tf.SymbolicTensor).shape as number[];
      const rows = shape.slice(1, -1).reduce((a, b) => a * b, 1);
      macs += rows * shape[shape.length - 1] * (config.units ?? 0);
    }
  }
  return macs;
}
