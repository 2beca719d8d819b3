import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { pureJsImageDecoder } from '../../core/image-decode.ts';
import { limitsFromEnv, type Limits } from '../../core/limits.ts';
import { createApp, type CorsOptions } from '../app/create-app.ts';
import { withMicroBatching } from '../micro-batching.ts';
import type { Predictor } from '../predictor.ts';
import { defaultModelPath } from './load-model.ts';
import { createNodePredictor, workersFromEnv } from './node-predictor.ts';
import { parseProviders } from './ort-node-predictor.ts';
import { readIncomingBody } from './read-incoming.ts';
import { createSharpDecoder } from './sharp-decoder.ts';

export interface NodeServerOptions {
  readonly modelPath?: string;
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
  /** Inference worker threads (default $ORT_WORKERS, else CPU cores - 1, 1 to 4; 0 = run on the main thread). */
  readonly workers?: number;
  readonly log?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly app: Hono;
  readonly predictor: Predictor;
  close(): Promise<void>;
}

export function corsFromEnv(value: string | undefined): CorsOptions | false {
  if (!value || value.trim() === '') return false;
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  return { origin: list.length === 1 ? list[0] : list };
}

/** Loads the model (warm-up included) and serves the app with @hono/node-server. */
export async function startNodeServer(options: NodeServerOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const limits = { ...limitsFromEnv(env), ...options.limits };
  const predictor = await createNodePredictor({
    modelPath: options.modelPath ?? defaultModelPath(env),
    providers: options.providers ?? parseProviders(env.ORT_PROVIDERS),
    intraOpThreads: options.intraOpThreads,
    workers: options.workers ?? workersFromEnv(env),
    log,
  });
  let inFlight = 0;
  const counted: Predictor = {
    ...predictor,
    predict: (inputs, n, options) => {
      inFlight++;
      return predictor.predict(inputs, n, options).finally(() => inFlight--);
    },
  };
  const batched = withMicroBatching(counted, { maxBatch: options.maxBatch ?? 32, maxWaitMs: options.maxWaitMs ?? 1 });
  const app = createApp({
    predictor: batched,
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
  });
  server.on('error', (error) => log(`captcha-ocr: server error: ${(error as Error).message}`));
  const port = (server.address() as AddressInfo).port;
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shown}:${port}`;
  const info = predictor.info();
  log(`captcha-ocr: serving model ${predictor.metadata.name} on ${info.runtime} (${info.provider}) at ${url}`);
  return {
    url,
    port,
    app: app as unknown as Hono,
    predictor,
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
        .then(() => predictor.dispose?.()),
  };
}
