import { channelsFirstPerm } from '../graph/sym-tensor.ts';
import { padAttrs, readGeometry, spatialOut } from './conv-common.ts';
import { requireChannelsLast, requireOneInput, type LayerConverter } from './layer-context.ts';

/**
 * MaxPooling2D / AveragePooling2D, channels-first. With `same` padding TensorFlow's average
 * excludes the padded cells from the count, as ONNX AveragePool with count_include_pad=0 does.
 */
export const pooling2d: LayerConverter = {
  classNames: ['MaxPooling2D', 'AveragePooling2D', 'MaxPool2D', 'AvgPool2D', 'AveragePool2D'],
  convert(ctx, inputs) {
    const input = requireOneInput(ctx, inputs);
    requireChannelsLast(ctx);
    if (input.shape.length !== 4) ctx.unsupported(`expected a 4-D input, got rank ${input.shape.length}`);
    const pool = ctx.layer.config.pool_size ?? [2, 2];
    const geo = readGeometry(ctx, 'pool_size', typeof pool === 'number' ? [pool, pool] : (pool as [number, number]));
    const x = ctx.layout(input, channelsFirstPerm(4));
    const isMax = ctx.layer.className.startsWith('Max');
    const attrs = { kernel_shape: [...geo.kernel], strides: [...geo.strides], ...padAttrs(input.shape[1], input.shape[2], geo) };
    const op = isMax ? 'MaxPool' : 'AveragePool';
    const inner = ctx.foldableInto(input);
    const y = ctx.g.op(op, [x.name], isMax ? attrs : { ...attrs, count_include_pad: 0 }, `${ctx.layer.name}/${op}`);
    const out = { name: y, shape: spatialOut(input, geo, input.shape[3] as number), perm: channelsFirstPerm(4) };
    // A per-channel y = s * x + b commutes with average pooling, and with max pooling when s > 0,
    // so a batch norm after conv -> pool folds into the conv.
    if (inner) ctx.setFoldable(out, (scale, shift) => (isMax && !scale.every((s) => s > 0) ? false : inner(scale, shift)));
    return [out];
  },
};
