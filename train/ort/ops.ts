import { DataType } from '../../convert/graph/graph-builder.ts';
import { sizeOf, type Tape } from './tape.ts';

/**
 * A tensor of the training graph. `layout` says how its data is held: `nchw` for 4-D feature
 * maps (channels first, what onnxruntime's convolution and pooling kernels want), `tf` for
 * tfjs's own layout (channels last). `shape` is always the tfjs (logical) shape, batch first.
 */
export interface Tensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly layout: 'nchw' | 'tf';
}

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];
const inverse = (perm: readonly number[]): number[] => perm.map((_, i) => perm.indexOf(i));

/** Transpose with its gradient (the inverse transpose). */
function transpose(t: Tape, x: string, perm: readonly number[]): string {
  const y = t.op('Transpose', [x], { perm: [...perm] });
  if (!t.needsGradient(x)) {
    t.markConstant(y);
    return y;
  }
  t.record(y, (dy) => t.accumulate(x, t.op('Transpose', [dy], { perm: inverse(perm) })));
  return y;
}

export function toNchw(t: Tape, x: Tensor): Tensor {
  if (x.layout === 'nchw') return x;
  if (x.shape.length !== 4) throw new Error(`internal error: ${x.name} is not a 4-D feature map`);
  return { name: transpose(t, x.name, NHWC_TO_NCHW), shape: x.shape, layout: 'nchw' };
}

export function toTf(t: Tape, x: Tensor): Tensor {
  if (x.layout === 'tf') return x;
  return { name: transpose(t, x.name, NCHW_TO_NHWC), shape: x.shape, layout: 'tf' };
}

/** TensorFlow's 'same' padding for stride 1: the extra pixel goes after. */
function samePads(kernel: number, dilation: number): [number, number] {
  const total = (kernel - 1) * dilation;
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * Conv2D, stride 1, on an NCHW map; `kernel` is the tfjs kernel `[kh, kw, I, O]` (a graph input).
 * dX: a convolution of dY with the flipped kernel. dW: the input's shifted windows times dY
 * (one Gemm or one batched MatMul, see below); the result is in tfjs's kernel layout.
 */
export function conv2d(t: Tape, x: Tensor, kernel: string, kernelShape: readonly number[], bias: string | undefined, padding: 'same' | 'valid'): Tensor {
  const geometry = convGeometry(x, kernelShape, padding);
  const { n, cout, ho, wo, pads } = geometry;
  const weights = onnxKernel(t, kernel);
  const y = t.op('Conv', bias ? [x.name, weights, bias] : [x.name, weights], { kernel_shape: [kernelShape[0], kernelShape[1]], pads: [...pads] });
  t.record(y, (dy) => convGradients(t, x, kernel, kernelShape, bias, geometry, dy));
  return { name: y, shape: [n, ho, wo, cout], layout: 'nchw' };
}

/** A tfjs kernel [kh, kw, I, O] as onnxruntime's Conv wants it, [O, I, kh, kw]; its gradient comes back in tfjs layout (convGradients). */
function onnxKernel(t: Tape, kernel: string): string {
  return t.op('Transpose', [kernel], { perm: [3, 2, 0, 1] });
}

interface ConvGeometry {
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly cout: number;
  /** The convolution's output size. */
  readonly ho: number;
  readonly wo: number;
  /** ONNX pads [top, left, bottom, right]. */
  readonly pads: readonly number[];
}

function convGeometry(x: Tensor, kernelShape: readonly number[], padding: 'same' | 'valid'): ConvGeometry {
  const [kh, kw, , cout] = kernelShape;
  const [n, h, w] = x.shape;
  const [top, bottom] = padding === 'same' ? samePads(kh, 1) : [0, 0];
  const [left, right] = padding === 'same' ? samePads(kw, 1) : [0, 0];
  return { n, h, w, cout, ho: h + top + bottom - kh + 1, wo: w + left + right - kw + 1, pads: [top, left, bottom, right] };
}

/** The gradients of a stride-1 convolution (input, bias, kernel) given that of its output, `dy` ([N, O, ho, wo]). */
function convGradients(t: Tape, x: Tensor, kernel: string, kernelShape: readonly number[], bias: string | undefined, geometry: ConvGeometry, dy: string): void {
  const [kh, kw, cin, cout] = kernelShape;
  const { n, h, w, ho, wo } = geometry;
  const [top, left, bottom, right] = geometry.pads;
  // dX: a plain convolution of dY with the kernel flipped and its in/out channels swapped
  // (onnxruntime's ConvTranspose took twice as long for the same arithmetic).
  // (None for the first layer: nothing needs the image's gradient.)
  if (t.needsGradient(x.name)) {
    const swapped = t.op('Transpose', [kernel], { perm: [2, 3, 0, 1] });
    const flipped = t.op('Slice', [swapped, t.int64('starts', [-1, -1]), t.int64('ends', [-(2 ** 31), -(2 ** 31)]), t.int64('axes', [2, 3]), t.int64('steps', [-1, -1])]);
    t.accumulate(x.name, t.op('Conv', [dy, flipped], { kernel_shape: [kh, kw], pads: [kh - 1 - top, kw - 1 - left, kh - 1 - bottom, kw - 1 - right] }));
  }
  if (bias) t.accumulate(bias, t.op('ReduceSum', [dy, t.int64('axes', [0, 2, 3])], { keepdims: 0 }));
  // dW: the input's kh x kw shifted windows (block copies) times dY. Two layouts, chosen per
  // layer by which moves fewer floats:
  // - batch folded into the product (layers whose kernel outgrows their maps: the deep
  //   blocks, the collapse and the sequence layers): X and dY transposed channels-major
  //   ([I, N, H, W], [O, N*Ho*Wo]), the windows stacked to [kh*kw*I, N*Ho*Wo], one Gemm gives
  //   [kh*kw*I, O], which is already tfjs's kernel layout: no per-image [O, kh*kw*I] results
  //   to sum over the batch. Backward 52.5 -> 47.7 ms (48x128, batch 32, onnxruntime profile);
  //   applied to every layer it was no faster, since the transposes of the large early maps
  //   cost what the batch sum saves.
  // - per image (the early, large maps): windows [N, kh*kw*I, Ho*Wo] channels first, dY as it
  //   is ([N, O, Ho*Wo]) times the windows transposed in one batched MatMul (onnxruntime folds
  //   the transpose in), summed over the batch, the small [O, kh*kw*I] result transposed.
  // Measured slower: the windows channels last (Concat interleaves), a Gemm per tap (too
  // narrow to use both cores), dW as a Conv of X^T with dY^T (backward 109 ms), and the
  // windows made by a Conv with one-hot filters (its NCHWc reorders cost the gain); no faster:
  // each window as one contiguous run of the padded map's flattened rows (slices 1.9 ms a step
  // faster, but padding dY to the padded width cost 1.8 ms more; 2026-12-07).
  const foldBatch = n * cout * kh * kw * cin > n * cin * h * w + n * cout * ho * wo;
  const source = foldBatch ? t.op('Transpose', [x.name], { perm: [1, 0, 2, 3] }) : x.name;
  const padded = top + bottom + left + right > 0 ? t.op('Pad', [source, t.int64('pads', [0, 0, top, left, 0, 0, bottom, right])]) : source;
  const taps: string[] = [];
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const whole = a === 0 && b === 0 && ho === h + top + bottom && wo === w + left + right;
      taps.push(whole ? padded : t.op('Slice', [padded, t.int64('starts', [a, b]), t.int64('ends', [a + ho, b + wo]), t.int64('axes', [2, 3])]));
    }
  }
  const windows = taps.length === 1 ? taps[0] : t.op('Concat', taps, { axis: foldBatch ? 0 : 1 });
  if (foldBatch) {
    const columns = t.op('Reshape', [windows, t.int64('shape', [kh * kw * cin, n * ho * wo])]);
    const dyRows = t.op('Reshape', [t.op('Transpose', [dy], { perm: [1, 0, 2, 3] }), t.int64('shape', [cout, n * ho * wo])]);
    t.accumulate(kernel, t.op('Reshape', [t.op('Gemm', [columns, dyRows], { transB: 1 }), t.int64('shape', [kh, kw, cin, cout])]));
    return;
  }
  const columns = t.op('Reshape', [windows, t.int64('shape', [n, kh * kw * cin, ho * wo])]);
  const dyRows = t.op('Reshape', [dy, t.int64('shape', [n, cout, ho * wo])]);
  const dwT = t.op('ReduceSum', [t.op('MatMul', [dyRows, t.op('Transpose', [columns], { perm: [0, 2, 1] })]), t.int64('axes', [0])], { keepdims: 0 });
  t.accumulate(kernel, t.op('Reshape', [t.op('Transpose', [dwT], { perm: [1, 0] }), t.int64('shape', [kh, kw, cin, cout])]));
}

/** The output size of a max pooling without padding; overlapping windows are refused (MaxUnpool could not route their gradient). */
function pooledSize(h: number, w: number, pool: readonly number[], strides: readonly number[]): [number, number] {
  if (strides[0] < pool[0] || strides[1] < pool[1]) throw new Error(`max pooling with overlapping windows (pool ${pool}, strides ${strides}) is not supported by the onnxruntime engine`);
  return [Math.floor((h - pool[0]) / strides[0]) + 1, Math.floor((w - pool[1]) / strides[1]) + 1];
}

/**
 * Max pooling without padding, windows not overlapping (stride >= pool). The gradient goes
 * through MaxUnpool with the pool's indices: to the first maximum of each window in row-major
 * order, as in tfjs (constant image regions make ties common). Measured alternatives were
 * slower in onnxruntime: the window's elements as strided 6-D slices (15x), SpaceToDepth +
 * Equal + CumSum + Where + DepthToSpace (2x), and a plain MaxPool (5x faster than with indices)
 * whose gradient is rebuilt by comparing the input with the upsampled output: no faster over a
 * step (288 vs 293 ms in an interleaved A/B with other training on both cores), as the backward
 * then needs the full-size pool input (the conv output) handed over instead of the quarter-size
 * indices, plus an upsample, a compare and a tie count. Also slower: SpaceToDepth + ArgMax for a
 * first-maximum mask saved for the backward, which is then Where + DepthToSpace (exact, ties
 * included, but DepthToSpace and Where cost 16-26 ms of backward against MaxUnpool's 2). And no
 * faster: a plain MaxPool with the first maximum's place found by SpaceToDepth + ArgMax (saved
 * as one byte, turned into MaxUnpool's index in the backward by a constant corner index plus
 * 0, 1, W or W+1): 3-4x faster than MaxPool with indices alone, but in the step (48x128, batch
 * 32, three interleaved rounds) forward 32-38 ms against 34-41 and backward 47-58 against 43-53.
 * What did pay is not to pool a convolution's full output at all (convMaxPool, below); this
 * op remains for pools after anything else.
 */
export function maxPool(t: Tape, x: Tensor, pool: readonly number[], strides: readonly number[]): Tensor {
  const [n, h, w, c] = x.shape;
  const [ho, wo] = pooledSize(h, w, pool, strides);
  const attrs = { kernel_shape: [...pool], strides: [...strides] };
  const [y, indices] = t.g.opMulti('MaxPool', [x.name], 2, attrs);
  t.markInt64(indices);
  t.record(y, (dy) => t.accumulate(x.name, t.op('MaxUnpool', [dy, indices, t.int64('shape', [n, c, h, w])], attrs)));
  return { name: y, shape: [n, ho, wo, c], layout: 'nchw' };
}

/**
 * A convolution (stride 1) followed by max pooling (stride >= pool, no padding), without the
 * convolution's full output: one strided convolution per place in the pooling window (its
 * "phase", row-major), the elementwise Max of the phases, and the pool's indices from which
 * phase is the first maximum (Where over Equal). Same values and gradient as conv2d then maxPool
 * (the gradient goes to the first maximum of each window, as in tfjs), but onnxruntime's
 * MaxPool with indices, the largest single cost of the forward pass, is gone.
 */
export function convMaxPool(t: Tape, x: Tensor, kernel: string, kernelShape: readonly number[], bias: string | undefined, padding: 'same' | 'valid', pool: readonly number[], strides: readonly number[]): Tensor {
  const geometry = convGeometry(x, kernelShape, padding);
  const { n, h, w, cout, ho: hc, wo: wc } = geometry;
  const [ho, wo] = pooledSize(hc, wc, pool, strides);
  // The indices are computed in float32, exact below 2^24.
  if (n * cout * hc * wc >= 2 ** 24) return maxPool(t, conv2d(t, x, kernel, kernelShape, bias, padding), pool, strides);
  const [kh, kw] = kernelShape;
  const [ph, pw] = pool;
  const [sh, sw] = strides;
  const [top, left] = geometry.pads;
  const weights = onnxKernel(t, kernel);
  // One axis of a phase: the input rows (columns) it reads, as a slice of x and the pads around it.
  const span = (offset: number, pad: number, size: number, count: number, stride: number, k: number) => {
    const lo = offset - pad;
    const hi = lo + (count - 1) * stride + k;
    return { start: Math.max(0, lo), end: Math.min(size, hi), before: Math.max(0, -lo), after: Math.max(0, hi - size) };
  };
  const phases: string[] = [];
  for (let di = 0; di < ph; di++) {
    for (let dj = 0; dj < pw; dj++) {
      const rows = span(di, top, h, ho, sh, kh);
      const cols = span(dj, left, w, wo, sw, kw);
      const sliced = rows.start > 0 || rows.end < h || cols.start > 0 || cols.end < w;
      const input = sliced ? t.op('Slice', [x.name, t.int64('starts', [rows.start, cols.start]), t.int64('ends', [rows.end, cols.end]), t.int64('axes', [2, 3])]) : x.name;
      const pads = [rows.before, cols.before, rows.after, cols.after];
      phases.push(t.op('Conv', bias ? [input, weights, bias] : [input, weights], { kernel_shape: [kh, kw], pads, strides: [sh, sw] }));
    }
  }
  const y = phases.length === 1 ? phases[0] : t.op('Max', phases);
  // The first maximum's flat index in the convolution's full output [N, O, hc, wc] (MaxUnpool's
  // convention): the window's corner (n, o, i * sh, j * sw) plus the phase's offset
  // di * wc + dj, chosen in float32 (Where on int64 took twice as long) and added to a constant
  // of every window's corner.
  const corners = new Float32Array(n * cout * ho * wo);
  for (let m = 0, q = 0; m < n * cout; m++) for (let i = 0; i < ho; i++) for (let j = 0; j < wo; j++) corners[q++] = m * hc * wc + i * sh * wc + j * sw;
  let place = t.scalar('offset', (ph - 1) * wc + pw - 1);
  for (let k = phases.length - 2; k >= 0; k--) place = t.op('Where', [t.op('Equal', [phases[k], y]), t.scalar('offset', Math.floor(k / pw) * wc + (k % pw)), place]);
  const indices = t.op('Cast', [t.op('Add', [place, t.g.float('corners', corners, [n, cout, ho, wo])])], { to: DataType.INT64 });
  t.markInt64(indices);
  t.record(y, (dy) => {
    const full = t.op('MaxUnpool', [dy, indices, t.int64('shape', [n, cout, hc, wc])], { kernel_shape: [...pool], strides: [...strides] });
    convGradients(t, x, kernel, kernelShape, bias, geometry, full);
  });
  return { name: y, shape: [n, ho, wo, cout], layout: 'nchw' };
}

/** What a batch norm in training mode reports for its moving averages. */
export interface BatchStats {
  readonly mean: string;
  readonly variance: string;
}

/**
 * Batch normalisation in training mode over the channels (axis 1 of an NCHW map, or the last
 * axis of a tf-layout tensor), with the batch's mean and biased variance as extra outputs.
 * y = centred * (gamma / sigma) + beta, with centred = x - mean (the per-channel factor is
 * computed once, so the map is passed over twice instead of four times; xhat = centred / sigma
 * is never stored). Gradient, in the same terms:
 * dx = gamma / sigma * (dy - mean(dy) - centred / sigma^2 * mean(dy * centred)).
 */
export function batchNorm(t: Tape, x: Tensor, gamma: string, beta: string, epsilon: number): { y: Tensor; stats: BatchStats } {
  const rank = x.shape.length;
  const channels = x.shape[rank - 1];
  const channelAxis = x.layout === 'nchw' ? 1 : rank - 1;
  const axes = Array.from({ length: rank }, (_, i) => i).filter((i) => i !== channelAxis);
  const count = sizeOf(x.shape) / channels;
  const bshape = Array.from({ length: rank }, (_, i) => (i === channelAxis ? channels : 1));
  const invCount = t.scalar('inv_count', 1 / count);
  const mean = t.op('ReduceMean', [x.name], { axes, keepdims: 1 });
  const centred = t.op('Sub', [x.name, mean]);
  const variance = t.op('Mul', [t.op('ReduceSumSquare', [centred], { axes, keepdims: 1 }), invCount]);
  const invStd = t.op('Reciprocal', [t.op('Sqrt', [t.op('Add', [variance, t.scalar('epsilon', epsilon)])])]);
  const g = t.op('Reshape', [gamma, t.int64('shape', bshape)]);
  const b = t.op('Reshape', [beta, t.int64('shape', bshape)]);
  const scale = t.op('Mul', [g, invStd]);
  const y = t.op('Add', [t.op('Mul', [centred, scale]), b]);
  t.record(y, (dy) => {
    const reduceAxes = t.int64('axes', axes);
    const dbeta = t.op('ReduceSum', [dy, reduceAxes], { keepdims: 1 });
    const dyCentred = t.op('ReduceSum', [t.op('Mul', [dy, centred]), reduceAxes], { keepdims: 1 });
    t.accumulate(beta, t.op('Reshape', [dbeta, t.int64('shape', [channels])]));
    t.accumulate(gamma, t.op('Reshape', [t.op('Mul', [dyCentred, invStd]), t.int64('shape', [channels])]));
    const slope = t.op('Mul', [t.op('Mul', [invStd, invStd]), t.op('Mul', [dyCentred, invCount])]);
    const inner = t.op('Sub', [t.op('Sub', [dy, t.op('Mul', [dbeta, invCount])]), t.op('Mul', [centred, slope])]);
    t.accumulate(x.name, t.op('Mul', [inner, scale]));
  });
  const flat = (v: string) => t.op('Reshape', [v, t.int64('shape', [channels])]);
  return { y: { name: y, shape: x.shape, layout: x.layout }, stats: { mean: flat(mean), variance: flat(variance) } };
}

export function relu(t: Tape, x: Tensor): Tensor {
  const y = t.op('Relu', [x.name]);
  t.record(y, (dy) => {
    const zero = t.scalar('zero', 0);
    t.accumulate(x.name, t.op('Where', [t.op('Greater', [y, zero]), dy, zero]));
  });
  return { ...x, name: y };
}

/** Dense on the last axis of a tf-layout tensor: x @ W (+ b). */
export function dense(t: Tape, x: Tensor, kernel: string, kernelShape: readonly number[], bias: string | undefined): Tensor {
  if (x.layout !== 'tf') throw new Error('internal error: dense needs a tf-layout tensor');
  const [units, out] = kernelShape;
  const rows = sizeOf(x.shape) / units;
  const product = t.op('MatMul', [x.name, kernel]);
  const y = bias ? t.op('Add', [product, bias]) : product;
  t.record(y, (dy) => {
    t.accumulate(x.name, t.op('MatMul', [dy, t.op('Transpose', [kernel], { perm: [1, 0] })]));
    const dyRows = t.op('Reshape', [dy, t.int64('shape', [rows, out])]);
    const xRows = t.op('Reshape', [x.name, t.int64('shape', [rows, units])]);
    t.accumulate(kernel, t.op('Gemm', [xRows, dyRows], { transA: 1 }));
    if (bias) t.accumulate(bias, t.op('ReduceSum', [dyRows, t.int64('axes', [0])], { keepdims: 0 }));
  });
  return { name: y, shape: [...x.shape.slice(0, -1), out], layout: 'tf' };
}

/** Reshape of a tf-layout tensor (tfjs Reshape and Flatten). */
export function reshape(t: Tape, x: Tensor, shape: readonly number[]): Tensor {
  if (x.layout !== 'tf') throw new Error('internal error: reshape needs a tf-layout tensor');
  if (sizeOf(shape) !== sizeOf(x.shape)) throw new Error(`internal error: cannot reshape [${x.shape}] to [${shape}]`);
  const y = t.op('Reshape', [x.name, t.int64('shape', shape)]);
  t.record(y, (dy) => t.accumulate(x.name, t.op('Reshape', [dy, t.int64('shape', x.shape)])));
  return { name: y, shape, layout: 'tf' };
}

/** Concatenation of tf-layout tensors along the last axis; the gradient is split back. */
export function concatLast(t: Tape, xs: readonly Tensor[]): Tensor {
  const rank = xs[0].shape.length;
  const sizes = xs.map((x) => x.shape[rank - 1]);
  const y = t.op('Concat', xs.map((x) => x.name), { axis: rank - 1 });
  t.record(y, (dy) => {
    const parts = t.g.opMulti('Split', [dy, t.int64('split', sizes)], xs.length, { axis: rank - 1 });
    xs.forEach((x, i) => t.accumulate(x.name, parts[i]));
  });
  return { name: y, shape: [...xs[0].shape.slice(0, -1), sizes.reduce((a, b) => a + b, 0)], layout: 'tf' };
}

/** Dropout as a multiplication by a mask fed each step (0 or 1 / (1 - rate)). */
export function dropout(t: Tape, x: Tensor, mask: string): Tensor {
  const y = t.op('Mul', [x.name, mask]);
  t.record(y, (dy) => t.accumulate(x.name, t.op('Mul', [dy, mask])));
  return { ...x, name: y };
}
