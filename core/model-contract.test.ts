import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ctcOutput,
  describedModel,
  inputDims,
  inputSize,
  isModelFile,
  modelStem,
  outputClasses,
  outputFromShape,
  parseModelDescription,
  parseModelMetadata,
  sidecarPath,
  tensorNames,
  trainedModelMetadata,
  type ModelDescription,
} from './model-contract.ts';

const described: ModelDescription = {
  architecture: 'default',
  input: { kind: 'grey-stretch', height: 48, width: 128, invert: true },
  output: { kind: 'ctc', blankIndex: 36, timeSteps: 16 },
  minLength: 1,
  maxLength: 8,
  charset: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ',
};

test('tensor names: image -> probabilities unless the metadata names others', () => {
  assert.deepEqual(tensorNames({}), { input: 'image', output: 'probabilities' });
  assert.deepEqual(tensorNames({ inputName: 'x', outputName: 'y' }), { input: 'x', output: 'y' });
});

test('input dims for n images: [n, height, width, 1]; floats per image', () => {
  assert.deepEqual(inputDims(3, described.input), [3, 48, 128, 1]);
  assert.equal(inputSize(described.input), 48 * 128);
});

test('sidecar: X.onnx -> X.json in any case, for paths, folder entries and storage keys', () => {
  assert.equal(sidecarPath('a/b.ONNX'), 'a/b.json');
  assert.equal(sidecarPath('models/x.onnx'), 'models/x.json');
  assert.equal(sidecarPath('./site.onnx'), './site.json');
  assert.equal(sidecarPath('x'), 'x.json');
  assert.equal(sidecarPath('a.onnx.bak'), 'a.onnx.bak.json');
  assert.equal(modelStem('default.Onnx'), 'default');
  assert.ok(isModelFile('site.ONNX') && isModelFile('a.onnx'));
  assert.ok(!isModelFile('a.json') && !isModelFile('a.onnx.bak') && !isModelFile('onnx'));
});

test('output kind from [N, T, K]: K = characters + 1 is CTC with the blank last, else one row per position', () => {
  assert.deepEqual(outputFromShape(16, 37, described.charset), { kind: 'ctc', blankIndex: 36, timeSteps: 16 });
  assert.deepEqual(outputFromShape(4, 36, described.charset), { kind: 'positions', positions: 4 });
  // Characters are counted as code points, not UTF-16 units.
  assert.deepEqual(outputFromShape(8, 3, 'a😀'), { kind: 'ctc', blankIndex: 2, timeSteps: 8 });
  assert.deepEqual(ctcOutput('AB', 5), { kind: 'ctc', blankIndex: 2, timeSteps: 5 });
  assert.equal(outputClasses('ctc', 'AB'), 3);
  assert.equal(outputClasses('positions', 'AB'), 2);
});

test('trained model metadata: named by architecture and step, parses back, its description round-trips', () => {
  const at = new Date('2026-01-02T03:04:05.000Z');
  const m = trainedModelMetadata(described, 500, { steps: 500 }, at);
  assert.equal(m.format, 'captcha-ocr-model');
  assert.equal(m.formatVersion, 1);
  assert.equal(m.name, 'default-step500');
  assert.equal(m.createdAt, '2026-01-02T03:04:05.000Z');
  assert.deepEqual(m.training, { steps: 500 });
  // The key order of the written JSON (metadata.json files stay byte-comparable across versions).
  assert.deepEqual(Object.keys(m), ['format', 'formatVersion', 'name', 'architecture', 'charset', 'minLength', 'maxLength', 'input', 'output', 'training', 'createdAt']);
  assert.deepEqual(describedModel(parseModelMetadata(JSON.parse(JSON.stringify(m)))), described);
});

test('a model description read from JSON is checked like metadata, naming where it came from', () => {
  assert.deepEqual(parseModelDescription(JSON.parse(JSON.stringify(described)), 'spec'), described);
  assert.throws(() => parseModelDescription({ ...described, architecture: undefined }, 'a checkpoint'), /^RangeError: a checkpoint: architecture missing$/);
  assert.throws(() => parseModelDescription({ ...described, charset: '' }, 'spec'), /spec: charset missing/);
  assert.throws(() => parseModelMetadata(described), /^RangeError: model metadata: format is not "captcha-ocr-model"$/);
});
