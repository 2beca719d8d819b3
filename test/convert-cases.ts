/**
 * The converter's data-driven cases: one small tfjs model per layer kind and configuration.
 * Each is converted and must match tfjs within `tol` (default 1e-5) in onnxruntime-node and -web.
 */
import * as tf from '@tensorflow/tfjs';

export interface LayerCase {
  readonly name: string;
  readonly build: () => tf.LayersModel;
  /** Max abs difference allowed (default 1e-5); looser only with a reason. */
  readonly tol?: number;
  /** Op types that must not appear in the converted graph. */
  readonly forbid?: string[];
  /** Op types that must appear. */
  readonly require?: string[];
  /** Adjusts the seeded random weights (e.g. positive batch-norm gammas). */
  readonly adjust?: (model: tf.LayersModel) => void;
  /** At most this many Transpose nodes. */
  readonly maxTransposes?: number;
}

const L = tf.layers;
type Layer = Parameters<tf.Sequential['add']>[0];

/** A Sequential model: input shape (without batch) then layers. */
function seq(inputShape: number[], ...layers: Layer[]): tf.LayersModel {
  const m = tf.sequential();
  m.add(L.inputLayer({ inputShape }));
  layers.forEach((l) => m.add(l));
  return m;
}

/** A functional model with two conv branches merged by `merge`. */
function branches(merge: (xs: tf.SymbolicTensor[]) => tf.SymbolicTensor, n = 2): tf.LayersModel {
  const input = tf.input({ shape: [6, 7, 3] });
  const xs = Array.from({ length: n }, (_, i) => L.conv2d({ filters: 4, kernelSize: i + 1, padding: 'same' }).apply(input) as tf.SymbolicTensor);
  return tf.model({ inputs: input, outputs: merge(xs) });
}

/** Makes every batch-norm gamma positive. */
function positiveGamma(m: tf.LayersModel): void {
  m.setWeights(m.weights.map((w) => (/gamma/.test(w.originalName) ? tf.abs(w.read()).add(0.1) : w.read())) as tf.Tensor[]);
}

const conv = (o: Partial<Parameters<typeof L.conv2d>[0]> = {}) => L.conv2d({ filters: 4, kernelSize: 3, ...o });
const activations = ['relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hardSigmoid', 'tanh', 'softmax', 'softplus', 'softsign', 'swish', 'mish', 'gelu', 'gelu_new', 'linear', 'logSoftmax'] as const;

export const layerCases: LayerCase[] = [
  // Convolutions
  { name: 'Conv2D valid, bias, relu', build: () => seq([7, 6, 2], conv({ activation: 'relu' })) },
  { name: 'Conv2D same stride 2 (asymmetric TF padding), even size', build: () => seq([8, 10, 3], conv({ strides: 2, padding: 'same' })) },
  { name: 'Conv2D same stride 2, odd size, 4x4 kernel', build: () => seq([9, 7, 3], conv({ kernelSize: 4, strides: 2, padding: 'same' })) },
  { name: 'Conv2D dilation 2, same', build: () => seq([9, 9, 2], conv({ dilationRate: 2, padding: 'same' })) },
  { name: 'Conv2D 3x2 kernel, strides [2,1], no bias, tanh', build: () => seq([9, 8, 2], conv({ kernelSize: [3, 2], strides: [2, 1], useBias: false, activation: 'tanh' })) },
  { name: 'Conv2D on a 1-channel input (entry Reshape, not Transpose)', build: () => seq([10, 12, 1], conv({ padding: 'same' }), L.globalAveragePooling2d({})), forbid: ['Transpose'] },
  { name: 'DepthwiseConv2D multiplier 2, same, stride 2', build: () => seq([8, 9, 3], L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same' })) },
  { name: 'DepthwiseConv2D valid, no bias, relu', build: () => seq([6, 6, 4], L.depthwiseConv2d({ kernelSize: 2, useBias: false, activation: 'relu' })) },
  { name: 'SeparableConv2D same, relu6', build: () => seq([8, 8, 3], L.separableConv2d({ filters: 5, kernelSize: 3, padding: 'same', activation: 'relu6', depthMultiplier: 2 })) },
  { name: 'SeparableConv2D valid, stride 2, no bias', build: () => seq([9, 9, 2], L.separableConv2d({ filters: 3, kernelSize: 3, strides: 2, useBias: false })) },
  // Dense
  { name: 'Dense 2-D, selu', build: () => seq([6], L.dense({ units: 4, activation: 'selu' })) },
  { name: 'Dense 2-D, no bias', build: () => seq([6], L.dense({ units: 3, useBias: false })) },
  { name: 'Dense on a 3-D input, sigmoid', build: () => seq([5, 4], L.dense({ units: 3, activation: 'sigmoid' })) },
  { name: 'Dense directly on a conv output (4-D)', build: () => seq([5, 6, 2], conv({ padding: 'same' }), L.dense({ units: 3 })) },
  // Batch normalisation
  { name: 'BatchNormalization folded into Conv2D', build: () => seq([6, 6, 2], conv(), L.batchNormalization(), L.activation({ activation: 'relu' })), forbid: ['Mul', 'Add', 'BatchNormalization'] },
  { name: 'BatchNormalization folded into Conv2D without bias', build: () => seq([6, 6, 2], conv({ useBias: false }), L.batchNormalization()), forbid: ['Mul', 'Add'] },
  { name: 'BatchNormalization folded into Dense', build: () => seq([5], L.dense({ units: 4 }), L.batchNormalization()), forbid: ['Mul', 'Add'] },
  { name: 'BatchNormalization folded into Dense on 3-D', build: () => seq([3, 5], L.dense({ units: 4 }), L.batchNormalization()), forbid: ['Mul'] },
  { name: 'BatchNormalization after conv -> MaxPooling2D folds when gamma > 0', build: () => seq([6, 8, 2], conv({ useBias: false }), L.maxPooling2d({ poolSize: 2 }), L.batchNormalization()), adjust: positiveGamma, forbid: ['Mul', 'Add'] },
  { name: 'BatchNormalization after conv -> MaxPooling2D with a negative gamma stays standalone', build: () => seq([6, 8, 2], conv(), L.maxPooling2d({ poolSize: 2 }), L.batchNormalization()), require: ['Mul', 'Add'] },
  { name: 'BatchNormalization after conv -> AveragePooling2D folds', build: () => seq([6, 8, 2], conv(), L.averagePooling2d({ poolSize: 2 }), L.batchNormalization()), forbid: ['Mul', 'Add'] },
  { name: 'BatchNormalization after an activation (standalone)', build: () => seq([6, 6, 2], conv({ activation: 'relu' }), L.batchNormalization()), require: ['Mul', 'Add'] },
  { name: 'BatchNormalization on the input, no center/scale', build: () => seq([4, 5, 3], L.batchNormalization({ center: false, scale: false })) },
  // (tfjs itself computes BatchNormalization on a non-last axis wrongly at inference, so there is no tfjs reference for it.)
  { name: 'BatchNormalization standalone on a 3-D tensor', build: () => seq([4, 5], L.dense({ units: 3, activation: 'relu' }), L.batchNormalization()) },
  // Activation layers
  ...activations.map((a): LayerCase => ({ name: `Activation ${a} on a channels-first conv output`, build: () => seq([5, 6, 3], conv({ padding: 'same' }), L.activation({ activation: a as 'relu' })) })),
  { name: 'Conv2D with softmax activation (channel axis)', build: () => seq([5, 6, 3], conv({ activation: 'softmax' })) },
  { name: 'ReLU layer with max value', build: () => seq([5, 6, 3], conv(), L.reLU({ maxValue: 0.3 })) },
  { name: 'ReLU layer', build: () => seq([7], L.reLU()) },
  { name: 'ELU layer', build: () => seq([5, 6, 3], conv(), L.elu()) },
  { name: 'LeakyReLU alpha 0.1', build: () => seq([5, 6, 3], conv(), L.leakyReLU({ alpha: 0.1 })) },
  { name: 'PReLU per element on a conv output', build: () => seq([5, 6, 3], conv(), L.prelu()) },
  { name: 'PReLU shared over H and W', build: () => seq([5, 6, 3], conv(), L.prelu({ sharedAxes: [1, 2] })) },
  { name: 'ThresholdedReLU', build: () => seq([8], L.thresholdedReLU({ theta: 0.2 })) },
  // (tfjs's softmax supports only the last axis.)
  { name: 'Softmax layer on a channels-first conv output', build: () => seq([5, 6, 3], conv(), L.softmax({ axis: -1 })) },
  { name: 'Softmax layer on a 3-D tensor', build: () => seq([4, 6], L.softmax({ axis: -1 })) },
  // Pooling
  { name: 'MaxPooling2D valid', build: () => seq([8, 9, 2], L.maxPooling2d({ poolSize: 2 })) },
  { name: 'MaxPooling2D same, 3x3 stride 2, odd size', build: () => seq([7, 9, 2], conv({ padding: 'same' }), L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' })) },
  { name: 'AveragePooling2D valid, strides 1', build: () => seq([6, 7, 2], L.averagePooling2d({ poolSize: [2, 3], strides: 1 })) },
  { name: 'AveragePooling2D same (padding excluded from the count)', build: () => seq([7, 8, 2], conv({ padding: 'same' }), L.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' })) },
  { name: 'GlobalAveragePooling2D', build: () => seq([6, 7, 3], conv(), L.globalAveragePooling2d({}), L.dense({ units: 2 })) },
  { name: 'GlobalMaxPooling2D', build: () => seq([6, 7, 3], conv(), L.globalMaxPooling2d({})) },
  // Shape layers
  { name: 'Flatten after conv into Dense (no Transpose: Dense rows permuted)', build: () => seq([5, 4, 2], conv({ padding: 'same' }), L.flatten(), L.dense({ units: 3 })), forbid: ['Gather'], maxTransposes: 1 },
  { name: 'Flatten after conv as the output (tfjs element order)', build: () => seq([5, 4, 2], conv({ padding: 'same' }), L.flatten()) },
  { name: 'Flatten after conv into an activation then Dense', build: () => seq([4, 4, 3], conv({ padding: 'same' }), L.flatten(), L.activation({ activation: 'relu' }), L.dense({ units: 2 })) },
  { name: 'Flatten on a 3-D input', build: () => seq([3, 4], L.flatten()) },
  { name: 'Reshape conv output to [H, W*C] into Dense', build: () => seq([4, 5, 2], conv({ padding: 'same' }), L.reshape({ targetShape: [4, 20] }), L.dense({ units: 3 })) },
  { name: 'Reshape with -1', build: () => seq([4, 6], L.reshape({ targetShape: [-1, 3] })) },
  { name: 'Permute + Reshape + Dense (CTC head)', build: () => seq([6, 8, 1], conv({ padding: 'same' }), L.permute({ dims: [2, 1, 3] }), L.reshape({ targetShape: [8, 24] }), L.dense({ units: 5, activation: 'softmax' })) },
  { name: 'Permute on a 3-D input', build: () => seq([3, 5], L.permute({ dims: [2, 1] })) },
  { name: 'Permute between convolutions', build: () => seq([5, 6, 2], conv({ padding: 'same' }), L.permute({ dims: [2, 1, 3] }), conv()) },
  // Dropout and kin
  { name: 'Dropout, SpatialDropout1D, GaussianNoise, GaussianDropout, AlphaDropout removed', build: () => seq([5, 4], L.dropout({ rate: 0.5 }), L.spatialDropout1d({ rate: 0.3 }), L.gaussianNoise({ stddev: 1 }), L.gaussianDropout({ rate: 0.4 }), L.alphaDropout({ rate: 0.2 }), L.dense({ units: 2 })), forbid: ['Dropout', 'Identity'] },
  // Merge layers
  { name: 'Add of two conv branches', build: () => branches((xs) => L.add().apply(xs) as tf.SymbolicTensor) },
  { name: 'Add of three branches', build: () => branches((xs) => L.add().apply(xs) as tf.SymbolicTensor, 3) },
  { name: 'Multiply', build: () => branches((xs) => L.multiply().apply(xs) as tf.SymbolicTensor) },
  { name: 'Average', build: () => branches((xs) => L.average().apply(xs) as tf.SymbolicTensor, 3) },
  { name: 'Maximum', build: () => branches((xs) => L.maximum().apply(xs) as tf.SymbolicTensor) },
  { name: 'Minimum', build: () => branches((xs) => L.minimum().apply(xs) as tf.SymbolicTensor) },
  { name: 'Concatenate channels', build: () => branches((xs) => L.concatenate().apply(xs) as tf.SymbolicTensor) },
  { name: 'Concatenate on axis 1 of 3-D tensors', build: () => {
    const a = tf.input({ shape: [3, 4] });
    const b = L.dense({ units: 4 }).apply(a) as tf.SymbolicTensor;
    return tf.model({ inputs: a, outputs: L.concatenate({ axis: 1 }).apply([a, b]) as tf.SymbolicTensor });
  } },
  { name: 'Concatenate the input (channels-last) with a conv output (channels-first)', build: () => {
    const a = tf.input({ shape: [5, 5, 2] });
    const b = L.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }).apply(a) as tf.SymbolicTensor;
    return tf.model({ inputs: a, outputs: L.concatenate().apply([b, a]) as tf.SymbolicTensor });
  } },
  // Padding, cropping, upsampling
  { name: 'ZeroPadding2D asymmetric', build: () => seq([4, 5, 2], conv({ padding: 'same' }), L.zeroPadding2d({ padding: [[1, 2], [0, 3]] })) },
  { name: 'ZeroPadding2D on the input', build: () => seq([4, 5, 2], L.zeroPadding2d({ padding: 1 })) },
  { name: 'Cropping2D', build: () => seq([7, 8, 2], conv({ padding: 'same' }), L.cropping2D({ cropping: [[1, 0], [2, 1]] })) },
  { name: 'UpSampling2D nearest [2, 3]', build: () => seq([3, 4, 2], conv({ padding: 'same' }), L.upSampling2d({ size: [2, 3] })) },
  { name: 'UpSampling2D bilinear', build: () => seq([3, 4, 2], L.upSampling2d({ size: [2, 2], interpolation: 'bilinear' })) },
  // Wrappers and graph shapes
  { name: 'TimeDistributed(Dense)', build: () => seq([4, 6], L.timeDistributed({ layer: L.dense({ units: 3, activation: 'relu' }) })) },
  { name: 'TimeDistributed(Conv2D)', build: () => seq([3, 5, 6, 2], L.timeDistributed({ layer: L.conv2d({ filters: 2, kernelSize: 3, padding: 'same' }) })) },
  { name: 'Shared Dense layer called twice, two inputs and two outputs', build: () => {
    const a = tf.input({ shape: [4], name: 'left' });
    const b = tf.input({ shape: [4], name: 'right' });
    const d = L.dense({ units: 3 });
    const ya = d.apply(a) as tf.SymbolicTensor;
    const yb = d.apply(b) as tf.SymbolicTensor;
    return tf.model({ inputs: [a, b], outputs: [ya, L.add().apply([ya, yb]) as tf.SymbolicTensor] });
  } },
  { name: 'CAPTCHA-like CNN (positions head)', build: () => seq(
    [24, 32, 1],
    L.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false }), L.batchNormalization(), L.reLU(), L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }), L.batchNormalization(), L.activation({ activation: 'relu' }), L.maxPooling2d({ poolSize: 2 }),
    L.dropout({ rate: 0.25 }), L.flatten(), L.dense({ units: 16, activation: 'relu' }), L.dropout({ rate: 0.5 }),
    L.dense({ units: 4 * 11 }), L.reshape({ targetShape: [4, 11] }), L.softmax({ axis: -1 }),
  ), forbid: ['Transpose', 'Mul'] },
];

/** Recurrent layers (tfjs defaults: recurrent activation hard_sigmoid). */
export const recurrentCases: LayerCase[] = [
  { name: 'LSTM last state', build: () => seq([5, 3], L.lstm({ units: 4 })) },
  { name: 'LSTM sequences, sigmoid gates, then Dense', build: () => seq([6, 3], L.lstm({ units: 4, returnSequences: true, recurrentActivation: 'sigmoid' }), L.dense({ units: 2 })) },
  { name: 'LSTM go_backwards sequences, no bias', build: () => seq([5, 2], L.lstm({ units: 3, returnSequences: true, goBackwards: true, useBias: false })) },
  { name: 'GRU last state', build: () => seq([5, 3], L.gru({ units: 4 })) },
  { name: 'GRU sequences, relu activation', build: () => seq([4, 3], L.gru({ units: 3, returnSequences: true, activation: 'relu' })) },
  { name: 'GRU go_backwards last state', build: () => seq([5, 3], L.gru({ units: 3, goBackwards: true })) },
  { name: 'Bidirectional LSTM concat sequences', build: () => seq([5, 3], L.bidirectional({ layer: L.lstm({ units: 3, returnSequences: true }) as never })) },
  { name: 'Bidirectional GRU sum last state', build: () => seq([5, 3], L.bidirectional({ layer: L.gru({ units: 3 }) as never, mergeMode: 'sum' })) },
  { name: 'Bidirectional LSTM ave sequences', build: () => seq([4, 2], L.bidirectional({ layer: L.lstm({ units: 2, returnSequences: true }) as never, mergeMode: 'ave' })) },
  { name: 'Bidirectional GRU mul sequences', build: () => seq([4, 2], L.bidirectional({ layer: L.gru({ units: 2, returnSequences: true }) as never, mergeMode: 'mul' })) },
  { name: 'CNN + Bidirectional LSTM CTC head', build: () => seq(
    [8, 16, 1],
    L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), L.maxPooling2d({ poolSize: 2 }),
    L.permute({ dims: [2, 1, 3] }), L.reshape({ targetShape: [8, 16] }),
    L.bidirectional({ layer: L.lstm({ units: 4, returnSequences: true }) as never }), L.dense({ units: 6, activation: 'softmax' }),
  ) },
];
