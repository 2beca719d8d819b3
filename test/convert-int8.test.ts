// `captcha-ocr convert --int8`: the shipped model quantized (calibrated on generated images of
// its training mix, or on a folder of images), fused by onnxruntime into QLinearConv, reading
// what the float model reads; and the usage errors.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { decodeModel } from '../convert/onnx/onnx-schema.ts';
import { parseTopology } from '../convert/tfjs/topology.ts';
import { pythonOnnxAvailable } from './convert-harness.ts';
import { ensureTinyModel } from './fixtures/tiny-model.ts';

const bin = fileURLToPath(new URL('../bin/captcha-ocr.js', import.meta.url));
const shipped = fileURLToPath(new URL('../models/tfjs', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('captcha-ocr convert --int8', () => {
  const dir = mkdtempSync(join(tmpdir(), 'convert-int8-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('quantizes every convolution of the shipped model but the first (one input channel); onnxruntime fuses them; it reads what float32 reads', async () => {
    // the shipped network's convolutions (8 in run 3's, 9 in the campaign's)
    const { layers } = parseTopology((JSON.parse(readFileSync(join(shipped, 'model.json'), 'utf8')) as { modelTopology: unknown }).modelTopology);
    const convolutions = layers.filter((l) => l.className === 'Conv2D').length;
    assert.ok(convolutions >= 8, `${convolutions} convolutions`);
    const out = join(dir, 'int8.onnx');
    const r = run('convert', shipped, '--out', out, '--int8', '--calibration-images', '64', '--json');
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.int8.convolutions, convolutions);
    assert.equal(report.int8.quantized, convolutions - 1);
    assert.match(report.int8.calibration, /^64 generated images of the training mix/);
    assert.equal(report.int8.checkImages, 64);
    // measured: 63 of 64 (one 0 read as an O)
    assert.ok(report.int8.sameText >= 62, `same text on ${report.int8.sameText} of 64`);
    if (pythonOnnxAvailable()) assert.equal(report.verification.checker, 'passed');
    // int8 weights: about a quarter of the float file (run 3's is 0.95 MB, the campaign's 2.8 MB)
    const float = join(dir, 'float.onnx');
    assert.equal(run('convert', shipped, '--out', float, '--skip-verify').status, 0);
    const floatBytes = statSync(float).size;
    assert.ok(statSync(out).size < 0.35 * floatBytes, `${statSync(out).size} bytes against ${floatBytes}`);
    const optimized = join(dir, 'optimized.onnx');
    const session = await ort.InferenceSession.create(out, { graphOptimizationLevel: 'all', optimizedModelFilePath: optimized } as ort.InferenceSession.SessionOptions);
    await session.release();
    const ops = decodeModel(readFileSync(optimized)).graph.node.map((n) => n.op_type);
    assert.equal(ops.filter((o) => o === 'QLinearConv').length, convolutions - 1, ops.join(' '));
    // the first convolution stays float32 (onnxruntime's NCHWc Conv, which fuses its Relu)
    assert.equal(ops.filter((o) => o === 'Conv' || o === 'FusedConv').length, 1, ops.join(' '));
  });

  it('calibrates on a folder of images (unreadable files skipped), half of them for the check', () => {
    const images = join(dir, 'images');
    assert.equal(run('generate', '--out', images, '--count', '6', '--seed', '3').status, 0);
    writeFileSync(join(images, 'broken.png'), 'not a png');
    const r = run('convert', shipped, '--out', join(dir, 'folder.onnx'), '--int8', '--calibration', images, '--calibration-images', '4', '--skip-verify', '--json');
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.int8.calibration, `6 images of ${images} (1 unreadable skipped)`);
    assert.equal(report.int8.checkImages, 3);
  });

  it('exits 2 with the reason: --fp16 with it, calibration flags without it, no images, no training mix', async () => {
    const out = join(dir, 'x.onnx');
    const cases: [string[], RegExp][] = [
      [['--int8', '--fp16'], /--fp16 and --int8 do not combine/],
      [['--calibration-images', '5'], /--calibration and --calibration-images go with --int8/],
      [['--int8', '--calibration', join(dir, 'nowhere')], /--calibration .*nowhere: no such folder/],
      [['--int8', '--calibration-images', '0'], /--calibration-images/],
    ];
    for (const [flags, message] of cases) {
      const r = run('convert', shipped, '--out', out, ...flags);
      assert.equal(r.status, 2, `${flags.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const tiny = await ensureTinyModel();
    const r = run('convert', tiny.tfjsDir, '--out', out, '--int8');
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /not trained on generated images .*give --calibration DIR/);
  });
});
