import { applyActivation } from './activation-fn.ts';
import { requireOneInput, type LayerConverter } from './layer-context.ts';

/** Activation('relu' | 'softmax' | ...). */
export const activation: LayerConverter = {
  classNames: ['Activation'],
  convert(ctx, inputs) {
    return [applyActivation(ctx, ctx.layer.config.activation, requireOneInput(ctx, inputs))];
  },
};
