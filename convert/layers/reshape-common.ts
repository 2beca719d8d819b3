import { identityPerm, isIdentity, knownSize, type Dim, type SymTensor } from '../graph/sym-tensor.ts';
import type { LayerContext } from './layer-context.ts';

/**
 * Reshapes `x` to the logical shape `target` ([batch, ...]) in tfjs (row-major, channels-last)
 * element order. When `x` is channels-first, only its trailing axes merge and every consumer is a
 * Dense layer, the physical tensor is reshaped directly and the Dense layers permute their kernel
 * rows (`featureOrder`), which saves a Transpose; otherwise the tensor goes back to tfjs layout first.
 */
export function reshapeTo(ctx: LayerContext, x: SymTensor, target: Dim[]): SymTensor {
  const { g } = ctx;
  const rank = x.shape.length;
  const k = target.length - 2;
  const trailing = x.shape.slice(k + 1);
  const canReorder =
    !isIdentity(x.perm) &&
    !x.featureOrder &&
    k >= 0 &&
    x.perm.slice(0, k + 1).every((a, i) => a === i) &&
    x.shape.slice(0, k + 1).every((d, i) => d === target[i]) &&
    knownSize(trailing) !== null &&
    target[k + 1] === knownSize(trailing) &&
    ctx.consumerClasses().length > 0 &&
    ctx.consumerClasses().every((c) => c === 'Dense');
  if (canReorder) {
    const physDims = x.perm.slice(k + 1).map((a) => x.shape[a] as number);
    const logDims = trailing as number[];
    const logStrides = logDims.map((_, i) => logDims.slice(i + 1).reduce((p, d) => p * d, 1));
    const total = knownSize(trailing) as number;
    const order = new Int32Array(total);
    const idx = new Array<number>(physDims.length).fill(0);
    for (let j = 0; j < total; j++) {
      let rem = j;
      for (let p = physDims.length - 1; p >= 0; p--) {
        idx[p] = rem % physDims[p];
        rem = Math.floor(rem / physDims[p]);
      }
      let logical = 0;
      for (let p = 0; p < physDims.length; p++) logical += idx[p] * logStrides[x.perm[k + 1 + p] - (k + 1)];
      order[j] = logical;
    }
    const y = g.op('Reshape', [x.name, g.int64('shape', [0, ...target.slice(1, k + 1).map((d) => d ?? 0), total])], {}, `${ctx.layer.name}/Reshape`);
    return { name: y, shape: target, perm: identityPerm(target.length), featureOrder: order };
  }
  const src = ctx.layout(x, identityPerm(rank));
  const dims = target.slice(1).map((d) => (d === null ? -1 : d));
  if (dims.filter((d) => d === -1).length > 1) ctx.unsupported(`cannot reshape [${x.shape}] to [${target}] with more than one dynamic dimension`);
  const y = g.op('Reshape', [src.name, g.int64('shape', [0, ...dims])], {}, `${ctx.layer.name}/Reshape`);
  return { name: y, shape: target, perm: identityPerm(target.length) };
}
