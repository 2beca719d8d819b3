import { it } from 'node:test';
import assert from 'node:assert/strict';
import { float32ToFloat16Bits } from './fp16.ts';
import { float16ToFloat32 } from './tfjs/artifacts.ts';

it('float32 -> float16 rounds to nearest even and round-trips representable values', () => {
  const cases: [number, number][] = [
    [0, 0x0000], [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [70000, 0x7c00], [-Infinity, 0xfc00],
    [2 ** -24, 0x0001], [2 ** -14, 0x0400], [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [0.1, 0x2e66],
  ];
  for (const [f, bits] of cases) assert.equal(float32ToFloat16Bits(f), bits, `${f}`);
  assert.ok(Number.isNaN(float16ToFloat32(float32ToFloat16Bits(NaN))));
  for (let h = 0; h < 0x7c00; h += 37) assert.equal(float32ToFloat16Bits(float16ToFloat32(h)), h);
});
