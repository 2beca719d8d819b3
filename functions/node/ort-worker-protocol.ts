import type { ClassMask, DecodedText } from '../../core/decode-output.ts';
import type { ModelMetadata } from '../../core/model-contract.ts';
import type { PredictorInfo } from '../predictor.ts';

/** What an inference worker is started with (structured-cloned into the thread). */
export interface WorkerInit {
  readonly modelBytes: Uint8Array;
  readonly metadata: ModelMetadata;
  readonly providers?: readonly string[];
  readonly intraOpThreads?: number;
  readonly warmUp?: boolean;
}

export type WorkerRequest = { readonly kind: 'predict'; readonly id: number; readonly inputs: Float32Array; readonly n: number; readonly mask?: ClassMask } | { readonly kind: 'close' };

export interface ErrorShape {
  readonly name: string;
  readonly message: string;
}

export type WorkerReply =
  | { readonly kind: 'ready'; readonly info: PredictorInfo; readonly logs: readonly string[] }
  | { readonly kind: 'failed'; readonly error: ErrorShape }
  | { readonly kind: 'result'; readonly id: number; readonly texts: DecodedText[] }
  | { readonly kind: 'error'; readonly id: number; readonly error: ErrorShape };
