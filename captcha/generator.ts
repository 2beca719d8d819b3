import type { RawImage } from '../core/image.ts';
import { createRng, type Rng } from '../core/rng.ts';
import { drawArc, drawDot, pasteMask, smooth, type Canvas } from './draw.ts';
import { GlyphAtlas } from './glyph-atlas.ts';
import { randomText } from './random-text.ts';
import { resolveCaptchaOptions, type CaptchaOptions } from './options.ts';
import { resizeWidthOverBackground } from './resample.ts';
import { createTileRenderer, grow, randomTileDraws, textLuma, tileBox } from './tile.ts';

export type { CaptchaOptions, CaptchaStyle } from './options.ts';

/** One generated CAPTCHA: its text and its RGB pixels. */
export interface Captcha {
  readonly text: string;
  readonly image: RawImage;
}

export interface CaptchaGenerator {
  /** The resolved options (defaults filled in). */
  readonly options: Readonly<CaptchaOptions>;
  /**
   * Image number `index` of the data set; depends only on (options incl. seed, index). With
   * `text`, draws that text instead of a random one (the rest of the image still comes from
   * the index: colours, noise, warps).
   */
  generate(index: number, text?: string): Captcha;
}

/** A finished character tile: its paste mask (w x h); `blank` tiles paste nothing. */
interface Tile {
  w: number;
  h: number;
  blank: boolean;
  mask: Uint8Array;
}

/**
 * A seedable port of the Python `captcha` library's ImageCaptcha (styles 0.2, 0.3, 0.7;
 * see ../shared/docs/imagecaptcha-algorithm.md). Glyph masks are rasterised once per
 * (font, size, character); every later step is typed-array code on reused scratch buffers.
 */
export function createCaptchaGenerator(options: Partial<CaptchaOptions> = {}): CaptchaGenerator {
  const o = resolveCaptchaOptions(options);
  const atlas = new GlyphAtlas(o.fonts, o.fontAscent);
  const chars = [...o.charset];
  const pick = chars.map((_, i) => i);
  const squeeze = o.style !== '0.2';
  const nFontChoices = o.fonts.length * o.fontSizes.length;

  const renderTile = createTileRenderer();
  let canvasBuf: Uint8Array = new Uint8Array(o.width * o.height * 3);
  let squeezed: Uint8Array = new Uint8Array(o.width * o.height * 3);
  const tiles: Tile[] = [];

  function tileSlot(k: number, w: number, h: number, blank: boolean): Tile {
    let t = tiles[k];
    if (!t) tiles[k] = t = { w, h, blank, mask: new Uint8Array(w * h) };
    t.w = w;
    t.h = h;
    t.blank = blank;
    t.mask = grow(t.mask, w * h);
    return t;
  }

  /** `_draw_character`: the font, then the tile's draws and drawing (tile.ts). */
  function drawCharacter(rng: Rng, k: number, char: string, alpha: number, luma: number): Tile {
    const choice = Math.floor(rng.next() * nFontChoices);
    const font = Math.floor(choice / o.fontSizes.length);
    const g = atlas.glyph(font, o.fontSizes[choice % o.fontSizes.length], char);
    const [w, h] = tileBox(g, o.style);
    const t = tileSlot(k, w, h, false);
    if (!renderTile(g, w, h, randomTileDraws(rng, o, w, h), alpha, luma, t.mask)) t.blank = true;
    return t;
  }

  function generate(index: number, given?: string): Captcha {
    if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`index must be a non-negative integer, got ${index}`);
    const rng = createRng(o.seed, index);
    const length = rng.int(o.minLength, o.maxLength);
    if (given === '') throw new RangeError('text must not be empty');
    const text = given ?? randomText(rng, chars, length, o.distinct, pick);

    const bg = [0, 0, 0].map(() => rng.int(o.background[0], o.background[1]));
    const alpha = rng.int(o.textAlpha[0], o.textAlpha[1]);
    const color = [0, 0, 0].map(() => rng.int(o.textColor[0], o.textColor[1]));
    const luma = textLuma(color);

    let n = 0;
    for (const c of text) {
      if (o.wordSpaceProbability > 0 && rng.next() < o.wordSpaceProbability) drawCharacter(rng, n++, ' ', alpha, luma);
      drawCharacter(rng, n++, c, alpha, luma);
    }
    let textWidth = 0;
    for (let k = 0; k < n; k++) textWidth += tiles[k].w;

    const H = o.height;
    const cw = Math.max(textWidth, o.width);
    canvasBuf = grow(canvasBuf, cw * H * 3);
    const canvas: Canvas = { width: cw, height: H, data: canvasBuf };
    canvasBuf[0] = bg[0];
    canvasBuf[1] = bg[1];
    canvasBuf[2] = bg[2];
    for (let filled = 3, total = cw * H * 3; filled < total; filled *= 2) canvasBuf.copyWithin(filled, 0, Math.min(filled, total - filled));
    const average = Math.trunc(textWidth / length);
    const rand = Math.trunc(o.wordOffsetDx * average);
    let offset = Math.trunc(average * 0.1);
    for (let k = 0; k < n; k++) {
      const t = tiles[k];
      if (!t.blank) pasteMask(canvas, t.mask, t.w, t.h, offset, Math.trunc((H - t.h) / 2), color);
      offset += t.w + rng.int(-rand, 0);
    }

    let img = canvas;
    if (squeeze && cw > o.width) {
      squeezed = grow(squeezed, o.width * H * 3);
      resizeWidthOverBackground(canvasBuf, cw, H, bg, squeezed, o.width);
      img = { width: o.width, height: H, data: squeezed };
    }
    const W = img.width;
    for (let i = 0; i < o.noiseDots; i++) {
      const x = rng.int(0, W);
      const y = rng.int(0, H);
      drawDot(img, x, y, o.noiseDotWidth, color);
    }
    if (o.noiseCurve) {
      const x1 = rng.int(0, Math.trunc(W / 5));
      const x2 = rng.int(W - Math.trunc(W / 5), W);
      const y1 = rng.int(Math.trunc(H / 5), H - Math.trunc(H / 5));
      const y2 = rng.int(y1, H - Math.trunc(H / 5));
      const end = rng.int(160, 200);
      const start = rng.int(0, 20);
      drawArc(img, x1, y1, x2, y2, start, end, color);
    }
    const out = new Uint8Array(W * H * 3);
    smooth(img, out);
    return { text, image: { width: W, height: H, channels: 3, data: out } };
  }

  return { options: o, generate };
}
