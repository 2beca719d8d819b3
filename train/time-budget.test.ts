import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learningRate } from './schedule.ts';
import { TimeBudget } from './time-budget.ts';

test('TimeBudget: the plan is the cap until the rate is measured, then steps done + rate x time left', () => {
  // 60 s budget, 10 steps a second from t = 0; the first 10 steps are not measured.
  const budget = new TimeBudget({ seconds: 60, maxSteps: 1_000_000, skipSteps: 10, minSteps: 10, minSeconds: 5 }, 0);
  let step = 0;
  for (; step < 49; ) budget.observe(++step, step * 100);
  // 49 steps at 4.9 s: 39 measured over 3.9 s, under minSeconds.
  assert.equal(budget.estimated, false);
  assert.equal(budget.plannedSteps(), 1_000_000);
  for (; step < 100; ) budget.observe(++step, step * 100);
  assert.equal(budget.estimated, true);
  // At 10 s, 100 steps, 10 steps/s, 50 s left: 100 + 500.
  assert.equal(budget.plannedSteps(), 600);
  assert.equal(budget.secondsLeft(10_000), 50);
  // A final evaluation and checkpoint of 5 s are kept free: 100 + 10 x 45 steps, and training stops at 55 s.
  budget.reserve(5);
  budget.observe(++step, step * 100);
  assert.equal(budget.plannedSteps(), 101 + 449);
  assert.equal(budget.expired(54_999), false);
  assert.equal(budget.expired(55_000), true);
  // The cap wins when it is lower; a resumed run has spent part of its budget.
  const capped = new TimeBudget({ seconds: 60, maxSteps: 300, skipSteps: 1, minSteps: 1, minSeconds: 0 }, 0);
  capped.observe(1, 0);
  capped.observe(2, 100);
  assert.equal(capped.plannedSteps(), 300);
  const resumed = new TimeBudget({ seconds: 60, spentSeconds: 45, maxSteps: 1e9 }, 0);
  assert.equal(resumed.secondsLeft(0), 15);
  assert.throws(() => new TimeBudget({ seconds: 0, maxSteps: 1 }, 0), /positive/);
});

test('TimeBudget: with the planned total the cosine decay ends at the deadline', () => {
  // A steady 20 steps/s over a 30 s budget: the plan settles at 600 and the last step's rate is the floor.
  const budget = new TimeBudget({ seconds: 30, maxSteps: 1e9 }, 0);
  let last = 0;
  let step = 0;
  while (!budget.expired(step * 50)) {
    last = learningRate(step, 3e-3, budget.plannedSteps(), 100);
    budget.observe(++step, step * 50);
  }
  assert.equal(step, 600);
  assert.equal(budget.plannedSteps(), 600);
  assert.ok(Math.abs(last - learningRate(599, 3e-3, 600, 100)) < 1e-12);
  assert.ok(last < 3e-3 * 0.06, `last learning rate ${last}`);
});
