import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressMeter } from './progress-meter.ts';

test('progress meter: the mean of the first 20 steps, then an EMA of weight 0.05; ETA from the step rate', () => {
  const meter = new ProgressMeter({ startStep: 100, maxSteps: 200, batchSize: 4, everyMs: 10_000 });
  for (let i = 1; i <= 20; i++) meter.add(100 + i, 10, 4, i, i % 2 === 0 ? 4 : 0);
  let e = meter.event(120, 480, 1e-3, performance.now());
  assert.ok(Math.abs(e.loss - 10.5) < 1e-12, `mean loss ${e.loss}`);
  assert.ok(Math.abs(e.accuracy - 0.5) < 1e-12);
  meter.add(121, 10, 4, 30.5, 4);
  e = meter.event(121, 484, 1e-3, performance.now());
  assert.ok(Math.abs(e.loss - (10.5 + 0.05 * 20)) < 1e-12, `EMA loss ${e.loss}`);
  // 21 steps of 4 images in 210 ms: 400 images/s; 79 steps of 4 left: about 1 s.
  assert.equal(e.imagesPerSecond, 400);
  assert.equal(e.etaSeconds, 1);
  assert.deepEqual(Object.keys(e), ['event', 'step', 'maxSteps', 'imagesSeen', 'loss', 'accuracy', 'learningRate', 'imagesPerSecond', 'etaSeconds']);
  assert.equal(meter.imagesPerSecond(), 400);
});

test('progress meter: due after the first and the last step, when stopping, and every everyMs', () => {
  const meter = new ProgressMeter({ startStep: 0, maxSteps: 10, batchSize: 1, everyMs: 1000 });
  const t = performance.now();
  assert.equal(meter.imagesPerSecond(), 0);
  assert.ok(meter.due(1, t, false));
  assert.ok(!meter.due(2, t, false));
  assert.ok(meter.due(2, t, true));
  assert.ok(meter.due(10, t, false));
  assert.ok(meter.due(5, t + 1000, false));
});
