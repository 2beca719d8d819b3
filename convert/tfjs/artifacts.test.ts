import { it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWeights } from './artifacts.ts';

it('decodes float32, float16 and uint8/uint16-quantised tfjs weights in manifest order', () => {
  const bytes = new Uint8Array(4 * 2 + 2 * 2 + 3 + 2 * 2);
  const v = new DataView(bytes.buffer);
  v.setFloat32(0, 1.5, true);
  v.setFloat32(4, -2, true);
  v.setUint16(8, 0x3c00, true); // 1
  v.setUint16(10, 0xc100, true); // -2.5
  bytes.set([0, 1, 255], 12);
  v.setUint16(15, 2, true);
  v.setUint16(17, 4, true);
  const w = decodeWeights(
    [
      { name: 'a/kernel', shape: [2], dtype: 'float32' },
      { name: 'b/kernel', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } },
      { name: 'c/kernel', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
      { name: 'd/kernel', shape: [1, 2], dtype: 'float32', quantization: { dtype: 'uint16', scale: 0.25, min: 0 } },
    ],
    bytes,
  );
  assert.deepEqual([...w.get('a/kernel')!.values], [1.5, -2]);
  assert.deepEqual([...w.get('b/kernel')!.values], [1, -2.5]);
  assert.deepEqual([...w.get('c/kernel')!.values], [-1, -0.5, 126.5]);
  assert.deepEqual([...w.get('d/kernel')!.values], [0.5, 1]);
  assert.deepEqual(w.get('d/kernel')!.shape, [1, 2]);
});
