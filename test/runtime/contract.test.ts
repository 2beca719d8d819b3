/**
 * The same route tests against the three runtime entries, on the same model and images:
 * the Node server (onnxruntime-node, sharp), the Worker under workerd (`wrangler dev`,
 * onnxruntime-web wasm, pure-JS decoders) and the Lambda handler bundle (onnxruntime-node,
 * pure-JS decoders) fed API Gateway HTTP API v2 events. All three must read the same texts.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import type { ModelMetadata } from '../../core/model-contract.ts';
import { startNodeServer, type RunningServer } from '../../functions/node/server.ts';
import { ensureTinyModel } from '../fixtures/tiny-model.ts';
import { buildLambda, lambdaTarget } from './lambda-target.ts';
import { CONTRACT_MAX_ARCHIVE_BYTES, routeContract, type Observed, type RuntimeTarget } from './route-contract.ts';
import { makeSamples, type Samples } from './samples.ts';
import { startWranglerDev, type RunningWorker } from './workerd.ts';
import { REPO, writeWorkerProject } from './worker-fixture.ts';

const LIMIT_VARS = { MAX_ARCHIVE_BYTES: String(CONTRACT_MAX_ARCHIVE_BYTES) };

function fetchTarget(name: string, url: string): RuntimeTarget {
  return {
    name,
    fetch: (request) => {
      const u = new URL(request.url);
      return fetch(new Request(url + u.pathname + u.search, request));
    },
  };
}

describe('route contract: Node server, Worker (workerd), Lambda handler', { timeout: 240_000 }, () => {
  let modelPath: string;
  let metadata: ModelMetadata;
  let samples: Samples;
  const observed = new Map<string, Observed>();
  const scratch = join(REPO, 'work', `runtime-contract-${process.pid}`);
  const cleanups: (() => Promise<void> | void)[] = [];

  before(async () => {
    // The shipped model when there is one (confident outputs), else the pipeline's tiny test model.
    const shipped = join(REPO, 'models/captcha-ocr.onnx');
    if (existsSync(shipped) && existsSync(join(REPO, 'models/captcha-ocr.json')) && !process.env.CONTRACT_TINY_MODEL) {
      modelPath = shipped;
      metadata = JSON.parse(readFileSync(join(REPO, 'models/captcha-ocr.json'), 'utf8')) as ModelMetadata;
    } else {
      const tiny = await ensureTinyModel();
      modelPath = tiny.modelPath;
      metadata = tiny.metadata;
    }
    samples = makeSamples();
    mkdirSync(scratch, { recursive: true });
    cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  test('Node server', async (t) => {
    let server: RunningServer | undefined;
    try {
      server = await startNodeServer({ modelPath, port: 0, host: '127.0.0.1', providers: ['cpu'], limits: { maxArchiveBytes: CONTRACT_MAX_ARCHIVE_BYTES }, log: () => undefined, env: {} });
      observed.set('node', await routeContract(t, fetchTarget('node', server.url), samples, metadata));
    } finally {
      await server?.close();
    }
  });

  test('Cloudflare Worker under workerd (wrangler dev)', async (t) => {
    const project = writeWorkerProject(modelPath, LIMIT_VARS, join(scratch, 'worker'));
    let worker: RunningWorker | undefined;
    try {
      worker = await startWranglerDev(project.config);
      observed.set('workerd', await routeContract(t, fetchTarget('workerd', worker.url), samples, metadata));
    } finally {
      await worker?.stop();
    }
  });

  test('AWS Lambda handler with API Gateway HTTP API v2 events', async (t) => {
    const file = buildLambda(join(scratch, 'lambda'));
    const target = lambdaTarget(file, { MODEL_PATH: modelPath, ...LIMIT_VARS });
    observed.set('lambda', await routeContract(t, target, samples, metadata));
    const decode = target.events.find((e) => 'rawPath' in e && e.rawPath === '/decode' && e.isBase64Encoded);
    const score = target.events.find((e) => 'rawPath' in e && e.rawPath === '/score' && e.isBase64Encoded);
    assert.ok(decode && score, 'image and zip bodies went in base64, as API Gateway sends them');
  });

  test('all three runtimes read the same texts', () => {
    const node = observed.get('node');
    assert.ok(node && observed.get('workerd') && observed.get('lambda'), `ran: ${[...observed.keys()].join(', ')}`);
    for (const name of ['workerd', 'lambda']) {
      const other = observed.get(name)!;
      assert.deepEqual(other.png, node.png, `${name} vs node: PNG texts`);
      assert.deepEqual(other.jpeg, node.jpeg, `${name} vs node: JPEG texts`);
      assert.deepEqual(other.score, node.score, `${name} vs node: /score`);
    }
  });
});
