import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learningRate } from './schedule.ts';

test('learning rate: warm-up, flat, then cosine over the last decayFraction of the steps down to 5 %', () => {
  const lr = (step: number, decay?: number) => learningRate(step, 1e-3, 1000, 100, decay);
  assert.ok(Math.abs(lr(0) - 1e-5) < 1e-12);
  assert.equal(lr(99), 1e-3);
  assert.equal(lr(699), 1e-3);
  assert.ok(lr(850) < 1e-3 && lr(850) > 5e-5);
  assert.ok(Math.abs(lr(1000) - 5e-5) < 1e-12);
  // decayFraction 0.5: the decay starts at step 500 and is half way at 750.
  assert.equal(lr(499, 0.5), 1e-3);
  assert.ok(lr(501, 0.5) < 1e-3);
  assert.ok(Math.abs(lr(750, 0.5) - (5e-5 + 0.95e-3 * 0.5)) < 1e-12);
});
