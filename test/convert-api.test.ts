import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { UnsupportedLayerError } from '../core/errors.ts';
import { convertArtifacts, convertLayersModel, convertTfjsModel } from '../convert/convert.ts';
import { decodeModel } from '../convert/onnx/onnx-schema.ts';
import { captureArtifacts, type TfjsArtifacts } from '../core/tfjs-artifacts.ts';
import { layerCases } from './convert-cases.ts';
import {
  checkWithPython, maxAbsDiff, pythonOnnxAvailable, randomFeeds, randomizeWeights, runOrtNode, runOrtWeb, runTfjs, saveForChecker, testMetadata, useCpuBackend, writeTfjsModelDir,
} from './convert-harness.ts';


const captchaLike = () => layerCases.find((c) => c.name.startsWith('CAPTCHA-like'))!.build();

describe('converter API', () => {
  const files: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'convert-api-'));
  before(async () => {
    await useCpuBackend();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses an unsupported layer with its name and class', async () => {
    const m = tf.sequential({ layers: [tf.layers.conv1d({ inputShape: [8, 2], filters: 2, kernelSize: 3, name: 'my_conv1d' })] });
    await assert.rejects(convertLayersModel(m), (e: unknown) => e instanceof UnsupportedLayerError && /"my_conv1d"/.test(e.message) && /Conv1D/.test(e.message));
  });

  it('refuses an unsupported option instead of converting something else', async () => {
    const m = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [2, 6, 6], filters: 2, kernelSize: 3, dataFormat: 'channelsFirst', name: 'cf_conv' })] });
    await assert.rejects(convertLayersModel(m), (e: unknown) => e instanceof UnsupportedLayerError && /"cf_conv" \(Conv2D\)/.test(e.message) && /channels_first/.test(e.message));
  });

  it('converts Subtract (a Keras layer tfjs cannot build) and a Python-Keras style topology', async () => {
    const a = tf.input({ shape: [3], name: 'a' });
    const b = tf.input({ shape: [3], name: 'b' });
    const m = tf.model({ inputs: [a, b], outputs: tf.layers.add({ name: 'diff' }).apply([a, b]) as tf.SymbolicTensor });
    const art = await captureArtifacts(m);
    // Keras (Python) writes the topology under model_config, class "Functional", with call kwargs {}.
    const topo = JSON.parse(JSON.stringify(art.modelTopology).replace('"class_name":"Add"', '"class_name":"Subtract"').replace('"class_name":"Model"', '"class_name":"Functional"'));
    const edited: TfjsArtifacts = { ...art, modelTopology: { model_config: topo } };
    const { onnx } = convertArtifacts(edited);
    files.push(saveForChecker('subtract', onnx));
    const x = { data: Float32Array.of(1, 2, 3, 4, 5, 6), shape: [2, 3] };
    const y = { data: Float32Array.of(0.5, -1, 2, 8, 0, 1), shape: [2, 3] };
    const [out] = await runOrtNode(onnx, [x, y]);
    assert.deepEqual([...out.data], [0.5, 3, 1, -4, 5, 5]);
  });

  it('keeps the batch dimension dynamic (batch 1 and 5)', async () => {
    const m = captchaLike();
    randomizeWeights(m, 7);
    const { onnx, report } = await convertLayersModel(m);
    assert.deepEqual(report.inputs, [{ name: 'image', shape: ['N', 24, 32, 1] }]);
    assert.deepEqual(report.outputs, [{ name: 'probabilities', shape: ['N', 4, 11] }]);
    for (const batch of [1, 5]) {
      const feeds = randomFeeds(m, batch, batch);
      const [got] = await runOrtNode(onnx, feeds);
      assert.ok(maxAbsDiff(runTfjs(m, feeds)[0], got) <= 1e-5);
    }
  });

  it('reports parameters, FLOPs and size; folds batch norms and drops dropout', async () => {
    const m = captchaLike();
    const { onnx, report } = await convertLayersModel(m);
    assert.equal(report.parameters, m.countParams());
    // conv1: 24*32*8*1*9, conv2: 12*16*8*8*9, dense1: 384*16, dense2: 16*44 multiply-adds.
    assert.equal(report.flopsPerImage, 2 * (24 * 32 * 8 * 9 + 12 * 16 * 8 * 8 * 9 + 384 * 16 + 16 * 44));
    assert.equal(report.bytes, onnx.byteLength);
    assert.equal(report.foldedBatchNorms, 2);
    assert.equal(report.removedLayers.length, 2);
  });

  it('reads a model directory with metadata.json into metadata_props; opset 17 works too', async () => {
    const m = captchaLike();
    randomizeWeights(m, 8);
    const modelDir = join(dir, 'model');
    await writeTfjsModelDir(m, modelDir, testMetadata);
    const { onnx, metadata, report } = await convertTfjsModel(modelDir, { opset: 17 });
    files.push(saveForChecker('opset17-metadata', onnx));
    assert.deepEqual(metadata, testMetadata);
    assert.equal(report.opset, 17);
    const decoded = decodeModel(onnx);
    assert.equal(decoded.ir_version, 8);
    assert.deepEqual(decoded.opset_import.map((o) => o.version), [17]);
    const props = Object.fromEntries(decoded.metadata_props.map((p) => [p.key, p.value]));
    assert.deepEqual(JSON.parse(props.captcha_ocr_metadata), testMetadata);
    assert.equal(props.charset, '0123456789');
    assert.equal(props.input_height, '24');
    const feeds = randomFeeds(m, 2, 9);
    assert.ok(maxAbsDiff(runTfjs(m, feeds)[0], (await runOrtWeb(onnx, feeds))[0]) <= 1e-5);
  });

  it('--fp16 halves the weights, keeps float32 inputs/outputs and runs in onnxruntime-node and -web', async () => {
    const m = captchaLike();
    randomizeWeights(m, 10);
    const full = await convertLayersModel(m);
    const half = await convertLayersModel(m, { fp16: true });
    files.push(saveForChecker('fp16', half.onnx));
    assert.ok(half.report.bytes < full.report.bytes * 0.6, `${half.report.bytes} vs ${full.report.bytes}`);
    const feeds = randomFeeds(m, 8, 11);
    const [expected] = runTfjs(m, feeds);
    for (const run of [runOrtNode, runOrtWeb]) {
      const [got] = await run(half.onnx, feeds);
      assert.ok(got.data instanceof Float32Array);
      assert.ok(maxAbsDiff(expected, got) <= 5e-3, `fp16 diff ${maxAbsDiff(expected, got)}`);
    }
  });

  it('the files above pass onnx.checker (full_check)', { skip: !pythonOnnxAvailable() && 'python3-onnx not installed' }, () => {
    assert.deepEqual(checkWithPython(files), []);
  });
});
