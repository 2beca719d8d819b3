import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MASK_OF_PREMULTIPLIED,
  REPREMULTIPLY,
  affineBilinear,
  mapPremultiplied,
  mulDiv255,
  quadCoefficients,
  quadNearestMask,
  rotationMatrix,
  unpremultiply,
} from './tile-transform.ts';

describe('premultiplied alpha helpers', () => {
  it('MULDIV255 rounds like Pillow', () => {
    assert.equal(mulDiv255(255, 255), 255);
    assert.equal(mulDiv255(128, 255), 128);
    assert.equal(mulDiv255(100, 3), 1);
    assert.equal(mulDiv255(0, 200), 0);
  });
  it('unpremultiply truncates and copies alpha 0 and 255', () => {
    assert.equal(unpremultiply(1, 3), 85);
    assert.equal(unpremultiply(7, 0), 7);
    assert.equal(unpremultiply(9, 255), 9);
    assert.equal(unpremultiply(10, 5), 255);
  });
  it('the mask is luma * 1.97 clipped at 255, ignoring alpha', () => {
    assert.equal(MASK_OF_PREMULTIPLIED[(255 << 8) | 100], 197);
    assert.equal(MASK_OF_PREMULTIPLIED[(255 << 8) | 200], 255);
    assert.equal(MASK_OF_PREMULTIPLIED[(2 << 8) | 1], 250); // 255 * 1 / 2 = 127 -> 250
    assert.equal(REPREMULTIPLY[(255 << 8) | 77], 77);
  });
});

describe('rotate (expand, bilinear)', () => {
  it('expands the canvas like Image.rotate(expand=True)', () => {
    assert.deepEqual([rotationMatrix(90, 10, 4).width, rotationMatrix(90, 10, 4).height], [4, 10]);
    const r = rotationMatrix(30, 20, 10);
    // ceil(max) - floor(min) of the rotated corners about the centre (10, 5):
    // x in 10 -+ 11.16 -> [-2, 22) = 24 wide; y in 5 -+ 9.33 -> [-5, 15) = 20 high
    assert.deepEqual([r.width, r.height], [24, 20]);
  });
  it('an angle of 0 copies the tile', () => {
    const w = 5;
    const h = 4;
    const src = Uint8Array.from({ length: w * h * 2 }, (_, i) => (i * 37) & 255);
    const r = rotationMatrix(0, w, h);
    const dst = new Uint8Array(r.width * r.height * 2);
    affineBilinear(src, w, h, r.matrix, dst, r.width, r.height);
    assert.deepEqual([r.width, r.height], [w, h]);
    assert.deepEqual(dst, src);
  });
  it('rotating by 180 degrees reverses the pixels', () => {
    const w = 4;
    const h = 3;
    const src = Uint8Array.from({ length: w * h * 2 }, (_, i) => i * 9);
    const r = rotationMatrix(180, w, h);
    const dst = new Uint8Array(w * h * 2);
    affineBilinear(src, w, h, r.matrix, dst, w, h);
    for (let i = 0; i < w * h; i++) {
      assert.equal(dst[i * 2], src[(w * h - 1 - i) * 2]);
      assert.equal(dst[i * 2 + 1], src[(w * h - 1 - i) * 2 + 1]);
    }
  });
  it('bilinear interpolation truncates (Geometry.c casts to UINT8)', () => {
    // Half a pixel shift between 0 and 255 -> 127.5 -> 127.
    const src = Uint8Array.from([0, 0, 255, 255]);
    const dst = new Uint8Array(2);
    affineBilinear(src, 2, 1, [1, 0, 0.5, 0, 1, 0], dst, 1, 1);
    assert.deepEqual([...dst], [127, 127]);
  });
  it('with repremultiply equals the rotation followed by mapPremultiplied', () => {
    for (const angle of [-29.3, -7.1, 0, 12.5, 30]) {
      const [w, h] = [23, 31];
      const src = new Uint8Array(w * h * 2);
      for (let i = 0; i < w * h; i++) {
        const a = (i * 2654435761) >>> 24 < 100 ? 0 : 180 + ((i * 13) % 76);
        src[i * 2 + 1] = a;
        src[i * 2] = mulDiv255(a, (i * 7) % 201);
      }
      const r = rotationMatrix(angle, w, h);
      const plain = new Uint8Array(r.width * r.height * 2);
      affineBilinear(src, w, h, r.matrix, plain, r.width, r.height);
      mapPremultiplied(plain, r.width * r.height, REPREMULTIPLY);
      const fused = new Uint8Array(r.width * r.height * 2);
      affineBilinear(src, w, h, r.matrix, fused, r.width, r.height, true);
      assert.deepEqual(fused, plain, `angle ${angle}`);
    }
  });
});

describe('QUAD warp', () => {
  it('is a bilinear map of the four corners', () => {
    const c = quadCoefficients([0, 0, 0, 10, 20, 10, 20, 0], 10, 5);
    // x = 2 * X, y = 2 * Y
    assert.deepEqual(c, [0, 2, 0, 0, 0, 0, 2, 0]);
    const skew = quadCoefficients([1, 2, 3, 14, 25, 16, 21, 4], 10, 10);
    const at = (x: number, y: number) => [skew[0] + skew[1] * x + skew[2] * y + skew[3] * x * y, skew[4] + skew[5] * x + skew[6] * y + skew[7] * x * y];
    const near = (x: number, y: number) => at(x, y).map((v) => Math.round(v * 1e9) / 1e9);
    assert.deepEqual(near(0, 0), [1, 2]);
    assert.deepEqual(near(0, 10), [3, 14]);
    assert.deepEqual(near(10, 10), [25, 16]);
    assert.deepEqual(near(10, 0), [21, 4]);
  });
  it('samples nearest pixels and leaves points outside the source transparent', () => {
    const w = 4;
    const h = 3;
    const src = new Uint8Array(w * h * 2);
    for (let i = 0; i < w * h; i++) {
      src[i * 2] = 255;
      src[i * 2 + 1] = 255;
    }
    const out = new Uint8Array(w * h);
    quadNearestMask(src, w, h, [0, 0, 0, h, w, h, w, 0], MASK_OF_PREMULTIPLIED, out, w, h);
    assert.ok(out.every((v) => v === 255));
    // Shift the source window 2 pixels left: the first 2 columns fall outside.
    quadNearestMask(src, w, h, [-2, 0, -2, h, w - 2, h, w - 2, 0], MASK_OF_PREMULTIPLIED, out, w, h);
    for (let y = 0; y < h; y++) assert.deepEqual([...out.subarray(y * w, y * w + w)], [0, 0, 255, 255]);
  });
});
