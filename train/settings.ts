import type { CaptchaStyle } from '../captcha/options.ts';
import { parseModelDescription } from '../core/model-contract.ts';
import type { BackendChoice } from './backend.ts';
import type { Focus, Twins } from './data/data-mix.ts';
import type { DefaultModelOptions } from './models/default-model.ts';
import type { ModelSpec } from './models/model-spec.ts';
import { ARCHITECTURES, type Architecture } from './models/registry.ts';
import type { WorkersChoice } from './parallel/worker-count.ts';

/** Every setting of a run (stored in the checkpoint; `--resume` reuses them). */
export interface TrainSettings {
  readonly out: string;
  readonly architecture: Architecture;
  readonly backend: BackendChoice;
  /** onnxruntime execution providers for the `ort` engine, in order (default cpu); not part of the run. */
  readonly providers?: readonly string[];
  /**
   * Training threads (data-parallel replicas, train/parallel/): a count or `auto` (CPU cores,
   * at most 4, on wasm; 1 on the native backend). Not part of the run: `--resume` takes the
   * new value, and any count continues the same training. Default 1.
   */
  readonly workers?: WorkersChoice;
  readonly batchSize: number;
  readonly maxSteps: number;
  readonly learningRate: number;
  readonly warmupSteps: number;
  readonly data?: string;
  readonly init?: string;
  readonly styles?: readonly CaptchaStyle[];
  /**
   * Longest text the model reads. Default: the longest label with `data`, the `init` model's,
   * else DEFAULT_MAX_LENGTH. With `data`, shorter than the longest label is refused.
   */
  readonly maxLength?: number;
  /**
   * The model's alphabet (`--charset`). Default: every character of the `data` labels
   * (core/charset.ts alphabetOf), else the `init` model's, else DEFAULT_CHARSET. With `init`
   * and another alphabet the output layer is rebuilt (train/transfer.ts classMapping).
   */
  readonly charset?: string;
  readonly evalEvery: number;
  /** Also validate every this many seconds of wall time (`--max-minutes` without `--eval-every`: a tenth of the budget). */
  readonly evalEverySeconds?: number;
  /**
   * Wall-time budget in minutes (`--max-minutes`): train until it is spent, with the learning-rate
   * schedule planned to end at the deadline (train/time-budget.ts), then export the best model.
   */
  readonly maxMinutes?: number;
  readonly checkpointEvery: number;
  readonly validationSize: number;
  readonly seed: number;
  readonly augment: boolean;
  /** Extra training images with these characters (generated data only; see data-mix Focus). */
  readonly focus?: Focus;
  /** Twin pairs of training images with two characters swapped (generated data only; see data-mix Twins). */
  readonly twins?: Twins;
  /** Share of the steps under the final cosine decay (default 0.3). */
  readonly decayFraction?: number;
  readonly fonts?: readonly string[];
  /** Extra options of the default architecture (experiments; stored with the checkpoint). */
  readonly defaultModel?: DefaultModelOptions;
  /** With resume: keep the checkpoint's maxSteps instead of this one (no --max-steps given). */
  readonly keepMaxSteps?: boolean;
}

export const DEFAULT_SETTINGS = {
  architecture: 'default',
  backend: 'auto',
  batchSize: 32,
  maxSteps: 40000,
  learningRate: 3e-3,
  warmupSteps: 100,
  evalEvery: 500,
  checkpointEvery: 500,
  validationSize: 1024,
  seed: 1,
  augment: true,
} as const satisfies Partial<TrainSettings>;

/** Longest text of a fresh model trained on generated data, unless `maxLength` says otherwise. */
export const DEFAULT_MAX_LENGTH = 8;

/** The settings a checkpoint stores (`state.json` `settings`): the run's, with the spec of its model. */
export type StoredSettings = TrainSettings & { readonly spec: ModelSpec };

const NUMBERS = ['batchSize', 'maxSteps', 'learningRate', 'warmupSteps', 'evalEvery', 'checkpointEvery', 'validationSize', 'seed'] as const;

/**
 * Checks the settings read from a checkpoint (`where` names the file): the fields a resumed run
 * relies on, and the model spec. Throws a RangeError naming the first bad field.
 */
export function parseStoredSettings(json: unknown, where: string): StoredSettings {
  const s = json as Partial<Record<keyof StoredSettings, unknown>> | null;
  const fail = (what: string): never => {
    throw new RangeError(`${where}: ${what}`);
  };
  if (!s || typeof s !== 'object') return fail('no settings');
  if (!(ARCHITECTURES as readonly unknown[]).includes(s.architecture)) fail(`settings.architecture must be one of ${ARCHITECTURES.join(', ')}`);
  for (const key of NUMBERS) if (!Number.isFinite(s[key])) fail(`settings.${key} is not a number`);
  if (typeof s.augment !== 'boolean') fail('settings.augment is not true or false');
  parseModelDescription(s.spec, `${where}: settings.spec`);
  return s as StoredSettings;
}
