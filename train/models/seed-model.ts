import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CHARSET } from '../../core/charset.ts';
import { INPUT_NAME, outputClasses } from '../../core/model-contract.ts';
import { defaultPreprocess } from '../../core/preprocess.ts';
import { LOGITS_LAYER, PROBABILITIES_LAYER, type BuiltModel, type ModelSpec } from './model-spec.ts';

export interface SeedModelOptions {
  readonly charset?: string;
  readonly positions?: number;
  readonly seed?: number;
}

/**
 * The seed answer's network, for reproduction: 2x conv32, pool, 2x conv64, pool, 2x conv128,
 * pool, 2x conv256, pool (3x3 'same' convolutions with ReLU, 2x2 max pools), flatten, dropout
 * 0.25, four independent 36-way dense heads. Contract 3 wants one output, so the heads'
 * logits are concatenated and reshaped to [N, 4, 36] before one softmax over the last axis.
 * Input 80x170 (the 0.2-era image size), grey via core/preprocess.ts.
 */
export function buildSeedModel(options: SeedModelOptions = {}): BuiltModel {
  const charset = options.charset ?? DEFAULT_CHARSET;
  const positions = options.positions ?? 4;
  const classes = outputClasses('positions', charset);
  const height = 80;
  const width = 170;
  let seed = options.seed ?? 1;
  const input = tf.input({ shape: [height, width, 1], name: INPUT_NAME });
  let x: tf.SymbolicTensor = input;
  for (const [i, filters] of [32, 64, 128, 256].entries()) {
    for (const j of [1, 2]) {
      x = tf.layers
        .conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: seed++ }), name: `conv${i + 1}_${j}` })
        .apply(x) as tf.SymbolicTensor;
    }
    x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `pool${i + 1}` }).apply(x) as tf.SymbolicTensor;
  }
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  // No seed: a seeded tfjs Dropout layer would draw the same mask at every step.
  x = tf.layers.dropout({ rate: 0.25, name: 'dropout' }).apply(x) as tf.SymbolicTensor;
  const heads: tf.SymbolicTensor[] = [];
  for (let p = 0; p < positions; p++) {
    heads.push(tf.layers.dense({ units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }), name: `head${p + 1}` }).apply(x) as tf.SymbolicTensor);
  }
  x = tf.layers.concatenate({ axis: -1, name: 'heads' }).apply(heads) as tf.SymbolicTensor;
  x = tf.layers.reshape({ targetShape: [positions, classes], name: LOGITS_LAYER }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.activation({ activation: 'softmax', name: PROBABILITIES_LAYER }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output, name: 'captcha_ocr_seed' });
  const spec: ModelSpec = {
    architecture: 'seed',
    input: defaultPreprocess(height, width),
    output: { kind: 'positions', positions },
    minLength: positions,
    maxLength: positions,
    charset,
  };
  return { spec, model };
}
