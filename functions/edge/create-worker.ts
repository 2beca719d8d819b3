import type { Hono } from 'hono';
import { toErrorResponse } from '../../core/error-response.ts';
import { createApp } from '../app/create-app.ts';
import { appOptionsFromEnv } from '../env-options.ts';
import { withMicroBatching } from '../micro-batching.ts';
import { EDGE_LIMITS } from './edge-limits.ts';
import { resolveModelSource, type ModelBindings } from './model-source.ts';
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

export interface BundledModel {
  /** The ONNX file imported through wrangler's Data rule (absent when the model lives in R2/KV). */
  readonly model?: ArrayBuffer;
  /** Its metadata (FILE.json beside FILE.onnx). */
  readonly metadata?: unknown;
}

/**
 * The Worker: one Hono app per isolate, built on the first request (the bindings arrive with
 * it), on onnxruntime-web. The inference session starts lazily too and is shared by concurrent
 * cold requests. A failed start is answered as a JSON error and retried on the next request.
 */
export function createWorker(bundled: BundledModel): { fetch(request: Request, env: EdgeEnv, ctx: WorkerExecutionContext): Promise<Response> } {
  let app: Promise<Hono> | undefined;
  const build = async (env: EdgeEnv): Promise<Hono> => {
    const source = await resolveModelSource(env, bundled);
    const predictor = createOrtWebPredictor({ ort, metadata: source.metadata, loadModel: source.load, modelSource: source.name });
    const options = appOptionsFromEnv(env, EDGE_LIMITS);
    return createApp({
      predictor: withMicroBatching(predictor, { maxBatch: 16, maxWaitMs: 0 }),
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
