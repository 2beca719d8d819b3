// The second look (the metadata's `secondLook`, core/second-look.ts) over real HTTP on
// onnxruntime-node, in the CLI and in a models folder: the shipped model (64x160) as the first,
// models/training/default-v3 (run 3, 48x128, so the second input is made at another size)
// converted into the test's folder as its second look; compared image by image with the two
// models read on their own.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { DecodedText } from '../core/decode-output.ts';
import { sidecarPath } from '../core/model-contract.ts';
import { surerReading, wantsSecondLook } from '../core/second-look.ts';
import { createRecognizer, type Recognizer } from '../functions/app/recognizer.ts';
import { createOrtNodePredictor } from '../functions/node/ort-node-predictor.ts';
import { startNodeServer, type RunningServer } from '../functions/node/server.ts';
import { createSharpDecoder } from '../functions/node/sharp-decoder.ts';
import { createCaptchaGenerator } from '../captcha/generator.ts';
import { encode, makeZip } from './fixtures/images.ts';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..');
const SHIPPED = join(REPO, 'models', 'captcha-ocr.onnx');
const RULE = { chars: '0O', below: 0.9 };

describe('a second look served by the Node server and the CLI', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'captcha-ocr-second-look-'));
  const models = join(dir, 'models');
  let server: RunningServer;
  let first: Recognizer;
  let second: Recognizer;
  const images: { text: string; png: Uint8Array<ArrayBuffer> }[] = [];

  before(async () => {
    mkdirSync(models);
    copyFileSync(SHIPPED, join(models, 'default.onnx'));
    const metadata = JSON.parse(readFileSync(sidecarPath(SHIPPED), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(models, 'default.json'), JSON.stringify({ ...metadata, secondLook: { model: 'run3.onnx', ...RULE } }));
    await run(process.execPath, ['bin/captcha-ocr.js', 'convert', 'models/training/default-v3', '--out', join(models, 'run3.onnx')], { cwd: REPO });
    // a model whose second look is missing, served beside the others
    copyFileSync(SHIPPED, join(models, 'lost.onnx'));
    writeFileSync(join(models, 'lost.json'), JSON.stringify({ ...metadata, secondLook: { model: 'missing.onnx', ...RULE } }));
    // 48 images of the v0.7 style at 160x60, every other one with zeros and Os
    const gen = createCaptchaGenerator({ width: 160, height: 60, seed: 77 });
    for (let i = 0; i < 48; i++) {
      const plain = gen.generate(i);
      const text = i % 2 === 0 ? plain.text.slice(0, 2) + (i % 4 === 0 ? '0O' : 'O0') : plain.text;
      const { image } = gen.generate(i, text);
      images.push({ text, png: await encode(image, 'png') });
    }
    server = await startNodeServer({ modelsDir: models, port: 0, host: '127.0.0.1', workers: 1, env: {}, log: () => undefined });
    const local = async (file: string) => createRecognizer({ predictor: await createOrtNodePredictor({ modelPath: join(models, file), log: () => undefined }), decoder: createSharpDecoder(), maxImagePixels: 1e7 });
    first = await local('default.onnx');
    second = await local('run3.onnx');
  });

  after(async () => {
    await server?.close();
    await first?.dispose();
    await second?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What the second look should answer, from the two models read on their own. */
  const expected = async (png: Uint8Array, query?: { mask: readonly boolean[] }) => {
    const a = await first.recognize(png, query);
    if (!wantsSecondLook(a, RULE)) return { text: a, looked: false, changed: false };
    const fused = surerReading(a, await second.recognize(png, query));
    return { text: fused, looked: true, changed: fused.text !== a.text };
  };

  test('POST /decode answers the surer of the two readings where the first reads a 0, an O or a character below 0.9', async () => {
    let looked = 0;
    let changed = 0;
    let right = 0;
    let firstRight = 0;
    for (const { text, png } of images) {
      const res = await fetch(`${server.url}/decode`, { method: 'POST', body: png, headers: { 'content-type': 'image/png' } });
      assert.equal(res.status, 200);
      const got = (await res.json()) as DecodedText;
      const want = await expected(png);
      assert.equal(got.text, want.text.text);
      assert.ok(Math.abs(got.confidence - want.text.confidence) < 1e-6);
      looked += want.looked ? 1 : 0;
      changed += want.changed ? 1 : 0;
      right += got.text === text ? 1 : 0;
      firstRight += (await first.recognize(png)).text === text ? 1 : 0;
    }
    // pinned: how often the second model was asked, and how often its reading was answered (run 3
    // is the weaker model, so its one answered reading here is a misread: a test of the mechanics,
    // not of accuracy; the served pair's figures are in the model card)
    assert.deepEqual({ looked, changed, right, firstRight }, { looked: 32, changed: 1, right: 46, firstRight: 47 });
  });

  test('POST /score reads through the second look like /decode, and GET /model names it', async () => {
    const labels = images.map((img, i) => `${i}.png,${img.text}`).join('\n');
    const zip = makeZip({ 'labels.csv': labels, ...Object.fromEntries(images.map((img, i) => [`${i}.png`, img.png])) }, 0);
    const res = await fetch(`${server.url}/score?details=1`, { method: 'POST', body: zip, headers: { 'content-type': 'application/zip' } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { scored: number; rows: { file: string; predicted: string }[] };
    assert.equal(body.scored, images.length);
    for (const row of body.rows) assert.equal(row.predicted, (await expected(images[Number(row.file.split('.')[0])].png)).text.text, row.file);

    const model = (await (await fetch(`${server.url}/model`)).json()) as { secondLook: { chars: string; below: number; source: string; metadata: { name: string; input: { height: number; width: number } } } };
    assert.deepEqual({ ...model.secondLook, metadata: undefined }, { chars: '0O', below: 0.9, source: 'run3.onnx', metadata: undefined, predictor: (model.secondLook as unknown as { predictor: unknown }).predictor });
    assert.deepEqual(model.secondLook.metadata.input, { kind: 'grey-stretch', height: 48, width: 128, invert: true });
  });

  test('?charset= restricts both readings', async () => {
    const mask = [...first.metadata.charset].map((c) => '0123456789'.includes(c));
    for (const { png } of images.slice(0, 8)) {
      const res = await fetch(`${server.url}/decode?charset=0123456789`, { method: 'POST', body: png, headers: { 'content-type': 'image/png' } });
      assert.equal(res.status, 200);
      const got = (await res.json()) as DecodedText;
      assert.match(got.text, /^[0-9]*$/);
      assert.equal(got.text, (await expected(png, { mask })).text.text);
    }
  });

  test('GET /models: the second look is not served on its own; a missing one fails its model with the reason', async () => {
    const body = (await (await fetch(`${server.url}/models`)).json()) as { models: { name: string; secondLook: { source: string } | null }[]; failed: { name: string; error: { code: string; message: string } }[] };
    assert.deepEqual(body.models.map((m) => [m.name, m.secondLook?.source ?? null]), [['default', 'run3.onnx']]);
    assert.deepEqual(body.failed.map((f) => [f.name, f.error.code]), [['lost', 'invalid_model']]);
    assert.match(body.failed[0].error.message, /lost\.onnx: its second look missing\.onnx cannot be used: cannot read the model/);
  });

  test('captcha-ocr decode uses the second look the metadata names; a missing one is a clear error', async () => {
    const files = images.slice(0, 6).map((img, i) => {
      const path = join(dir, `cli-${i}.png`);
      writeFileSync(path, img.png);
      return path;
    });
    const { stdout } = await run(process.execPath, ['bin/captcha-ocr.js', 'decode', ...files, '--model', join(models, 'default.onnx'), '--json'], { cwd: REPO });
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { text: string });
    assert.equal(lines.length, files.length);
    for (let i = 0; i < files.length; i++) assert.equal(lines[i].text, (await expected(images[i].png)).text.text);
    const failed = await run(process.execPath, ['bin/captcha-ocr.js', 'decode', files[0], '--model', join(models, 'lost.onnx')], { cwd: REPO }).then(
      () => assert.fail('decode with a missing second look succeeded'),
      (error: { code: number; stderr: string }) => error,
    );
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /its second look missing\.onnx cannot be used/);
  });
});
