// Route contract of the Hono app on the real onnxruntime-node predictor (no mocks).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Hono } from 'hono';
import { encodeBase64 } from '../functions/app/base64.ts';
import { captchaSamples, encode, encodeBmp, makeZip, syntheticImage } from './fixtures/images.ts';
import { testApp, tinyPredictor } from './fixtures/api.ts';

type App = Awaited<ReturnType<typeof testApp>>;
let app: App;
let samples: Awaited<ReturnType<typeof captchaSamples>>;

before(async () => {
  app = await testApp();
  samples = await captchaSamples();
});

const post = (a: Hono | App, path: string, body: BodyInit, type?: string, headers: Record<string, string> = {}) =>
  a.request(path, { method: 'POST', body, headers: type ? { 'content-type': type, ...headers } : headers });

async function errorOf(res: Response): Promise<{ status: number; code: string }> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(typeof body.error.message, 'string');
  return { status: res.status, code: body.error.code };
}

test('GET /health and /model report the provider and the metadata', async () => {
  const health = (await (await app.request('/health')).json()) as Record<string, unknown>;
  assert.equal(health.status, 'ok');
  assert.equal(health.provider, 'cpu');
  assert.match(String(health.runtime), /^onnxruntime-node /);
  const model = (await (await app.request('/model')).json()) as { metadata: { charset: string }; limits: { maxBodyBytes: number } };
  assert.equal(model.metadata.charset.length, 36);
  assert.ok(model.limits.maxBodyBytes > 0);
});

test('POST /decode: raw, multipart, JSON base64 and data URL give the same reading', async () => {
  const png = samples[0].png;
  const raw = (await (await post(app, '/decode', png, 'image/png')).json()) as { text: string; confidence: number; characters: { char: string; confidence: number }[] };
  assert.equal(typeof raw.text, 'string');
  assert.equal(raw.characters.map((c) => c.char).join(''), raw.text);
  assert.ok(Math.abs(raw.characters.reduce((p, c) => p * c.confidence, 1) - raw.confidence) < 1e-9);
  const form = new FormData();
  form.append('image', new Blob([png], { type: 'image/png' }), 'a.png');
  assert.deepEqual(await (await app.request('/decode', { method: 'POST', body: form })).json(), raw);
  assert.deepEqual(await (await post(app, '/decode', JSON.stringify({ image: encodeBase64(png) }), 'application/json')).json(), raw);
  assert.deepEqual(await (await post(app, '/decode', JSON.stringify({ image: `data:image/png;base64,${encodeBase64(png)}` }), 'application/json')).json(), raw);
  // any image/* type, the bytes decide the format; no content type at all works too
  assert.deepEqual(await (await post(app, '/decode', png, 'image/jpeg')).json(), raw);
  assert.deepEqual(await (await post(app, '/decode', png, 'application/octet-stream')).json(), raw);
});

test('POST /decode answers like the predictor on the same pixels for PNG, GIF, BMP and WebP', async () => {
  const predictor = await tinyPredictor();
  const { preprocess } = await import('../core/preprocess.ts');
  const s = samples[1];
  const [expected] = await predictor.predict(preprocess(s.image, predictor.metadata.input), 1);
  for (const [type, bytes] of [['image/png', s.png], ['image/bmp', encodeBmp(s.image)], ['image/webp', await encode(s.image, 'webp')]] as const) {
    const got = (await (await post(app, '/decode', bytes, type)).json()) as { text: string; confidence: number };
    assert.equal(got.text, expected.text, type);
    assert.ok(Math.abs(got.confidence - expected.confidence) < 1e-5, type);
  }
  const gif = (await (await post(app, '/decode', await encode(s.image, 'gif'), 'image/gif')).json()) as { text: string };
  assert.equal(typeof gif.text, 'string');
  const jpeg = await post(app, '/decode', await encode(syntheticImage(300, 100, 3), 'jpeg'), 'image/jpeg');
  assert.equal(jpeg.status, 200);
  const alpha = await post(app, '/decode', await encode(syntheticImage(160, 60, 4), 'png'), 'image/png');
  assert.equal(alpha.status, 200);
});

test('POST /decode with several images answers results in order, a bad one as its error', async () => {
  const body = JSON.stringify({ images: [encodeBase64(samples[2].png), encodeBase64(new TextEncoder().encode('nope')), encodeBase64(samples[3].png)] });
  const res = (await (await post(app, '/decode', body, 'application/json')).json()) as { results: ({ text: string } | { error: { code: string } })[] };
  assert.equal(res.results.length, 3);
  const one = (await (await post(app, '/decode', samples[2].png, 'image/png')).json()) as { text: string };
  const three = (await (await post(app, '/decode', samples[3].png, 'image/png')).json()) as { text: string };
  assert.equal((res.results[0] as { text: string }).text, one.text);
  assert.equal((res.results[1] as { error: { code: string } }).error.code, 'unsupported_media_type');
  assert.equal((res.results[2] as { text: string }).text, three.text);
  const form = new FormData();
  form.append('image', new Blob([samples[2].png]), 'a.png');
  form.append('image', new Blob([samples[3].png]), 'b.png');
  const multi = (await (await app.request('/decode', { method: 'POST', body: form })).json()) as { results: { text: string }[] };
  assert.deepEqual(multi.results.map((r) => r.text), [one.text, three.text]);
});

test('POST /decode errors are typed 4xx JSON', async () => {
  const cases: [Response | Promise<Response>, number, string][] = [
    [post(app, '/decode', 'hello', 'text/plain'), 415, 'unsupported_media_type'],
    [post(app, '/decode', new Uint8Array(0), 'image/png'), 400, 'bad_request'],
    [post(app, '/decode', '{"image": 12', 'application/json'), 400, 'bad_request'],
    [post(app, '/decode', '{"picture": "AAAA"}', 'application/json'), 400, 'bad_request'],
    [post(app, '/decode', '{"image": "***"}', 'application/json'), 400, 'bad_request'],
    [post(app, '/decode', samples[0].png.subarray(0, 100), 'image/png'), 422, 'invalid_image'],
    [post(app, '/decode', 'not really', 'image/png'), 415, 'unsupported_media_type'],
    [post(app, '/decode', '--x\r\n', 'multipart/form-data; boundary=x'), 400, 'bad_request'],
    [app.request('/decode'), 405, 'method_not_allowed'],
    [app.request('/nowhere'), 404, 'not_found'],
  ];
  for (const [res, status, code] of cases) assert.deepEqual(await errorOf(await res), { status, code });
  const form = new FormData();
  form.append('picture', new Blob([samples[0].png]), 'a.png');
  assert.deepEqual(await errorOf(await app.request('/decode', { method: 'POST', body: form })), { status: 400, code: 'bad_request' });
});

test('limits are enforced before the work: body size, pixels, image count, time', async () => {
  const small = await testApp({ limits: { maxBodyBytes: 4000, maxImagePixels: 5000, maxImagesPerRequest: 2 } });
  assert.deepEqual(await errorOf(await post(small, '/decode', new Uint8Array(5000), 'image/png')), { status: 413, code: 'payload_too_large' });
  // chunked body without Content-Length
  const stream = new ReadableStream({ start(c) { for (let i = 0; i < 5; i++) c.enqueue(new Uint8Array(1000)); c.close(); } });
  assert.deepEqual(await errorOf(await small.request('/decode', { method: 'POST', body: stream, headers: { 'content-type': 'image/png' }, duplex: 'half' } as RequestInit)), { status: 413, code: 'payload_too_large' });
  const wide = await encode(syntheticImage(100, 60), 'png');
  assert.ok(wide.length < 4000, `${wide.length}`);
  assert.deepEqual(await errorOf(await post(small, '/decode', wide, 'image/png')), { status: 413, code: 'image_too_large' });
  const three = JSON.stringify({ images: ['AAAA', 'AAAA', 'AAAA'] });
  assert.deepEqual(await errorOf(await post(small, '/decode', three, 'application/json')), { status: 413, code: 'payload_too_large' });
  const slow = await testApp({ limits: { requestTimeoutMs: 1 }, predictor: { ...(await tinyPredictor()), predict: () => new Promise(() => undefined) } });
  assert.deepEqual(await errorOf(await post(slow, '/decode', samples[0].png, 'image/png')), { status: 408, code: 'request_timeout' });
});

test('API key: Bearer or x-api-key, compared whole; the page and /health stay open', async () => {
  const locked = await testApp({ apiKey: 's3cret' });
  assert.deepEqual(await errorOf(await post(locked, '/decode', samples[0].png, 'image/png')), { status: 401, code: 'unauthorized' });
  assert.deepEqual(await errorOf(await post(locked, '/decode', samples[0].png, 'image/png', { 'x-api-key': 's3cre' })), { status: 401, code: 'unauthorized' });
  assert.deepEqual(await errorOf(await post(locked, '/decode', samples[0].png, 'image/png', { authorization: 'Bearer s3cret!' })), { status: 401, code: 'unauthorized' });
  assert.equal((await post(locked, '/decode', samples[0].png, 'image/png', { authorization: 'Bearer s3cret' })).status, 200);
  assert.equal((await post(locked, '/decode', samples[0].png, 'image/png', { 'x-api-key': 's3cret' })).status, 200);
  assert.equal((await locked.request('/model')).status, 401);
  assert.equal((await locked.request('/health')).status, 200);
  assert.equal((await locked.request('/')).status, 200);
});

test('CORS is off by default and configurable', async () => {
  const plain = await app.request('/health', { headers: { origin: 'https://a.example' } });
  assert.equal(plain.headers.get('access-control-allow-origin'), null);
  const open = await testApp({ cors: { origin: ['https://a.example'] } });
  const pre = await open.request('/decode', { method: 'OPTIONS', headers: { origin: 'https://a.example', 'access-control-request-method': 'POST' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), 'https://a.example');
  const other = await open.request('/health', { headers: { origin: 'https://b.example' } });
  assert.notEqual(other.headers.get('access-control-allow-origin'), 'https://b.example');
});

test('GET / serves the page', async () => {
  const res = await app.request('/');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  assert.match(await res.text(), /Drop an image/);
});

test('the page has an icon: inline, and GET /favicon.ico answers 204 rather than 404', async () => {
  assert.match(await (await app.request('/')).text(), /<link rel="icon" href="data:image\/svg\+xml,/);
  const icon = await app.request('/favicon.ico');
  assert.equal(icon.status, 204);
  assert.match(icon.headers.get('cache-control') ?? '', /max-age/);
  assert.equal((await (await testApp({ apiKey: 's3cret' })).request('/favicon.ico')).status, 204);
});

test('POST /score: totals, metrics, labels from labels.txt, details, CSV and HTML', async () => {
  // label half of the images with what the model reads, the other half with something else
  const files: Record<string, Uint8Array | string> = {};
  const truths: string[] = [];
  for (let i = 0; i < 12; i++) {
    const read = (await (await post(app, '/decode', samples[i].png, 'image/png')).json()) as { text: string };
    truths.push(i % 2 === 0 ? read.text : 'ZZZZZZ'.slice(0, Math.max(1, read.text.length)) === read.text ? 'YYYY' : 'ZZZZZZ');
    files[`set/${i}.png`] = samples[i].png;
  }
  files['set/labels.txt'] = truths.join('\n') + '\n';
  files['set/12.png'] = new TextEncoder().encode('garbage');
  files['set/13.png'] = samples[13].png; // no line 14 in labels.txt
  files['__MACOSX/set/._0.png'] = 'junk';
  const zip = makeZip(files);
  const res = await post(app, '/score?details=1', zip, 'application/zip');
  assert.equal(res.status, 200);
  const r = (await res.json()) as { total: number; scored: number; failed: { file: string; reason: string; code: string }[]; skipped: unknown[]; sequenceAccuracy: number; characterErrorRate: number; positionAccuracy: unknown[]; characters: unknown[]; confusions: unknown[]; rows: { file: string; correct?: boolean; labelSource?: string }[] };
  assert.equal(r.total, 14);
  assert.equal(r.scored, 12);
  assert.equal(r.total, r.scored + r.failed.length);
  assert.deepEqual(r.failed.map((f) => f.file).sort(), ['set/12.png', 'set/13.png']);
  assert.equal(r.failed.find((f) => f.file === 'set/13.png')!.code, 'no_label');
  assert.equal(r.sequenceAccuracy, 0.5);
  assert.ok(r.characterErrorRate > 0);
  assert.ok(r.positionAccuracy.length > 0 && r.characters.length > 0);
  assert.equal(r.rows.length, 14);
  assert.equal(r.rows.filter((x) => x.correct).length, 6);
  assert.ok(r.rows.filter((x) => x.labelSource).every((x) => x.labelSource === 'labels.txt'));
  assert.equal(r.skipped.length, 2);
  // multipart gives the same numbers
  const form = new FormData();
  form.append('archive', new Blob([zip], { type: 'application/zip' }), 'set.zip');
  const viaForm = (await (await app.request('/score', { method: 'POST', body: form })).json()) as typeof r;
  assert.equal(viaForm.sequenceAccuracy, 0.5);
  assert.equal(viaForm.rows, undefined);
  const csv = await (await post(app, '/score?format=csv', zip, 'application/zip')).text();
  assert.equal(csv.trim().split('\n').length, 15);
  assert.match(csv.split('\n')[0], /^file,truth,predicted,confidence,correct/);
  const html = await (await post(app, '/score?format=html', zip, 'application/zip')).text();
  assert.equal((html.match(/<figure>/g) ?? []).length, 6);
  assert.match(html, /data:image\/png;base64,/);
  const withImages = (await (await post(app, '/score?images=1', zip, 'application/zip')).json()) as { rows: { image?: string; correct?: boolean }[] };
  assert.equal(withImages.rows.filter((x) => x.image).length, 6);
});

test('POST /score: labels from labels.csv and from file names', async () => {
  const zip = makeZip({ 'a.png': samples[0].png, 'b.png': samples[1].png, 'labels.csv': 'file,label\na.png,AB12\nb.png,CD34\n', 'names/XY12_3.png': samples[2].png });
  const r = (await (await post(app, '/score?details=1', zip, 'application/zip')).json()) as { total: number; failed: { file: string; code: string }[]; rows: { file: string; truth: string; labelSource: string }[] };
  assert.equal(r.total, 3);
  assert.deepEqual(r.rows.slice(0, 2).map((x) => [x.file, x.truth, x.labelSource]), [['a.png', 'AB12', 'labels.csv'], ['b.png', 'CD34', 'labels.csv']]);
  // with a labels.csv, every image below it must be listed there
  assert.deepEqual(r.failed, [{ file: 'names/XY12_3.png', code: 'no_label', reason: 'not listed in labels.csv' }]);
  const names = (await (await post(app, '/score?details=1', makeZip({ 'XY12_3.png': samples[2].png, 'set/AB34.gif': await encode(samples[3].image, 'gif') }), 'application/zip')).json()) as typeof r;
  assert.deepEqual(names.rows.map((x) => [x.truth, x.labelSource]), [['XY12', 'file name'], ['AB34', 'file name']]);
});

test('POST /score refuses bombs, too many entries and bad input with 4xx', async () => {
  const bomb = makeZip({ 'x.png': new Uint8Array(5_000_000) });
  assert.deepEqual(await errorOf(await post(app, '/score', bomb, 'application/zip')), { status: 413, code: 'archive_too_large' });
  const small = await testApp({ limits: { maxArchiveEntries: 3, maxArchiveBytes: 100_000 } });
  const four = makeZip({ '1.png': 'a', '2.png': 'b', '3.png': 'c', '4.png': 'd' });
  assert.deepEqual(await errorOf(await post(small, '/score', four, 'application/zip')), { status: 413, code: 'archive_too_large' });
  assert.deepEqual(await errorOf(await post(small, '/score', new Uint8Array(200_000), 'application/zip')), { status: 413, code: 'payload_too_large' });
  assert.deepEqual(await errorOf(await post(app, '/score', 'not a zip', 'application/zip')), { status: 422, code: 'invalid_archive' });
  // Nothing to score: an empty archive, or one holding only a labels file and a folder.
  assert.deepEqual(await errorOf(await post(app, '/score', makeZip({}), 'application/zip')), { status: 422, code: 'invalid_archive' });
  const onlyLabels = await post(app, '/score', makeZip({ 'set/labels.txt': 'AB12\n', 'set/': '' }), 'application/zip');
  assert.equal(onlyLabels.status, 422);
  assert.deepEqual(await onlyLabels.json(), { error: { code: 'invalid_archive', message: 'nothing to score (no image among 2 entries: labels file, folder)' } });
  assert.deepEqual(await errorOf(await post(app, '/score', 'x', 'image/png')), { status: 415, code: 'unsupported_media_type' });
  assert.deepEqual(await errorOf(await post(app, '/score?format=pdf', makeZip({ 'a.png': 'x' }), 'application/zip')), { status: 400, code: 'bad_request' });
});
