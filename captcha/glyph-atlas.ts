import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
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

type PillowEntry = [boxWidth: number, boxHeight: number, inkLeft: number, inkTop: number, inkWidth: number, inkHeight: number, coverage: string];
let pillowGlyphs: Map<string, PillowEntry> | undefined;

/**
 * The bundled font's glyphs as Pillow 9.4 (the Pillow of the reference images) rasterises them,
 * FreeType hinting included: 0-9, A-Z, a-z and space at the library's font sizes (42, 46, 50,
 * 56, 58, 68), made by scripts/pillow-glyphs.py. Canvas rendering, which has no TrueType hinting,
 * draws strokes about 10 % heavier; other fonts, sizes and characters still use it.
 */
function pillowGlyph(size: number, char: string): Glyph | undefined {
  if (!pillowGlyphs) {
    const data = JSON.parse(gunzipSync(readFileSync(new URL('./data/droid-sans-mono-pillow.json.gz', import.meta.url))).toString('utf8')) as { glyphs: Record<string, PillowEntry> };
    pillowGlyphs = new Map(Object.entries(data.glyphs));
  }
  const e = pillowGlyphs.get(`${size}:${char}`);
  if (!e) return undefined;
  const [boxWidth, boxHeight, inkLeft, inkTop, inkWidth, inkHeight, b64] = e;
  return { coverage: new Uint8Array(Buffer.from(b64, 'base64')), inkWidth, inkHeight, inkLeft, inkTop, boxWidth, boxHeight };
}

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
  private readonly pillow: boolean[];

  /** `pillowGlyphs: false` renders the bundled font with the canvas too (for comparisons). */
  constructor(
    readonly fonts: readonly string[],
    fontAscent?: number,
    options: { pillowGlyphs?: boolean } = {},
  ) {
    this.families = fonts.map(registerFont);
    this.ascents = this.families.map((f) => fontAscent ?? this.measureAscent(f));
    // the prebuilt glyphs carry Pillow's own ascender: only without an override
    this.pillow = fonts.map((f) => options.pillowGlyphs !== false && fontAscent === undefined && resolve(f) === resolve(DEFAULT_FONT));
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
      g = (this.pillow[font] ? pillowGlyph(size, char) : undefined) ?? this.rasterise(font, size, char);
      this.cache.set(key, g);
    }
    return g;
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
    // FreeType rounds the scaled ascender up to whole pixels (FT_PIX_CEIL): Pillow 9.4 gives
    // Droid Sans Mono at 42 px an ascender of 45 (44.36 scaled), at 56 px 60 (59.15).
    const ascent = Math.ceil(this.ascents[font] * size - 1e-9);
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
