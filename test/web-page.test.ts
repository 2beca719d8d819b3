// The page at `/` in headless Chromium: read an image, score a zip. Screenshots go to work/.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { sidecarPath } from '../core/model-contract.ts';
import { startNodeServer, type RunningServer } from '../functions/node/server.ts';
import { captchaSamples, makeZip } from './fixtures/images.ts';
import { ensureTinyModel } from './fixtures/tiny-model.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const shots = join(import.meta.dirname, '..', 'work', 'screenshots');
let server: RunningServer;
let browser: Browser;

before(async () => {
  if (!existsSync(CHROMIUM)) return;
  server = await startNodeServer({ modelPath: (await ensureTinyModel()).modelPath, port: 0, host: '127.0.0.1', env: {}, log: () => undefined });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** What the page reports as an error: console errors (failed loads included), uncaught exceptions, 4xx/5xx answers. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`exception: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
  });
  return errors;
}

test('drop an image: the text and a confidence per character appear', { skip: !existsSync(CHROMIUM) && 'no chromium' }, async () => {
  const samples = await captchaSamples();
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  const errors = collectErrors(page);
  await page.goto(server.url);
  await page.waitForFunction(() => /Model /.test(document.getElementById('model')?.textContent ?? ''));
  await page.setInputFiles('#file', { name: 'captcha.png', mimeType: 'image/png', buffer: Buffer.from(samples[0].png) });
  await page.waitForSelector('#decode:not(.hidden)');
  const text = await page.textContent('#text');
  const expected = ((await (await fetch(`${server.url}/decode`, { method: 'POST', body: samples[0].png, headers: { 'content-type': 'image/png' } })).json()) as { text: string }).text;
  assert.equal(text, expected || '(nothing read)');
  assert.equal(await page.locator('#chars .ch').count(), expected.length);
  await page.screenshot({ path: join(shots, 'page-decode.png') });
  // a browser asks for /favicon.ico unless the page names an icon; a 404 there is a console error
  await page.waitForLoadState('networkidle');
  assert.deepEqual(errors, []);
  await page.close();
});

test('drop a zip: accuracy cards, confusion bars and misread images appear', { skip: !existsSync(CHROMIUM) && 'no chromium' }, async () => {
  const samples = await captchaSamples();
  const files: Record<string, Uint8Array | string> = {};
  samples.slice(0, 10).forEach((s, i) => (files[`${i}.png`] = s.png));
  files['labels.txt'] = samples.slice(0, 10).map((s) => s.text).join('\n');
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  const errors = collectErrors(page);
  await page.goto(server.url);
  await page.setInputFiles('#file', { name: 'set.zip', mimeType: 'application/zip', buffer: Buffer.from(makeZip(files)) });
  await page.waitForSelector('#score:not(.hidden)');
  assert.equal(await page.locator('#cards .card').count(), 5);
  assert.match((await page.textContent('#cards')) ?? '', /10 \/ 10/);
  const misread = await page.locator('#misread figure img').count();
  assert.ok(misread > 0 && misread <= 10);
  assert.ok((await page.locator('#confusions .bar').count()) > 0);
  await page.screenshot({ path: join(shots, 'page-score.png'), fullPage: true });
  assert.deepEqual(errors, []);
  // an error is shown, not thrown (the 415 answer is the one error the browser reports)
  await page.setInputFiles('#file', { name: 'bad.png', mimeType: 'image/png', buffer: Buffer.from('nope') });
  await page.waitForSelector('#status.error');
  assert.match((await page.textContent('#status')) ?? '', /unsupported_media_type/);
  await page.close();
});

test('several models: the selector lists them (a failed one disabled) and the reading uses the chosen model and charset', { skip: !existsSync(CHROMIUM) && 'no chromium' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'captcha-ocr-page-models-'));
  const tiny = (await ensureTinyModel()).modelPath;
  const shipped = join(import.meta.dirname, '..', 'models', 'captcha-ocr.onnx');
  copyFileSync(tiny, join(dir, 'default.onnx'));
  copyFileSync(sidecarPath(tiny), join(dir, 'default.json'));
  copyFileSync(shipped, join(dir, 'shipped.onnx'));
  // the shipped model with a second look (a copy of itself: a tie keeps the first reading)
  const metadata = JSON.parse(readFileSync(sidecarPath(shipped), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'shipped.json'), JSON.stringify({ ...metadata, secondLook: { model: 'shipped-again.onnx', chars: '0O', below: 0.9 } }));
  copyFileSync(shipped, join(dir, 'shipped-again.onnx'));
  writeFileSync(join(dir, 'shipped-again.json'), JSON.stringify({ ...metadata, secondLook: undefined }));
  writeFileSync(join(dir, 'broken.onnx'), 'not a model');
  const multi = await startNodeServer({ modelsDir: dir, port: 0, host: '127.0.0.1', workers: 1, env: {}, log: () => undefined });
  try {
    const samples = await captchaSamples();
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    await page.goto(multi.url);
    await page.waitForSelector('#modelRow:not(.hidden)');
    assert.deepEqual(await page.locator('#modelSel option').evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, (o as HTMLOptionElement).disabled])), [['default', false], ['shipped', false], ['', true]]);
    assert.equal(await page.inputValue('#modelSel'), 'default');
    await page.selectOption('#modelSel', 'shipped');
    assert.match((await page.textContent('#model')) ?? '', /160x64 input · 36 characters .* · second look \S+ \(160x64\) where it reads 0\/O or a character below 0\.9$/);
    await page.fill('#charset', '0123456789');
    await page.setInputFiles('#file', { name: 'captcha.png', mimeType: 'image/png', buffer: Buffer.from(samples[0].png) });
    await page.waitForSelector('#decode:not(.hidden)');
    const expected = ((await (await fetch(`${multi.url}/decode?model=shipped&charset=0123456789`, { method: 'POST', body: samples[0].png, headers: { 'content-type': 'image/png' } })).json()) as { text: string }).text;
    assert.equal(expected, '617');
    assert.equal(await page.textContent('#text'), expected);
    await page.screenshot({ path: join(shots, 'page-models.png') });
    await page.close();
  } finally {
    await multi.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
