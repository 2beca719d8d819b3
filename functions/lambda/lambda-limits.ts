import { DEFAULT_LIMITS, type Limits } from '../../core/limits.ts';

/**
 * Defaults for AWS Lambda behind an HTTP API: a synchronous invocation carries at most 6 MB,
 * and API Gateway base64-encodes binary bodies (x 4/3), so about 4.4 MB of raw body arrives
 * whole; larger ones are refused by AWS itself (413). The function timeout is 29 s.
 * serverless.yml's `environment` may change any of them by the Node server's names.
 */
export const LAMBDA_LIMITS: Limits = {
  ...DEFAULT_LIMITS,
  maxBodyBytes: 4 * 1024 * 1024,
  maxArchiveBytes: 4 * 1024 * 1024,
  maxUncompressedBytes: 64 * 1024 * 1024,
  maxArchiveEntries: 10_000,
  requestTimeoutMs: 27_000,
};

/** Default memory budget of a MODELS_DIR on Lambda: 60 % of the function's memory (the rest for requests), else 1024 MiB. */
export function lambdaModelsBudgetMb(env: Readonly<Record<string, string | undefined>>): number {
  const mb = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  return mb > 0 ? Math.floor(mb * 0.6) : 1024;
}
