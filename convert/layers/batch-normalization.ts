import { physicalAxis } from '../graph/sym-tensor.ts';
import { bool, num, requireOneInput, type LayerConverter } from './layer-context.ts';

/**
 * BatchNormalization (inference): y = (x - mean) / sqrt(var + eps) * gamma + beta. Folded into
 * the preceding Conv/Dense when it directly follows one (and that output feeds nothing else);
 * otherwise a per-channel Mul + Add.
 */
export const batchNormalization: LayerConverter = {
  classNames: ['BatchNormalization'],
  convert(ctx, inputs) {
    const x = requireOneInput(ctx, inputs);
    const rank = x.shape.length;
    let axis = ctx.layer.config.axis ?? -1;
    if (Array.isArray(axis)) {
      if (axis.length !== 1) ctx.unsupported(`axis=${JSON.stringify(axis)} (only one axis)`);
      axis = axis[0];
    }
    if (typeof axis !== 'number') return ctx.unsupported(`axis=${JSON.stringify(axis)}`);
    const ax = axis < 0 ? axis + rank : axis;
    if (ax <= 0 || ax >= rank) ctx.unsupported(`axis=${axis} for an input of rank ${rank}`);
    const c = x.shape[ax];
    if (c === null) return ctx.unsupported('the normalised axis has a dynamic size');
    const eps = num(ctx, 'epsilon', 1e-3);
    const mean = ctx.weight('moving_mean').values;
    const variance = ctx.weight('moving_variance').values;
    const gamma = bool(ctx, 'scale', true) ? ctx.weight('gamma').values : undefined;
    const beta = bool(ctx, 'center', true) ? ctx.weight('beta').values : undefined;
    const scale = new Float32Array(c);
    const shift = new Float32Array(c);
    for (let i = 0; i < c; i++) {
      const s = (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + eps);
      scale[i] = s;
      shift[i] = (beta ? beta[i] : 0) - mean[i] * s;
    }
    const fold = ax === rank - 1 ? ctx.foldableInto(x) : undefined;
    if (fold && fold(scale, shift)) return [x];
    const { g } = ctx;
    const dims = x.perm.map((a): number => (a === ax ? c : 1));
    const pa = physicalAxis(x, ax);
    if (dims[pa] !== c) throw new Error('internal error: batch norm axis');
    const base = ctx.layer.name;
    const m = g.op('Mul', [x.name, g.float(`${base}/scale`, scale, dims)], {}, `${base}/Scale`);
    const y = g.op('Add', [m, g.float(`${base}/shift`, shift, dims)], {}, `${base}/Shift`);
    return [{ name: y, shape: x.shape, perm: x.perm }];
  },
};
