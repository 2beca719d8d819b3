// The Node server over real HTTP, and the CLI commands decode/score giving what the routes give.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { startNodeServer, type RunningServer } from '../functions/node/server.ts';
import { captchaSamples, makeZip } from './fixtures/images.ts';
import { ensureTinyModel } from './fixtures/tiny-model.ts';

const run = promisify(execFile);
let server: RunningServer;
let modelPath: string;
let samples: Awaited<ReturnType<typeof captchaSamples>>;
const dir = join(import.meta.dirname, '..', 'work', `cli-test-${process.pid}`);

before(async () => {
  modelPath = (await ensureTinyModel()).modelPath;
  samples = await captchaSamples();
  server = await startNodeServer({ modelPath, port: 0, host: '127.0.0.1', env: { MAX_BODY_BYTES: '200000' }, log: () => undefined });
  mkdirSync(join(dir, 'set'), { recursive: true });
  samples.slice(0, 8).forEach((s, i) => writeFileSync(join(dir, 'set', `${i}.png`), s.png));
  writeFileSync(join(dir, 'set', 'labels.txt'), samples.slice(0, 8).map((s) => s.text).join('\n') + '\n');
  writeFileSync(join(dir, 'set', '8.png'), 'not an image');
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('serves /health and /decode over HTTP, batching concurrent requests', async () => {
  const health = (await (await fetch(`${server.url}/health`)).json()) as { provider: string; entry: string };
  assert.equal(health.provider, 'cpu');
  assert.equal(health.entry, 'node');
  const answers = await Promise.all(samples.slice(0, 16).map(async (s) => (await fetch(`${server.url}/decode`, { method: 'POST', body: s.png, headers: { 'content-type': 'image/png' } })).json() as Promise<{ text: string }>));
  const one = async (png: Uint8Array<ArrayBuffer>) => ((await (await fetch(`${server.url}/decode`, { method: 'POST', body: png, headers: { 'content-type': 'image/png' } })).json()) as { text: string }).text;
  const sequential: string[] = [];
  for (const s of samples.slice(0, 16)) sequential.push(await one(s.png));
  assert.deepEqual(answers.map((a) => a.text), sequential);
});

test('a chunked body over the limit is refused with 413 while streaming', async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpRequest(`${server.url}/decode`, { method: 'POST', headers: { 'content-type': 'image/png', 'transfer-encoding': 'chunked' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    for (let i = 0; i < 30; i++) req.write(Buffer.alloc(10_000));
    req.end();
  });
  assert.equal(status, 413);
  const big = await fetch(`${server.url}/decode`, { method: 'POST', body: new Uint8Array(300_000), headers: { 'content-type': 'image/png' } });
  assert.equal(big.status, 413);
  assert.equal(((await big.json()) as { error: { code: string } }).error.code, 'payload_too_large');
});

test('captcha-ocr decode --json prints one object per file, like POST /decode', async () => {
  const files = [join(dir, 'set', '0.png'), join(dir, 'set', '1.png'), join(dir, 'set', '8.png')];
  const { stdout } = await run(process.execPath, ['bin/captcha-ocr.js', 'decode', ...files, '--model', modelPath, '--json']).catch((e: { stdout: string; code: number }) => {
    assert.equal(e.code, 1); // one file is not an image
    return e;
  });
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; text?: string; confidence?: number; error?: { code: string } });
  assert.deepEqual(lines.map((l) => l.file), files);
  for (const i of [0, 1]) {
    const viaHttp = (await (await fetch(`${server.url}/decode`, { method: 'POST', body: samples[i].png, headers: { 'content-type': 'image/png' } })).json()) as { text: string; confidence: number };
    assert.equal(lines[i].text, viaHttp.text);
    assert.ok(Math.abs(lines[i].confidence! - viaHttp.confidence) < 1e-6);
  }
  assert.equal(lines[2].error!.code, 'unsupported_media_type');
});

test('captcha-ocr score --json on a folder and on its zip prints what POST /score answers', async () => {
  const files: Record<string, Uint8Array | string> = {};
  samples.slice(0, 8).forEach((s, i) => (files[`${i}.png`] = s.png));
  files['labels.txt'] = samples.slice(0, 8).map((s) => s.text).join('\n') + '\n';
  files['8.png'] = 'not an image';
  const zip = makeZip(files);
  writeFileSync(join(dir, 'set.zip'), zip);
  const strip = (r: Record<string, unknown>) => {
    const { elapsedMs: _e, imagesPerSecond: _i, ...rest } = r;
    return rest;
  };
  const viaHttp = strip((await (await fetch(`${server.url}/score`, { method: 'POST', body: zip, headers: { 'content-type': 'application/zip' } })).json()) as Record<string, unknown>);
  const fromZip = strip(JSON.parse((await run(process.execPath, ['bin/captcha-ocr.js', 'score', join(dir, 'set.zip'), '--model', modelPath, '--json'])).stdout));
  const fromDir = strip(JSON.parse((await run(process.execPath, ['bin/captcha-ocr.js', 'score', join(dir, 'set'), '--model', modelPath, '--json'])).stdout));
  // the model in three worker threads or on the main thread: the same report
  const threeWorkers = strip(JSON.parse((await run(process.execPath, ['bin/captcha-ocr.js', 'score', join(dir, 'set'), '--model', modelPath, '--json', '--workers', '3'])).stdout));
  const mainThread = strip(JSON.parse((await run(process.execPath, ['bin/captcha-ocr.js', 'score', join(dir, 'set'), '--model', modelPath, '--json', '--workers', '0'])).stdout));
  assert.deepEqual(fromZip, viaHttp);
  assert.deepEqual(fromDir, viaHttp);
  assert.deepEqual(threeWorkers, viaHttp);
  assert.deepEqual(mainThread, viaHttp);
  assert.equal(viaHttp.total, 9);
  const html = join(dir, 'report.html');
  const { stdout } = await run(process.execPath, ['bin/captcha-ocr.js', 'score', join(dir, 'set'), '--model', modelPath, '--html', html]);
  assert.match(stdout, /sequence accuracy/);
  const csv = (await run(process.execPath, ['bin/captcha-ocr.js', 'score', join(dir, 'set'), '--model', modelPath, '--csv'])).stdout;
  assert.equal(csv.trim().split('\n').length, 10);
});

test('CLI usage errors exit with code 2', async () => {
  await assert.rejects(run(process.execPath, ['bin/captcha-ocr.js', 'decode']), (e: { code: number }) => e.code === 2);
  await assert.rejects(run(process.execPath, ['bin/captcha-ocr.js', 'score', dir, '--json', '--csv']), (e: { code: number }) => e.code === 2);
  // not a zip: one clear line and an exit, not a process held open by the model's worker threads
  writeFileSync(join(dir, 'not-a.zip'), 'hello');
  await assert.rejects(run(process.execPath, ['bin/captcha-ocr.js', 'score', join(dir, 'not-a.zip'), '--model', modelPath, '--workers', '2'], { timeout: 60_000 }), (e: { code: number; stderr: string }) => e.code === 1 && /not a zip archive/.test(e.stderr));
  // a folder with nothing to score is an error too (it was a report of 0 images and exit 0)
  mkdirSync(join(dir, 'no-images'), { recursive: true });
  writeFileSync(join(dir, 'no-images', 'labels.txt'), 'AB12\n');
  await assert.rejects(run(process.execPath, ['bin/captcha-ocr.js', 'score', join(dir, 'no-images'), '--model', modelPath], { timeout: 60_000 }), (e: { code: number; stderr: string }) => e.code === 1 && /nothing to score \(no image among 1 entry: labels file\)/.test(e.stderr));
  await assert.rejects(run(process.execPath, ['bin/captcha-ocr.js', 'serve', '--port', 'x']), (e: { code: number }) => e.code === 2);
  await assert.rejects(run(process.execPath, ['bin/captcha-ocr.js', 'serve', '--providers', 'gpu']), (e: { code: number }) => e.code === 2);
  await assert.rejects(run(process.execPath, ['bin/captcha-ocr.js', 'serve', '--workers=1.5']), (e: { code: number; stderr: string }) => e.code === 2 && /--workers must be a whole number/.test(e.stderr));
});
