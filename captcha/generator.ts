import type { RawImage } from '../core/image.ts';
import { createRng, type Rng } from '../core/rng.ts';
import { drawArc, drawDot, pasteMask, smooth, type Canvas } from './draw.ts';
import { GlyphAtlas } from './glyph-atlas.ts';
import { randomText } from './random-text.ts';
import { resolveCaptchaOptions, type CaptchaOptions } from './options.ts';
import { resizeWidthOverBackground } from './resample.ts';
import { resizeQuadMask } from './tile-resize.ts';
import { MASK_OF_PREMULTIPLIED, affineBilinear, mulDiv255, rotationMatrix } from './tile-transform.ts';

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

function grow(buf: Uint8Array, n: number): Uint8Array {
  return buf.length >= n ? buf : new Uint8Array(Math.max(n, buf.length * 2));
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
  const v07 = o.style === '0.7';
  const squeeze = o.style !== '0.2';
  const boxExtra = v07 ? 1 : 0;
  const nFontChoices = o.fonts.length * o.fontSizes.length;

  let src: Uint8Array = new Uint8Array(4096);
  let rot: Uint8Array = new Uint8Array(8192);
  let tmp: Uint8Array = new Uint8Array(8192);
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

  /** `_draw_character`: font box, offsets, crop, rotate, resize, quad warp, mask. */
  function drawCharacter(rng: Rng, k: number, char: string, alpha: number, luma: number): Tile {
    const choice = Math.floor(rng.next() * nFontChoices);
    const font = Math.floor(choice / o.fontSizes.length);
    const g = atlas.glyph(font, o.fontSizes[choice % o.fontSizes.length], char);
    const w = g.boxWidth + boxExtra;
    const h = g.boxHeight + boxExtra;
    const dx = rng.int(o.characterOffsetDx[0], o.characterOffsetDx[1]);
    const dy = rng.int(o.characterOffsetDy[0], o.characterOffsetDy[1]);
    const angle = rng.uniform(o.characterRotate[0], o.characterRotate[1]);
    const [wx0, wx1] = o.characterWarpDx;
    const [wy0, wy1] = o.characterWarpDy;
    // 0.7.1 draws `w * random() * (hi - lo) + lo` instead of `w * uniform(lo, hi)`.
    const ax = v07 ? w * rng.next() * (wx1 - wx0) + wx0 : w * rng.uniform(wx0, wx1);
    const ay = v07 ? h * rng.next() * (wy1 - wy0) + wy0 : h * rng.uniform(wy0, wy1);
    const x1 = Math.trunc(rng.uniform(-ax, ax));
    const y1 = Math.trunc(rng.uniform(-ay, ay));
    const x2 = Math.trunc(rng.uniform(-ax, ax));
    const y2 = Math.trunc(rng.uniform(-ay, ay));
    const w2 = w + Math.abs(x1) + Math.abs(x2);
    const h2 = h + Math.abs(y1) + Math.abs(y2);

    // The glyph drawn at (dx, dy) in a (w + dx) x (h + dy) tile, then cropped to its ink.
    const gx = dx + g.inkLeft;
    const gy = dy + g.inkTop;
    let cx0 = Math.max(0, gx);
    let cy0 = Math.max(0, gy);
    let cx1 = Math.min(w + dx, gx + g.inkWidth);
    let cy1 = Math.min(h + dy, gy + g.inkHeight);
    if (cx1 <= cx0 || cy1 <= cy0) return tileSlot(k, w, h, true);
    if (cx0 !== gx || cy0 !== gy || cx1 !== gx + g.inkWidth || cy1 !== gy + g.inkHeight) {
      // Clipped by the tile: shrink to the ink that is left (Image.getbbox).
      let nx0 = cx1;
      let ny0 = cy1;
      let nx1 = cx0;
      let ny1 = cy0;
      for (let y = cy0; y < cy1; y++) {
        for (let x = cx0; x < cx1; x++) {
          if (g.coverage[(y - gy) * g.inkWidth + x - gx] !== 0) {
            if (x < nx0) nx0 = x;
            if (x >= nx1) nx1 = x + 1;
            if (y < ny0) ny0 = y;
            if (y >= ny1) ny1 = y + 1;
          }
        }
      }
      if (nx1 <= nx0) return tileSlot(k, w, h, true);
      [cx0, cy0, cx1, cy1] = [nx0, ny0, nx1, ny1];
    }
    const sw = cx1 - cx0;
    const sh = cy1 - cy0;
    src = grow(src, sw * sh * 2);
    for (let y = 0; y < sh; y++) {
      for (let x = 0, i = (y + cy0 - gy) * g.inkWidth + cx0 - gx, o2 = y * sw * 2; x < sw; x++, i++, o2 += 2) {
        const m = g.coverage[i];
        // Text on a transparent tile: the colour goes in fully wherever coverage > 0 (Paste.c
        // fill_mask_L), alpha = colour alpha * coverage; premultiplied for the rotation.
        const a = m === 0 ? 0 : mulDiv255(alpha, m);
        src[o2] = a === 0 ? 0 : mulDiv255(luma, a);
        src[o2 + 1] = a;
      }
    }
    const r = rotationMatrix(angle, sw, sh);
    rot = grow(rot, r.width * r.height * 2);
    affineBilinear(src, sw, sh, r.matrix, rot, r.width, r.height, true); // RGBa -> RGBA -> RGBa included
    tmp = grow(tmp, w2 * r.height * 2);
    const t = tileSlot(k, w, h, false);
    // Resize to w2 x h2, QUAD warp back to w x h, paste mask: fused (tile-resize.ts).
    resizeQuadMask(rot, r.width, r.height, w2, h2, tmp, [x1, y1, -x1, h2 - y2, w2 + x2, h2 + y2, w2 - x2, -y1], MASK_OF_PREMULTIPLIED, t.mask, w, h);
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
    const luma = (color[0] * 19595 + color[1] * 38470 + color[2] * 7471 + 0x8000) >> 16;

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
