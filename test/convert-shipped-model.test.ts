/**
 * The shipped model: models/tfjs holds the tfjs export that models/*.onnx was converted from.
 * Converting it again must match tfjs within 1e-4 and the shipped ONNX's outputs within 1e-4;
 * a shipped int8 graph (`scripts/ship-model.sh RUN --int8`) is compared with the export
 * converted again with `--int8` (the same calibration images: the same graph). The second look
 * (models/captcha-ocr.second.onnx) is checked the same way against models/tfjs-second.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { convertTfjsModel } from '../convert/convert.ts';
import { decodeModel } from '../convert/onnx/onnx-schema.ts';
import { parseModelMetadata } from '../core/model-contract.ts';
import { memoryArtifacts } from '../core/tfjs-artifacts.ts';
import { readArtifactsFromDir } from '../convert/tfjs/artifacts.ts';
import { maxAbsDiff, randomArray, runOrtNode, runTfjs, seeded, useCpuBackend } from './convert-harness.ts';

const modelsDir = fileURLToPath(new URL('../models/', import.meta.url));
const tfjsDir = `${modelsDir}tfjs`;
const present = existsSync(`${tfjsDir}/model.json`);
const bin = fileURLToPath(new URL('../bin/captcha-ocr.js', import.meta.url));

/** Whether an ONNX file is `convert --int8`'s graph (quantize/dequantize pairs). */
const isInt8 = (bytes: Uint8Array) => decodeModel(bytes).graph.node.some((n) => n.op_type === 'DequantizeLinear');

/** The shipped ONNX files converted from one tfjs export: the second look models/captcha-ocr.json names from models/tfjs-second, the others from models/tfjs. */
const exportsOf = (): { dir: string; files: string[] }[] => {
  const onnx = readdirSync(modelsDir).filter((f) => f.endsWith('.onnx') && !f.includes('fp16'));
  const second = parseModelMetadata(JSON.parse(readFileSync(`${modelsDir}captcha-ocr.json`, 'utf8'))).secondLook?.model;
  const pairs = [{ dir: tfjsDir, files: onnx.filter((f) => f !== second) }];
  if (second) pairs.push({ dir: `${modelsDir}tfjs-second`, files: [second] });
  return pairs;
};

it('convert models/tfjs (and models/tfjs-second) reproduces the shipped ONNX models', { skip: !present && 'no models/tfjs yet' }, async () => {
  await useCpuBackend();
  const scratch = mkdtempSync(join(tmpdir(), 'convert-shipped-'));
  try {
    for (const { dir, files } of exportsOf()) {
      assert.ok(existsSync(`${dir}/model.json`), `${files.join(', ')}: its tfjs export ${dir} is missing`);
      const { onnx } = await convertTfjsModel(dir);
      const a = await readArtifactsFromDir(dir);
      const model = await tf.loadLayersModel(tf.io.fromMemory(memoryArtifacts(a)));
      const shape = [3, ...(model.inputs[0].shape.slice(1) as number[])];
      const feeds = [{ data: randomArray(shape.reduce((x, y) => x * y, 1), seeded(1), 0, 1), shape }];
      const [expected] = runTfjs(model, feeds);
      const [got] = await runOrtNode(onnx, feeds);
      assert.ok(maxAbsDiff(expected, got) <= 1e-4, `${dir} vs tfjs: ${maxAbsDiff(expected, got)}`);
      model.dispose();
      for (const f of files) {
        const bytes = new Uint8Array(readFileSync(`${modelsDir}${f}`));
        let again = onnx;
        if (isInt8(bytes)) {
          const out = join(scratch, 'int8.onnx');
          const r = spawnSync(process.execPath, [bin, 'convert', dir, '--out', out, '--int8', '--skip-verify', '--json'], { encoding: 'utf8' });
          assert.equal(r.status, 0, r.stderr);
          again = new Uint8Array(readFileSync(out));
        }
        const [old] = await runOrtNode(bytes, feeds);
        const [now] = await runOrtNode(again, feeds);
        assert.deepEqual(old.shape, now.shape, f);
        assert.ok(maxAbsDiff(old, now) <= 1e-4, `${f}: ${maxAbsDiff(old, now)}`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
