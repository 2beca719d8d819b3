import type { Batch, BatchPlan } from './batch.ts';
import type { Focus, MixEntry, Twins } from './data-mix.ts';

/** What the data worker needs (structured-clonable). */
export interface StreamConfig {
  readonly plan: BatchPlan;
  /** Generated data: the mix, or a labelled folder/zip (`dataPath`). */
  readonly mix?: readonly MixEntry[];
  readonly dataPath?: string;
  readonly fonts?: readonly string[];
  /** Training emphasis (generated data only; validation is never focused). */
  readonly focus?: Focus;
  /** Twin pairs (generated data only; validation never has twins). */
  readonly twins?: Twins;
  /** Validation: generated with its own fixed seed from `validationMix`, or held out from `dataPath`. */
  readonly validationCount: number;
  readonly validationSeed: number;
  readonly validationMix?: readonly MixEntry[];
  /**
   * Data worker threads (default: `defaultDataWorkers`). Batch k is the same for any number:
   * worker r builds the steps k with (k - fromStep) % N === r and the stream delivers them in
   * step order.
   */
  readonly dataWorkers?: number;
}

/**
 * How much nicer (lower priority) a data worker thread runs than the trainer, on Linux. With
 * the data worker at the trainer's priority, the scheduler shares the cores evenly and the
 * onnxruntime engine's threads wait on it mid-operation; at +10 it fills the time they leave
 * and still keeps up. Measured on this 2-core machine, `train --max-steps 240 --batch-size 32`
 * (interleaved runs, the background training paused): 251 and 233-260 images/s at +0, 281 at
 * +10, 281-303 at +19 (`DATA_WORKER_NICE` is +10, not +19, so a worker is not starved when
 * another job shares the cores).
 */
export const DATA_WORKER_NICE = 10;

/** Generated data: the cores, at most 4 (a worker only runs while the trainer has credit for its batches); a labelled folder or zip: 1 (each worker would hold the whole set). */
export function defaultDataWorkers(config: Pick<StreamConfig, 'dataPath'>, cores: number): number {
  return config.dataPath ? 1 : Math.max(1, Math.min(4, cores));
}

export type ToWorker =
  /** Build validation batches `part`, `part + parts`, ... (all of them with the defaults 0 and 1). */
  | { readonly type: 'validation'; readonly part?: number; readonly parts?: number }
  /** Build steps `fromStep`, `fromStep + stride`, ..., `depth` ahead of the credits returned. */
  | { readonly type: 'start'; readonly fromStep: number; readonly depth: number; readonly stride?: number }
  | { readonly type: 'credit' };

export type FromWorker =
  | {
      readonly type: 'ready';
      readonly trainingSize: number | undefined;
      readonly validationSize: number;
      /** Labelled data: images left out (no label, or they do not decode), and the first few with the reason. */
      readonly unusable?: number;
      readonly unusableExamples?: readonly { readonly file: string; readonly reason: string }[];
    }
  | { readonly type: 'validation'; readonly batches: Batch[] }
  | { readonly type: 'batch'; readonly batch: Batch }
  | { readonly type: 'error'; readonly message: string };
