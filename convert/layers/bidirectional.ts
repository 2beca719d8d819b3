import { checkRecurrentConfig, emitRnn, squeeze } from './recurrent.ts';
import { requireOneInput, type LayerConverter } from './layer-context.ts';

/**
 * Bidirectional(LSTM | GRU) as one bidirectional ONNX LSTM/GRU. Keras re-reverses the backward
 * sequence, so both halves are aligned with input time as ONNX returns them; merge_mode concat
 * (default), sum, mul or ave.
 */
export const bidirectional: LayerConverter = {
  classNames: ['Bidirectional'],
  convert(ctx, inputs) {
    const x = requireOneInput(ctx, inputs);
    const inner = ctx.layer.config.layer as { class_name?: string; config?: Record<string, unknown> } | undefined;
    const cell = inner?.class_name;
    if (cell !== 'LSTM' && cell !== 'GRU') return ctx.unsupported(`wrapped layer ${String(cell)} (only LSTM and GRU)`);
    const cfg = inner?.config ?? {};
    checkRecurrentConfig(ctx, cfg);
    if (cfg.go_backwards) ctx.unsupported('wrapped layer with go_backwards=true');
    const backCfg = (ctx.layer.config.backward_layer as { config?: Record<string, unknown> } | undefined)?.config ?? cfg;
    const mode = ctx.layer.config.merge_mode === undefined ? 'concat' : ctx.layer.config.merge_mode;
    if (mode !== 'concat' && mode !== 'sum' && mode !== 'mul' && mode !== 'ave') ctx.unsupported(`merge_mode=${String(mode)}`);
    const { y, yh, u } = emitRnn(ctx, cell, x, [{ cfg, scope: 'forward_' }, { cfg: backCfg, scope: 'backward_' }], 'bidirectional');
    const { g } = ctx;
    const base = ctx.layer.name;
    const [n, t] = x.shape;
    const seq = cfg.return_sequences === true;
    // Directions live on axis 1 of Y [T, 2, N, u] and axis 0 of Y_h [2, N, u].
    const src = seq ? y : yh;
    const dirAxis = seq ? 1 : 0;
    const outShape = seq ? [n, t, mode === 'concat' ? 2 * u : u] : [n, mode === 'concat' ? 2 * u : u];
    const perm = seq ? [1, 0, 2] : [0, 1];
    if (mode === 'concat') {
      const moved = g.op('Transpose', [src], { perm: seq ? [0, 2, 1, 3] : [1, 0, 2] }, `${base}/directions_last`);
      const name = g.op('Reshape', [moved, g.int64('shape', seq ? [0, 0, 2 * u] : [0, 2 * u])], {}, `${base}/concat`);
      return [{ name, shape: outShape, perm }];
    }
    let merged: string;
    if (mode === 'mul') {
      const [a, b] = g.opMulti('Split', [src], 2, { axis: dirAxis }, `${base}/split`);
      merged = g.op('Mul', [a, b], {}, `${base}/mul`);
    } else {
      merged = g.op(mode === 'sum' ? 'ReduceSum' : 'ReduceMean', mode === 'sum' ? [src, g.int64('axes', [dirAxis])] : [src], mode === 'sum' ? { keepdims: 1 } : { axes: [dirAxis], keepdims: 1 }, `${base}/${mode}`);
    }
    return [{ name: squeeze(ctx, merged, dirAxis), shape: outShape, perm }];
  },
};
