import { buildDefaultModel, type DefaultModelOptions } from './default-model.ts';
import type { BuiltModel } from './model-spec.ts';
import { buildSeedModel } from './seed-model.ts';

export const ARCHITECTURES = ['default', 'seed'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export interface BuildOptions {
  readonly charset?: string;
  readonly maxLength?: number;
  readonly seed?: number;
  /** Extra options of the default architecture (experiments). */
  readonly defaultModel?: DefaultModelOptions;
}

export function buildModel(architecture: Architecture, options: BuildOptions = {}): BuiltModel {
  if (architecture === 'seed') return buildSeedModel({ charset: options.charset, seed: options.seed });
  return buildDefaultModel({ ...options.defaultModel, charset: options.charset, maxLength: options.maxLength, seed: options.seed });
}
