import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { drawArc, drawDot, pasteMask, smooth, type Canvas } from './draw.ts';
import { coefficients, resize, resizeTile } from './resample.ts';

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
  it('resizeTile (which skips empty windows) equals the plain resize', () => {
    for (let t = 0; t < 200; t++) {
      const [sw, sh, dw, dh] = [5 + ((t * 7) % 50), 5 + ((t * 11) % 60), 5 + ((t * 13) % 70), 5 + ((t * 17) % 80)];
      const src = new Uint8Array(sw * sh * 2);
      for (let i = 0; i < sw * sh; i++) {
        const a = (i * 2654435761) >>> 24 < 120 ? 0 : (i * 31) & 255;
        src[i * 2 + 1] = a;
        src[i * 2] = Math.floor((a * ((i * 17) % 256)) / 255);
      }
      const plain = resize(src, sw, sh, 2, dw, dh, new Uint8Array(dw * sh * 2), new Uint8Array(dw * dh * 2));
      const fast = resizeTile(src, sw, sh, dw, dh, new Uint8Array(dw * sh * 2), new Uint8Array(dw * dh * 2));
      assert.deepEqual(fast.subarray(0, dw * dh * 2), plain.subarray(0, dw * dh * 2), `${sw}x${sh} -> ${dw}x${dh}`);
    }
  });
});
