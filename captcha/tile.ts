import type { Rng } from '../core/rng.ts';
import type { Glyph } from './glyph-atlas.ts';
import type { CaptchaOptions } from './options.ts';
import { resizeQuadMask } from './tile-resize.ts';
import { MASK_OF_PREMULTIPLIED, affineBilinear, mulDiv255, rotationMatrix } from './tile-transform.ts';

/**
 * The random draws of one character tile of the library's `_draw_character`, after the font:
 * the pen offset of the glyph in its tile, the rotation in degrees, and the four integer warp
 * offsets of the QUAD (see ../shared/docs/imagecaptcha-algorithm.md).
 */
export interface TileDraws {
  readonly dx: number;
  readonly dy: number;
  readonly angle: number;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/** The tile size of a glyph: its font box, one pixel larger each way in 0.7.1 (which measures the box drawn from (1, 1)). */
export function tileBox(g: Glyph, style: CaptchaOptions['style']): [w: number, h: number] {
  const extra = style === '0.7' ? 1 : 0;
  return [g.boxWidth + extra, g.boxHeight + extra];
}

/**
 * The draws of one tile of a `w x h` glyph box, from `rng` in the library's order: pen offset,
 * rotation, warp amplitudes (0.7.1 draws `w * random() * (hi - lo) + lo` instead of
 * `w * uniform(lo, hi)`), then the four offsets, truncated toward zero.
 */
export function randomTileDraws(
  rng: Rng,
  o: Pick<CaptchaOptions, 'style' | 'characterOffsetDx' | 'characterOffsetDy' | 'characterRotate' | 'characterWarpDx' | 'characterWarpDy'>,
  w: number,
  h: number,
): TileDraws {
  const dx = rng.int(o.characterOffsetDx[0], o.characterOffsetDx[1]);
  const dy = rng.int(o.characterOffsetDy[0], o.characterOffsetDy[1]);
  const angle = rng.uniform(o.characterRotate[0], o.characterRotate[1]);
  const [wx0, wx1] = o.characterWarpDx;
  const [wy0, wy1] = o.characterWarpDy;
  const v07 = o.style === '0.7';
  const ax = v07 ? w * rng.next() * (wx1 - wx0) + wx0 : w * rng.uniform(wx0, wx1);
  const ay = v07 ? h * rng.next() * (wy1 - wy0) + wy0 : h * rng.uniform(wy0, wy1);
  const x1 = Math.trunc(rng.uniform(-ax, ax));
  const y1 = Math.trunc(rng.uniform(-ay, ay));
  const x2 = Math.trunc(rng.uniform(-ax, ax));
  const y2 = Math.trunc(rng.uniform(-ay, ay));
  return { dx, dy, angle, x1, y1, x2, y2 };
}

/** Pillow's integer luma of an RGB text colour (convert('L'): ITU-R 601-2 in 16-bit fixed point), the grey the paste mask is made of. */
export function textLuma(colour: readonly number[]): number {
  return (colour[0] * 19595 + colour[1] * 38470 + colour[2] * 7471 + 0x8000) >> 16;
}

/** `buf` when it holds `n` bytes, else a new buffer of at least `n` (doubling): scratch that only grows. */
export function grow(buf: Uint8Array, n: number): Uint8Array {
  return buf.length >= n ? buf : new Uint8Array(Math.max(n, buf.length * 2));
}

/**
 * Draws one character tile from explicit draws: the glyph at (dx, dy) in a (w + dx) x (h + dy)
 * tile, cropped to its ink, rotated (bilinear, expand), resized to W2 x H2 and QUAD-warped back
 * to `w x h`, as the paste mask (`luma * coverage * 1.97`) written into `mask` (w * h bytes).
 * Returns false for a tile with no ink left (it pastes nothing). Scratch buffers are reused
 * between calls; `mask` is the caller's.
 */
export type TileRenderer = (g: Glyph, w: number, h: number, d: TileDraws, alpha: number, luma: number, mask: Uint8Array) => boolean;

export function createTileRenderer(): TileRenderer {
  let src: Uint8Array = new Uint8Array(4096);
  let rot: Uint8Array = new Uint8Array(8192);
  let tmp: Uint8Array = new Uint8Array(8192);
  return (g, w, h, d, alpha, luma, mask) => {
    const { dx, dy } = d;
    const w2 = w + Math.abs(d.x1) + Math.abs(d.x2);
    const h2 = h + Math.abs(d.y1) + Math.abs(d.y2);
    // The glyph drawn at (dx, dy) in a (w + dx) x (h + dy) tile, then cropped to its ink.
    const gx = dx + g.inkLeft;
    const gy = dy + g.inkTop;
    let cx0 = Math.max(0, gx);
    let cy0 = Math.max(0, gy);
    let cx1 = Math.min(w + dx, gx + g.inkWidth);
    let cy1 = Math.min(h + dy, gy + g.inkHeight);
    if (cx1 <= cx0 || cy1 <= cy0) return false;
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
      if (nx1 <= nx0) return false;
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
    const r = rotationMatrix(d.angle, sw, sh);
    rot = grow(rot, r.width * r.height * 2);
    affineBilinear(src, sw, sh, r.matrix, rot, r.width, r.height, true); // RGBa -> RGBA -> RGBa included
    tmp = grow(tmp, w2 * r.height * 2);
    // Resize to w2 x h2, QUAD warp back to w x h, paste mask: fused (tile-resize.ts).
    resizeQuadMask(rot, r.width, r.height, w2, h2, tmp, [d.x1, d.y1, -d.x1, h2 - d.y2, w2 + d.x2, h2 + d.y2, w2 - d.x2, -d.y1], MASK_OF_PREMULTIPLIED, mask, w, h);
    return true;
  };
}
