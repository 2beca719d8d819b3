import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { GlobalFonts, createCanvas } from '@napi-rs/canvas';
import { DEFAULT_FONT } from './options.ts';

/**
 * One glyph at one size, rasterised once: its coverage (0..255) over the tight ink box and
 * the font box Pillow measures for it (`textsize` / `textbbox`: the advance width, and the
 * bottom of the ink measured from the ascender line).
 */
export interface Glyph {
  /** Coverage of the ink box, row-major, `inkWidth * inkHeight` (empty for a blank glyph). */
  readonly coverage: Uint8Array;
  readonly inkWidth: number;
  readonly inkHeight: number;
  /** Ink box position: x from the pen origin, y from the ascender line (the top of Pillow's box). */
  readonly inkLeft: number;
  readonly inkTop: number;
  /** Pillow's font box (0.2/0.3 `textsize`; 0.7 adds 1 to each, see the generator). */
  readonly boxWidth: number;
  readonly boxHeight: number;
}

const families = new Map<string, string>();

/** Registers a font file with the rasteriser once; returns its private family name. */
export function registerFont(path: string): string {
  const abs = resolve(path);
  const known = families.get(abs);
  if (known) return known;
  if (!existsSync(abs)) throw new RangeError(`font file not found: ${path}`);
  const family = `captcha-ocr-font-${families.size}`;
  const key = GlobalFonts.registerFromPath(abs, family);
  if (!key) throw new RangeError(`cannot load font file ${path} (expected .ttf, .otf, .woff or .woff2)`);
  families.set(abs, family);
  return family;
}

/**
 * Glyph masks for a list of fonts and sizes, rendered lazily with @napi-rs/canvas and cached
 * per (font, size, character). Everything after this step is plain typed-array code.
 */
export class GlyphAtlas {
  private readonly families: string[];
  private readonly ascents: number[];
  private readonly cache = new Map<string, Glyph>();

  constructor(
    readonly fonts: readonly string[],
    fontAscent?: number,
  ) {
    this.families = fonts.map(registerFont);
    this.ascents = this.families.map((f) => fontAscent ?? this.measureAscent(f));
  }

  private measureAscent(family: string): number {
    const ctx = createCanvas(8, 8).getContext('2d');
    ctx.font = `100px "${family}"`;
    return ctx.measureText('H').fontBoundingBoxAscent / 100;
  }

  /** The glyph of `char` in font `font` (index into `fonts`) at `size` pixels per em. */
  glyph(font: number, size: number, char: string): Glyph {
    const key = `${font}\u0000${size}\u0000${char}`;
    let g = this.cache.get(key);
    if (!g) {
      g = this.render(font, size, char);
      this.cache.set(key, g);
    }
    return g;
  }

  private render(font: number, size: number, char: string): Glyph {
    // Droid Sans Mono (the Python library's font) differs from its successor Noto Sans Mono
    // in two glyphs that matter: its zero is plain (Noto slashes it) and its one has no foot
    // serif (Noto's has one; with it, real ones read as sevens). A model taught shapes real
    // CAPTCHAs never show confuses 0/O and 1/7, so the bundled font gets Droid's shapes:
    // the zero is the letter O squeezed into the zero's ink box, the one loses its foot.
    if (resolve(this.fonts[font]) === resolve(DEFAULT_FONT)) {
      if (char === '0') {
        const zero = this.rasterise(font, size, '0');
        const o = this.rasterise(font, size, 'O');
        return { ...zero, coverage: resampleCoverage(o.coverage, o.inkWidth, o.inkHeight, zero.inkWidth, zero.inkHeight) };
      }
      if (char === '1') return withoutFoot(this.rasterise(font, size, '1'));
    }
    return this.rasterise(font, size, char);
  }

  private rasterise(font: number, size: number, char: string): Glyph {
    const pad = Math.ceil(size * 0.75);
    const cw = Math.ceil(size * 2) + 2 * pad;
    const ch = Math.ceil(size * 2) + 2 * pad;
    const baseline = pad + Math.ceil(size * 1.25);
    const canvas = createCanvas(cw, ch);
    const ctx = canvas.getContext('2d');
    ctx.font = `${size}px "${this.families[font]}"`;
    ctx.fillStyle = '#ffffff';
    ctx.textBaseline = 'alphabetic';
    ctx.textAlign = 'left';
    ctx.fillText(char, pad, baseline);
    const advance = Math.round(ctx.measureText(char).width);
    // FreeType rounds the scaled ascender to whole pixels for hinted TrueType fonts.
    const ascent = Math.round(this.ascents[font] * size);
    const rgba = ctx.getImageData(0, 0, cw, ch).data;
    let x0 = cw;
    let y0 = ch;
    let x1 = -1;
    let y1 = -1;
    for (let y = 0; y < ch; y++) {
      for (let x = 0; x < cw; x++) {
        if (rgba[(y * cw + x) * 4 + 3] !== 0) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
      }
    }
    if (x1 < 0) {
      return { coverage: new Uint8Array(0), inkWidth: 0, inkHeight: 0, inkLeft: 0, inkTop: 0, boxWidth: advance, boxHeight: ascent };
    }
    const inkWidth = x1 - x0 + 1;
    const inkHeight = y1 - y0 + 1;
    const coverage = new Uint8Array(inkWidth * inkHeight);
    for (let y = 0; y < inkHeight; y++) {
      for (let x = 0; x < inkWidth; x++) coverage[y * inkWidth + x] = rgba[((y + y0) * cw + x + x0) * 4 + 3];
    }
    const inkLeft = x0 - pad;
    const inkTop = y0 - baseline + ascent;
    return {
      coverage,
      inkWidth,
      inkHeight,
      inkLeft,
      inkTop,
      boxWidth: Math.max(advance, inkLeft + inkWidth),
      boxHeight: inkTop + inkHeight,
    };
  }
}

/** Bilinear resampling of a coverage mask (used to reshape one glyph into another's box). */
function resampleCoverage(src: Uint8Array, sw: number, sh: number, dw: number, dh: number): Uint8Array {
  const out = new Uint8Array(dw * dh);
  if (sw === 0 || sh === 0) return out;
  for (let y = 0; y < dh; y++) {
    const fy = Math.min(sh - 1, Math.max(0, ((y + 0.5) * sh) / dh - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(sh - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < dw; x++) {
      const fx = Math.min(sw - 1, Math.max(0, ((x + 0.5) * sw) / dw - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(sw - 1, x0 + 1);
      const wx = fx - x0;
      const top = src[y0 * sw + x0] * (1 - wx) + src[y0 * sw + x1] * wx;
      const bottom = src[y1 * sw + x0] * (1 - wx) + src[y1 * sw + x1] * wx;
      out[y * dw + x] = Math.round(top * (1 - wy) + bottom * wy);
    }
  }
  return out;
}

/**
 * Removes the foot serif of a "1": below 85 % of the ink height, keeps only the columns of the
 * stem (measured at 65 % height, where only the stem has ink), then crops to the new ink box.
 */
export function withoutFoot(g: Glyph): Glyph {
  const { inkWidth: w, inkHeight: h, coverage } = g;
  if (w === 0 || h < 8) return g;
  const probe = Math.floor(h * 0.65) * w;
  let s0 = -1;
  let s1 = -1;
  for (let x = 0; x < w; x++) {
    if (coverage[probe + x] > 0) {
      if (s0 < 0) s0 = x;
      s1 = x;
    }
  }
  if (s0 < 0) return g;
  const out = coverage.slice();
  for (let y = Math.floor(h * 0.85); y < h; y++) {
    for (let x = 0; x < w; x++) if (x < s0 || x > s1) out[y * w + x] = 0;
  }
  // The stem's columns now bound the bottom rows; the flag still bounds the top-left.
  let x0 = w;
  let x1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (out[y * w + x] > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
      }
    }
  }
  const nw = x1 - x0 + 1;
  const cropped = new Uint8Array(nw * h);
  for (let y = 0; y < h; y++) cropped.set(out.subarray(y * w + x0, y * w + x0 + nw), y * nw);
  return { ...g, coverage: cropped, inkWidth: nw, inkLeft: g.inkLeft + x0 };
}
