/**
 * The shipped model: models/tfjs holds the tfjs export that models/*.onnx was converted from.
 * Converting it again must match tfjs within 1e-4 and the shipped ONNX's outputs within 1e-4;
 * a shipped int8 graph (`scripts/ship-model.sh RUN --int8`) is compared with the export
 * converted again with `--int8` (the same calibration images: the same graph).
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
import { memoryArtifacts } from '../core/tfjs-artifacts.ts';
import { readArtifactsFromDir } from '../convert/tfjs/artifacts.ts';
import { maxAbsDiff, randomArray, runOrtNode, runTfjs, seeded, useCpuBackend } from './convert-harness.ts';

const modelsDir = fileURLToPath(new URL('../models/', import.meta.url));
const tfjsDir = `${modelsDir}tfjs`;
const present = existsSync(`${tfjsDir}/model.json`);
const bin = fileURLToPath(new URL('../bin/captcha-ocr.js', import.meta.url));

/** Whether an ONNX file is `convert --int8`'s graph (quantize/dequantize pairs). */
const isInt8 = (bytes: Uint8Array) => decodeModel(bytes).graph.node.some((n) => n.op_type === 'DequantizeLinear');

it('convert models/tfjs reproduces the shipped ONNX model', { skip: !present && 'no models/tfjs yet' }, async () => {
  await useCpuBackend();
  const { onnx } = await convertTfjsModel(tfjsDir);
  const a = await readArtifactsFromDir(tfjsDir);
  const model = await tf.loadLayersModel(tf.io.fromMemory(memoryArtifacts(a)));
  const shape = [3, ...(model.inputs[0].shape.slice(1) as number[])];
  const feeds = [{ data: randomArray(shape.reduce((x, y) => x * y, 1), seeded(1), 0, 1), shape }];
  const [expected] = runTfjs(model, feeds);
  const [got] = await runOrtNode(onnx, feeds);
  assert.ok(maxAbsDiff(expected, got) <= 1e-4, `vs tfjs: ${maxAbsDiff(expected, got)}`);
  const scratch = mkdtempSync(join(tmpdir(), 'convert-shipped-'));
  try {
    const shipped = readdirSync(modelsDir).filter((f) => f.endsWith('.onnx') && !f.includes('fp16'));
    for (const f of shipped) {
      const bytes = new Uint8Array(readFileSync(`${modelsDir}${f}`));
      let again = onnx;
      if (isInt8(bytes)) {
        const out = join(scratch, 'int8.onnx');
        const r = spawnSync(process.execPath, [bin, 'convert', tfjsDir, '--out', out, '--int8', '--skip-verify', '--json'], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        again = new Uint8Array(readFileSync(out));
      }
      const [old] = await runOrtNode(bytes, feeds);
      const [now] = await runOrtNode(again, feeds);
      if (old.shape.join() !== now.shape.join()) continue;
      assert.ok(maxAbsDiff(old, now) <= 1e-4, `${f}: ${maxAbsDiff(old, now)}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  model.dispose();
});
