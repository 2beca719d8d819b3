import { knownSize, type Dim } from '../graph/sym-tensor.ts';
import { requireOneInput, type LayerConverter } from './layer-context.ts';
import { reshapeTo } from './reshape-common.ts';

/** Reshape(target_shape), in tfjs element order; one -1 is resolved from the static input size. */
export const reshape: LayerConverter = {
  classNames: ['Reshape'],
  convert(ctx, inputs) {
    const x = requireOneInput(ctx, inputs);
    const raw = ctx.layer.config.target_shape;
    if (!Array.isArray(raw) || !raw.every((d) => typeof d === 'number' || d === null)) ctx.unsupported(`target_shape=${JSON.stringify(raw)}`);
    const dims: Dim[] = (raw as (number | null)[]).map((d) => (d === null || d < 0 ? null : d));
    const size = knownSize(x.shape.slice(1));
    const knownPart = knownSize(dims.filter((d) => d !== null));
    if (dims.filter((d) => d === null).length === 1 && size !== null && knownPart) dims[dims.indexOf(null)] = size / knownPart;
    if (size !== null && knownSize(dims) !== null && knownSize(dims) !== size) ctx.unsupported(`cannot reshape [${x.shape}] to [${raw}]`);
    return [reshapeTo(ctx, x, [x.shape[0], ...dims])];
  },
};
