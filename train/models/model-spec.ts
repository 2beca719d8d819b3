import type * as tf from '@tensorflow/tfjs';
import { OUTPUT_NAME, type InputSize, type ModelDescription } from '../../core/model-contract.ts';

/** What the trainer needs to know to build, feed and score an architecture: the model contract's description. */
export type ModelSpec = ModelDescription;

/** A built model: `model` outputs probabilities `[N, T, K]`; its layer `logits` holds the pre-softmax values. */
export interface BuiltModel {
  readonly spec: ModelSpec;
  readonly model: tf.LayersModel;
}

/** Name of the layer whose output is the logits (the trainer's loss reads it). */
export const LOGITS_LAYER = 'logits';
/** Name of the final softmax layer (the model's single output, named as its ONNX output will be). */
export const PROBABILITIES_LAYER = OUTPUT_NAME;

/** The input size of a tfjs model `[N, height, width, 1]`, read from its input layer. */
export function inputSizeOf(model: tf.LayersModel): InputSize {
  const [, height, width] = model.inputs[0].shape as number[];
  return { height, width };
}
