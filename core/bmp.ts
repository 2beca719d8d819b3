import type { RawImage } from './image.ts';
import { InvalidImageError } from './errors.ts';

const u16 = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
const i32 = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);

function maskShift(mask: number): [number, number] {
  if (mask === 0) return [0, 0];
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  let bits = 0;
  while (((mask >>> (shift + bits)) & 1) === 1 && bits < 32) bits++;
  return [shift, (1 << bits) - 1 || 1];
}

/**
 * Decodes an uncompressed Windows bitmap (1, 4, 8, 16, 24 or 32 bits a pixel, BI_RGB or
 * BI_BITFIELDS, bottom-up or top-down) into RGB, or RGBA when an alpha mask carries alpha.
 * RLE-compressed bitmaps are refused.
 */
export function decodeBmp(b: Uint8Array): RawImage {
  if (b.length < 26 || b[0] !== 0x42 || b[1] !== 0x4d) throw new InvalidImageError('not a BMP file');
  const dataOffset = u32(b, 10);
  const dib = u32(b, 14);
  let width: number;
  let height: number;
  let bpp: number;
  let compression = 0;
  let colours = 0;
  const core = dib === 12;
  if (core) {
    width = u16(b, 18);
    height = u16(b, 20);
    bpp = u16(b, 24);
  } else {
    if (b.length < 14 + 40) throw new InvalidImageError('truncated BMP header');
    width = i32(b, 18);
    height = i32(b, 22);
    bpp = u16(b, 28);
    compression = u32(b, 30);
    colours = u32(b, 46);
  }
  const topDown = height < 0;
  height = Math.abs(height);
  if (width <= 0 || height <= 0) throw new InvalidImageError('BMP has no pixels');
  let masks: [number, number, number, number] | undefined;
  if (compression === 3 || compression === 6) {
    const at = dib >= 52 ? 14 + 40 : 14 + dib;
    if (b.length < at + 12) throw new InvalidImageError('truncated BMP bit fields');
    const alpha = dib >= 56 || compression === 6 ? u32(b, at + 12) : 0;
    masks = [u32(b, at), u32(b, at + 4), u32(b, at + 8), alpha];
  } else if (compression !== 0) {
    throw new InvalidImageError(`unsupported BMP compression ${compression} (only uncompressed bitmaps)`);
  }
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw new InvalidImageError(`unsupported BMP bit depth ${bpp}`);
  if (bpp === 16 && !masks) masks = [0x7c00, 0x03e0, 0x001f, 0];
  let palette: Uint8Array | undefined;
  if (bpp <= 8) {
    const n = colours || 1 << bpp;
    const entry = core ? 3 : 4;
    const at = 14 + dib;
    if (n > 256 || b.length < at + n * entry) throw new InvalidImageError('truncated BMP palette');
    palette = new Uint8Array(256 * 3);
    for (let i = 0; i < n; i++) {
      palette[i * 3] = b[at + i * entry + 2];
      palette[i * 3 + 1] = b[at + i * entry + 1];
      palette[i * 3 + 2] = b[at + i * entry];
    }
  }
  const stride = Math.floor((width * bpp + 31) / 32) * 4;
  if (dataOffset + stride * height > b.length) throw new InvalidImageError('truncated BMP pixel data');
  const hasAlpha = masks !== undefined && masks[3] !== 0;
  const channels = hasAlpha ? 4 : 3;
  const out = new Uint8Array(width * height * channels);
  const fields = masks?.map(maskShift);
  let anyAlpha = false;
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    let o = y * width * channels;
    for (let x = 0; x < width; x++, o += channels) {
      if (palette) {
        const bit = x * bpp;
        const byte = b[row + (bit >> 3)];
        const idx = bpp === 8 ? byte : (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        out[o] = palette[idx * 3];
        out[o + 1] = palette[idx * 3 + 1];
        out[o + 2] = palette[idx * 3 + 2];
      } else if (bpp === 24 || (bpp === 32 && !fields)) {
        const p = row + x * (bpp >> 3);
        out[o] = b[p + 2];
        out[o + 1] = b[p + 1];
        out[o + 2] = b[p];
      } else {
        const p = row + x * (bpp >> 3);
        const v = bpp === 16 ? u16(b, p) : u32(b, p);
        for (let c = 0; c < channels; c++) {
          const [shift, max] = fields![c];
          out[o + c] = max ? Math.round((((v >>> shift) & max) * 255) / max) : 255;
        }
        if (hasAlpha && out[o + 3] !== 0) anyAlpha = true;
      }
    }
  }
  if (hasAlpha && !anyAlpha) {
    // Many writers leave the alpha of 32-bit bitmaps at zero: that means opaque.
    for (let i = 3; i < out.length; i += 4) out[i] = 255;
  }
  return { width, height, channels, data: out };
}
