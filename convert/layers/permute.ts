import type { SymTensor } from '../graph/sym-tensor.ts';
import { requireOneInput, type LayerConverter } from './layer-context.ts';

/**
 * Permute(dims): no node at all, only a new layout. If the logical result is Y = transpose(X, q)
 * and X is stored as transpose(X, perm), the same bytes are Y stored as perm'[i] = q^-1[perm[i]].
 */
export const permute: LayerConverter = {
  classNames: ['Permute'],
  convert(ctx, inputs) {
    const x = requireOneInput(ctx, inputs);
    const dims = ctx.layer.config.dims;
    const rank = x.shape.length;
    if (!Array.isArray(dims) || dims.length !== rank - 1 || [...dims].sort((a, b) => a - b).some((d, i) => d !== i + 1)) ctx.unsupported(`dims=${JSON.stringify(dims)}`);
    const q = [0, ...(dims as number[])];
    const qInv = new Array<number>(rank);
    q.forEach((a, j) => (qInv[a] = j));
    const out: SymTensor = { name: x.name, shape: q.map((a) => x.shape[a]), perm: x.perm.map((a) => qInv[a]) };
    return [out];
  },
};
