import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GlyphAtlas } from './glyph-atlas.ts';
import { DEFAULT_FONT } from './options.ts';

const key = (a: GlyphAtlas, size: number, c: string) => {
  const g = a.glyph(0, size, c);
  return { box: [g.boxWidth, g.boxHeight], ink: [g.inkLeft, g.inkTop, g.inkWidth, g.inkHeight], sum: g.coverage.reduce((s, v) => s + v, 0) };
};

test('the bundled font comes from the Pillow glyphs at library sizes, from the canvas elsewhere', () => {
  const pillow = new GlyphAtlas([DEFAULT_FONT]);
  const canvas = new GlyphAtlas([DEFAULT_FONT], undefined, { pillowGlyphs: false });
  // Pillow 9.4 at 42 px: tile 25x45, "M" ink 21x30 from (2, 15); hinted strokes are lighter
  assert.deepEqual(key(pillow, 42, 'M').box, [25, 45]);
  assert.deepEqual(key(pillow, 42, 'M').ink, [2, 15, 21, 30]);
  assert.ok(key(pillow, 42, 'M').sum < key(canvas, 42, 'M').sum);
  // a size and a character the prebuilt set lacks: same as the canvas
  assert.deepEqual(key(pillow, 43, 'M'), key(canvas, 43, 'M'));
  assert.deepEqual(key(pillow, 42, '#'), key(canvas, 42, '#'));
  // the blank tile of a space: advance x ascender
  assert.deepEqual(key(pillow, 42, ' '), { box: [25, 45], ink: [0, 0, 0, 0], sum: 0 });
  // an ascender override applies to the canvas rendering (the Pillow glyphs carry their own)
  const tall = new GlyphAtlas([DEFAULT_FONT], 1.3);
  assert.equal(key(tall, 42, 'M').box[1], Math.ceil(1.3 * 42)); // M sits on the baseline: box = ascender
});
