import { createRequire } from 'node:module';
import { DEFAULT_CHARSET, validateCharset } from '../core/charset.ts';

/**
 * The behaviour of one release line of the Python `captcha` library (see
 * ../shared/docs/imagecaptcha-algorithm.md): '0.2' = 0.2.2, '0.3' = 0.3/0.4, '0.7' = 0.7.1.
 */
export type CaptchaStyle = '0.2' | '0.3' | '0.7';
export const CAPTCHA_STYLES: readonly CaptchaStyle[] = ['0.2', '0.3', '0.7'];

/** An inclusive range [low, high]. */
export type Range = readonly [number, number];

/** Everything that decides an image; the image for index i depends only on these and i. */
export interface CaptchaOptions {
  /** Library release whose drawing to reproduce (default '0.7'). */
  style: CaptchaStyle;
  /** Requested image size (default 160 x 60). Style '0.2' comes out wider when the text is. */
  width: number;
  height: number;
  /** Text length, drawn uniformly in [minLength, maxLength] (default 4..4). */
  minLength: number;
  maxLength: number;
  /** Alphabet (default 0-9A-Z). */
  charset: string;
  /** Distinct characters as Python's random.sample (default true); false allows repeats. */
  distinct: boolean;
  /** Font files (.ttf, .otf, .woff, .woff2); default: the bundled Droid Sans Mono (the library's own font). */
  fonts: readonly string[];
  /** Font sizes in pixels, one picked per character (default 0.2: 46 58 68; 0.3+: 42 50 56). */
  fontSizes: readonly number[];
  /**
   * Override of the font ascender in em, which sets the font box height Pillow measures (and
   * so the glyph height after the warp). Default: each font's own, as Pillow reads it.
   */
  fontAscent: number | undefined;
  /** Seed of the whole data set (default 0). */
  seed: number;
  /** Background channel range (default 238..255). */
  background: Range;
  /** Text colour channel range (default 0.2: 0..200; 0.3+: 10..200) and alpha (220..255). */
  textColor: Range;
  textAlpha: Range;
  /** Pen offset of the glyph in its tile (0..4, 0..6). */
  characterOffsetDx: Range;
  characterOffsetDy: Range;
  /** Rotation in degrees (-30..30). */
  characterRotate: Range;
  /** Warp amplitude as fractions of the font box (0.1..0.3, 0.2..0.3). */
  characterWarpDx: Range;
  characterWarpDy: Range;
  /** Probability of a blank tile before each character (0.2: 0; 0.3+: 0.5). */
  wordSpaceProbability: number;
  /** Largest overlap of neighbours as a fraction of the average tile width (0.25). */
  wordOffsetDx: number;
  /** Noise dots (30) and their line width (3). */
  noiseDots: number;
  noiseDotWidth: number;
  /** Draw the noise arc (true). */
  noiseCurve: boolean;
}

/**
 * The bundled font file, as an absolute path: Droid Sans Mono 1.00 build 112 (Apache 2.0), the
 * font the Python library ships, from the npm package connect-fonts-droidsansmono.
 */
export const DEFAULT_FONT = createRequire(import.meta.url).resolve('connect-fonts-droidsansmono/fonts/default/droidsansmono.ttf');

/** The defaults that differ between styles. */
export function styleDefaults(style: CaptchaStyle): Pick<CaptchaOptions, 'fontSizes' | 'textColor' | 'wordSpaceProbability'> {
  return style === '0.2'
    ? { fontSizes: [46, 58, 68], textColor: [0, 200], wordSpaceProbability: 0 }
    : { fontSizes: [42, 50, 56], textColor: [10, 200], wordSpaceProbability: 0.5 };
}

function range(name: string, r: Range, lo: number, hi: number, integer: boolean): Range {
  if (!Array.isArray(r) || r.length !== 2 || !r.every((v) => Number.isFinite(v) && (!integer || Number.isInteger(v)))) {
    throw new RangeError(`${name} must be a pair of ${integer ? 'integers' : 'numbers'}`);
  }
  if (r[0] > r[1] || r[0] < lo || r[1] > hi) throw new RangeError(`${name} must satisfy ${lo} <= low <= high <= ${hi}, got [${r.join(', ')}]`);
  return [r[0], r[1]];
}

function int(name: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${name} must be an integer in [${lo}, ${hi}], got ${v}`);
  return v;
}

function num(name: string, v: number, lo: number, hi: number): number {
  if (!Number.isFinite(v) || v < lo || v > hi) throw new RangeError(`${name} must be a number in [${lo}, ${hi}], got ${v}`);
  return v;
}

/** Fills in defaults and validates; throws RangeError naming the first bad option. */
export function resolveCaptchaOptions(options: Partial<CaptchaOptions> = {}): CaptchaOptions {
  const style = options.style ?? '0.7';
  if (!CAPTCHA_STYLES.includes(style)) throw new RangeError(`style must be one of ${CAPTCHA_STYLES.join(', ')}, got ${JSON.stringify(style)}`);
  const d = styleDefaults(style);
  const charset = validateCharset(options.charset ?? DEFAULT_CHARSET);
  const minLength = int('minLength', options.minLength ?? Math.min(4, options.maxLength ?? 4), 1, 64);
  const maxLength = int('maxLength', options.maxLength ?? Math.max(minLength, 4), 1, 64);
  if (minLength > maxLength) throw new RangeError(`minLength (${minLength}) must not exceed maxLength (${maxLength})`);
  const distinct = options.distinct ?? true;
  if (distinct && maxLength > [...charset].length) {
    throw new RangeError(`maxLength (${maxLength}) exceeds the ${[...charset].length} distinct characters of the charset; allow repeats`);
  }
  const fonts = options.fonts && options.fonts.length > 0 ? [...options.fonts] : [DEFAULT_FONT];
  const fontSizes = options.fontSizes && options.fontSizes.length > 0 ? [...options.fontSizes] : d.fontSizes;
  fontSizes.forEach((s) => int('fontSizes[]', s, 4, 512));
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
  return {
    style,
    width: int('width', options.width ?? 160, 8, 4096),
    height: int('height', options.height ?? 60, 8, 4096),
    minLength,
    maxLength,
    charset,
    distinct,
    fonts,
    fontSizes,
    fontAscent: options.fontAscent === undefined ? undefined : num('fontAscent', options.fontAscent, 0.1, 4),
    seed,
    background: range('background', options.background ?? [238, 255], 0, 255, true),
    textColor: range('textColor', options.textColor ?? d.textColor, 0, 255, true),
    textAlpha: range('textAlpha', options.textAlpha ?? [220, 255], 0, 255, true),
    characterOffsetDx: range('characterOffsetDx', options.characterOffsetDx ?? [0, 4], 0, 256, true),
    characterOffsetDy: range('characterOffsetDy', options.characterOffsetDy ?? [0, 6], 0, 256, true),
    characterRotate: range('characterRotate', options.characterRotate ?? [-30, 30], -180, 180, false),
    characterWarpDx: range('characterWarpDx', options.characterWarpDx ?? [0.1, 0.3], 0, 2, false),
    characterWarpDy: range('characterWarpDy', options.characterWarpDy ?? [0.2, 0.3], 0, 2, false),
    wordSpaceProbability: num('wordSpaceProbability', options.wordSpaceProbability ?? d.wordSpaceProbability, 0, 1),
    wordOffsetDx: num('wordOffsetDx', options.wordOffsetDx ?? 0.25, 0, 1),
    noiseDots: int('noiseDots', options.noiseDots ?? 30, 0, 100000),
    noiseDotWidth: int('noiseDotWidth', options.noiseDotWidth ?? 3, 1, 64),
    noiseCurve: options.noiseCurve ?? true,
  };
}
