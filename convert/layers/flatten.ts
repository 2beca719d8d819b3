import { knownSize } from '../graph/sym-tensor.ts';
import { requireOneInput, type LayerConverter } from './layer-context.ts';
import { reshapeTo } from './reshape-common.ts';

/** Flatten, in tfjs's channels-last element order. */
export const flatten: LayerConverter = {
  classNames: ['Flatten'],
  acceptsFeatureOrder: true,
  convert(ctx, inputs) {
    const x = requireOneInput(ctx, inputs);
    if (x.shape.length === 2) return [x];
    if (x.featureOrder) ctx.unsupported('internal: feature order on a rank > 2 tensor');
    return [reshapeTo(ctx, x, [x.shape[0], knownSize(x.shape.slice(1))])];
  },
};
