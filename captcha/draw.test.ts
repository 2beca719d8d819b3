import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { drawArc, drawDot, pasteMask, smooth, type Canvas } from './draw.ts';
import { coefficients, resize, resizeWidthOverBackground } from './resample.ts';
import { resizeQuadMask } from './tile-resize.ts';
import { MASK_OF_PREMULTIPLIED, quadNearestMask } from './tile-transform.ts';

function canvas(w: number, h: number, v = 0): Canvas {
  return { width: w, height: h, data: new Uint8Array(w * h * 3).fill(v) };
}

function lit(cv: Canvas): string[] {
  const out: string[] = [];
  for (let y = 0; y < cv.height; y++) for (let x = 0; x < cv.width; x++) if (cv.data[(y * cv.width + x) * 3]) out.push(`${x - 5},${y - 5}`);
  return out;
}

describe('SMOOTH filter', () => {
  it('weights the centre 5/13 and each neighbour 1/13, rounded; borders copied', () => {
    const cv = canvas(5, 5);
    cv.data[(2 * 5 + 2) * 3] = 130;
    cv.data[4 * 3] = 99;
    const out = new Uint8Array(cv.data.length);
    smooth(cv, out);
    assert.equal(out[(2 * 5 + 2) * 3], 50);
    assert.equal(out[(1 * 5 + 1) * 3], 10);
    assert.equal(out[(2 * 5 + 3) * 3], 10);
    assert.equal(out[(2 * 5 + 2) * 3 + 1], 0);
    assert.equal(out[4 * 3], 99);
  });
  it('keeps a uniform image', () => {
    const cv = canvas(9, 7, 201);
    const out = new Uint8Array(cv.data.length);
    smooth(cv, out);
    assert.ok(out.every((v) => v === 201));
  });
  it('equals the 3x3 kernel written out, at odd and even sizes', () => {
    for (let w = 1; w <= 7; w++) {
      for (let h = 1; h <= 8; h++) {
        const cv = canvas(w, h);
        cv.data.forEach((_, i) => (cv.data[i] = (i * 2654435761) >>> 24));
        const at = (x: number, y: number, c: number) => cv.data[(y * w + x) * 3 + c];
        const want = cv.data.map((v, i) => {
          const [x, y, c] = [Math.floor(i / 3) % w, Math.floor(i / 3 / w), i % 3];
          if (x === 0 || y === 0 || x === w - 1 || y === h - 1) return v;
          let sum = 4 * at(x, y, c);
          for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) sum += at(x + dx, y + dy, c);
          return Math.floor(sum / 13 + 0.5);
        });
        const out = new Uint8Array(cv.data.length);
        smooth(cv, out);
        assert.deepEqual(out, want, `${w} x ${h}`);
      }
    }
  });
});

describe('noise dot', () => {
  it('is Pillow\'s 8-pixel polygon of a width-3 line from (x, y) to (x-1, y-1)', () => {
    const cv = canvas(11, 11);
    drawDot(cv, 5, 5, 3, [255, 255, 255]);
    assert.deepEqual(lit(cv).sort(), ['-1,-1', '-1,0', '-1,1', '-2,0', '0,-1', '0,-2', '0,0', '1,-1'].sort());
  });
  it('is the two end points for width 1', () => {
    const cv = canvas(11, 11);
    drawDot(cv, 5, 5, 1, [255, 255, 255]);
    assert.deepEqual(lit(cv).sort(), ['-1,-1', '0,0']);
  });
});

describe('arc', () => {
  it('draws the lower half of the ellipse between the angles', () => {
    const cv = canvas(41, 21);
    drawArc(cv, 0, 0, 40, 20, 0, 180, [255, 255, 255]);
    let above = 0;
    let below = 0;
    for (let y = 0; y < 21; y++) for (let x = 0; x < 41; x++) if (cv.data[(y * 41 + x) * 3]) {
          if (y < 10) above++;
          else below++;
        }
    assert.equal(above, 0);
    assert.ok(below > 40);
    assert.equal(cv.data[(20 * 41 + 20) * 3], 255, 'bottom of the ellipse');
  });
  it('takes parameter angles: past 180 degrees a flat ellipse only turns up at its left end', () => {
    const cv = canvas(141, 25);
    drawArc(cv, 0, 8, 140, 16, 0, 200, [255, 255, 255]);
    const above: number[] = [];
    for (let y = 0; y < 12; y++) for (let x = 0; x < 141; x++) if (cv.data[(y * 141 + x) * 3]) above.push(x);
    assert.ok(above.length > 0, 'the 180-200 degree end rises above the centre line');
    // x = cx + a cos(200 deg) = 70 - 65.8: only the leftmost 5 columns rise
    assert.ok(Math.max(...above) <= 5, `rising pixels at x <= ${Math.max(...above)}`);
  });
});

describe('paste and resample', () => {
  it('pastes a solid colour through the mask (Pillow BLEND)', () => {
    const cv = canvas(2, 1, 200);
    pasteMask(cv, Uint8Array.from([255, 128]), 2, 1, 0, 0, [0, 100, 200]);
    assert.deepEqual([...cv.data], [0, 100, 200, 100, 150, 200]);
  });
  it('bicubic coefficients sum to one and uniform images stay uniform', () => {
    for (const [a, b] of [
      [50, 40],
      [40, 73],
      [210, 160],
    ]) {
      const c = coefficients(a, b);
      for (let i = 0; i < b; i++) {
        let s = 0;
        for (let k = 0; k < c.count[i]; k++) s += c.weights[i * c.ksize + k];
        assert.ok(Math.abs(s - (1 << 22)) < 8);
      }
      const src = new Uint8Array(a * 3 * 3).fill(77);
      const dst = new Uint8Array(b * 5 * 3);
      const out = resize(src, a, 3, 3, b, 5, new Uint8Array(b * 3 * 3), dst);
      assert.ok(out.subarray(0, b * 5 * 3).every((v) => v === 77));
    }
  });
  it('resizeWidthOverBackground equals the plain resize', () => {
    for (let t = 0; t < 60; t++) {
      const [sw, h, dw] = [161 + ((t * 37) % 200), 3 + (t % 9), 40 + ((t * 13) % 120)];
      const bg = [238 + (t % 18), 250 - (t % 7), 255 - (t % 3)];
      // Offset by t % 4 bytes: the word-wise background test must not depend on alignment.
      const buf = new Uint8Array(sw * h * 3 + 4);
      const src = buf.subarray(t % 4, t % 4 + sw * h * 3);
      for (let i = 0; i < sw * h; i++) {
        const ink = (i * 2654435761) >>> 24 < 40 + (t % 5) * 20;
        for (let c = 0; c < 3; c++) src[i * 3 + c] = ink ? (i * (c + 7)) & 255 : bg[c];
      }
      if (t % 6 === 0) {
        // A background last row but for its last pixel (in the last, partial group of 4 pixels).
        for (let i = (h - 1) * sw * 3; i < src.length; i++) src[i] = bg[i % 3];
        src[src.length - 1] ^= 1;
      }
      const plain = resize(src, sw, h, 3, dw, h, new Uint8Array(0), new Uint8Array(dw * h * 3));
      const fast = new Uint8Array(dw * h * 3);
      resizeWidthOverBackground(src, sw, h, bg, fast, dw);
      assert.deepEqual(fast, plain, `${sw} -> ${dw} x ${h}`);
    }
  });
  it('resizeQuadMask (fused, skips empty windows) equals resize then quadNearestMask', () => {
    for (let t = 0; t < 200; t++) {
      const [sw, sh, dw, dh] = [5 + ((t * 7) % 50), 5 + ((t * 11) % 60), 5 + ((t * 13) % 70), 5 + ((t * 17) % 80)];
      // Identity sizes too (no width or no height pass).
      const [w2, h2] = [t % 10 === 0 ? sw : dw, t % 10 === 5 ? sh : dh];
      const src = new Uint8Array(sw * sh * 2);
      for (let i = 0; i < sw * sh; i++) {
        const inked = (i * 2654435761) >>> 24 >= 120 && (t % 3 !== 0 || (i % sw > sw / 3 && i / sw < sh / 2));
        const a = inked ? (i * 31) & 255 : 0;
        src[i * 2 + 1] = a;
        src[i * 2] = Math.floor((a * ((i * 17) % 256)) / 255);
      }
      const [w, h] = [Math.max(1, w2 - (t % 7)), Math.max(1, h2 - (t % 9))];
      const corners = [(t % 5) - 2, (t % 4) - 1, 2 - (t % 5), h2 - (t % 3), w2 + (t % 6) - 3, h2 + (t % 5) - 2, w2 - (t % 6) + 3, 1 - (t % 4)];
      const lut = MASK_OF_PREMULTIPLIED.map((v, i) => (i === 0 ? 7 : v)); // lut[0] must be used for empty windows
      const resized = resize(src, sw, sh, 2, w2, h2, new Uint8Array(w2 * sh * 2), new Uint8Array(w2 * h2 * 2));
      const plain = new Uint8Array(w * h);
      quadNearestMask(resized, w2, h2, corners, lut, plain, w, h);
      const fused = new Uint8Array(w * h);
      resizeQuadMask(src, sw, sh, w2, h2, new Uint8Array(w2 * sh * 2), corners, lut, fused, w, h);
      assert.deepEqual(fused, plain, `${sw}x${sh} -> ${w2}x${h2} -> ${w}x${h}`);
    }
  });
});
