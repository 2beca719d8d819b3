import { physicalAxis, type SymTensor } from '../graph/sym-tensor.ts';
import { num, requireOneInput, type LayerContext, type LayerConverter } from './layer-context.ts';

const like = (x: SymTensor, name: string): SymTensor => ({ name, shape: x.shape, perm: x.perm });

/** ReLU layer (max_value; Keras' negative_slope/threshold when zero). */
export const reluLayer: LayerConverter = {
  classNames: ['ReLU'],
  convert(ctx, inputs) {
    const x = requireOneInput(ctx, inputs);
    if (num(ctx, 'negative_slope', 0) !== 0 || num(ctx, 'threshold', 0) !== 0) ctx.unsupported('negative_slope/threshold other than 0');
    const max = ctx.layer.config.max_value;
    const { g } = ctx;
    const base = ctx.layer.name;
    if (typeof max === 'number') return [like(x, g.op('Clip', [x.name, g.scalar('zero', 0), g.scalar('max', max)], {}, `${base}/Clip`))];
    return [like(x, g.op('Relu', [x.name], {}, `${base}/Relu`))];
  },
};

export const eluLayer: LayerConverter = {
  classNames: ['ELU'],
  convert(ctx, inputs) {
    const x = requireOneInput(ctx, inputs);
    return [like(x, ctx.g.op('Elu', [x.name], { alpha: { f: num(ctx, 'alpha', 1) } }, `${ctx.layer.name}/Elu`))];
  },
};

export const leakyReluLayer: LayerConverter = {
  classNames: ['LeakyReLU'],
  convert(ctx, inputs) {
    const x = requireOneInput(ctx, inputs);
    const alpha = num(ctx, 'alpha', num(ctx, 'negative_slope', 0.3));
    return [like(x, ctx.g.op('LeakyRelu', [x.name], { alpha: { f: alpha } }, `${ctx.layer.name}/LeakyRelu`))];
  },
};

export const thresholdedReluLayer: LayerConverter = {
  classNames: ['ThresholdedReLU'],
  convert(ctx, inputs) {
    const x = requireOneInput(ctx, inputs);
    return [like(x, ctx.g.op('ThresholdedRelu', [x.name], { alpha: { f: num(ctx, 'theta', 1) } }, `${ctx.layer.name}/ThresholdedRelu`))];
  },
};

export const softmaxLayer: LayerConverter = {
  classNames: ['Softmax'],
  convert(ctx, inputs) {
    const x = requireOneInput(ctx, inputs);
    let axis = ctx.layer.config.axis ?? -1;
    if (Array.isArray(axis) && axis.length === 1) axis = axis[0];
    if (typeof axis !== 'number') return ctx.unsupported(`axis=${JSON.stringify(axis)} (only one axis)`);
    return [like(x, ctx.g.op('Softmax', [x.name], { axis: physicalAxis(x, axis) }, `${ctx.layer.name}/Softmax`))];
  },
};

/** PReLU: the learned slope (shape = input shape without batch, 1 on shared axes) laid out like the input. */
export const preluLayer: LayerConverter = {
  classNames: ['PReLU'],
  convert(ctx, inputs) {
    const x = requireOneInput(ctx, inputs);
    const alpha = ctx.weight('alpha');
    return [like(x, ctx.g.op('PRelu', [x.name, slopeInLayout(ctx, x, alpha.values, alpha.shape)], {}, `${ctx.layer.name}/PRelu`))];
  },
};

function slopeInLayout(ctx: LayerContext, x: SymTensor, values: Float32Array, shape: number[]): string {
  const rank = x.shape.length;
  if (shape.length !== rank - 1) ctx.unsupported(`alpha shape [${shape}] does not fit input rank ${rank}`);
  const logical = [1, ...shape];
  const phys = x.perm.map((a) => logical[a]);
  // Re-order the values from logical to physical layout.
  const strides = logical.map((_, i) => logical.slice(i + 1).reduce((p, d) => p * d, 1));
  const out = new Float32Array(values.length);
  const idx = new Array<number>(rank).fill(0);
  for (let j = 0; j < out.length; j++) {
    let rem = j;
    for (let p = rank - 1; p >= 0; p--) {
      idx[p] = rem % phys[p];
      rem = Math.floor(rem / phys[p]);
    }
    let src = 0;
    for (let p = 0; p < rank; p++) src += idx[p] * strides[x.perm[p]];
    out[j] = values[src];
  }
  return ctx.g.float(`${ctx.layer.name}/alpha`, out, phys);
}
