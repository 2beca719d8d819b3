import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CHARSET } from '../../core/charset.ts';
import { ctcOutput, INPUT_NAME, outputClasses } from '../../core/model-contract.ts';
import { defaultPreprocess } from '../../core/preprocess.ts';
import { inputSizeOf, LOGITS_LAYER, PROBABILITIES_LAYER, type BuiltModel, type ModelSpec } from './model-spec.ts';

export interface DefaultModelOptions {
  readonly charset?: string;
  readonly maxLength?: number;
  /** Input height and width (grey). Height must be divisible by 8, width by 4. */
  readonly height?: number;
  readonly width?: number;
  /** Channels of the 2-D backbone stages and of the 1-D sequence convolutions. */
  readonly channels?: readonly number[];
  readonly sequenceChannels?: number;
  readonly sequenceLayers?: number;
  readonly dropout?: number;
  /**
   * Input columns per output time step: 8 (T = width/8 = 16, the default) or 4 (T = 32). With
   * T = 16 CTC left its plateau after ~5k images instead of ~12k, and the model is 17 % cheaper.
   */
  readonly widthPerStep?: 4 | 8;
  readonly seed?: number;
}

/**
 * The project's model: a conv+BN+ReLU backbone on a grey image, the height collapsed by a
 * full-height convolution, 1-D convolutions (1xk Conv2D) along the width for context, and
 * a per-time-step softmax over charset + blank (blank = last class), trained with CTC.
 * T = width / 8 time steps by default. Only standard layers: Conv2D, BatchNormalization, Activation,
 * MaxPooling2D, Reshape, Dense (Dropout if asked).
 */
export function buildDefaultModel(options: DefaultModelOptions = {}): BuiltModel {
  const charset = options.charset ?? DEFAULT_CHARSET;
  const height = options.height ?? 48;
  const width = options.width ?? 128;
  if (height % 8 !== 0 || width % 4 !== 0) throw new RangeError('default model: height must be a multiple of 8 and width of 4');
  const [c1, c2, c3, c4, c5] = options.channels ?? [16, 32, 48, 64, 64];
  const seqChannels = options.sequenceChannels ?? 128;
  const seqLayers = options.sequenceLayers ?? 2;
  const classes = outputClasses('ctc', charset);
  const widthPerStep = options.widthPerStep ?? 8;
  if (width % widthPerStep !== 0) throw new RangeError(`default model: width must be a multiple of ${widthPerStep}`);
  const timeSteps = width / widthPerStep;
  let seed = options.seed ?? 1;
  const init = () => tf.initializers.heNormal({ seed: seed++ });

  const input = tf.input({ shape: [height, width, 1], name: INPUT_NAME });
  let x: tf.SymbolicTensor = input;
  /** conv (no bias) [-> max pool] -> BN -> ReLU: pooling before BN/ReLU gives the same function class at a quarter of their cost. */
  const block = (filters: number, kernel: [number, number], name: string, pool?: [number, number], padding: 'same' | 'valid' = 'same') => {
    x = tf.layers.conv2d({ filters, kernelSize: kernel, padding, useBias: false, kernelInitializer: init(), name: `${name}_conv` }).apply(x) as tf.SymbolicTensor;
    if (pool) x = tf.layers.maxPooling2d({ poolSize: pool, strides: pool, name: `${name}_pool` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-3, name: `${name}_bn` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.activation({ activation: 'relu', name: `${name}_relu` }).apply(x) as tf.SymbolicTensor;
  };
  block(c1, [3, 3], 'b1', [2, 2]);
  block(c2, [3, 3], 'b2', [2, 2]);
  block(c3, [3, 3], 'b3');
  block(c4, [3, 3], 'b4', [2, widthPerStep === 8 ? 2 : 1]);
  block(c5, [3, 3], 'b5');
  block(seqChannels, [height / 8, 1], 'collapse', undefined, 'valid');
  for (let i = 0; i < seqLayers; i++) block(seqChannels, [1, 3], `seq${i + 1}`);
  x = tf.layers.reshape({ targetShape: [timeSteps, seqChannels], name: 'sequence' }).apply(x) as tf.SymbolicTensor;
  // No dropout by default (fresh data every step; keeps resumed runs bit-exact). A seeded tfjs
  // Dropout would draw the same mask at every step, so none is passed.
  if ((options.dropout ?? 0) > 0) x = tf.layers.dropout({ rate: options.dropout ?? 0, name: 'dropout' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }), name: LOGITS_LAYER }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.activation({ activation: 'softmax', name: PROBABILITIES_LAYER }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output, name: 'captcha_ocr_default' });
  const spec: ModelSpec = {
    architecture: 'default',
    input: defaultPreprocess(height, width),
    output: ctcOutput(charset, timeSteps),
    minLength: 1,
    maxLength: options.maxLength ?? 8,
    charset,
  };
  return { spec, model };
}

/** The shape options of a default model, read back from its layers (a saved model has no other record of them). */
export type DefaultModelShape = Required<Pick<DefaultModelOptions, 'height' | 'width' | 'channels' | 'sequenceChannels' | 'sequenceLayers' | 'widthPerStep'>>;

export function describeDefaultModel(model: tf.LayersModel): DefaultModelShape {
  const filters = (name: string) => (model.getLayer(name).getConfig() as { filters: number }).filters;
  const { height, width } = inputSizeOf(model);
  const pool = (model.getLayer('b4_pool').getConfig() as { poolSize: number[] }).poolSize;
  return {
    height,
    width,
    channels: ['b1', 'b2', 'b3', 'b4', 'b5'].map((b) => filters(`${b}_conv`)),
    sequenceChannels: filters('collapse_conv'),
    sequenceLayers: model.layers.filter((l) => /^seq\d+_conv$/.test(l.name)).length,
    widthPerStep: pool[1] === 2 ? 8 : 4,
  };
}
