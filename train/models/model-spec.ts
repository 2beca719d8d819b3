import type * as tf from '@tensorflow/tfjs';
import type { OutputSpec } from '../../core/model-metadata.ts';
import type { PreprocessSpec } from '../../core/preprocess.ts';

/** What the trainer needs to know to build, feed and score an architecture. */
export interface ModelSpec {
  /** Architecture id stored in the metadata (`default`, `seed`). */
  readonly architecture: string;
  readonly input: PreprocessSpec;
  readonly output: OutputSpec;
  readonly minLength: number;
  readonly maxLength: number;
  readonly charset: string;
}

/** A built model: `model` outputs probabilities `[N, T, K]`; its layer `logits` holds the pre-softmax values. */
export interface BuiltModel {
  readonly spec: ModelSpec;
  readonly model: tf.LayersModel;
}

/** Name of the layer whose output is the logits (the trainer's loss reads it). */
export const LOGITS_LAYER = 'logits';
/** Name of the final softmax layer (the model's single output). */
export const PROBABILITIES_LAYER = 'probabilities';
