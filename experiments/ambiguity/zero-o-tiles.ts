// How close can an O come to a given 0, and a 0 to a given O, in the library's own drawing?
// For N character tiles of one class, drawn with random draws as `_draw_character` makes them
// (captcha/tile.ts, the generator's own tile renderer), a local search over the draws of the
// other class (same font size, so the same box; rotation in 0.1 degree steps, the four integer
// warp offsets, one step at a time from the tile's own draws) finds the other-class tile closest
// to it. As a yardstick, the same search over draws of the same class, kept at least one step
// away from the tile's own draws, finds the nearest other drawing of the same character.
// Distances are RMS differences in grey levels of the finished image (the paste mask's difference
// times the tile's contrast to a 246 background), over the tile, at the best whole-pixel shift of
// up to 3 px each way (where a glyph sits in its tile is not seen); before the noise, the SMOOTH
// filter and JPEG. A search finds near tiles, it does not prove there are none nearer.
// Usage: node --import tsx experiments/ambiguity/zero-o-tiles.ts [--style 0.3|0.2|0.7] [--count N] [--seed S]
import { parseArgs } from 'node:util';
import { createRng } from '../../core/rng.ts';
import { GlyphAtlas } from '../../captcha/glyph-atlas.ts';
import { DEFAULT_FONT, resolveCaptchaOptions, type CaptchaStyle } from '../../captcha/options.ts';
import { createTileRenderer, randomTileDraws, textLuma, tileBox, type TileDraws } from '../../captcha/tile.ts';

const { values } = parseArgs({ options: { style: { type: 'string', default: '0.3' }, count: { type: 'string', default: '200' }, seed: { type: 'string', default: '1' } } });
const style = values.style as CaptchaStyle;
const count = Number(values.count);
const atlas = new GlyphAtlas([DEFAULT_FONT]);
const options = resolveCaptchaOptions({ style });
const sizes = options.fontSizes;
const render = createTileRenderer();
const rng = createRng(Number(values.seed), 0);

interface Case {
  char: string;
  size: number;
  w: number;
  h: number;
  draws: TileDraws;
  alpha: number;
  luma: number;
  mask: Uint8Array;
}

/** One tile with random draws (the generator's own, `randomTileDraws`) and a random text colour. */
function randomCase(char: string): Case {
  const size = sizes[rng.int(0, sizes.length - 1)];
  const g = atlas.glyph(0, size, char);
  const [w, h] = tileBox(g, style);
  const draws = randomTileDraws(rng, options, w, h);
  const colour = [0, 0, 0].map(() => rng.int(options.textColor[0], options.textColor[1]));
  const luma = textLuma(colour);
  const alpha = rng.int(options.textAlpha[0], options.textAlpha[1]);
  const mask = new Uint8Array(w * h);
  render(g, w, h, draws, alpha, luma, mask);
  return { char, size, w, h, draws, alpha, luma, mask };
}

const scratch = new Uint8Array(256 * 256);
const SHIFT = 3;
/**
 * RMS difference in grey levels between the case's tile and `char` drawn with `d`, at the best
 * whole-pixel shift of up to 3 px each way: where a tile lands is not seen in the image (its
 * offset is random), so a glyph moved within its tile is not a difference.
 */
function distance(c: Case, char: string, d: TileDraws): number {
  const g = atlas.glyph(0, c.size, char);
  scratch.fill(0, 0, c.w * c.h);
  render(g, c.w, c.h, d, c.alpha, c.luma, scratch);
  let best = Infinity;
  for (let sy = -SHIFT; sy <= SHIFT; sy++) {
    for (let sx = -SHIFT; sx <= SHIFT; sx++) {
      let sum = 0;
      // over the case's tile grown by the shift: pixels outside a tile are transparent (0)
      for (let y = -SHIFT; y < c.h + SHIFT; y++) {
        for (let x = -SHIFT; x < c.w + SHIFT; x++) {
          const a = y >= 0 && y < c.h && x >= 0 && x < c.w ? c.mask[y * c.w + x] : 0;
          const [u, v] = [x - sx, y - sy];
          const b = v >= 0 && v < c.h && u >= 0 && u < c.w ? scratch[v * c.w + u] : 0;
          sum += (a - b) ** 2;
          if (sum >= best) break;
        }
        if (sum >= best) break;
      }
      if (sum < best) best = sum;
    }
  }
  return (Math.sqrt(best / (c.w * c.h)) / 255) * (246 - c.luma);
}

/** Coordinate descent over the angle (0.1 degree steps, up to 3 degrees) and the warp offsets (up to 3 steps). */
function nearest(c: Case, char: string, awayFromOwn: boolean): number {
  const own = c.draws;
  const keys = ['x1', 'y1', 'x2', 'y2'] as const;
  const allowed = (d: TileDraws) => !awayFromOwn || Math.abs(d.angle - own.angle) >= 0.05 || keys.some((k) => d[k] !== own[k]);
  let best: TileDraws = own;
  let bestD = allowed(own) ? distance(c, char, own) : Infinity;
  for (let sweep = 0; sweep < 4; sweep++) {
    let improved = false;
    const base = best;
    for (let step = -30; step <= 30; step++) {
      const d = { ...base, angle: base.angle + step / 10 };
      if (!allowed(d)) continue;
      const dist = distance(c, char, d);
      if (dist < bestD) [best, bestD, improved] = [d, dist, true];
    }
    for (const k of keys) {
      const b2 = best;
      for (let step = -3; step <= 3; step++) {
        const d = { ...b2, [k]: b2[k] + step };
        if (!allowed(d)) continue;
        const dist = distance(c, char, d);
        if (dist < bestD) [best, bestD, improved] = [d, dist, true];
      }
    }
    if (!improved) break;
  }
  return bestD;
}

/** The widest run of clear pixels (mask under 128) between ink on the tile's middle row: the counter of a 0 or an O. */
function counterWidth(c: Case): number {
  const y = Math.floor(c.h / 2);
  const row = [...c.mask.subarray(y * c.w, (y + 1) * c.w)].map((v) => v >= 128);
  let best = 0;
  for (let x = row.indexOf(true), run = 0; x >= 0 && x <= row.lastIndexOf(true); x++) best = Math.max(best, (run = row[x] ? 0 : run + 1));
  return best;
}
const counters = new Map<string, number[]>();

const quantiles = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return [0.01, 0.05, 0.25, 0.5].map((q) => s[Math.floor(q * (s.length - 1))].toFixed(2)).join(' / ');
};
const share = (xs: number[], t: number) => `${((100 * xs.filter((x) => x < t).length) / xs.length).toFixed(1)} %`;
console.log(`style ${style}, ${count} tiles of each class, seed ${values.seed}: RMS grey levels, quantiles 1 / 5 / 25 / 50 %`);
for (const [char, other] of [['0', 'O'], ['O', '0']]) {
  const toOther: number[] = [];
  const toSame: number[] = [];
  let closerToOther = 0;
  for (let i = 0; i < count; i++) {
    const c = randomCase(char);
    const key = `${char} at ${c.size}`;
    counters.set(key, [...(counters.get(key) ?? []), counterWidth(c)]);
    const o = nearest(c, other, false);
    const s = nearest(c, char, true);
    toOther.push(o);
    toSame.push(s);
    if (o < s) closerToOther++;
  }
  console.log(`${char}: nearest ${other} ${quantiles(toOther)}; under 4 levels ${share(toOther, 4)}, under 8 ${share(toOther, 8)}`);
  console.log(`${char}: nearest other ${char} ${quantiles(toSame)}; an ${other} nearer than any other ${char} found: ${closerToOther} of ${count}`);
}
const mean = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2);
console.log(`counter width on the middle row, mean px (tiles): ${sizes.map((size) => `size ${size}: 0 ${mean(counters.get(`0 at ${size}`) ?? [NaN])} (${counters.get(`0 at ${size}`)?.length ?? 0}), O ${mean(counters.get(`O at ${size}`) ?? [NaN])} (${counters.get(`O at ${size}`)?.length ?? 0})`).join('; ')}`);

