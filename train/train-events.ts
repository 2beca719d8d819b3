import type { OutputSpec } from '../core/model-contract.ts';
import type { PreprocessSpec } from '../core/preprocess.ts';
import type { BackendInfo } from './backend.ts';
import type { MixEntry } from './data/data-mix.ts';
import type { Score } from './evaluate.ts';

/**
 * The events of a run, in the order a run logs them: `train --json` prints each as one line, the
 * human log formats each (train-command.ts). Their fields and field order are the JSON output.
 */

/** Which backend trains and why; logged again when a model the engine cannot train falls back to wasm. */
export interface BackendEvent {
  readonly event: 'backend';
  readonly backend: string;
  readonly package: string;
  readonly notes: readonly string[];
}

/** `--init` built a model of another shape or alphabet and carried the saved weights over (train/transfer.ts). */
export interface TransferEvent {
  readonly event: 'transfer';
  readonly from: PreprocessSpec;
  readonly to: PreprocessSpec;
  /** Layers copied unchanged. */
  readonly copied: number;
  readonly resampled: readonly string[];
  readonly widened: readonly string[];
  readonly added: readonly string[];
  /** The output layer rebuilt for another alphabet: the characters shared, added and dropped. */
  readonly classes?: { readonly from: string; readonly to: string; readonly shared: number; readonly added: string; readonly dropped: string };
}

/** The alphabet and lengths a `--data` run takes from its labels (or `--charset`). */
export interface AlphabetEvent {
  readonly event: 'alphabet';
  readonly charset: string;
  readonly source: '--charset' | 'labels';
  readonly minLength: number;
  readonly maxLength: number;
  /** Labelled images. */
  readonly labels: number;
}

export interface ModelEvent {
  readonly event: 'model';
  readonly architecture: string;
  readonly parameters: number;
  readonly mflopsPerImage: number;
  readonly input: PreprocessSpec;
  readonly output: OutputSpec;
  readonly fastBatchNormLayers: number;
}

export interface DataEvent {
  readonly event: 'data';
  /** The `--data` path, or `generator`. */
  readonly source: string;
  /** The generator's mix (generated data only). */
  readonly mix: readonly MixEntry[] | undefined;
  readonly trainingImages: number | 'unlimited';
  readonly validationImages: number;
  /** `--data` only: images left out, and why (the first few). */
  readonly unusable?: number;
  readonly unusableExamples?: readonly { readonly file: string; readonly reason: string }[];
}

export interface ResumeEvent {
  readonly event: 'resume';
  readonly step: number;
}

/** The onnxruntime engine's provider and threads (`--backend ort`). */
export interface EngineEvent {
  readonly event: 'engine';
  readonly provider: string;
  readonly threads: number;
  readonly note?: string;
}

export interface WorkersEvent {
  readonly event: 'workers';
  readonly workers: number;
  readonly note?: string;
}

/** A progress line: EMAs of the training loss and accuracy, the rate, and the time left (train/progress-meter.ts). */
export interface ProgressEvent {
  readonly event: 'progress';
  readonly step: number;
  readonly maxSteps: number;
  /** With a time budget: the steps the schedule plans for, once the step rate is measured. */
  readonly plannedSteps?: number;
  /** With a time budget: seconds until the deadline. */
  readonly secondsLeft?: number;
  readonly imagesSeen: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly learningRate: number;
  readonly imagesPerSecond: number;
  readonly etaSeconds: number;
}

/** A validation; the checkpoint keeps every one as the run's history. */
export interface EvalEvent {
  readonly event: 'eval';
  readonly step: number;
  readonly imagesSeen: number;
  /** Passes over a `--data` set. */
  readonly epoch?: number;
  readonly accuracy: number;
  readonly characterAccuracy: number;
  readonly perPosition: readonly number[];
  readonly count: number;
}

/** A new best validation accuracy: the model was exported. */
export interface BestEvent {
  readonly event: 'best';
  readonly step: number;
  readonly accuracy: number;
}

export interface CheckpointEvent {
  readonly event: 'checkpoint';
  readonly step: number;
  readonly seconds: number;
}

/** Ctrl-C or SIGTERM (logged by train-command.ts): a checkpoint is saved, then the run exits. */
export interface InterruptEvent {
  readonly event: 'interrupt';
}

/** What `train()` answers; `--json` prints it last. */
export interface TrainSummary {
  readonly event: 'done';
  readonly backend: string;
  /** Training threads used. */
  readonly workers: number;
  readonly architecture: string;
  readonly steps: number;
  readonly imagesSeen: number;
  readonly imagesPerSecond: number;
  readonly validation?: Score;
  readonly bestAccuracy: number;
  readonly bestStep: number;
  readonly interrupted: boolean;
  /** The time budget (`maxMinutes`) ended the run. */
  readonly timeUp: boolean;
  readonly out: string;
}

/** One event of the run (progress lines, evaluations, notes, the summary). */
export type TrainEvent =
  | BackendEvent
  | TransferEvent
  | AlphabetEvent
  | ModelEvent
  | DataEvent
  | ResumeEvent
  | EngineEvent
  | WorkersEvent
  | ProgressEvent
  | EvalEvent
  | BestEvent
  | CheckpointEvent
  | InterruptEvent
  | TrainSummary;

export interface TrainHooks {
  /** Receives every event. */
  readonly log: (event: TrainEvent) => void;
  /** Checked after every step: true = save a checkpoint, export and stop (Ctrl-C). */
  readonly shouldStop?: () => boolean;
  /** Seconds between progress events (default 10). */
  readonly progressSeconds?: number;
}

/** The backend event of a selected (or fallen back) backend. */
export function backendEvent(backend: BackendInfo): BackendEvent {
  return { event: 'backend', backend: backend.name, package: backend.package, notes: backend.notes };
}
