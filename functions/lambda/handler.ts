/**
 * AWS Lambda entry (serverless.yml `handler: dist/lambda/handler.handler`, built by
 * scripts/build-lambda.mjs): the same Hono app behind an API Gateway HTTP API (payload 2.0),
 * on onnxruntime-node (its Linux x64 binary ships beside the bundle) with the pure-JS image
 * decoders (no sharp to package). The model is read and warmed up during the init phase,
 * from models/captcha-ocr.onnx in the package or $MODEL_PATH; with $MODELS_DIR, every NAME.onnx
 * (+ NAME.json) of that folder in the package, picked by ?model=NAME (functions/node/models-dir.ts),
 * within $MODELS_MAX_RSS_MB (default 60 % of the function's memory).
 *
 * hono 4.13 marks `hono/aws-lambda` deprecated in favour of `@hono/aws-lambda`, which the npm
 * registry does not hold (404, checked 2026-12-06): this is the one file that imports the adapter,
 * so moving is a one-line change once it is published.
 */
import type { Hono } from 'hono';
import { handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { createApp } from '../app/create-app.ts';
import { DEFAULT_MODEL } from '../app/model-catalog.ts';
import { appOptionsFromEnv } from '../env-options.ts';
import { defaultModelPath, startModel } from '../node/load-model.ts';
import { loadModelsDir, modelsBudgetFromEnv } from '../node/models-dir.ts';
import { createOrtNodePredictor } from '../node/ort-node-predictor.ts';
import { LAMBDA_LIMITS, lambdaModelsBudgetMb } from './lambda-limits.ts';

async function init(): Promise<ReturnType<typeof handle>> {
  const options = appOptionsFromEnv(process.env, LAMBDA_LIMITS);
  const start = (modelPath: string) => createOrtNodePredictor({ modelPath, providers: ['cpu'], intraOpThreads: 1 });
  const dir = process.env.MODELS_DIR;
  const models = dir
    ? await loadModelsDir(dir, { createPredictor: start, maxRssBytes: modelsBudgetFromEnv(process.env, lambdaModelsBudgetMb(process.env)), log: (line) => console.error(line) })
    : undefined;
  const app = createApp({
    models: models ?? { models: [{ name: DEFAULT_MODEL, ...(await startModel(defaultModelPath(process.env), start)) }] },
    limits: options.limits,
    apiKey: options.apiKey,
    cors: options.cors,
    health: () => ({ entry: 'aws-lambda', region: process.env.AWS_REGION }),
  });
  return handle(app as unknown as Hono);
}

// Started at load time, so the model is read and warmed up in Lambda's init phase.
let ready = init();
ready.catch(() => undefined);

export async function handler(event: LambdaEvent, context?: LambdaContext): Promise<unknown> {
  let serve: Awaited<typeof ready>;
  try {
    serve = await ready;
  } catch (error) {
    ready = init(); // try again on the next invocation
    ready.catch(() => undefined);
    console.error('captcha-ocr lambda: start failed', error);
    const message = error instanceof Error ? error.message : String(error);
    return { statusCode: 503, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 'unavailable', message } }), isBase64Encoded: false };
  }
  return serve(event, context);
}
