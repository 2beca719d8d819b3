/**
 * The shipped model: models/tfjs holds the tfjs export that models/*.onnx was converted from.
 * Converting it again must match tfjs within 1e-4 and the shipped ONNX's outputs within 1e-5.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { convertTfjsModel } from '../convert/convert.ts';
import { memoryArtifacts } from '../core/tfjs-artifacts.ts';
import { readArtifactsFromDir } from '../convert/tfjs/artifacts.ts';
import { maxAbsDiff, randomArray, runOrtNode, runTfjs, seeded, useCpuBackend } from './convert-harness.ts';

const modelsDir = fileURLToPath(new URL('../models/', import.meta.url));
const tfjsDir = `${modelsDir}tfjs`;
const present = existsSync(`${tfjsDir}/model.json`);

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
  const shipped = readdirSync(modelsDir).filter((f) => f.endsWith('.onnx') && !f.includes('fp16'));
  for (const f of shipped) {
    const [old] = await runOrtNode(new Uint8Array(readFileSync(`${modelsDir}${f}`)), feeds);
    if (old.shape.join() !== got.shape.join()) continue;
    assert.ok(maxAbsDiff(old, got) <= 1e-4, `${f}: ${maxAbsDiff(old, got)}`);
  }
  model.dispose();
});
