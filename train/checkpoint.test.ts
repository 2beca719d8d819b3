import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTrainState } from './checkpoint.ts';
import { DEFAULT_SETTINGS } from './settings.ts';

// A state.json as train writes it (the settings of a run, with its model's spec; one validation).
const state = {
  step: 500,
  imagesSeen: 16000,
  elapsedSeconds: 412.5,
  bestAccuracy: 0.96,
  bestStep: 500,
  settings: {
    ...DEFAULT_SETTINGS,
    out: 'work/runs/x',
    workers: 'auto',
    spec: { architecture: 'default', input: { kind: 'grey-stretch', height: 48, width: 128, invert: true }, output: { kind: 'ctc', blankIndex: 36, timeSteps: 16 }, minLength: 1, maxLength: 8, charset: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ' },
  },
  history: [{ event: 'eval', step: 500, imagesSeen: 16000, accuracy: 0.96, characterAccuracy: 0.99, perPosition: [0.99, 0.98], count: 1024 }],
};

test('a checkpoint state parses as written, typed', () => {
  const parsed = parseTrainState(JSON.parse(JSON.stringify(state)), 'state.json');
  assert.deepEqual(parsed, state);
  assert.equal(parsed.settings.spec.output.kind, 'ctc');
  assert.equal(parsed.history[0].step, 500);
});

test('a broken checkpoint state is refused, naming the file and the field', () => {
  const broken = (patch: object) => () => parseTrainState({ ...state, ...patch }, 'x/state.json');
  assert.throws(broken({ step: 'five' }), /^RangeError: x\/state.json: step is not a number$/);
  assert.throws(broken({ history: [{ step: 1 }] }), /history is not a list of eval events/);
  assert.throws(broken({ settings: { ...state.settings, batchSize: undefined } }), /settings.batchSize is not a number/);
  assert.throws(broken({ settings: { ...state.settings, architecture: 'big' } }), /settings.architecture must be one of default, seed/);
  const { spec: _spec, ...noSpec } = state.settings;
  assert.throws(broken({ settings: noSpec }), /x\/state.json: settings.spec: not an object/);
  assert.throws(broken({ settings: { ...state.settings, spec: { ...state.settings.spec, output: { kind: 'rows' } } } }), /settings.spec: output.kind must be "ctc" or "positions"/);
});
