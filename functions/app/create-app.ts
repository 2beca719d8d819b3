import { Hono } from 'hono';
import type { Context } from 'hono';
import { cors } from 'hono/cors';
import { readZip } from '../../core/archive.ts';
import { charsetMask } from '../../core/decode-output.ts';
import { errorItem, toErrorResponse } from '../../core/error-response.ts';
import { InvalidModelError, MethodNotAllowedError, NotFoundError, RequestTimeoutError, UnauthorizedError } from '../../core/errors.ts';
import type { ImageDecoder } from '../../core/image-decode.ts';
import { DEFAULT_LIMITS, type Limits } from '../../core/limits.ts';
import type { PredictOptions, Predictor } from '../predictor.ts';
import { constantTimeEqual, requestApiKey } from './auth.ts';
import { createModelPicker, DEFAULT_MODEL, type ModelCatalog } from './model-catalog.ts';
import { PAGE_HTML } from './page-html.ts';
import { createRecognizer, type Recognizer } from './recognizer.ts';
import type { BodyReader } from './read-body.ts';
import { readDecodeInput, readScoreInput } from './request-input.ts';
import { scoreEntries } from './score-archive.ts';
import { imageDataUrl, renderReportHtml, rowsToCsv } from './score-formats.ts';

export interface CorsOptions {
  /** Allowed origins: `*`, one origin or a list. */
  readonly origin: string | readonly string[];
  readonly maxAge?: number;
}

export interface AppOptions {
  /**
   * Runs the one model, named `default` (functions/node/ort-node-predictor.ts, or the edge one);
   * wrap it in withMicroBatching for servers. Give this or `models`.
   */
  readonly predictor?: Predictor;
  /** Several models, picked by `?model=NAME` (functions/app/model-catalog.ts); each predictor batched on its own. */
  readonly models?: ModelCatalog;
  /** Image decoder of the runtime (sharp on Node); default the pure-JS one from core/. */
  readonly decoder?: ImageDecoder;
  /** Overrides of DEFAULT_LIMITS (core/limits.ts). */
  readonly limits?: Partial<Limits>;
  /** When set, /decode, /score and /model need it (`Authorization: Bearer KEY` or `x-api-key`). */
  readonly apiKey?: string;
  /** Cross-origin access; off by default. */
  readonly cors?: CorsOptions | false;
  /** Images per model run in /score (default 64). */
  readonly scoreBatchSize?: number;
  /** Serve the web page at `/` (default true). */
  readonly page?: boolean;
  /** Where unexpected (5xx) errors are reported; default console.error. */
  readonly onInternalError?: (error: unknown, request: Request) => void;
  /** A faster body reader of the runtime (functions/node/read-incoming.ts); default the web Request. */
  readonly readBody?: BodyReader;
  /** Extra fields for GET /health (e.g. the runtime entry's name). */
  readonly health?: () => Record<string, unknown>;
}

type Env = { Variables: { deadline: number } };

const PROTECTED = new Set(['/decode', '/score', '/model', '/models']);
const ROUTES: Record<string, string> = { '/': 'GET', '/favicon.ico': 'GET', '/health': 'GET', '/model': 'GET', '/models': 'GET', '/decode': 'POST', '/score': 'POST' };

interface ServedModel {
  readonly name: string;
  readonly source?: string;
  readonly recognizer: Recognizer;
}

function flag(value: string | undefined): boolean {
  return value !== undefined && value !== '0' && value.toLowerCase() !== 'false';
}

/**
 * The runtime-neutral Hono app: GET / (page), GET /health, GET /model, GET /models, POST /decode,
 * POST /score. No runtime-specific import: each runtime entry passes its predictors and decoder.
 * `?model=NAME` picks a model on /model, /decode and /score; `?charset=CHARS` restricts the reading.
 */
export function createApp(options: AppOptions): Hono<Env> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  if ((options.predictor === undefined) === (options.models === undefined)) throw new InvalidModelError('createApp needs a predictor or models, not both');
  const catalog: ModelCatalog = options.models ?? { models: [{ name: DEFAULT_MODEL, predictor: options.predictor! }] };
  const served = createModelPicker<ServedModel>(catalog, (m) => ({
    name: m.name,
    source: m.source,
    recognizer: createRecognizer({ predictor: m.predictor, secondLook: m.secondLook, decoder: options.decoder, maxImagePixels: limits.maxImagePixels }),
  }));
  // GET /model and /models: the second model, when there is one (null otherwise)
  const secondLookInfo = (r: Recognizer) => {
    const s = r.secondLook;
    return s ? { chars: s.chars, below: s.below, source: s.source, metadata: s.predictor.metadata, predictor: s.predictor.info() } : null;
  };
  const pick = (c: Context<Env>): ServedModel => served.pick(c.req.query('model'));
  // `?charset=CHARS`: validated against the picked model's charset (400 invalid_charset) before the body is read
  const restriction = (c: Context<Env>, recognizer: Recognizer): PredictOptions | undefined => {
    const chars = c.req.query('charset');
    return chars === undefined ? undefined : { mask: charsetMask(recognizer.metadata.charset, chars) };
  };
  const started = Date.now();
  const report = options.onInternalError ?? ((error: unknown) => console.error('captcha-ocr: internal error', error));
  const app = new Hono<Env>();

  app.onError((error, c) => {
    const { status, body, internal } = toErrorResponse(error);
    if (internal) report(error, c.req.raw);
    return c.json(body, status as 500);
  });
  app.notFound((c) => {
    const path = c.req.path;
    const allowed = ROUTES[path];
    const error = allowed ? new MethodNotAllowedError(`${c.req.method} ${path} is not allowed; use ${allowed}`) : new NotFoundError(`no route ${c.req.method} ${path}`);
    const { status, body } = toErrorResponse(error);
    if (allowed) c.header('allow', allowed);
    return c.json(body, status as 404);
  });

  if (options.cors) {
    const origin = options.cors.origin;
    app.use('*', cors({ origin: typeof origin === 'string' ? origin : [...origin], allowHeaders: ['content-type', 'authorization', 'x-api-key'], allowMethods: ['GET', 'POST', 'OPTIONS'], maxAge: options.cors.maxAge ?? 600 }));
  }

  app.use('*', async (c, next) => {
    if (options.apiKey && PROTECTED.has(c.req.path) && c.req.method !== 'OPTIONS') {
      const key = requestApiKey(c.req.raw.headers);
      if (key === undefined || !constantTimeEqual(key, options.apiKey)) throw new UnauthorizedError();
    }
    const deadline = Date.now() + limits.requestTimeoutMs;
    c.set('deadline', deadline);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RequestTimeoutError(`request took longer than ${limits.requestTimeoutMs} ms`)), limits.requestTimeoutMs);
    });
    try {
      await Promise.race([next(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  });

  if (options.page !== false) app.get('/', (c) => c.html(PAGE_HTML));
  // the page carries its icon inline; this answers browsers that ask anyway (a 404 is a console error)
  app.get('/favicon.ico', (c) => c.body(null, 204, { 'cache-control': 'public, max-age=86400' }));

  app.get('/health', (c) => {
    const { recognizer } = served.primary();
    const info = recognizer.predictor.info();
    return c.json({ status: 'ok', model: recognizer.metadata.name, models: served.names.length, runtime: info.runtime, provider: info.provider, decoder: recognizer.decoder.name, uptimeMs: Date.now() - started, ...options.health?.() });
  });

  app.get('/model', (c) => {
    const { name, recognizer } = pick(c);
    return c.json({ name, metadata: recognizer.metadata, predictor: recognizer.predictor.info(), secondLook: secondLookInfo(recognizer), decoder: { name: recognizer.decoder.name, formats: recognizer.decoder.formats }, limits });
  });

  app.get('/models', (c) =>
    c.json({
      default: served.defaultName ?? null,
      models: served.names.map((name) => {
        const m = served.pick(name);
        return { name, source: m.source, default: name === served.defaultName, metadata: m.recognizer.metadata, predictor: m.recognizer.predictor.info(), secondLook: secondLookInfo(m.recognizer) };
      }),
      failed: catalog.failed ?? [],
    }),
  );

  app.post('/decode', async (c) => {
    const { recognizer } = pick(c);
    const restrict = restriction(c, recognizer);
    const input = await readDecodeInput(c.req.raw, limits, c.env, options.readBody);
    if (!input.many) return c.json(await recognizer.recognize(input.images[0], restrict));
    const results = await recognizer.recognizeMany(input.images, restrict);
    return c.json({ results: results.map((r) => (r instanceof Error ? { error: errorItem(r) } : r)) });
  });

  app.post('/score', async (c: Context<Env>) => {
    const format = c.req.query('format') ?? 'json';
    if (!['json', 'csv', 'html'].includes(format)) return c.json({ error: { code: 'bad_request', message: 'format must be json, csv or html' } }, 400);
    const { recognizer } = pick(c);
    const restrict = restriction(c, recognizer);
    const bytes = await readScoreInput(c.req.raw, limits, c.env, options.readBody);
    const entries = readZip(bytes, limits);
    const details = flag(c.req.query('details'));
    const withImages = flag(c.req.query('images'));
    const result = await scoreEntries(entries, recognizer, { details: details || withImages, deadline: c.get('deadline'), batchSize: options.scoreBatchSize, predict: restrict });
    const read = (file: string) => result.entryOf(file)?.read();
    if (format === 'csv') return c.body(rowsToCsv(result.rows), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'inline; filename="score.csv"' });
    if (format === 'html') return c.html(renderReportHtml(result.report, result.rows, read));
    if (!withImages) return c.json(result.report);
    let shown = 0;
    const rows = result.rows.map((r) => {
      if (r.correct !== false || shown >= 300) return r;
      shown++;
      try {
        const bytes = read(r.file);
        return bytes ? { ...r, image: imageDataUrl(bytes) } : r;
      } catch {
        return r;
      }
    });
    return c.json({ ...result.report, rows });
  });

  return app;
}
