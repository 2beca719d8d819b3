// Several models in one Node server (MODELS_DIR / --models-dir) and ?charset=, over real HTTP on
// onnxruntime-node: the shipped model (64x160, with its second look) as `default`, models/training/default-v3 (run 3,
// 48x128, shipped before the campaign's) converted into the test's folder as `site`, a truncated
// .onnx and an .onnx without its .json.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { charsetMask } from '../core/decode-output.ts';
import { parseModelMetadata, sidecarPath } from '../core/model-contract.ts';
import { createApp } from '../functions/app/create-app.ts';
import { disposeModel } from '../functions/app/model-catalog.ts';
import { createRecognizer, type Recognizer } from '../functions/app/recognizer.ts';
import { startModel } from '../functions/node/load-model.ts';
import { loadModelsDir } from '../functions/node/models-dir.ts';
import { createOrtNodePredictor } from '../functions/node/ort-node-predictor.ts';
import { startNodeServer, type RunningServer } from '../functions/node/server.ts';
import { createSharpDecoder } from '../functions/node/sharp-decoder.ts';
import { captchaSamples, makeZip } from './fixtures/images.ts';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..');
const SHIPPED = join(REPO, 'models', 'captcha-ocr.onnx');
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';

interface Reading {
  text: string;
  confidence: number;
}
interface ErrorJson {
  error: { code: string; message: string; available?: string[] };
}

describe('a models folder served by the Node server', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'captcha-ocr-models-'));
  const models = join(dir, 'models');
  let server: RunningServer;
  let samples: Awaited<ReturnType<typeof captchaSamples>>;
  const local: Record<string, Recognizer> = {};

  const decode = async (png: Uint8Array<ArrayBuffer>, query = ''): Promise<Response> => fetch(`${server.url}/decode${query}`, { method: 'POST', body: png, headers: { 'content-type': 'image/png' } });
  const reading = async (png: Uint8Array<ArrayBuffer>, query = ''): Promise<Reading> => {
    const res = await decode(png, query);
    assert.equal(res.status, 200, query);
    return (await res.json()) as Reading;
  };

  before(async () => {
    mkdirSync(models);
    copyFileSync(SHIPPED, join(models, 'default.onnx'));
    copyFileSync(sidecarPath(SHIPPED), join(models, 'default.json'));
    // the second look default.json names, started with it and not served on its own
    const second = parseModelMetadata(JSON.parse(readFileSync(sidecarPath(SHIPPED), 'utf8'))).secondLook?.model;
    if (second) for (const f of [second, sidecarPath(second)]) copyFileSync(join(REPO, 'models', f), join(models, f));
    await run(process.execPath, ['bin/captcha-ocr.js', 'convert', 'models/training/default-v3', '--out', join(models, 'site.onnx')], { cwd: REPO });
    // a truncated model with a valid sidecar, and a model without its sidecar
    writeFileSync(join(models, 'broken.onnx'), readFileSync(SHIPPED).subarray(0, 5000));
    copyFileSync(sidecarPath(SHIPPED), join(models, 'broken.json'));
    copyFileSync(SHIPPED, join(models, 'nometa.onnx'));
    writeFileSync(join(models, 'notes.txt'), 'not a model');
    samples = await captchaSamples();
    server = await startNodeServer({ modelsDir: models, port: 0, host: '127.0.0.1', workers: 1, env: {}, log: () => undefined });
    for (const name of ['default', 'site']) {
      const { predictor, secondLook } = await startModel(join(models, `${name}.onnx`), (modelPath) => createOrtNodePredictor({ modelPath, log: () => undefined }));
      local[name] = createRecognizer({ predictor, secondLook, decoder: createSharpDecoder(), maxImagePixels: 1e7 });
    }
  });

  after(async () => {
    await server?.close();
    for (const r of Object.values(local)) await r.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('GET /models lists both models with their metadata, and the two files that failed with the reason', async () => {
    const body = (await (await fetch(`${server.url}/models`)).json()) as {
      default: string;
      models: { name: string; source: string; default: boolean; metadata: { name: string; input: { height: number; width: number } }; predictor: { provider: string } }[];
      failed: { name: string; source: string; error: { code: string; message: string } }[];
    };
    assert.equal(body.default, 'default');
    assert.deepEqual(body.models.map((m) => [m.name, m.source, m.default, m.metadata.input.height, m.metadata.input.width]), [
      ['default', 'default.onnx', true, 64, 160],
      ['site', 'site.onnx', false, 48, 128],
    ]);
    assert.equal(body.models[1].metadata.name, 'default-step25000');
    assert.equal(body.models[0].predictor.provider, 'cpu');
    assert.deepEqual(body.failed.map((f) => [f.name, f.source, f.error.code]), [
      ['broken', 'broken.onnx', 'invalid_model'],
      ['nometa', 'nometa.onnx', 'invalid_model'],
    ]);
    assert.match(body.failed[0].error.message, /onnxruntime cannot load the model: .*protobuf parsing failed/);
    // the reason names the missing file relative to the folder, not the server's path
    assert.match(body.failed[1].error.message, /^cannot read the model metadata nometa\.json: ENOENT/);
    const health = (await (await fetch(`${server.url}/health`)).json()) as { model: string; models: number };
    assert.deepEqual([health.model, health.models], ['default-step100000', 2]);
    const site = (await (await fetch(`${server.url}/model?model=site`)).json()) as { name: string; metadata: { input: { width: number } } };
    assert.deepEqual([site.name, site.metadata.input.width], ['site', 128]);
  });

  test('?model=site reads with the site model, no ?model= (and ?model=default) with the default one', async () => {
    let differ = 0;
    for (const s of samples.slice(0, 12)) {
      const viaSite = await reading(s.png, '?model=site');
      const viaDefault = await reading(s.png);
      const expectedSite = await local.site.recognize(s.png);
      const expectedDefault = await local.default.recognize(s.png);
      assert.equal(viaSite.text, expectedSite.text);
      assert.ok(Math.abs(viaSite.confidence - expectedSite.confidence) < 1e-6);
      assert.equal(viaDefault.text, expectedDefault.text);
      assert.ok(Math.abs(viaDefault.confidence - expectedDefault.confidence) < 1e-6);
      assert.deepEqual(await reading(s.png, '?model=default'), viaDefault);
      // told apart at the tolerance the readings are matched with above
      if (Math.abs(viaSite.confidence - viaDefault.confidence) > 1e-6) differ++;
    }
    assert.ok(differ >= 10, `the two models answered alike on ${12 - differ} of 12 images`);
    // a pinned difference: run 3 (site) reads the O of RQOU as a zero, the shipped model does not
    assert.equal(samples[10].text, 'RQOU');
    assert.equal((await reading(samples[10].png)).text, 'RQOU');
    assert.equal((await reading(samples[10].png, '?model=site')).text, 'RQ0U');
  });

  test('an unknown name is a 404 listing the available models; a model that failed to load a 503 with its reason', async () => {
    for (const res of [
      await decode(samples[0].png, '?model=nope'),
      await fetch(`${server.url}/score?model=nope`, { method: 'POST', body: makeZip({ 'A.png': samples[0].png }), headers: { 'content-type': 'application/zip' } }),
      await fetch(`${server.url}/model?model=nope`),
    ]) {
      assert.equal(res.status, 404);
      const body = (await res.json()) as ErrorJson;
      assert.equal(body.error.code, 'unknown_model');
      assert.deepEqual(body.error.available, ['default', 'site']);
      assert.equal(body.error.message, 'no model named "nope" (available: default, site)');
    }
    const broken = await decode(samples[0].png, '?model=broken');
    assert.equal(broken.status, 503);
    const body = (await broken.json()) as ErrorJson;
    assert.equal(body.error.code, 'model_unavailable');
    assert.deepEqual(body.error.available, ['default', 'site']);
    assert.match(body.error.message, /^model "broken" failed to load: onnxruntime cannot load the model/);
  });

  test('concurrent requests to the two models, with and without ?charset=, each get their own model\'s reading', async () => {
    const asks = samples.slice(0, 16).flatMap((s, i) => [
      { png: s.png, query: '?model=site' },
      { png: s.png, query: '' },
      { png: s.png, query: i % 2 ? '?model=site&charset=' + DIGITS : '?charset=' + LETTERS },
    ]);
    const expected: Reading[] = [];
    for (const a of asks) expected.push(await reading(a.png, a.query));
    const together = await Promise.all(asks.map((a) => reading(a.png, a.query)));
    assert.deepEqual(together.map((r) => r.text), expected.map((r) => r.text));
    together.forEach((r, i) => assert.ok(Math.abs(r.confidence - expected[i].confidence) < 1e-6));
  });

  test('?charset= masks the other classes: digits only never yields a letter; pinned readings', async () => {
    for (const s of samples) {
      for (const model of ['default', 'site']) {
        const r = await reading(s.png, `?model=${model}&charset=${DIGITS}`);
        assert.match(r.text, /^[0-9]*$/, `${model} read ${r.text} for ${s.text}`);
        const expected = await local[model].recognize(s.png, { mask: charsetMask(local[model].metadata.charset, DIGITS) });
        assert.equal(r.text, expected.text);
      }
    }
    // G1XI restricted to digits: the first model reads the G as a 6 (0.29) and the X as a 7 (0.94),
    // probability renormalised over the digits; the 6 under 0.9 asks the second look, which reads
    // only the 1 (0.99999991), surer per character, and is answered
    const g = await reading(samples[0].png, `?charset=${DIGITS}`);
    assert.equal(g.text, '1');
    assert.ok(Math.abs(g.confidence - 0.9999999) < 1e-6, String(g.confidence));
    const alone = createRecognizer({ predictor: local.default.predictor, decoder: createSharpDecoder(), maxImagePixels: 1e7 });
    const first = await alone.recognize(samples[0].png, { mask: charsetMask(alone.metadata.charset, DIGITS) });
    assert.deepEqual([first.text, first.characters.map((c) => Math.round(c.confidence * 100) / 100)], ['617', [0.29, 1, 0.94]]);
    assert.ok(Math.abs(first.confidence - 0.27457) < 1e-4, String(first.confidence));
    // letters only fixes run 3's O-read-as-zero on RQOU
    assert.equal((await reading(samples[10].png, `?model=site&charset=${LETTERS}`)).text, 'RQOU');
    // /score takes the same parameter
    const zip = makeZip({ 'RQOU.png': samples[10].png, 'WKAG.png': samples[2].png });
    const score = async (query: string) => (await (await fetch(`${server.url}/score${query}`, { method: 'POST', body: zip, headers: { 'content-type': 'application/zip' } })).json()) as { sequenceAccuracy: number };
    assert.equal((await score('?model=site')).sequenceAccuracy, 0.5);
    assert.equal((await score(`?model=site&charset=${LETTERS}`)).sequenceAccuracy, 1);
  });

  test('a charset character the model does not know, or an empty charset, is a 400 invalid_charset', async () => {
    const bad = await decode(samples[0].png, '?charset=0123abc');
    assert.equal(bad.status, 400);
    const body = (await bad.json()) as ErrorJson;
    assert.equal(body.error.code, 'invalid_charset');
    assert.equal(body.error.message, 'charset "0123abc": "a", "b", "c" are not in the model\'s charset 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    const empty = await decode(samples[0].png, '?model=site&charset=');
    assert.equal(empty.status, 400);
    assert.match(((await empty.json()) as ErrorJson).error.message, /^charset is empty/);
    const score = await fetch(`${server.url}/score?charset=%C3%A9`, { method: 'POST', body: makeZip({ 'A.png': samples[0].png }), headers: { 'content-type': 'application/zip' } });
    assert.equal(score.status, 400);
    assert.match(((await score.json()) as ErrorJson).error.message, /"é" is not in the model's charset/);
  });

  test('several models and none named default: a request without ?model= is a 404 listing them; one model is `default`', async () => {
    const [a, b] = server.models.models.map((m) => m.predictor);
    const two = createApp({ models: { models: [{ name: 'b', predictor: b }, { name: 'a', predictor: a }] }, decoder: createSharpDecoder() });
    const res = await two.request('/decode', { method: 'POST', body: samples[0].png, headers: { 'content-type': 'image/png' } });
    assert.equal(res.status, 404);
    const body = (await res.json()) as ErrorJson;
    assert.deepEqual(body.error.available, ['a', 'b']);
    assert.match(body.error.message, /2 models are served and none is named "default": pick one with \?model=NAME/);
    assert.equal((await two.request('/decode?model=a', { method: 'POST', body: samples[0].png, headers: { 'content-type': 'image/png' } })).status, 200);
    const one = createApp({ predictor: a, decoder: createSharpDecoder() });
    const listed = (await (await one.request('/models')).json()) as { default: string; models: { name: string }[]; failed: unknown[] };
    assert.deepEqual([listed.default, listed.models.map((m) => m.name), listed.failed], ['default', ['default'], []]);
    assert.equal((await one.request('/decode?model=default', { method: 'POST', body: samples[0].png, headers: { 'content-type': 'image/png' } })).status, 200);
    const other = await one.request('/decode?model=site', { method: 'POST', body: samples[0].png, headers: { 'content-type': 'image/png' } });
    assert.equal(other.status, 404);
    assert.deepEqual(((await other.json()) as ErrorJson).error.available, ['default']);
  });

  test('the memory budget: no model past it is loaded, and each one left out says why', async () => {
    let rss = 0;
    const catalog = await loadModelsDir(models, {
      createPredictor: async (modelPath) => {
        const p = await createOrtNodePredictor({ modelPath, warmUp: false, log: () => undefined });
        rss += 50 * 1024 * 1024; // as if each model took 50 MiB
        return p;
      },
      rss: () => rss,
      maxRssBytes: 90 * 1024 * 1024,
    });
    try {
      assert.deepEqual(catalog.models.map((m) => m.name), ['default']);
      assert.deepEqual(catalog.failed.map((f) => [f.name, f.error.code]), [['broken', 'memory_budget'], ['nometa', 'memory_budget'], ['site', 'memory_budget']]);
      // default and its second look: two predictors, 100 MiB for the model
      assert.equal(catalog.failed[2].error.message, 'not loaded: the server uses 100 MiB and a model adds about 100 MiB, over the memory budget of 90 MiB (MODELS_MAX_RSS_MB)');
    } finally {
      for (const m of catalog.models) await disposeModel(m);
    }
    await assert.rejects(loadModelsDir(join(dir, 'none'), { createPredictor: () => Promise.reject(new Error('unused')) }), /cannot read the models folder/);
  });

  test('CLI: --charset on decode and score, its errors, and --model with --models-dir', async () => {
    const files = [join(dir, 'g.png'), join(dir, 'r.png')];
    writeFileSync(files[0], samples[0].png);
    writeFileSync(files[1], samples[10].png);
    const { stdout } = await run(process.execPath, ['bin/captcha-ocr.js', 'decode', ...files, '--model', join(models, 'default.onnx'), '--charset', DIGITS, '--json'], { cwd: REPO });
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Reading);
    assert.equal(lines[0].text, '1');
    assert.deepEqual(lines.map((l) => l.text), [(await reading(samples[0].png, `?charset=${DIGITS}`)).text, (await reading(samples[10].png, `?charset=${DIGITS}`)).text]);
    mkdirSync(join(dir, 'set'));
    writeFileSync(join(dir, 'set', 'RQOU.png'), samples[10].png);
    const scored = JSON.parse((await run(process.execPath, ['bin/captcha-ocr.js', 'score', join(dir, 'set'), '--model', join(models, 'site.onnx'), '--charset', LETTERS, '--json', '--workers', '1'], { cwd: REPO })).stdout) as { sequenceAccuracy: number };
    assert.equal(scored.sequenceAccuracy, 1);
    await assert.rejects(run(process.execPath, ['bin/captcha-ocr.js', 'decode', files[0], '--charset', 'x1'], { cwd: REPO }), (e: { code: number; stderr: string }) => e.code === 2 && /--charset: charset "x1": "x" is not in the model's charset/.test(e.stderr));
    await assert.rejects(run(process.execPath, ['bin/captcha-ocr.js', 'score', join(dir, 'set'), '--charset', '', '--workers', '1'], { cwd: REPO, timeout: 60_000 }), (e: { code: number; stderr: string }) => e.code === 2 && /charset is empty/.test(e.stderr));
    await assert.rejects(run(process.execPath, ['bin/captcha-ocr.js', 'serve', '--model', SHIPPED, '--models-dir', models], { cwd: REPO }), (e: { code: number; stderr: string }) => e.code === 2 && /--model or --models-dir, not both/.test(e.stderr));
  });
});
