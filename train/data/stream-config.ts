import type { Batch, BatchPlan } from './batch.ts';
import type { Focus, MixEntry } from './data-mix.ts';

/** What the data worker needs (structured-clonable). */
export interface StreamConfig {
  readonly plan: BatchPlan;
  /** Generated data: the mix, or a labelled folder/zip (`dataPath`). */
  readonly mix?: readonly MixEntry[];
  readonly dataPath?: string;
  readonly fonts?: readonly string[];
  /** Training emphasis (generated data only; validation is never focused). */
  readonly focus?: Focus;
  /** Validation: generated with its own fixed seed from `validationMix`, or held out from `dataPath`. */
  readonly validationCount: number;
  readonly validationSeed: number;
  readonly validationMix?: readonly MixEntry[];
}

export type ToWorker =
  | { readonly type: 'validation' }
  | { readonly type: 'start'; readonly fromStep: number; readonly depth: number }
  | { readonly type: 'credit' };

export type FromWorker =
  | { readonly type: 'ready'; readonly trainingSize: number | undefined; readonly validationSize: number }
  | { readonly type: 'validation'; readonly batches: Batch[] }
  | { readonly type: 'batch'; readonly batch: Batch }
  | { readonly type: 'error'; readonly message: string };
