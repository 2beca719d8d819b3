import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { align, editDistance } from './edit-distance.ts';
import { scoreSamples } from './scoring.ts';

test('edit distance', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('AKNC', 'AKNC'), 0);
  assert.deepEqual(align([...'AB'], [...'AXB']).ops.map((o) => o.op), ['match', 'insert', 'match']);
});

test('metrics of a small batch, by hand', () => {
  const m = scoreSamples([
    { truth: 'AB12', predicted: 'AB12', confidence: 0.9 },
    { truth: 'AB12', predicted: 'A812', confidence: 0.5 },
    { truth: 'CD34', predicted: 'CD3', confidence: 0.1 },
    { truth: 'O0O0', predicted: '0000', confidence: 0.3 },
  ]);
  assert.equal(m.scored, 4);
  assert.equal(m.sequenceAccuracy, 0.25);
  // positions: 4 + 3 + 3 + 2 right of 16 compared
  assert.equal(m.characterAccuracy, 12 / 16);
  // edits: 0 + 1 + 1 + 2 over 16 true characters
  assert.equal(m.characterErrorRate, 4 / 16);
  assert.equal(m.meanConfidence, (0.9 + 0.5 + 0.1 + 0.3) / 4);
  assert.deepEqual(m.positionAccuracy.map((p) => p.correct), [3, 3, 3, 3]);
  assert.deepEqual(m.confusions[0], { truth: 'O', predicted: '0', count: 2 });
  assert.deepEqual(m.confusions[1], { truth: 'B', predicted: '8', count: 1 });
  assert.equal(m.deletions, 1);
  const b = m.characters.find((c) => c.char === 'B')!;
  assert.deepEqual([b.support, b.predicted, b.correct, b.recall, b.precision], [2, 1, 1, 0.5, 1]);
  const zero = m.characters.find((c) => c.char === '0')!;
  assert.deepEqual([zero.support, zero.predicted, zero.correct], [2, 4, 2]);
  assert.equal(zero.precision, 0.5);
});

test('property: CER is 0 exactly when every text is right; accuracies stay in [0, 1]', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.stringMatching(/^[A-D0-3]{0,6}$/), fc.stringMatching(/^[A-D0-3]{0,6}$/)), { minLength: 1, maxLength: 20 }), (pairs) => {
      const m = scoreSamples(pairs.map(([truth, predicted]) => ({ truth, predicted, confidence: 1 })));
      const allRight = pairs.every(([t, p]) => t === p);
      const truthChars = pairs.reduce((n, [t]) => n + t.length, 0);
      return (
        m.sequenceAccuracy >= 0 && m.sequenceAccuracy <= 1 && m.characterAccuracy >= 0 && m.characterAccuracy <= 1 &&
        (truthChars === 0 || (m.characterErrorRate === 0) === allRight || !allRight) &&
        (allRight ? m.sequenceAccuracy === 1 && m.characterErrorRate === 0 : m.sequenceAccuracy < 1) &&
        m.insertions + m.deletions + m.substitutions === pairs.reduce((n, [t, p]) => n + editDistance(t, p), 0)
      );
    }),
  );
});
