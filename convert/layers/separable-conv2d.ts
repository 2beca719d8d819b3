import { bool, requireChannelsLast, requireOneInput, type LayerConverter } from './layer-context.ts';
import { convKernelToOnnx, depthwiseKernelToOnnx, emitConv, readGeometry } from './conv-common.ts';

/** SeparableConv2D: depthwise Conv (no bias, linear) then a 1x1 Conv with the bias and activation. */
export const separableConv2d: LayerConverter = {
  classNames: ['SeparableConv2D', 'SeparableConvolution2D'],
  convert(ctx, inputs) {
    const x = requireOneInput(ctx, inputs);
    requireChannelsLast(ctx);
    const geo = readGeometry(ctx, 'kernel_size');
    const dk = ctx.weight('depthwise_kernel');
    const pk = ctx.weight('pointwise_kernel');
    const [, , cin, mult] = dk.shape;
    if (x.shape[3] !== cin) ctx.unsupported(`kernel shape [${dk.shape}] does not match input channels ${x.shape[3]}`);
    const name = ctx.layer.name;
    const depth = emitConv(ctx, x, depthwiseKernelToOnnx(dk.values, dk.shape), undefined, geo, cin, cin * mult, 'linear', `${name}/depthwise`);
    const bias = bool(ctx, 'use_bias', true) ? ctx.weight('bias').values : undefined;
    const one = { kernel: [1, 1] as [number, number], strides: [1, 1] as [number, number], dilation: [1, 1] as [number, number], padding: 'valid' as const };
    return [emitConv(ctx, depth, convKernelToOnnx(pk.values, pk.shape), bias, one, 1, pk.shape[3], ctx.layer.config.activation, `${name}/pointwise`)];
  },
};
