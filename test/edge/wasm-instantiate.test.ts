import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerInstantiateWith } from '../../functions/edge/wasm-instantiate.ts';

// The smallest valid module: exports a function `f` returning 42.
const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 6, 1, 4, 0, 65, 42, 11]);

test('instantiate(bytes) is answered with the imported module; instantiate(module) passes through', async () => {
  const original = WebAssembly.instantiate;
  try {
    const module = new WebAssembly.Module(bytes);
    answerInstantiateWith(module);
    answerInstantiateWith(module); // idempotent
    const fromBytes = (await WebAssembly.instantiate(new Uint8Array([0, 97, 115, 109]), {})) as unknown as WebAssembly.WebAssemblyInstantiatedSource;
    assert.equal(fromBytes.module, module);
    assert.equal((fromBytes.instance.exports.f as () => number)(), 42);
    const direct = await WebAssembly.instantiate(module, {});
    assert.ok(direct instanceof WebAssembly.Instance);
  } finally {
    WebAssembly.instantiate = original;
  }
});
