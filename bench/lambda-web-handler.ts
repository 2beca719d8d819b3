/**
 * Bench-only variant of functions/lambda/handler.ts on onnxruntime-web (its Node build, wasm,
 * one thread) instead of onnxruntime-node, to measure the choice docs/deployment.md explains.
 * Not deployed. Bundled by bench/runtimes.ts with onnxruntime-web external.
 */
import { readFile } from 'node:fs/promises';
import type { Hono } from 'hono';
import { handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import * as ort from 'onnxruntime-web';
import { parseModelMetadata, sidecarPath } from '../core/model-contract.ts';
import { createApp } from '../functions/app/create-app.ts';
import { createOrtWebPredictor } from '../functions/edge/ort-web-predictor.ts';
import { appOptionsFromEnv } from '../functions/env-options.ts';
import { LAMBDA_LIMITS } from '../functions/lambda/lambda-limits.ts';
import { defaultModelPath } from '../functions/node/load-model.ts';

ort.env.wasm.numThreads = 1;

async function init(): Promise<ReturnType<typeof handle>> {
  const options = appOptionsFromEnv(process.env, LAMBDA_LIMITS);
  const modelPath = defaultModelPath(process.env);
  const metadata = parseModelMetadata(JSON.parse(await readFile(sidecarPath(modelPath), 'utf8')));
  const predictor = createOrtWebPredictor({ ort, metadata, loadModel: async () => new Uint8Array(await readFile(modelPath)) });
  await predictor.ready();
  await predictor.predict(new Float32Array(metadata.input.height * metadata.input.width), 1);
  return handle(createApp({ predictor, limits: options.limits }) as unknown as Hono);
}

const ready = init();
ready.catch(() => undefined);

export async function handler(event: LambdaEvent, context?: LambdaContext): Promise<unknown> {
  return (await ready)(event, context);
}
