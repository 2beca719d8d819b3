import { decodeOutput, type ClassMask, type DecodedText } from '../core/decode-output.ts';
import type { ModelMetadata } from '../core/model-contract.ts';
import { InvalidModelError } from '../core/errors.ts';

/** What a predictor says about itself (GET /health, GET /model). */
export interface PredictorInfo {
  /** The engine and its version, e.g. `onnxruntime-node 1.30.0`. */
  readonly runtime: string;
  /** The execution provider that runs the model: `cpu`, `cuda`, `wasm`, ... */
  readonly provider: string;
  /** The providers asked for, in order of preference. */
  readonly requestedProviders: readonly string[];
  /** Why a requested provider is not used, and similar notes. */
  readonly warnings: readonly string[];
}

/** Per-call options of `Predictor.predict`, for all `n` images of the call. */
export interface PredictOptions {
  /** Read only some characters (`?charset=`): the mask from core/decode-output.ts `charsetMask`. */
  readonly mask?: ClassMask;
}

/**
 * The runtime-neutral model runner the Hono app takes; one implementation per runtime
 * (functions/node/ort-node-predictor.ts on onnxruntime-node, an onnxruntime-web one at the edge).
 * Implementations run the ONNX graph and turn its `[N, T, K]` probabilities into text with
 * `decodeProbabilities` below (core/decode-output.ts), so every runtime reads the same way.
 */
export interface Predictor {
  readonly metadata: ModelMetadata;
  info(): PredictorInfo;
  /**
   * Reads `n` images. `inputs` holds them back to back, `n * height * width` floats each made
   * by core/preprocess.ts (the model input, core/model-contract.ts `inputDims`). Answers n texts in order.
   * The predictor may keep `inputs` until the promise settles; callers must not reuse it before.
   * `options.mask` restricts the readings (decodeProbabilities applies it); every runtime honours it.
   */
  predict(inputs: Float32Array, n: number, options?: PredictOptions): Promise<DecodedText[]>;
  /** How many `predict` calls it runs at the same time (worker threads; default 1). */
  readonly concurrency?: number;
  /** Frees the session; the predictor must not be used afterwards. */
  dispose?(): Promise<void>;
}

/** Decodes an output tensor `[n, T, K]` (row-major probabilities) into n texts, restricted by `mask` if given. */
export function decodeProbabilities(probs: ArrayLike<number>, dims: readonly number[], n: number, metadata: ModelMetadata, mask?: ClassMask): DecodedText[] {
  if (dims.length !== 3 || dims[0] !== n) throw new InvalidModelError(`model output has shape [${dims.join(', ')}], expected [${n}, T, K]`);
  const rows = dims[1];
  const classes = dims[2];
  const per = rows * classes;
  const out: DecodedText[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const view = probs instanceof Float32Array ? probs.subarray(i * per, (i + 1) * per) : Array.prototype.slice.call(probs, i * per, (i + 1) * per);
    out[i] = decodeOutput(view, rows, classes, metadata.charset, metadata.output, mask);
  }
  return out;
}
