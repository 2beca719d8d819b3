import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidModelError } from '../../core/errors.ts';
import type { ModelMetadata } from '../../core/model-contract.ts';
import { bundledSource, resolveModelSource } from '../../functions/edge/model-source.ts';

const metadata: ModelMetadata = {
  format: 'captcha-ocr-model',
  formatVersion: 1,
  name: 'm',
  architecture: 'default',
  charset: 'AB',
  minLength: 1,
  maxLength: 4,
  input: { kind: 'grey-stretch', height: 8, width: 16, invert: true },
  output: { kind: 'ctc', blankIndex: 2, timeSteps: 4 },
};
const enc = (s: string) => new TextEncoder().encode(s).buffer as ArrayBuffer;
const onnx = new Uint8Array([1, 2, 3]).buffer;

test('bundled model when no binding is configured', async () => {
  const s = await resolveModelSource({}, { model: onnx, metadata });
  assert.equal(s.name, 'bundled');
  assert.equal(s.metadata.name, 'm');
  assert.equal(await s.load(), onnx);
});

test('R2 binding with MODEL_KEY wins over the bundled model; bytes read on first use', async () => {
  const reads: string[] = [];
  const objects: Record<string, ArrayBuffer> = { 'v2.onnx': onnx, 'v2.json': enc(JSON.stringify({ ...metadata, name: 'from-r2' })) };
  const bucket = { get: async (k: string) => (reads.push(k), objects[k] ? { arrayBuffer: async () => objects[k] } : null) };
  const s = await resolveModelSource({ MODEL_BUCKET: bucket, MODEL_KEY: 'v2.onnx' }, { model: new ArrayBuffer(1), metadata });
  assert.equal(s.name, 'r2:v2.onnx');
  assert.equal(s.metadata.name, 'from-r2');
  assert.deepEqual(reads, ['v2.json']);
  assert.equal(await s.load(), onnx);
  assert.deepEqual(reads, ['v2.json', 'v2.onnx']);
});

test('KV binding, and clear errors for missing objects or no model at all', async () => {
  const kv = { get: async (k: string) => (k === 'm.json' ? enc(JSON.stringify(metadata)) : null) };
  const s = await resolveModelSource({ MODEL_KV: kv, MODEL_KEY: 'm.onnx' }, {});
  assert.equal(s.name, 'kv:m.onnx');
  await assert.rejects(s.load(), InvalidModelError);
  await assert.rejects(resolveModelSource({ MODEL_KV: kv, MODEL_KEY: 'other.onnx' }, {}), /not found/);
  await assert.rejects(resolveModelSource({}, {}), InvalidModelError);
});

test('a second look comes from where its model comes from: the key beside MODEL_KEY, or bundled with it', async () => {
  const withSecond = { ...metadata, secondLook: { model: 'm.second.onnx', chars: 'A', below: 0.9 } };
  const second = new Uint8Array([4, 5]).buffer;
  const reads: string[] = [];
  const objects: Record<string, ArrayBuffer> = {
    'models/m.onnx': onnx,
    'models/m.json': enc(JSON.stringify(withSecond)),
    'models/m.second.onnx': second,
    'models/m.second.json': enc(JSON.stringify({ ...metadata, name: 'second' })),
  };
  const bucket = { get: async (k: string) => (reads.push(k), objects[k] ? { arrayBuffer: async () => objects[k] } : null) };
  const s = await resolveModelSource({ MODEL_BUCKET: bucket, MODEL_KEY: 'models/m.onnx' }, {});
  assert.deepEqual([s.secondLook?.name, s.secondLook?.metadata.name], ['r2:models/m.second.onnx', 'second']);
  assert.deepEqual(reads, ['models/m.json', 'models/m.second.json'], 'metadata now, bytes on first use');
  assert.equal(await s.secondLook?.load(), second);
  // a missing second file is reported when the metadata is read
  delete objects['models/m.second.json'];
  await assert.rejects(resolveModelSource({ MODEL_BUCKET: bucket, MODEL_KEY: 'models/m.onnx' }, {}), /model metadata r2:models\/m\.second\.json not found/);

  const bundled = await resolveModelSource({}, { model: onnx, metadata: withSecond, secondLook: { model: second, metadata: { ...metadata, name: 'second' } } });
  assert.deepEqual([bundled.secondLook?.name, bundled.secondLook?.metadata.name], ['bundled', 'second']);
  assert.equal(await bundled.secondLook?.load(), second);
  assert.equal((await resolveModelSource({}, { model: onnx, metadata: withSecond })).secondLook, undefined, 'not bundled: createWorker refuses the model');
  assert.throws(() => bundledSource({ model: onnx, metadata, secondLook: { metadata } }), /bundled second look: its bytes or its metadata are not bundled/);
});
