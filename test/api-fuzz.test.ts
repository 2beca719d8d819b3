// Property tests: no input gives a 500, a crash or a hang.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { encodeBase64 } from '../functions/app/base64.ts';
import { captchaSamples, makeZip } from './fixtures/images.ts';
import { testApp } from './fixtures/api.ts';

type App = Awaited<ReturnType<typeof testApp>>;
let app: App;
let png: Uint8Array<ArrayBuffer>;

before(async () => {
  app = await testApp({ limits: { requestTimeoutMs: 5000, maxImagePixels: 4_000_000 } });
  png = (await captchaSamples())[0].png;
});

const contentTypes = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp', 'image/svg+xml', 'application/octet-stream', 'application/json', 'application/zip', 'multipart/form-data', 'multipart/form-data; boundary=abc', 'text/plain', 'application/x-www-form-urlencoded', '', 'image/', ';;;', 'IMAGE/PNG; charset=x'];

async function check(res: Response): Promise<boolean> {
  const text = await res.text();
  if (res.status >= 500) return false;
  if (res.status >= 400) {
    const body = JSON.parse(text) as { error: { code: string; message: string } };
    return typeof body.error.code === 'string' && typeof body.error.message === 'string';
  }
  return true;
}

function mutatedPng(): fc.Arbitrary<Uint8Array<ArrayBuffer>> {
  return fc.tuple(fc.nat(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.boolean()).map<Uint8Array<ArrayBuffer>>(([cut, flips, huge]) => {
    const bytes = png.slice(0, 8 + (cut % (png.length - 7))) as Uint8Array<ArrayBuffer>;
    for (const [at, v] of flips) bytes[8 + (at % (bytes.length - 8 || 1))] = v;
    if (huge && bytes.length >= 24) {
      new DataView(bytes.buffer).setUint32(16, 0x7fffffff);
      new DataView(bytes.buffer).setUint32(20, 3);
    }
    return bytes;
  });
}

test('property: random bodies and content types to /decode and /score never give a 5xx', async () => {
  const body = fc.oneof(fc.uint8Array({ maxLength: 2000 }).map((b) => b as Uint8Array<ArrayBuffer>), mutatedPng(), fc.string().map((s) => new TextEncoder().encode(s) as Uint8Array<ArrayBuffer>), fc.constant(png as Uint8Array<ArrayBuffer>));
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('/decode', '/score', '/score?format=csv', '/score?format=html&details=1'), fc.constantFrom(...contentTypes), body, async (path, type, bytes) => {
      const res = await app.request(path, { method: 'POST', body: bytes, headers: type ? { 'content-type': type } : {} });
      return check(res);
    }),
    { numRuns: 300 },
  );
});

test('property: JSON bodies of any shape give 2xx or 4xx', async () => {
  const json = fc.oneof(
    fc.jsonValue(),
    fc.record({ image: fc.oneof(fc.string(), fc.base64String(), fc.integer(), fc.constant(encodeBase64(png))) }),
    fc.record({ images: fc.array(fc.oneof(fc.base64String(), fc.constant(encodeBase64(png)), fc.constant(null)), { maxLength: 80 }) }),
  );
  await fc.assert(
    fc.asyncProperty(json, async (value) => check(await app.request('/decode', { method: 'POST', body: JSON.stringify(value), headers: { 'content-type': 'application/json' } }))),
    { numRuns: 200 },
  );
});

test('property: archives with random entries are fully accounted for', async () => {
  const entry = fc.oneof(fc.constant(png), mutatedPng(), fc.uint8Array({ maxLength: 100 }));
  const name = fc.oneof(fc.stringMatching(/^[A-Z0-9]{1,6}(_\d)?\.(png|jpg|gif)$/), fc.constantFrom('../../evil.png', '/abs/AB12.png', 'dir/', 'labels.txt', 'a\\b\\C4.png', '.DS_Store', 'ünï😀.png'));
  await fc.assert(
    fc.asyncProperty(fc.dictionary(name, entry, { maxKeys: 8 }), async (files) => {
      const zip = makeZip(files);
      const res = await app.request('/score', { method: 'POST', body: zip, headers: { 'content-type': 'application/zip' } });
      if (res.status !== 200) return check(res);
      const r = (await res.json()) as { total: number; scored: number; failed: unknown[] };
      return r.total === r.scored + r.failed.length;
    }),
    { numRuns: 60 },
  );
});

test('huge dimensions in a header are refused at once, not decoded', async () => {
  const bytes = png.slice();
  new DataView(bytes.buffer).setUint32(16, 60000);
  new DataView(bytes.buffer).setUint32(20, 60000);
  const t0 = performance.now();
  const res = await app.request('/decode', { method: 'POST', body: bytes, headers: { 'content-type': 'image/png' } });
  assert.equal(res.status, 413);
  assert.ok(performance.now() - t0 < 200);
});

test('property: any ?model= and ?charset= give 200 (reading only allowed characters), 400 or 404, never a 5xx', async () => {
  const charset = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const chars = fc.oneof(fc.string({ maxLength: 12 }), fc.subarray([...charset], { minLength: 1 }).map((a) => a.join('')), fc.constant(''));
  const model = fc.oneof(fc.constant(undefined), fc.constant('default'), fc.string({ maxLength: 8 }));
  await fc.assert(
    fc.asyncProperty(model, fc.option(chars, { nil: undefined }), async (name, allowed) => {
      const q = new URLSearchParams();
      if (name !== undefined) q.set('model', name);
      if (allowed !== undefined) q.set('charset', allowed);
      const res = await app.request(`/decode?${q}`, { method: 'POST', body: png, headers: { 'content-type': 'image/png' } });
      assert.ok([200, 400, 404].includes(res.status), `status ${res.status}`);
      const body = (await res.clone().json()) as { text?: string; error?: { code: string; available?: string[] } };
      if (res.status === 404) assert.deepEqual([body.error?.code, body.error?.available], ['unknown_model', ['default']]);
      if (res.status === 400) assert.equal(body.error?.code, 'invalid_charset');
      if (res.status === 200 && allowed !== undefined) for (const c of body.text!) assert.ok(allowed.includes(c), `${c} read with charset ${allowed}`);
      return check(res);
    }),
    { numRuns: 150 },
  );
});
