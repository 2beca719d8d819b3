import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alphabetOf, charactersOutside, DEFAULT_CHARSET, encodeText, isCharsetCharacter, validateCharset } from './charset.ts';

test('alphabetOf: every character once, case-sensitive, in code point order', () => {
  assert.equal(alphabetOf(['baB2', 'Ab1', 'zZ']), '12ABZabz');
  assert.equal(alphabetOf(['ZYX', 'XYZ']), alphabetOf(['XYZ', 'ZYX']));
  assert.equal(alphabetOf(['ÄÖü', 'Яд', '字7']), '7ÄÖüЯд字');
  assert.equal(alphabetOf([...DEFAULT_CHARSET].reverse()), DEFAULT_CHARSET);
  assert.equal(alphabetOf(['𝟘x']), 'x𝟘');
  assert.equal(alphabetOf([]), '');
});

test('charactersOutside: what a fixed charset lacks, once each, sorted', () => {
  assert.equal(charactersOutside(['AB12', 'ab', 'Ab'], DEFAULT_CHARSET), 'ab');
  assert.equal(charactersOutside(['AB12'], DEFAULT_CHARSET), '');
});

test('isCharsetCharacter / validateCharset: letters, digits, marks, symbols of any script; no whitespace or controls', () => {
  for (const c of ['a', 'Z', '7', 'é', 'Я', '字', '+', '€', '𝟘']) assert.ok(isCharsetCharacter(c), c);
  for (const c of [' ', '\t', '\u00a0', '\u0007', '\u200b', 'ab', '']) assert.ok(!isCharsetCharacter(c), JSON.stringify(c));
  assert.equal(validateCharset('0aA字'), '0aA字');
  assert.throws(() => validateCharset('ab a'), /whitespace/);
  assert.throws(() => validateCharset('ab\u0007'), /control/);
  assert.throws(() => validateCharset('aba'), /repeats "a"/);
});

test('encodeText counts code points, as decoding does', () => {
  assert.deepEqual(encodeText('b𝟘c', 'a𝟘bc'), [2, 1, 3]);
  assert.throws(() => encodeText('q', 'ab'), /"q" is not in the charset/);
});
