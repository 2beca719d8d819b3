import { bool, requireChannelsLast, requireOneInput, type LayerConverter } from './layer-context.ts';
import { convKernelToOnnx, emitConv, readGeometry } from './conv-common.ts';

/** Conv2D: strides, dilation, same (TF's asymmetric padding) / valid, bias, activation. */
export const conv2d: LayerConverter = {
  classNames: ['Conv2D', 'Convolution2D'],
  convert(ctx, inputs) {
    const x = requireOneInput(ctx, inputs);
    requireChannelsLast(ctx);
    const geo = readGeometry(ctx, 'kernel_size');
    const k = ctx.weight('kernel');
    const cin = x.shape[3];
    if (cin !== k.shape[2]) {
      const groups = typeof cin === 'number' ? cin / k.shape[2] : NaN;
      if (!Number.isInteger(groups) || groups < 1) ctx.unsupported(`kernel shape [${k.shape}] does not match input channels ${cin}`);
    }
    const groups = (cin as number) / k.shape[2];
    if (groups !== 1) ctx.unsupported('grouped convolution (groups > 1)');
    const bias = bool(ctx, 'use_bias', true) ? ctx.weight('bias').values : undefined;
    return [emitConv(ctx, x, convKernelToOnnx(k.values, k.shape), bias, geo, 1, k.shape[3], ctx.layer.config.activation)];
  },
};
