/**
 * Golden check of graph structure: node op types in order for a small CAPTCHA-like model
 * (conv-bn-relu-pool x2, dropout, flatten, dense, dropout, dense, reshape, softmax), so graph
 * hygiene regressions show up as a diff: batch norm folded, dropout gone, no Transpose (the
 * 1-channel input enters channels-first with a Reshape; Flatten permutes the Dense rows).
 * Regenerate with UPDATE_GOLDEN=1 after an intended change, and review the diff.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { convertLayersModel } from '../convert/convert.ts';
import { layerCases } from './convert-cases.ts';
import { useCpuBackend } from './convert-harness.ts';

const golden = new URL('./golden/convert-captcha-like.graph.txt', import.meta.url);

it('graph structure of a small CAPTCHA model matches the golden file', async () => {
  await useCpuBackend();
  const model = layerCases.find((c) => c.name.startsWith('CAPTCHA-like'))!.build();
  const { report } = await convertLayersModel(model);
  const text = [
    `inputs: ${report.inputs.map((i) => `${i.name} [${i.shape.join(', ')}]`).join('; ')}`,
    `outputs: ${report.outputs.map((o) => `${o.name} [${o.shape.join(', ')}]`).join('; ')}`,
    `folded batch norms: ${report.foldedBatchNorms}`,
    `removed layers: ${report.removedLayers.length}`,
    'nodes:',
    ...report.opTypes.map((o) => `  ${o}`),
    '',
  ].join('\n');
  if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text);
  assert.equal(text, readFileSync(golden, 'utf8'));
});
