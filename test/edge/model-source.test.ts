import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidModelError } from '../../core/errors.ts';
import type { ModelMetadata } from '../../core/model-contract.ts';
import { resolveModelSource } from '../../functions/edge/model-source.ts';

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
