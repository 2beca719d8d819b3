import type { LayerConverter } from './layer-context.ts';
import { activation } from './activation.ts';
import { eluLayer, leakyReluLayer, preluLayer, reluLayer, softmaxLayer, thresholdedReluLayer } from './advanced-activations.ts';
import { batchNormalization } from './batch-normalization.ts';
import { conv2d } from './conv2d.ts';
import { dense } from './dense.ts';
import { depthwiseConv2d } from './depthwise-conv2d.ts';
import { flatten } from './flatten.ts';
import { globalPooling2d } from './global-pooling2d.ts';
import { identityLayers } from './identity-layers.ts';
import { concatenate, merge } from './merge.ts';
import { permute } from './permute.ts';
import { pooling2d } from './pooling2d.ts';
import { recurrent } from './recurrent.ts';
import { bidirectional } from './bidirectional.ts';
import { reshape } from './reshape.ts';
import { separableConv2d } from './separable-conv2d.ts';
import { cropping2d, upSampling2d, zeroPadding2d } from './spatial2d.ts';
import { timeDistributed } from './time-distributed.ts';

const all: LayerConverter[] = [
  activation, reluLayer, eluLayer, leakyReluLayer, preluLayer, softmaxLayer, thresholdedReluLayer,
  batchNormalization, conv2d, depthwiseConv2d, separableConv2d, dense,
  pooling2d, globalPooling2d, flatten, reshape, permute, identityLayers,
  merge, concatenate, zeroPadding2d, cropping2d, upSampling2d, timeDistributed, recurrent, bidirectional,
];

const byClass = new Map<string, LayerConverter>();
for (const c of all) for (const name of c.classNames) byClass.set(name, c);

/** The converter for a tfjs/Keras layer class name, or undefined when unsupported. */
export function converterFor(className: string): LayerConverter | undefined {
  return byClass.get(className);
}

/** Every supported layer class name (InputLayer is handled by the converter itself). */
export function supportedLayerClasses(): string[] {
  return ['InputLayer', ...byClass.keys()].sort();
}
