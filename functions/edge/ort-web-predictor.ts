import type { InferenceSession, Tensor } from 'onnxruntime-web';
import type { DecodedText } from '../../core/decode-output.ts';
import { InvalidModelError } from '../../core/errors.ts';
import { inputDims, inputSize, tensorNames, type ModelMetadata } from '../../core/model-contract.ts';
import { decodeProbabilities, type PredictOptions, type Predictor, type PredictorInfo } from '../predictor.ts';

/**
 * The parts of onnxruntime-web this predictor uses. The module itself is injected (the Worker
 * passes its patched wasm-only build, see ort-web-wasm.ts), so this file imports no runtime.
 */
export interface OrtWeb {
  readonly InferenceSession: { create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => Tensor;
  readonly env: { readonly versions: { readonly web?: string } };
}

export interface OrtWebPredictorOptions {
  readonly ort: OrtWeb;
  readonly metadata: ModelMetadata;
  /** The ONNX bytes; called on first use (a bundled module, an R2 object, a KV value...). */
  readonly loadModel: () => Promise<ArrayBuffer | Uint8Array>;
  /** Where the model comes from, reported in the info warnings-free `runtime` line. */
  readonly modelSource?: string;
}

/**
 * Runs the model on onnxruntime-web's wasm backend, one thread. The session is created
 * lazily on the first request and the promise cached, so concurrent cold requests share one
 * start; a failed start is forgotten so that the next request tries again. Runs are
 * serialised (one wasm thread); wrap in withMicroBatching to batch concurrent requests.
 */
export function createOrtWebPredictor(options: OrtWebPredictorOptions): Predictor & { ready(): Promise<void> } {
  const { ort, metadata } = options;
  const names = tensorNames(metadata);
  let session: Promise<InferenceSession> | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  const create = async (): Promise<InferenceSession> => {
    const raw = await options.loadModel();
    const bytes = raw instanceof Uint8Array ? raw : new Uint8Array(raw);
    try {
      return await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new InvalidModelError(`onnxruntime-web cannot load the model: ${why}`, { cause: error });
    }
  };
  const getSession = (): Promise<InferenceSession> => {
    session ??= create().catch((error: unknown) => {
      session = undefined;
      throw error;
    });
    return session;
  };

  const run = async (inputs: Float32Array, n: number, options?: PredictOptions): Promise<DecodedText[]> => {
    const s = await getSession();
    const size = n * inputSize(metadata.input);
    const data = inputs.length === size ? inputs : inputs.subarray(0, size);
    const feed = new ort.Tensor('float32', data, inputDims(n, metadata.input));
    const result = await s.run({ [names.input]: feed });
    const out = result[names.output] ?? result[s.outputNames[0]];
    try {
      return decodeProbabilities(out.data as Float32Array, out.dims, n, metadata, options?.mask);
    } finally {
      for (const t of Object.values(result)) t.dispose();
    }
  };

  const info: PredictorInfo = {
    runtime: `onnxruntime-web ${ort.env.versions.web ?? ''}`.trim() + (options.modelSource ? ` (model: ${options.modelSource})` : ''),
    provider: 'wasm',
    requestedProviders: ['wasm'],
    warnings: [],
  };

  return {
    metadata,
    info: () => info,
    ready: async () => {
      await getSession();
    },
    predict(inputs, n, options) {
      if (n <= 0) return Promise.resolve([]);
      const next = queue.then(() => run(inputs, n, options));
      queue = next.catch(() => undefined);
      return next;
    },
    async dispose() {
      const s = session;
      session = undefined;
      if (s) await (await s).release();
    },
  };
}
