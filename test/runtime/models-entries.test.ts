/**
 * Several models on the serverless entries, read against the Node server on the same files:
 * the built Lambda handler with MODELS_DIR (default, site and a broken file in the package's
 * folder) and the Worker under workerd with two bundled models (default and site). `default` is
 * the shipped model without its second look; `site` is
 * models/training/default-v4 (64x160) converted in the test's folder, with a second look
 * (core/second-look.ts): models/training/default-v3 (48x128) as `site-second.onnx`, which no
 * entry serves on its own; `lonely` names a second look that is not there, and every entry lists
 * it as failed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startNodeServer, type RunningServer } from '../../functions/node/server.ts';
import { captchaSamples } from '../fixtures/images.ts';
import { buildLambda, lambdaTarget } from './lambda-target.ts';
import type { RuntimeTarget } from './route-contract.ts';
import { startWranglerDev, type RunningWorker } from './workerd.ts';
import { REPO, writeWorkerProject } from './worker-fixture.ts';

const DIGITS = '0123456789';

interface ErrorJson {
  error: { code: string; message: string; available?: string[] };
}

describe('?model= and ?charset= on the Lambda handler (MODELS_DIR) and the Worker (bundled models)', { timeout: 240_000 }, () => {
  const scratch = join(REPO, 'work', `runtime-models-${process.pid}`);
  const models = join(scratch, 'models');
  let node: RunningServer;
  let samples: Awaited<ReturnType<typeof captchaSamples>>;

  before(async () => {
    mkdirSync(models, { recursive: true });
    const shipped = join(REPO, 'models', 'captcha-ocr');
    copyFileSync(`${shipped}.onnx`, join(models, 'default.onnx'));
    // the shipped model without its second look (that is site's part here)
    const { secondLook: _, ...plain } = JSON.parse(readFileSync(`${shipped}.json`, 'utf8')) as Record<string, unknown>;
    writeFileSync(join(models, 'default.json'), JSON.stringify(plain));
    await promisify(execFile)(process.execPath, ['bin/captcha-ocr.js', 'convert', 'models/training/default-v4', '--out', join(models, 'site.onnx')], { cwd: REPO });
    await promisify(execFile)(process.execPath, ['bin/captcha-ocr.js', 'convert', 'models/training/default-v3', '--out', join(models, 'site-second.onnx')], { cwd: REPO });
    const site = JSON.parse(readFileSync(join(models, 'site.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(models, 'site.json'), JSON.stringify({ ...site, secondLook: { model: 'site-second.onnx', chars: '0O', below: 0.9 } }));
    copyFileSync(`${shipped}.onnx`, join(models, 'lonely.onnx'));
    writeFileSync(join(models, 'lonely.json'), JSON.stringify({ ...plain, secondLook: { model: 'missing.onnx', chars: '0O', below: 0.9 } }));
    writeFileSync(join(models, 'broken.onnx'), readFileSync(`${shipped}.onnx`).subarray(0, 5000));
    writeFileSync(join(models, 'broken.json'), JSON.stringify(plain));
    samples = (await captchaSamples()).slice(0, 6);
    node = await startNodeServer({ modelsDir: models, port: 0, host: '127.0.0.1', workers: 1, env: {}, log: () => undefined });
  });

  after(async () => {
    await node?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const decode = async (target: RuntimeTarget, png: Uint8Array<ArrayBuffer>, query: string): Promise<Response> =>
    target.fetch(new Request(`http://runtime.test/decode${query}`, { method: 'POST', body: png, headers: { 'content-type': 'image/png' } }));
  const text = async (target: RuntimeTarget, png: Uint8Array<ArrayBuffer>, query: string): Promise<string> => {
    const res = await decode(target, png, query);
    assert.equal(res.status, 200, `${target.name} ${query}`);
    return ((await res.json()) as { text: string }).text;
  };
  const nodeTarget = (): RuntimeTarget => ({ name: 'node', fetch: (r) => fetch(new Request(node.url + new URL(r.url).pathname + new URL(r.url).search, r)) });

  async function check(target: RuntimeTarget, failed: string[]): Promise<void> {
    const listed = (await (await target.fetch(new Request('http://runtime.test/models'))).json()) as { default: string; models: { name: string; secondLook: { source: string; metadata: { input: { width: number } } } | null }[]; failed: { name: string; error: { message: string } }[] };
    assert.deepEqual([listed.default, listed.models.map((m) => m.name), listed.failed.map((f) => f.name).sort()], ['default', ['default', 'site'], failed]);
    assert.match(listed.failed.find((f) => f.name === 'lonely')?.error.message ?? '', /second look missing\.onnx/);
    assert.deepEqual(listed.models.map((m) => (m.secondLook ? [m.secondLook.source, m.secondLook.metadata.input.width] : null)), [null, ['site-second.onnx', 128]]);
    let differ = 0;
    for (const s of samples) {
      for (const query of ['', '?model=site', `?model=site&charset=${DIGITS}`, `?charset=${DIGITS}`]) {
        const got = await text(target, s.png, query);
        assert.equal(got, await text(nodeTarget(), s.png, query), `${target.name} ${query} on ${s.text}`);
        if (query.includes('charset')) assert.match(got, /^[0-9]*$/);
      }
      if ((await text(target, s.png, '?model=site')) !== (await text(target, s.png, `?model=site&charset=${DIGITS}`))) differ++;
    }
    assert.ok(differ > 0);
    const unknown = await decode(target, samples[0].png, '?model=nope');
    assert.equal(unknown.status, 404);
    const body = (await unknown.json()) as ErrorJson;
    assert.deepEqual([body.error.code, body.error.available], ['unknown_model', ['default', 'site']]);
    const bad = await decode(target, samples[0].png, '?model=site&charset=0a');
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as ErrorJson).error.code, 'invalid_charset');
  }

  test('Lambda handler with MODELS_DIR: the folder\'s models, the broken one listed as failed', async () => {
    const file = buildLambda(join(scratch, 'lambda'));
    await check(lambdaTarget(file, { MODELS_DIR: models }), ['broken', 'lonely']);
  });

  test('Worker under workerd with two bundled models', async () => {
    const project = writeWorkerProject(join(models, 'default.onnx'), {}, join(scratch, 'worker'), { site: join(models, 'site.onnx'), lonely: join(models, 'lonely.onnx') });
    let worker: RunningWorker | undefined;
    try {
      worker = await startWranglerDev(project.config);
      const url = worker.url;
      await check({ name: 'workerd', fetch: (r) => fetch(new Request(url + new URL(r.url).pathname + new URL(r.url).search, r)) }, ['lonely']);
    } finally {
      await worker?.stop();
    }
  });
});
