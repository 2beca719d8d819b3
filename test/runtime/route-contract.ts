/**
 * One suite of route tests, run against every runtime entry (Node server, Worker under
 * workerd, Lambda handler fed API Gateway events). Each target is just a fetch function;
 * the texts each one read are returned so that the runtimes can be compared with each other.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { ModelMetadata } from '../../core/model-contract.ts';
import type { Samples } from './samples.ts';

export interface RuntimeTarget {
  readonly name: string;
  fetch(request: Request): Promise<Response>;
}

export interface Observed {
  /** Text read from each PNG sample (raw body), in order. */
  readonly png: string[];
  readonly jpeg: string[];
  readonly score: { total: number; scored: number; failed: number; sequenceAccuracy: number; characterAccuracy: number; predicted: string[] };
}

/** The archive limit every target is started with, so that the 413 case is the same everywhere. */
export const CONTRACT_MAX_ARCHIVE_BYTES = 1024 * 1024;

const BASE = 'http://runtime.test';

interface ErrorJson {
  error: { code: string; message: string };
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

async function json<T>(res: Response): Promise<T> {
  const type = res.headers.get('content-type') ?? '';
  assert.match(type, /^application\/json/, `content-type ${type}`);
  return (await res.json()) as T;
}

async function expectError(res: Response, status: number, codes: readonly string[]): Promise<void> {
  assert.equal(res.status, status, `status ${res.status}: ${await res.clone().text()}`);
  const body = await json<ErrorJson>(res);
  assert.ok(codes.includes(body.error.code), `error code ${body.error.code}, expected one of ${codes.join(', ')}`);
  assert.equal(typeof body.error.message, 'string');
}

interface Decoded {
  text: string;
  confidence: number;
  characters: { char: string; confidence: number }[];
}

function checkDecoded(d: Decoded, metadata: ModelMetadata): void {
  assert.equal(typeof d.text, 'string');
  assert.ok(d.confidence >= 0 && d.confidence <= 1, `confidence ${d.confidence}`);
  assert.equal(d.characters.map((c) => c.char).join(''), d.text);
  for (const ch of d.text) assert.ok(metadata.charset.includes(ch), `${ch} is not in the charset`);
}

export async function routeContract(t: TestContext, target: RuntimeTarget, samples: Samples, metadata: ModelMetadata): Promise<Observed> {
  const call = (path: string, init?: RequestInit): Promise<Response> => target.fetch(new Request(BASE + path, init));
  const observed: Observed = { png: [], jpeg: [], score: { total: 0, scored: 0, failed: 0, sequenceAccuracy: 0, characterAccuracy: 0, predicted: [] } };

  await t.test(`${target.name}: GET /health`, async () => {
    const res = await call('/health');
    assert.equal(res.status, 200);
    const body = await json<{ status: string; model: string; provider: string }>(res);
    assert.equal(body.status, 'ok');
    assert.equal(typeof body.provider, 'string');
  });

  await t.test(`${target.name}: GET /model`, async () => {
    const body = await json<{ metadata: ModelMetadata }>(await call('/model'));
    assert.equal(body.metadata.charset, metadata.charset);
    assert.deepEqual(body.metadata.input, metadata.input);
  });

  await t.test(`${target.name}: POST /decode raw PNG and JPEG bodies`, async () => {
    for (const s of [...samples.png, ...samples.jpeg]) {
      const res = await call('/decode', { method: 'POST', body: s.bytes as Uint8Array<ArrayBuffer>, headers: { 'content-type': s.type } });
      assert.equal(res.status, 200, await res.clone().text());
      const d = await json<Decoded>(res);
      checkDecoded(d, metadata);
      (s.type === 'image/png' ? observed.png : observed.jpeg).push(d.text);
    }
  });

  await t.test(`${target.name}: POST /decode JSON images[] keeps order and agrees with single decodes`, async () => {
    const res = await call('/decode', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ images: samples.png.map((s) => base64(s.bytes)) }) });
    const body = await json<{ results: Decoded[] }>(res);
    assert.deepEqual(body.results.map((r) => r.text), observed.png);
  });

  await t.test(`${target.name}: POST /decode multipart field image`, async () => {
    const form = new FormData();
    form.append('image', new Blob([samples.png[0].bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' }), samples.png[0].name);
    const d = await json<Decoded>(await call('/decode', { method: 'POST', body: form }));
    assert.equal(d.text, observed.png[0]);
  });

  await t.test(`${target.name}: POST /decode refuses bad input with the error shape`, async () => {
    await expectError(await call('/decode', { method: 'POST', body: samples.png[0].bytes.slice(0, 100), headers: { 'content-type': 'image/png' } }), 422, ['invalid_image']);
    await expectError(await call('/decode', { method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' } }), 415, ['unsupported_media_type']);
    await expectError(await call('/decode', { method: 'POST', body: '{"image": 3}', headers: { 'content-type': 'application/json' } }), 400, ['bad_request']);
  });

  await t.test(`${target.name}: POST /score scores a zip archive`, async () => {
    const res = await call('/score?details=1', { method: 'POST', body: samples.archive as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'application/zip' } });
    assert.equal(res.status, 200, await res.clone().text());
    const r = await json<{ total: number; scored: number; failed: { file: string }[]; sequenceAccuracy: number; characterAccuracy: number; rows: { file: string; predicted?: string }[] }>(res);
    assert.equal(r.total, samples.archiveImages);
    assert.equal(r.scored + r.failed.length, r.total);
    assert.deepEqual(r.failed.map((f) => f.file), [`${samples.archiveImages - 1}.png`]);
    assert.ok(r.sequenceAccuracy >= 0 && r.sequenceAccuracy <= 1);
    Object.assign(observed.score, {
      total: r.total,
      scored: r.scored,
      failed: r.failed.length,
      sequenceAccuracy: r.sequenceAccuracy,
      characterAccuracy: r.characterAccuracy,
      predicted: r.rows.map((row) => `${row.file}=${row.predicted ?? '!'}`),
    });
  });

  await t.test(`${target.name}: POST /score ?format=csv`, async () => {
    const res = await call('/score?format=csv', { method: 'POST', body: samples.archive as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'application/zip' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    const lines = (await res.text()).trim().split(/\r?\n/);
    assert.equal(lines.length, samples.archiveImages + 1);
  });

  await t.test(`${target.name}: POST /score refuses a broken or too large archive`, async () => {
    await expectError(await call('/score', { method: 'POST', body: new TextEncoder().encode('PK not really a zip'), headers: { 'content-type': 'application/zip' } }), 422, ['invalid_archive']);
    const big = new Uint8Array(CONTRACT_MAX_ARCHIVE_BYTES + 1024);
    await expectError(await call('/score', { method: 'POST', body: big, headers: { 'content-type': 'application/zip' } }), 413, ['archive_too_large', 'payload_too_large']);
  });

  await t.test(`${target.name}: unknown route and wrong method`, async () => {
    await expectError(await call('/nope'), 404, ['not_found']);
    await expectError(await call('/decode'), 405, ['method_not_allowed']);
  });

  return observed;
}
