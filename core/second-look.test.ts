import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DecodedText } from './decode-output.ts';
import { parseModelMetadata } from './model-contract.ts';
import { meanConfidence, secondLookMismatch, surerReading, wantsSecondLook } from './second-look.ts';

const reading = (...chars: [string, number][]): DecodedText => ({
  text: chars.map(([c]) => c).join(''),
  confidence: chars.reduce((acc, [, p]) => acc * p, 1),
  characters: chars.map(([char, confidence]) => ({ char, confidence })),
});

test('wantsSecondLook: a character of chars, or one read below the threshold', () => {
  const rule = { chars: '0O', below: 0.9 };
  assert.equal(wantsSecondLook(reading(['A', 0.99], ['B', 0.95]), rule), false);
  assert.equal(wantsSecondLook(reading(['A', 0.99], ['0', 0.999]), rule), true);
  assert.equal(wantsSecondLook(reading(['O', 0.999]), rule), true);
  assert.equal(wantsSecondLook(reading(['A', 0.99], ['B', 0.89]), rule), true);
  assert.equal(wantsSecondLook(reading(['A', 0.5]), { chars: '0O', below: 0 }), false, 'below 0: never for the confidence');
  assert.equal(wantsSecondLook(reading(['0', 0.5]), { chars: '', below: 0 }), false, 'an empty rule never asks');
  assert.equal(wantsSecondLook(reading(), rule), false, 'an empty reading');
});

test('surerReading: the larger mean confidence per character, whatever the lengths; the first on a tie', () => {
  const first = reading(['A', 0.9], ['0', 0.6]);
  const second = reading(['A', 0.95], ['O', 0.8]);
  assert.equal(surerReading(first, second), second);
  assert.equal(surerReading(second, first), second);
  const same = reading(['A', 0.9], ['O', 0.6]);
  assert.equal(surerReading(first, same), first);
  // a shorter reading does not win for its length: as products 0.3 beats 0.5 x 0.5 x 0.5 = 0.125,
  // but per character 0.3 loses to 0.5
  const three = reading(['6', 0.5], ['1', 0.5], ['7', 0.5]);
  const one = reading(['1', 0.3]);
  assert.ok(one.confidence > three.confidence);
  assert.equal(surerReading(three, one), three);
  assert.equal(surerReading(one, three), three);
  const longer = reading(['A', 0.99], ['0', 0.99], ['B', 0.99]);
  assert.equal(surerReading(first, longer), longer);
  assert.ok(Math.abs(meanConfidence(reading(['A', 0.9], ['B', 0.4])) - 0.6) < 1e-12);
  assert.equal(meanConfidence(reading()), 0);
});

test('secondLookMismatch: the second model must read the same charset', () => {
  assert.equal(secondLookMismatch({ name: 'a', charset: '0123' }, { name: 'b', charset: '0123' }), undefined);
  assert.match(secondLookMismatch({ name: 'a', charset: '0123' }, { name: 'b', charset: '012' }) ?? '', /second look b reads 012, not the charset of a \(0123\)/);
});

test('parseModelMetadata checks secondLook', () => {
  const base = {
    format: 'captcha-ocr-model',
    formatVersion: 1,
    name: 'm',
    architecture: 'default',
    charset: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    minLength: 1,
    maxLength: 8,
    input: { kind: 'grey-stretch', height: 64, width: 160, invert: true },
    output: { kind: 'ctc', blankIndex: 36, timeSteps: 20 },
  };
  const good = { model: 'captcha-ocr.second.onnx', chars: '0O', below: 0.9 };
  assert.deepEqual(parseModelMetadata({ ...base, secondLook: good }).secondLook, good);
  assert.equal(parseModelMetadata(base).secondLook, undefined);
  const bad: [unknown, RegExp][] = [
    ['second.onnx', /secondLook is not an object/],
    [{ ...good, model: 'sub/second.onnx' }, /secondLook.model must be a .onnx file name in the same folder/],
    [{ ...good, model: 'second.bin' }, /secondLook.model must be a .onnx file name/],
    [{ ...good, chars: 'o' }, /secondLook.chars has "o", not in the charset/],
    [{ ...good, chars: undefined }, /secondLook.chars must be a string/],
    [{ ...good, below: 1.5 }, /secondLook.below must be a number from 0 to 1/],
    [{ ...good, below: '0.9' }, /secondLook.below must be a number from 0 to 1/],
  ];
  for (const [secondLook, message] of bad) assert.throws(() => parseModelMetadata({ ...base, secondLook }), message, JSON.stringify(secondLook));
});
