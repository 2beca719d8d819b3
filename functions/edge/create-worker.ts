import type { Hono } from 'hono';
import { toErrorResponse } from '../../core/error-response.ts';
import { InvalidModelError } from '../../core/errors.ts';
import type { ModelMetadata } from '../../core/model-contract.ts';
import { createApp } from '../app/create-app.ts';
import { DEFAULT_MODEL, type FailedModel, type NamedModel } from '../app/model-catalog.ts';
import { secondLookOf } from '../app/recognizer.ts';
import { appOptionsFromEnv } from '../env-options.ts';
import { withMicroBatching } from '../micro-batching.ts';
import { EDGE_LIMITS } from './edge-limits.ts';
import { bundledSource, resolveModelSource, type BundledFiles, type ModelBindings, type ModelSource } from './model-source.ts';
import { createOrtWebPredictor } from './ort-web-predictor.ts';
import { ort } from './ort-web-wasm.ts';

/** The Worker's bindings: wrangler.toml [vars], secrets (API_KEY) and the optional model store. */
export interface EdgeEnv extends ModelBindings {
  readonly API_KEY?: string;
  readonly CORS_ORIGIN?: string;
  readonly [name: string]: unknown;
}

export interface WorkerExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException?(): void;
}

export interface BundledModel extends BundledFiles {
  /** The ONNX file imported through wrangler's Data rule (absent when the model lives in R2/KV). */
  readonly model?: ArrayBuffer;
  /** Its metadata (FILE.json beside FILE.onnx). */
  readonly metadata?: unknown;
  /** The second model its metadata names (`secondLook`), imported the same way. */
  readonly secondLook?: BundledFiles;
}

/**
 * The Worker: one Hono app per isolate, built on the first request (the bindings arrive with
 * it), on onnxruntime-web. The inference session starts lazily too and is shared by concurrent
 * cold requests. A failed start is answered as a JSON error and retried on the next request.
 * `bundled` is the model named `default` (replaced by R2/KV when MODEL_KEY is set); `more` names
 * further bundled models for `?model=NAME`, each with its own session, started on its first use.
 * A model whose metadata names a second look needs it bundled too (`secondLook`), else it fails.
 */
export function createWorker(bundled: BundledModel, more: Readonly<Record<string, BundledModel>> = {}): { fetch(request: Request, env: EdgeEnv, ctx: WorkerExecutionContext): Promise<Response> } {
  let app: Promise<Hono> | undefined;
  const predictor = (metadata: ModelMetadata, load: () => Promise<ArrayBuffer | Uint8Array>, source: string) =>
    withMicroBatching(createOrtWebPredictor({ ort, metadata, loadModel: load, modelSource: source }), { maxBatch: 16, maxWaitMs: 0 });
  const served = (name: string, source: ModelSource): NamedModel => {
    const spec = source.metadata.secondLook;
    const second = source.secondLook;
    if (spec && !second) throw new InvalidModelError(`its metadata names a second look ${spec.model} that is not bundled with it (bundle it as secondLook in functions/edge/worker.ts; docs/deployment.md)`);
    const secondLook = spec && second ? secondLookOf(source.metadata, predictor(second.metadata, second.load, second.name)) : undefined;
    return { name, source: source.name, predictor: predictor(source.metadata, source.load, source.name), ...(secondLook ? { secondLook } : {}) };
  };
  const build = async (env: EdgeEnv): Promise<Hono> => {
    const source = await resolveModelSource(env, bundled);
    const models: NamedModel[] = [served(DEFAULT_MODEL, source)];
    const failed: FailedModel[] = [];
    for (const [name, m] of Object.entries(more)) {
      try {
        models.push(served(name, bundledSource(m)));
      } catch (error) {
        failed.push({ name, source: 'bundled', error: { code: 'invalid_model', message: (error as Error).message } });
      }
    }
    const options = appOptionsFromEnv(env, EDGE_LIMITS);
    return createApp({
      models: { models, failed },
      limits: options.limits,
      apiKey: options.apiKey,
      cors: options.cors,
      scoreBatchSize: 32,
      health: () => ({ entry: 'cloudflare-worker', model: source.name === 'bundled' ? source.metadata.name : `${source.metadata.name} (${source.name})` }),
    }) as unknown as Hono;
  };
  return {
    async fetch(request, env, ctx) {
      app ??= build(env).catch((error: unknown) => {
        app = undefined;
        throw error;
      });
      try {
        return await (await app).fetch(request, env, ctx as Parameters<Hono['fetch']>[2]);
      } catch (error) {
        const { status, body } = toErrorResponse(error);
        if (status >= 500) console.error('captcha-ocr worker:', error);
        return Response.json(body, { status: status >= 500 ? 503 : status });
      }
    },
  };
}
