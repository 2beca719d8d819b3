import { channelsFirstPerm, samePerm } from '../graph/sym-tensor.ts';
import { bool, requireChannelsLast, requireOneInput, type LayerConverter } from './layer-context.ts';

/** GlobalAveragePooling2D / GlobalMaxPooling2D: GlobalAveragePool/GlobalMaxPool on NCHW, then [N, C]. */
export const globalPooling2d: LayerConverter = {
  classNames: ['GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'GlobalAvgPool2D', 'GlobalMaxPool2D'],
  convert(ctx, inputs) {
    const input = requireOneInput(ctx, inputs);
    requireChannelsLast(ctx);
    if (input.shape.length !== 4) ctx.unsupported(`expected a 4-D input, got rank ${input.shape.length}`);
    const cf = channelsFirstPerm(4);
    const x = ctx.layout(input, cf);
    const op = ctx.layer.className.includes('Max') ? 'GlobalMaxPool' : 'GlobalAveragePool';
    const { g } = ctx;
    const pooled = g.op(op, [x.name], {}, `${ctx.layer.name}/${op}`);
    const [n, , , c] = input.shape;
    if (bool(ctx, 'keepdims', false)) return [{ name: pooled, shape: [n, 1, 1, c], perm: cf }];
    if (!samePerm(x.perm, cf)) throw new Error('internal error: global pooling layout');
    const y = g.op('Flatten', [pooled], { axis: 1 }, `${ctx.layer.name}/Flatten`);
    return [{ name: y, shape: [n, c], perm: [0, 1] }];
  },
};
