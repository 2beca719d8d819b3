import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { DecodedText } from '../../core/decode-output.ts';
import { InvalidModelError } from '../../core/errors.ts';
import { inputDims, inputSize, tensorNames, type ModelMetadata } from '../../core/model-contract.ts';
import { decodeProbabilities, type PredictOptions, type Predictor, type PredictorInfo } from '../predictor.ts';
import { resolveModelFiles } from './load-model.ts';
import { parseProviders } from '../../command/providers-flag.ts';

export interface OrtNodePredictorOptions {
  /** Path of the .onnx file; its metadata is read from the .json beside it unless given. */
  readonly modelPath?: string;
  readonly modelBytes?: Uint8Array;
  readonly metadata?: ModelMetadata;
  /** Execution providers in order of preference (default from $ORT_PROVIDERS, else `cpu`). */
  readonly providers?: readonly string[];
  /** Threads of one model run (default $ORT_THREADS, else 1; createNodePredictor gives the main thread's session every core). */
  readonly intraOpThreads?: number;
  /** Run the model once at start so the first request is not slow (default true). */
  readonly warmUp?: boolean;
  /** Where warnings go (default console.warn). */
  readonly log?: (line: string) => void;
}

function ortVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    return (require('onnxruntime-node/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Whether the CUDA build of onnxruntime-node is installed (`ONNXRUNTIME_NODE_INSTALL=cuda12 npm install`). */
export function cudaProviderInstalled(): boolean {
  try {
    const require = createRequire(import.meta.url);
    const root = dirname(require.resolve('onnxruntime-node/package.json'));
    return existsSync(join(root, 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

/**
 * The providers that can run here, in the requested order, with a warning for each one that
 * cannot (CUDA without the CUDA build installed, ...). `cpu` always closes the list.
 */
export function resolveProviders(requested: readonly string[], available = ort.listSupportedBackends(), cudaInstalled = cudaProviderInstalled()): { providers: string[]; warnings: string[] } {
  const providers: string[] = [];
  const warnings: string[] = [];
  for (const p of requested) {
    const backend = available.find((b) => b.name === p);
    const usable = p === 'cpu' || (backend !== undefined && (backend.bundled || (p === 'cuda' && cudaInstalled)));
    if (usable) {
      if (!providers.includes(p)) providers.push(p);
    } else if (p === 'cuda' || p === 'tensorrt') {
      warnings.push(`${p} requested but the CUDA build of onnxruntime-node is not installed (reinstall with ONNXRUNTIME_NODE_INSTALL=cuda12 npm install); falling back to cpu`);
    } else {
      warnings.push(`${p} requested but not available in this onnxruntime-node build; falling back to cpu`);
    }
  }
  if (!providers.includes('cpu')) providers.push('cpu');
  return { providers, warnings };
}

/** $ORT_THREADS as a thread count (undefined when unset or not a positive whole number). */
export function envThreads(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const n = Number(env.ORT_THREADS);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** onnxruntime-node predictor: explicit execution providers, logged fallback, warm-up at start. */
export async function createOrtNodePredictor(options: OrtNodePredictorOptions): Promise<Predictor> {
  const log = options.log ?? ((line: string) => console.warn(line));
  const { bytes, metadata: meta } = await resolveModelFiles(options, 'createOrtNodePredictor');
  const requested = options.providers ?? parseProviders(process.env.ORT_PROVIDERS) ?? ['cpu'];
  const { providers, warnings } = resolveProviders(requested);
  for (const w of warnings) log(`captcha-ocr: warning: ${w}`);
  const threads = options.intraOpThreads ?? envThreads() ?? 1;
  // No spinning: an idle onnxruntime thread that spins takes the core the event loop needs
  // between runs (measured with 2 threads on 2 cores: /decode 1,279-1,654 req/s, p99 14-17 ms,
  // without; 1,328-1,392 req/s, p99 22-23 ms, with; docs/api.md "Threads").
  const create = (eps: string[]) =>
    ort.InferenceSession.create(bytes, {
      executionProviders: eps,
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
  let session: ort.InferenceSession;
  let provider = providers[0];
  try {
    session = await create(providers);
  } catch (error) {
    if (providers.length === 1) throw new InvalidModelError(`onnxruntime cannot load the model: ${(error as Error).message}`, { cause: error });
    const w = `execution providers ${providers.join(',')} failed (${(error as Error).message.split('\n')[0]}); falling back to cpu`;
    warnings.push(w);
    log(`captcha-ocr: warning: ${w}`);
    provider = 'cpu';
    try {
      session = await create(['cpu']);
    } catch (error2) {
      throw new InvalidModelError(`onnxruntime cannot load the model: ${(error2 as Error).message}`, { cause: error2 });
    }
  }
  const names = tensorNames(meta);
  if (!session.inputNames.includes(names.input) || !session.outputNames.includes(names.output)) {
    throw new InvalidModelError(`model has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}], expected ${names.input} -> ${names.output}`);
  }
  const per = inputSize(meta.input);
  const info: PredictorInfo = { runtime: `onnxruntime-node ${ortVersion()}`, provider, requestedProviders: requested, warnings };
  const predict = async (inputs: Float32Array, n: number, options?: PredictOptions): Promise<DecodedText[]> => {
    if (n === 0) return [];
    const data = inputs.length === n * per ? inputs : inputs.subarray(0, n * per);
    const feeds = { [names.input]: new ort.Tensor('float32', data, inputDims(n, meta.input)) };
    const out = (await session.run(feeds))[names.output];
    return decodeProbabilities(out.data as Float32Array, out.dims, n, meta, options?.mask);
  };
  if (options.warmUp !== false) {
    await predict(new Float32Array(per), 1);
    await predict(new Float32Array(per * 8), 8);
  }
  return { metadata: meta, info: () => info, predict, dispose: () => session.release() };
}
