import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_SEED, seedFlag } from './seed-flag.ts';
import { UsageError } from './usage-error.ts';

test('--seed: a whole number from 0 to 2^32 - 1, the same range for every command', () => {
  assert.equal(seedFlag(undefined), undefined);
  assert.equal(seedFlag('0'), 0);
  assert.equal(seedFlag('7'), 7);
  assert.equal(seedFlag(String(2 ** 31)), 2 ** 31);
  assert.equal(seedFlag('4294967295'), MAX_SEED);
  for (const bad of ['-1', '4294967296', '1.5', 'x']) assert.throws(() => seedFlag(bad), (e: unknown) => e instanceof UsageError && /--seed/.test(e.message), bad);
});
