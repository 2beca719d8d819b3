import { materialize, type SymTensor } from '../graph/sym-tensor.ts';
import { emitDense } from './dense.ts';
import { requireOneInput, type LayerContext, type LayerConverter } from './layer-context.ts';

/**
 * TimeDistributed(layer) on [N, T, ...]: Dense runs directly on the 3-D input (MatMul over the
 * last axis); any other wrapped layer runs on [N*T, ...] between two Reshapes (T must be static).
 * The wrapped layer's weights are stored under the wrapper's name.
 */
export const timeDistributed: LayerConverter = {
  classNames: ['TimeDistributed'],
  convert(ctx, inputs) {
    const x = requireOneInput(ctx, inputs);
    const inner = ctx.layer.config.layer as { class_name?: string; config?: Record<string, unknown> } | undefined;
    if (!inner?.class_name) return ctx.unsupported('missing wrapped layer');
    const innerClass = inner.class_name;
    const innerCtx: LayerContext = {
      ...ctx,
      layer: { className: innerClass, name: ctx.layer.name, config: inner.config ?? {}, calls: [] },
      consumerClasses: () => [],
      unsupported: (reason) => ctx.unsupported(`wrapped ${innerClass}: ${reason}`),
    };
    if (x.shape.length < 3) ctx.unsupported(`expected an input of rank >= 3, got ${x.shape.length}`);
    if (innerClass === 'Dense') return [emitDense(innerCtx, x)];
    const conv = ctx.converterFor(innerClass);
    if (!conv) return ctx.unsupported(`wrapped layer class ${innerClass} is not supported`);
    const t = x.shape[1];
    if (t === null) return ctx.unsupported('the time dimension must be static');
    let src = materialize(ctx.g, x);
    if (src.perm[0] !== 0 || src.perm[1] !== 1) src = ctx.layout(src, x.shape.map((_, i) => i));
    const rest = src.perm.slice(2).map((a) => src.shape[a]);
    if (rest.some((d) => d === null)) ctx.unsupported('the wrapped dimensions must be static');
    const { g } = ctx;
    const base = ctx.layer.name;
    const merged: SymTensor = {
      name: g.op('Reshape', [src.name, g.int64('shape', [-1, ...(rest as number[])])], {}, `${base}/merge_time`),
      shape: [null, ...src.shape.slice(2)],
      perm: [0, ...src.perm.slice(2).map((a) => a - 1)],
    };
    innerCtx.addFlops = (n) => ctx.addFlops(n * t);
    innerCtx.setFoldable = () => undefined;
    const outs = conv.convert(innerCtx, [merged]);
    if (outs.length !== 1) ctx.unsupported('wrapped layer with several outputs');
    const y = materialize(g, outs[0]);
    const yRest = y.perm.slice(1).map((a) => y.shape[a]);
    if (yRest.some((d) => d === null)) ctx.unsupported('the wrapped output dimensions must be static');
    const name = g.op('Reshape', [y.name, g.int64('shape', [-1, t as number, ...(yRest as number[])])], {}, `${base}/split_time`);
    return [{ name, shape: [x.shape[0], t, ...y.shape.slice(1)], perm: [0, 1, ...y.perm.slice(1).map((a) => a + 1)] }];
  },
};
