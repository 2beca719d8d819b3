import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GlyphAtlas } from './glyph-atlas.ts';
import { DEFAULT_FONT } from './options.ts';
import { createTileRenderer, type TileDraws } from './tile.ts';

const atlas = new GlyphAtlas([DEFAULT_FONT]);
const draws: TileDraws = { dx: 0, dy: 0, angle: 10, x1: 2, y1: -3, x2: -1, y2: 4 };

/** The widest run of clear pixels between ink on a row: the counter (hole) of a 0 or an O. */
function counterWidth(mask: Uint8Array, w: number, y: number): number {
  const row = [...mask.subarray(y * w, (y + 1) * w)].map((v) => v >= 128);
  const first = row.indexOf(true);
  const last = row.lastIndexOf(true);
  let best = 0;
  for (let x = first, run = 0; x <= last; x++) best = Math.max(best, (run = row[x] ? 0 : run + 1));
  return best;
}

test('a tile from explicit draws: the paste mask in the glyph box, the same whatever was drawn before', () => {
  const render = createTileRenderer();
  const g = atlas.glyph(0, 42, '0');
  const [w, h] = [g.boxWidth, g.boxHeight];
  const first = new Uint8Array(w * h);
  assert.equal(render(g, w, h, draws, 255, 100, first), true);
  // about luma 100 * 1.97 = 197 inside the glyph (195 after the resamplings' integer rounding),
  // more on some edge pixels (Pillow unpremultiplies with a truncating division); corners stay 0
  const counts = new Map<number, number>();
  for (const v of first) if (v > 0) counts.set(v, (counts.get(v) ?? 0) + 1);
  assert.equal([...counts].sort((x, y) => y[1] - x[1])[0][0], 195, 'the most common ink value');
  assert.equal(Math.max(...first), 250);
  assert.equal(first[0], 0);
  // a larger tile in between reuses the scratch buffers: the same mask again
  const big = atlas.glyph(0, 56, 'W');
  render(big, big.boxWidth, big.boxHeight, { ...draws, angle: -25, x1: -6 }, 230, 60, new Uint8Array(big.boxWidth * big.boxHeight));
  const again = new Uint8Array(w * h);
  render(g, w, h, draws, 255, 100, again);
  assert.deepEqual(again, first);
  // a space has no ink: nothing to paste
  const space = atlas.glyph(0, 42, ' ');
  assert.equal(render(space, space.boxWidth, space.boxHeight, draws, 255, 100, new Uint8Array(space.boxWidth * space.boxHeight)), false);
});

test('the same draws give a 0 and an O the same box but a 0 a narrower counter (docs/experiments.md)', () => {
  const render = createTileRenderer();
  const [zero, oh] = [atlas.glyph(0, 42, '0'), atlas.glyph(0, 42, 'O')];
  assert.deepEqual([zero.boxWidth, zero.boxHeight], [oh.boxWidth, oh.boxHeight]);
  const [w, h] = [zero.boxWidth, zero.boxHeight];
  const [a, b] = [new Uint8Array(w * h), new Uint8Array(w * h)];
  render(zero, w, h, draws, 255, 100, a);
  render(oh, w, h, draws, 255, 100, b);
  const mid = Math.floor(h / 2);
  // pinned at size 42: the counters across the middle rows, 0 against O
  const widths = (m: Uint8Array) => [mid - 5, mid, mid + 5].map((y) => counterWidth(m, w, y));
  assert.deepEqual([widths(a), widths(b)], [[9, 10, 9], [10, 11, 10]]);
});
