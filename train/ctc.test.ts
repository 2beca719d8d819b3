import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../core/rng.ts';
import { ctcForwardBackward } from './ctc.ts';

/** Collapses an alignment (merge repeats, drop blanks). */
function collapse(path: number[], blank: number): number[] {
  const out: number[] = [];
  let prev = -1;
  for (const c of path) {
    if (c !== prev && c !== blank) out.push(c);
    prev = c;
  }
  return out;
}

/** -log P(label) by enumerating every path of length t over k classes. */
function bruteForce(logits: Float32Array, t: number, k: number, label: number[], blank: number): number {
  const probs: number[][] = [];
  for (let i = 0; i < t; i++) {
    const row = Array.from(logits.subarray(i * k, (i + 1) * k));
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    probs.push(e.map((v) => v / s));
  }
  let total = 0;
  const path = new Array<number>(t).fill(0);
  const walk = (i: number, p: number) => {
    if (i === t) {
      const c = collapse(path, blank);
      if (c.length === label.length && c.every((v, j) => v === label[j])) total += p;
      return;
    }
    for (let c = 0; c < k; c++) {
      path[i] = c;
      walk(i + 1, p * probs[i][c]);
    }
  };
  walk(0, 1);
  return -Math.log(total);
}

function randomCase(seed: number) {
  const rng = createRng(seed);
  const t = rng.int(1, 6);
  const k = rng.int(2, 4);
  const blank = k - 1;
  const len = rng.int(0, Math.min(3, t));
  const label = Array.from({ length: len }, () => rng.int(0, k - 2));
  const logits = Float32Array.from({ length: t * k }, () => rng.uniform(-2, 2));
  return { t, k, blank, label, logits };
}

test('CTC loss equals brute-force enumeration of alignments (repeats, blanks, infeasible labels)', () => {
  let feasible = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const { t, k, blank, label, logits } = randomCase(seed);
    const { losses } = ctcForwardBackward(logits, 1, t, k, [label], blank);
    const expected = bruteForce(logits, t, k, label, blank);
    if (!Number.isFinite(expected)) {
      assert.equal(losses[0], Infinity, `seed ${seed}: infeasible label must give Infinity`);
      continue;
    }
    feasible++;
    assert.ok(Math.abs(losses[0] - expected) < 1e-6 * Math.max(1, expected), `seed ${seed}: ${losses[0]} vs ${expected}`);
  }
  assert.ok(feasible > 100);
});

test('CTC gradient matches a numerical derivative (batch of several samples)', () => {
  const rng = createRng(7);
  const n = 3;
  const t = 7;
  const k = 5;
  const blank = 4;
  const labels = [[0, 1, 1], [2], [3, 0, 2, 1]];
  const logits = Float32Array.from({ length: n * t * k }, () => rng.uniform(-3, 3));
  const { grad } = ctcForwardBackward(logits, n, t, k, labels, blank);
  const total = (x: Float32Array) => {
    const { losses } = ctcForwardBackward(x, n, t, k, labels, blank);
    return losses.reduce((a, b) => a + b, 0);
  };
  const x64 = Float64Array.from(logits);
  for (let i = 0; i < logits.length; i++) {
    const h = 1e-2;
    const plus = Float32Array.from(x64);
    const minus = Float32Array.from(x64);
    plus[i] += h;
    minus[i] -= h;
    const numeric = (total(plus) - total(minus)) / (2 * h);
    assert.ok(Math.abs(numeric - grad[i]) < 2e-3, `logit ${i}: analytic ${grad[i]} numeric ${numeric}`);
  }
});

test('CTC loss is small when the logits spell the label', () => {
  const t = 8;
  const k = 4;
  const blank = 3;
  const path = [0, 0, 3, 0, 1, 3, 2, 2];
  const logits = new Float32Array(t * k).fill(-10);
  path.forEach((c, i) => (logits[i * k + c] = 10));
  const { losses } = ctcForwardBackward(logits, 1, t, k, [[0, 0, 1, 2]], blank);
  assert.ok(losses[0] < 1e-3, String(losses[0]));
});
