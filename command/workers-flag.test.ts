import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from './usage-error.ts';
import { MAX_WORKERS, parseWorkers, workersFlag } from './workers-flag.ts';

test('worker counts: auto, whole numbers 0..256, anything else named in the error', () => {
  assert.equal(parseWorkers(undefined, '--workers'), undefined);
  assert.equal(parseWorkers('auto', '--workers'), undefined);
  assert.equal(parseWorkers('0', '--workers'), 0);
  assert.equal(parseWorkers('3', '--workers'), 3);
  assert.equal(parseWorkers(String(MAX_WORKERS), '--workers'), 256);
  assert.throws(() => parseWorkers('257', '--workers'), /--workers must be a whole number from 0 to 256 or auto/);
  assert.throws(() => parseWorkers('1.5', '--workers'), /--workers must be a whole number/);
  assert.throws(() => parseWorkers('-1', 'ORT_WORKERS'), /ORT_WORKERS must be a whole number/);
  assert.throws(() => parseWorkers('many', '--workers'), RangeError);
});

test('--workers: the same counts; a bad one is a usage error', () => {
  assert.equal(workersFlag('auto'), undefined);
  assert.equal(workersFlag('2'), 2);
  assert.throws(() => workersFlag('two'), (e: unknown) => e instanceof UsageError && /--workers/.test(e.message));
});
