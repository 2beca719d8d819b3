import type { TfjsArtifacts } from '../../core/tfjs-artifacts.ts';
import type { ModelSpec } from '../models/model-spec.ts';
import type { NamedValues } from '../named-values.ts';
import type { SharedGroup } from './collective.ts';

/** workerData of a training replica. */
export interface ReplicaInit {
  readonly rank: number;
  readonly group: SharedGroup;
  readonly backend: 'wasm' | 'cpu';
  readonly model: TfjsArtifacts;
  readonly spec: ModelSpec;
  readonly learningRate: number;
  /** Adam's state of a resumed run (absent: a fresh optimizer). */
  readonly optimizer?: readonly NamedValues[];
}

/** One replica's share of a step's batch. */
export interface StepRequest {
  readonly type: 'step';
  readonly step: number;
  readonly learningRate: number;
  readonly size: number;
  /** This share's fraction of the whole batch (its loss is scaled by it). */
  readonly weight: number;
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly lengths: Int32Array;
  readonly maxLength: number;
  /** Also send a checksum of the trainable weights. */
  readonly check: boolean;
}

export type ToReplica =
  | StepRequest
  | { readonly type: 'weights' }
  | { readonly type: 'set-weights'; readonly weights: readonly NamedValues[] }
  | { readonly type: 'optimizer' };

export type FromReplica =
  | { readonly type: 'ready' }
  | { readonly type: 'stepped'; readonly step: number; readonly loss: number; readonly correct: number; readonly checksum?: number }
  /** Every weight of the model (`model.weights` order), with its trainable flag. */
  | { readonly type: 'weights'; readonly weights: NamedValues[]; readonly trainable: boolean[] }
  | { readonly type: 'weights-set' }
  | { readonly type: 'optimizer'; readonly weights: NamedValues[] }
  | { readonly type: 'error'; readonly message: string };
