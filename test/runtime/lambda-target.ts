/** The built Lambda handler (dist/lambda/handler.cjs shape), driven with API Gateway HTTP API v2 events. */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { APIGatewayProxyResult, LambdaEvent } from 'hono/aws-lambda';
import { fromLambdaResult, lambdaContext, toHttpApiEvent } from './api-gateway-events.ts';
import type { RuntimeTarget } from './route-contract.ts';
import { REPO } from './worker-fixture.ts';

type Handler = (event: LambdaEvent, context?: unknown) => Promise<APIGatewayProxyResult>;

/** Bundles functions/lambda/handler.ts with scripts/build-lambda.mjs into OUTDIR (inside the repository, so node_modules resolves). */
export function buildLambda(outdir: string): string {
  const run = spawnSync(process.execPath, [join(REPO, 'scripts/build-lambda.mjs'), '--outdir', outdir, '--quiet'], { cwd: REPO, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`build-lambda failed:\n${run.stdout}${run.stderr}`);
  return join(outdir, 'handler.cjs');
}

/**
 * Loads a built handler the way the Lambda runtime does (require, then call `handler`) with
 * `env` set during its init; `events` collects every event sent, for inspection.
 */
export function lambdaTarget(handlerFile: string, env: Record<string, string>): RuntimeTarget & { events: LambdaEvent[]; initMs: number } {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  const t0 = performance.now();
  let mod: { handler: Handler };
  try {
    mod = createRequire(import.meta.url)(handlerFile) as { handler: Handler };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const events: LambdaEvent[] = [];
  return {
    name: 'lambda',
    events,
    initMs: performance.now() - t0,
    async fetch(request) {
      const event = await toHttpApiEvent(request);
      events.push(event);
      return fromLambdaResult(await mod.handler(event, lambdaContext()));
    },
  };
}
