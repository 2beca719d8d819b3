import { bool, requireChannelsLast, requireOneInput, type LayerConverter } from './layer-context.ts';
import { depthwiseKernelToOnnx, emitConv, readGeometry } from './conv-common.ts';

/** DepthwiseConv2D: a grouped ONNX Conv with group = input channels. */
export const depthwiseConv2d: LayerConverter = {
  classNames: ['DepthwiseConv2D'],
  convert(ctx, inputs) {
    const x = requireOneInput(ctx, inputs);
    requireChannelsLast(ctx);
    const geo = readGeometry(ctx, 'kernel_size');
    const k = ctx.weight('depthwise_kernel');
    const [, , cin, mult] = k.shape;
    if (x.shape[3] !== cin) ctx.unsupported(`kernel shape [${k.shape}] does not match input channels ${x.shape[3]}`);
    const bias = bool(ctx, 'use_bias', true) ? ctx.weight('bias').values : undefined;
    return [emitConv(ctx, x, depthwiseKernelToOnnx(k.values, k.shape), bias, geo, cin, cin * mult, ctx.layer.config.activation)];
  },
};
