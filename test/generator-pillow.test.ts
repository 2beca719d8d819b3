// The glyph atlas against Pillow itself (Debian's python3-pil 9.4, the version that made the
// reference images): the tile sizes the library computes and the ink boxes it draws.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { GlyphAtlas } from '../captcha/glyph-atlas.ts';
import { DEFAULT_FONT } from '../captcha/options.ts';

const python = '/usr/bin/python3';
const script = fileURLToPath(new URL('./support/pillow-glyphs.py', import.meta.url));
const builder = fileURLToPath(new URL('../scripts/pillow-glyphs.py', import.meta.url));
const shipped = new URL('../captcha/data/droid-sans-mono-pillow.json.gz', import.meta.url);

function pillowVersion(): string | undefined {
  try {
    return execFileSync(python, ['-c', 'import PIL; print(PIL.__version__)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

const version = pillowVersion();

const skip = version ? false : 'python3-pil is not installed (.ci/run installs it)';

test('the shipped Pillow glyphs are what Pillow 9.4 draws today (scripts/pillow-glyphs.py)', { skip }, () => {
  const fresh = JSON.parse(execFileSync(python, [builder, DEFAULT_FONT], { encoding: 'utf8', maxBuffer: 1 << 26 })) as { pillow: string; glyphs: Record<string, unknown> };
  const ours = JSON.parse(gunzipSync(readFileSync(shipped)).toString('utf8')) as typeof fresh;
  assert.equal(ours.pillow, fresh.pillow);
  assert.equal(Object.keys(ours.glyphs).length, 6 * 63);
  assert.deepEqual(ours.glyphs, fresh.glyphs);
  // and the atlas serves them for the bundled font
  const atlas = new GlyphAtlas([DEFAULT_FONT]);
  const [w, h, left, top, iw, ih, b64] = ours.glyphs['56:M'] as [number, number, number, number, number, number, string];
  const g = atlas.glyph(0, 56, 'M');
  assert.deepEqual([g.boxWidth, g.boxHeight, g.inkLeft, g.inkTop, g.inkWidth, g.inkHeight], [w, h, left, top, iw, ih]);
  assert.deepEqual(Buffer.from(g.coverage), Buffer.from(b64, 'base64'));
});

test('canvas-rendered Droid Sans Mono (other sizes and fonts use it) keeps Pillow 9.4 boxes at every library size', { skip }, () => {
  assert.match(version!, /^9\.4\./, 'the reference images were made with Pillow 9.4');
  const sizes = [42, 46, 50, 56, 58, 68]; // 0.3/0.7 and 0.2 font sizes
  const chars = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const pil = JSON.parse(execFileSync(python, [script, DEFAULT_FONT, sizes.join(','), chars], { encoding: 'utf8' })) as Record<string, number[]>;
  const atlas = new GlyphAtlas([DEFAULT_FONT], undefined, { pillowGlyphs: false });
  const boxDiffs: string[] = [];
  let inkOff = 0;
  let worstInk = 0;
  for (const size of sizes) {
    for (const c of chars) {
      const [w, h, x0, y0, x1, y1] = pil[`${size}:${c}`];
      const g = atlas.glyph(0, size, c);
      if (g.boxWidth !== w || g.boxHeight !== h) boxDiffs.push(`${c}@${size}: ${g.boxWidth}x${g.boxHeight} vs ${w}x${h}`);
      const d = Math.max(Math.abs(g.inkLeft - x0), Math.abs(g.inkTop - y0), Math.abs(g.inkLeft + g.inkWidth - x1), Math.abs(g.inkTop + g.inkHeight - y1));
      worstInk = Math.max(worstInk, d);
      if (d > 0) inkOff++;
    }
  }
  // measured: 215 of 216 boxes equal; Q at 42 px is one row taller here (its tail, hinting)
  assert.ok(boxDiffs.length <= 1, `tile boxes that differ: ${boxDiffs.join(', ')}`);
  // ink edges: FreeType's hinting moves some by one pixel (110 of 216 glyphs), never more
  assert.ok(worstInk <= 1, `an ink edge is ${worstInk} px away from Pillow's`);
  assert.ok(inkOff <= 140, `${inkOff} glyphs have an ink edge 1 px off`);
});
