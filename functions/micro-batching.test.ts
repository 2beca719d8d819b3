import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DecodedText } from '../core/decode-output.ts';
import { tinyMetadata } from '../test/fixtures/tiny-model.ts';
import { withMicroBatching } from './micro-batching.ts';
import type { Predictor } from './predictor.ts';

function fakeInner(calls: number[], delayMs = 5): Predictor {
  const metadata = tinyMetadata();
  const per = metadata.input.height * metadata.input.width;
  return {
    metadata,
    info: () => ({ runtime: 'fake', provider: 'cpu', requestedProviders: ['cpu'], warnings: [] }),
    async predict(inputs, n) {
      calls.push(n);
      await new Promise((r) => setTimeout(r, delayMs));
      // echo each image's first float as its text, to check the order
      return Array.from({ length: n }, (_, i): DecodedText => ({ text: String(inputs[i * per]), confidence: 1, characters: [] }));
    },
  };
}

test('concurrent calls share model runs and get their own answers back in order', async () => {
  const calls: number[] = [];
  const inner = fakeInner(calls);
  const per = inner.metadata.input.height * inner.metadata.input.width;
  const batched = withMicroBatching(inner, { maxBatch: 8, maxWaitMs: 2 });
  const one = (v: number, n = 1) => {
    const x = new Float32Array(per * n);
    for (let i = 0; i < n; i++) x[i * per] = v + i;
    return batched.predict(x, n);
  };
  const results = await Promise.all([one(1), one(2), one(3, 2), one(5), ...Array.from({ length: 10 }, (_, i) => one(10 + i))]);
  assert.deepEqual(results[2].map((r) => r.text), ['3', '4']);
  assert.deepEqual(results.slice(4).map((r) => r[0].text), Array.from({ length: 10 }, (_, i) => String(10 + i)));
  assert.equal(calls.reduce((a, b) => a + b, 0), 15);
  assert.ok(calls.length <= 3, `runs: ${calls.join(',')}`);
  assert.ok(Math.max(...calls) <= 8);
});

test('an error reaches every caller of that run, and later runs still work', async () => {
  const metadata = tinyMetadata();
  let fail = true;
  const inner: Predictor = { metadata, info: () => ({ runtime: 'x', provider: 'cpu', requestedProviders: [], warnings: [] }), predict: async (_x, n) => { if (fail) throw new Error('boom'); return Array.from({ length: n }, () => ({ text: 'ok', confidence: 1, characters: [] })); } };
  const batched = withMicroBatching(inner, { maxBatch: 4, maxWaitMs: 1 });
  const x = new Float32Array(metadata.input.height * metadata.input.width);
  const settled = await Promise.allSettled([batched.predict(x, 1), batched.predict(x, 1)]);
  assert.deepEqual(settled.map((s) => s.status), ['rejected', 'rejected']);
  fail = false;
  assert.equal((await batched.predict(x, 1))[0].text, 'ok');
});

test('calls with different charset masks never share a run, and each run gets its own mask', async () => {
  const metadata = tinyMetadata();
  const per = metadata.input.height * metadata.input.width;
  const runs: { n: number; mask: string }[] = [];
  const inner: Predictor = {
    metadata,
    info: () => ({ runtime: 'fake', provider: 'cpu', requestedProviders: ['cpu'], warnings: [] }),
    async predict(_inputs, n, options) {
      const mask = options?.mask ? options.mask.map((b) => (b ? 1 : 0)).join('') : 'none';
      runs.push({ n, mask });
      await new Promise((r) => setTimeout(r, 2));
      return Array.from({ length: n }, (): DecodedText => ({ text: mask, confidence: 1, characters: [] }));
    },
  };
  const batched = withMicroBatching(inner, { maxBatch: 8, maxWaitMs: 2 });
  const digits = [...metadata.charset].map((c) => /\d/.test(c));
  const x = new Float32Array(per);
  const asked = [undefined, digits, undefined, digits, digits, undefined];
  const answers = await Promise.all(asked.map((mask) => batched.predict(x, 1, mask ? { mask } : undefined)));
  const digitKey = digits.map((b) => (b ? 1 : 0)).join('');
  assert.deepEqual(answers.map((a) => a[0].text), asked.map((m) => (m ? digitKey : 'none')));
  // two runs of three: the calls were grouped by mask, not cut at the first change
  assert.deepEqual(runs.map((r) => r.n).sort(), [3, 3]);
  assert.deepEqual(runs.map((r) => r.mask).sort(), [digitKey, 'none'].sort());
});
