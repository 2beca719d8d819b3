import { requireOneInput, type LayerConverter } from './layer-context.ts';

/** Layers that are the identity at inference: the dropouts and noise layers (removed from the graph). */
export const identityLayers: LayerConverter = {
  acceptsFeatureOrder: true,
  classNames: ['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'SpatialDropout3D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'ActivityRegularization'],
  convert(ctx, inputs) {
    return [requireOneInput(ctx, inputs)];
  },
};
