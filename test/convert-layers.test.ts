import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { convertLayersModel } from '../convert/convert.ts';
import { layerCases, recurrentCases } from './convert-cases.ts';
import {
  checkWithPython, maxAbsDiff, pythonOnnxAvailable, randomFeeds, randomizeWeights, runOrtNode, runOrtWeb, runTfjs, saveForChecker, useCpuBackend,
} from './convert-harness.ts';

describe('tfjs -> ONNX, one case per layer kind (onnxruntime-node and -web vs tfjs)', () => {
  const files: string[] = [];
  before(async () => {
    await useCpuBackend();
  });

  [...layerCases, ...recurrentCases].forEach((c, i) => {
    it(c.name, async () => {
      const model = c.build();
      randomizeWeights(model, 1000 + i);
      c.adjust?.(model);
      const feeds = randomFeeds(model, 2, 2000 + i);
      const expected = runTfjs(model, feeds);
      const { onnx, report } = await convertLayersModel(model);
      files.push(saveForChecker(c.name, onnx));
      const tol = c.tol ?? 1e-5;
      for (const [runtime, run] of [['onnxruntime-node', runOrtNode], ['onnxruntime-web', runOrtWeb]] as const) {
        const got = await run(onnx, feeds);
        assert.equal(got.length, expected.length, `${runtime}: output count`);
        got.forEach((g, k) => {
          const d = maxAbsDiff(expected[k], g);
          assert.ok(d <= tol, `${runtime} output ${k}: max abs diff ${d} > ${tol}`);
        });
      }
      for (const op of c.forbid ?? []) assert.ok(!report.opTypes.includes(op), `${op} in [${report.opTypes}]`);
      if (c.maxTransposes !== undefined) assert.ok(report.opTypes.filter((o) => o === 'Transpose').length <= c.maxTransposes, `too many Transposes: [${report.opTypes}]`);
      for (const op of c.require ?? []) assert.ok(report.opTypes.includes(op), `${op} missing from [${report.opTypes}]`);
      model.dispose();
    });
  });

  it('every converted file passes onnx.checker.check_model(full_check=True)', { skip: !pythonOnnxAvailable() && 'python3-onnx not installed' }, () => {
    assert.ok(files.length > 0);
    assert.deepEqual(checkWithPython(files), []);
  });
});
