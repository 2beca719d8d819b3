import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { pureJsImageDecoder } from '../../core/image-decode.ts';
import { limitsFromEnv, type Limits } from '../../core/limits.ts';
import { createApp, type CorsOptions } from '../app/create-app.ts';
import { DEFAULT_MODEL, disposeModel, type ModelCatalog } from '../app/model-catalog.ts';
import { withMicroBatching } from '../micro-batching.ts';
import type { Predictor } from '../predictor.ts';
import { defaultModelPath, startModel } from './load-model.ts';
import { loadModelsDir, modelsBudgetFromEnv } from './models-dir.ts';
import { createNodePredictor, workersFromEnv } from './node-predictor.ts';
import { parseProviders } from '../../command/providers-flag.ts';
import { readIncomingBody } from './read-incoming.ts';
import { createSharpDecoder } from './sharp-decoder.ts';

export interface NodeServerOptions {
  /** The one model, served as `default` (default $MODEL_PATH, else models/captcha-ocr.onnx). */
  readonly modelPath?: string;
  /**
   * Serve every NAME.onnx (+ NAME.json) of this folder, picked by `?model=NAME`, all loaded at start
   * (functions/node/models-dir.ts). Default $MODELS_DIR unless `modelPath` is given.
   */
  readonly modelsDir?: string;
  /** Memory budget of a models folder: RSS in bytes (default $MODELS_MAX_RSS_MB, else 1024 MiB). */
  readonly maxModelsRssBytes?: number;
  /** Default $PORT, else 8787; 0 picks a free port. */
  readonly port?: number;
  /** Default $HOST, else 127.0.0.1 (use 0.0.0.0 in containers). */
  readonly host?: string;
  /** Execution providers (default $ORT_PROVIDERS, else cpu). */
  readonly providers?: readonly string[];
  /** Default from the environment (core/limits.ts LIMIT_ENV), else DEFAULT_LIMITS. */
  readonly limits?: Partial<Limits>;
  /** Default $API_KEY. */
  readonly apiKey?: string;
  /** Default from $CORS_ORIGIN (`*` or a comma-separated list); off when unset. */
  readonly cors?: CorsOptions | false;
  /** Micro-batching of concurrent /decode requests (default 32 images, 1 ms). */
  readonly maxBatch?: number;
  readonly maxWaitMs?: number;
  readonly intraOpThreads?: number;
  /** Inference worker threads (default $ORT_WORKERS, else defaultInferenceWorkers: 0 on 1-2 cores, CPU cores - 1 on more, at most 4; 0 = run on the main thread). */
  readonly workers?: number;
  readonly log?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly app: Hono;
  /** The default model's predictor (else the first one's). */
  readonly predictor: Predictor;
  /** Every model served (unbatched predictors) and those that failed to load. */
  readonly models: ModelCatalog;
  close(): Promise<void>;
}

export function corsFromEnv(value: string | undefined): CorsOptions | false {
  if (!value || value.trim() === '') return false;
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  return { origin: list.length === 1 ? list[0] : list };
}

/** Loads the model(s) (warm-up included) and serves the app with @hono/node-server. */
export async function startNodeServer(options: NodeServerOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const limits = { ...limitsFromEnv(env), ...options.limits };
  const start = (modelPath: string) =>
    createNodePredictor({
      modelPath,
      providers: options.providers ?? parseProviders(env.ORT_PROVIDERS),
      intraOpThreads: options.intraOpThreads,
      workers: options.workers ?? workersFromEnv(env),
      log,
    });
  const dir = options.modelsDir ?? (options.modelPath === undefined ? env.MODELS_DIR || undefined : undefined);
  let catalog: ModelCatalog;
  if (dir !== undefined) {
    catalog = await loadModelsDir(dir, { createPredictor: start, maxRssBytes: options.maxModelsRssBytes ?? modelsBudgetFromEnv(env), log });
  } else {
    const modelPath = options.modelPath ?? defaultModelPath(env);
    catalog = { models: [{ name: DEFAULT_MODEL, source: basename(modelPath), ...(await startModel(modelPath, start)) }] };
  }
  let inFlight = 0;
  const batch = (predictor: Predictor): Predictor => {
    const counted: Predictor = {
      ...predictor,
      predict: (inputs, n, predictOptions) => {
        inFlight++;
        return predictor.predict(inputs, n, predictOptions).finally(() => inFlight--);
      },
    };
    return withMicroBatching(counted, { maxBatch: options.maxBatch ?? 32, maxWaitMs: options.maxWaitMs ?? 1 });
  };
  const app = createApp({
    models: { models: catalog.models.map((m) => ({ ...m, predictor: batch(m.predictor), ...(m.secondLook ? { secondLook: { ...m.secondLook, predictor: batch(m.secondLook.predictor) } } : {}) })), failed: catalog.failed },
    decoder: env.CAPTCHA_DECODER === 'pure-js' ? pureJsImageDecoder : createSharpDecoder(),
    limits,
    apiKey: options.apiKey ?? (env.API_KEY || undefined),
    cors: options.cors ?? corsFromEnv(env.CORS_ORIGIN),
    readBody: readIncomingBody,
    health: () => ({ entry: 'node' }),
  });
  const host = options.host ?? (env.HOST || '127.0.0.1');
  const wanted = options.port ?? (env.PORT ? Number(env.PORT) : 8787);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: wanted, hostname: host }, () => resolve(s));
    s.once('error', reject);
  }).catch(async (error: unknown) => {
    // no worker thread outlives a server that could not listen
    await Promise.all(catalog.models.map(disposeModel));
    throw error;
  });
  server.on('error', (error) => log(`captcha-ocr: server error: ${(error as Error).message}`));
  const port = (server.address() as AddressInfo).port;
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shown}:${port}`;
  const predictor = (catalog.models.find((m) => m.name === DEFAULT_MODEL) ?? catalog.models[0]).predictor;
  const info = predictor.info();
  const names = catalog.models.map((m) => m.name);
  const what = dir === undefined ? `model ${predictor.metadata.name}` : `${names.length} model${names.length === 1 ? '' : 's'} of ${dir} (${names.join(', ')}${catalog.failed?.length ? `; ${catalog.failed.length} failed` : ''})`;
  log(`captcha-ocr: serving ${what} on ${info.runtime} (${info.provider}) at ${url}`);
  return {
    url,
    port,
    app: app as unknown as Hono,
    predictor,
    models: catalog,
    // stop accepting, let requests in flight finish (2 s at most), then free the session
    close: () =>
      new Promise<void>((resolve) => {
        const http = server as unknown as { closeIdleConnections?: () => void; closeAllConnections?: () => void };
        const force = setTimeout(() => http.closeAllConnections?.(), 2000);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        http.closeIdleConnections?.();
      })
        .then(async () => {
          // requests whose client left may still have a model run going
          for (let waited = 0; inFlight > 0 && waited < 2000; waited += 10) await new Promise((r) => setTimeout(r, 10));
        })
        .then(() => Promise.all(catalog.models.map(disposeModel)))
        .then(() => undefined),
  };
}
