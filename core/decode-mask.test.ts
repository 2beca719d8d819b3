// The decode-time charset restriction of core/decode-output.ts, by hand on small outputs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { charsetMask, decodeOutput } from './decode-output.ts';
import { InvalidCharsetError } from './errors.ts';
import { toErrorResponse } from './error-response.ts';

// charset "0OA", CTC blank at 3: rows read O, O, blank, A (greedy: "OA")
const CTC = { kind: 'ctc', blankIndex: 3, timeSteps: 4 } as const;
const ctcRows = [
  [0.3, 0.6, 0.05, 0.05],
  [0.2, 0.7, 0.05, 0.05],
  [0.1, 0.1, 0.0, 0.8],
  [0.05, 0.2, 0.6, 0.15],
].flat();

test('charsetMask: one flag per model class; empty and unknown characters are a 400 invalid_charset', () => {
  assert.deepEqual(charsetMask('0OA', '0'), [true, false, false]);
  assert.deepEqual(charsetMask('0OA', 'A0A'), [true, false, true]);
  assert.throws(() => charsetMask('0OA', ''), (e: unknown) => e instanceof InvalidCharsetError && /charset is empty/.test(e.message));
  assert.throws(
    () => charsetMask('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', '0a1b'),
    (e: unknown) => e instanceof InvalidCharsetError && e.message === 'charset "0a1b": "a", "b" are not in the model\'s charset 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  );
  const { status, body } = toErrorResponse(new InvalidCharsetError('x'));
  assert.equal(status, 400);
  assert.equal(body.error.code, 'invalid_charset');
});

test('CTC greedy decoding with a mask: other classes removed, confidences renormalised over the allowed ones', () => {
  const free = decodeOutput(ctcRows, 4, 4, '0OA', CTC);
  assert.equal(free.text, 'OA');
  assert.deepEqual(free.characters.map((c) => c.confidence), [0.7, 0.6]);
  // digits only: the O rows read 0 (0.3 / (0.3 + 0.05) and 0.2 / (0.2 + 0.05)), the A row reads blank
  const zero = decodeOutput(ctcRows, 4, 4, '0OA', CTC, charsetMask('0OA', '0'));
  assert.equal(zero.text, '0');
  assert.equal(zero.characters.length, 1);
  assert.ok(Math.abs(zero.characters[0].confidence - 0.3 / 0.35) < 1e-12);
  // the mask never removes the blank: "0A" reads the A row as A with 0.6 / 0.8
  const zeroA = decodeOutput(ctcRows, 4, 4, '0OA', CTC, charsetMask('0OA', '0A'));
  assert.equal(zeroA.text, '0A');
  assert.ok(Math.abs(zeroA.characters[1].confidence - 0.6 / 0.8) < 1e-12);
  // a mask allowing everything reads as no mask (the rows sum to 1)
  const all = decodeOutput(ctcRows, 4, 4, '0OA', CTC, charsetMask('0OA', '0OA'));
  assert.equal(all.text, free.text);
  all.characters.forEach((c, i) => assert.ok(Math.abs(c.confidence - free.characters[i].confidence) < 1e-12));
});

test('per-position decoding with a mask keeps the end class', () => {
  const out = { kind: 'positions', positions: 3, endIndex: 3 } as const;
  const rows = [
    [0.1, 0.8, 0.1, 0.0],
    [0.5, 0.1, 0.3, 0.1],
    [0.0, 0.1, 0.0, 0.9],
  ].flat();
  assert.equal(decodeOutput(rows, 3, 4, '0OA', out).text, 'O0');
  const masked = decodeOutput(rows, 3, 4, '0OA', out, charsetMask('0OA', 'A'));
  assert.equal(masked.text, 'AA');
  assert.ok(Math.abs(masked.characters[0].confidence - 1) < 1e-12);
  assert.ok(Math.abs(masked.characters[1].confidence - 0.3 / 0.4) < 1e-12);
});

test('property: a masked reading only holds allowed characters, and its confidences stay in [0, 1]', () => {
  const charset = '0123456789ABC';
  const k = charset.length + 1;
  fc.assert(
    fc.property(fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: k * 6, maxLength: k * 6 }), fc.subarray([...charset], { minLength: 1 }), (probs, allowed) => {
      const r = decodeOutput(probs, 6, k, charset, { kind: 'ctc', blankIndex: charset.length, timeSteps: 6 }, charsetMask(charset, allowed.join('')));
      for (const c of r.characters) {
        assert.ok(allowed.includes(c.char), `${c.char} not in ${allowed.join('')}`);
        assert.ok(c.confidence >= 0 && c.confidence <= 1 + 1e-9);
      }
    }),
    { numRuns: 200 },
  );
});
