import { limitsFromEnv, type Limits } from '../core/limits.ts';
import type { CorsOptions } from './app/create-app.ts';

/** A runtime's string environment: process.env on Node and Lambda, the `env` bindings of a Worker. */
export type StringEnv = Readonly<Record<string, unknown>>;

export interface EnvAppOptions {
  readonly limits: Limits;
  readonly apiKey?: string;
  readonly cors: CorsOptions | false;
}

function strings(env: StringEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * The app options every serverless entry reads from its environment, by the same names as the
 * Node server: the limits (core/limits.ts LIMIT_ENV), API_KEY, CORS_ORIGIN (`*` or a comma list).
 * `base` gives the entry's own defaults (smaller limits at the edge and on Lambda).
 */
export function appOptionsFromEnv(env: StringEnv, base: Limits): EnvAppOptions {
  const s = strings(env);
  const origins = (s.CORS_ORIGIN ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  return {
    limits: limitsFromEnv(s, base),
    apiKey: s.API_KEY || undefined,
    cors: origins.length === 0 ? false : { origin: origins.length === 1 ? origins[0] : origins },
  };
}
