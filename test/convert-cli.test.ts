import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { layerCases } from './convert-cases.ts';
import { pythonOnnxAvailable, randomizeWeights, testMetadata, useCpuBackend, writeTfjsModelDir } from './convert-harness.ts';

const bin = fileURLToPath(new URL('../bin/captcha-ocr.js', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, 'convert', ...args], { encoding: 'utf8' });

describe('captcha-ocr convert', () => {
  const dir = mkdtempSync(join(tmpdir(), 'convert-cli-'));
  const modelDir = join(dir, 'model');
  before(async () => {
    await useCpuBackend();
    const m = layerCases.find((c) => c.name.startsWith('CAPTCHA-like'))!.build();
    randomizeWeights(m, 5);
    await writeTfjsModelDir(m, modelDir, testMetadata);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('converts, writes FILE.onnx and FILE.json (into a folder it makes), verifies against tfjs (--json)', () => {
    const out = join(dir, 'models-dir', 'model.onnx');
    const r = cli(modelDir, '--out', out, '--json');
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.ok(existsSync(out));
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'models-dir', 'model.json'), 'utf8')), testMetadata);
    assert.equal(report.report.outputs[0].name, 'probabilities');
    assert.ok(report.verification.maxAbsDiff <= 1e-5, String(report.verification.maxAbsDiff));
    assert.equal(report.verification.argmaxAgreement, 1);
    if (pythonOnnxAvailable()) assert.equal(report.verification.checker, 'passed');
  });

  it('exits 2 naming a wrong flag or value', () => {
    const r = cli(modelDir, '--out', join(dir, 'x.onnx'), '--fp32');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--fp32/);
    const o = cli(modelDir, '--out', join(dir, 'x.onnx'), '--opset', '18');
    assert.equal(o.status, 2);
    assert.match(o.stderr, /--opset must be between 13 and 17/);
  });

  it('exits 1 with a clear message when the model directory is missing', () => {
    const r = cli(join(dir, 'nope'), '--out', join(dir, 'x.onnx'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /model directory not found: .*nope/);
  });

  it('--engine tf2onnx without Python tf2onnx says how to install it', { skip: spawnSync('python3', ['-c', 'import tf2onnx, tensorflowjs']).status === 0 && 'tf2onnx is installed' }, () => {
    const r = cli(modelDir, '--out', join(dir, 'y.onnx'), '--engine', 'tf2onnx');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /pip install tf2onnx tensorflowjs/);
  });
});
