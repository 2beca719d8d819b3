import { InvalidImageError } from './errors.ts';
import { greyAlphaToRgba, type RawImage } from './image.ts';

/** zlib inflate (Node: zlib.inflateSync; anywhere: fflate). Throws on corrupt data. */
export type Inflate = (data: Uint8Array) => Uint8Array;

const CHANNELS: Readonly<Record<number, 1 | 2 | 3 | 4>> = { 0: 1, 2: 3, 4: 2, 6: 4 };

const u32 = (b: Uint8Array, o: number): number => ((b[o] << 24) >>> 0) + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);

/**
 * Decodes the PNGs CAPTCHAs come as: 8 bits a sample, not interlaced, grey / grey+alpha /
 * RGB / RGBA, with a given inflate. Answers undefined for anything else (palette, 16-bit,
 * interlaced, a tRNS colour key, ...), which the caller hands to its general decoder. CRCs are not checked
 * (the general decoders do not either); structure errors throw InvalidImageError.
 */
export function decodeSimplePng(bytes: Uint8Array, inflate: Inflate): RawImage | undefined {
  if (bytes.length < 33) return undefined;
  const width = u32(bytes, 16);
  const height = u32(bytes, 20);
  const depth = bytes[24];
  const colour = bytes[25];
  const interlace = bytes[28];
  const channels = CHANNELS[colour];
  if (depth !== 8 || channels === undefined || interlace !== 0 || width === 0 || height === 0) return undefined;
  // gather the IDAT chunks
  const parts: Uint8Array[] = [];
  let size = 0;
  let o = 8;
  while (o + 8 <= bytes.length) {
    const len = u32(bytes, o);
    const type = String.fromCharCode(bytes[o + 4], bytes[o + 5], bytes[o + 6], bytes[o + 7]);
    if (o + 12 + len > bytes.length) throw new InvalidImageError(`corrupt PNG: chunk ${type} runs past the end of the file`);
    if (type === 'tRNS') return undefined; // a transparent colour key: the general decoder applies it
    if (type === 'IDAT') {
      parts.push(bytes.subarray(o + 8, o + 8 + len));
      size += len;
    } else if (type === 'IEND') break;
    o += 12 + len;
  }
  if (parts.length === 0) throw new InvalidImageError('corrupt PNG: no image data');
  let z: Uint8Array;
  if (parts.length === 1) z = parts[0];
  else {
    z = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      z.set(p, at);
      at += p.length;
    }
  }
  let raw: Uint8Array;
  try {
    raw = inflate(z);
  } catch (error) {
    throw new InvalidImageError(`corrupt PNG: ${(error as Error).message}`, { cause: error });
  }
  const bpp = channels;
  const stride = width * bpp;
  if (raw.length < (stride + 1) * height) throw new InvalidImageError('corrupt PNG: image data is short');
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    const up = dst - stride;
    switch (f) {
      case 0:
        out.set(raw.subarray(src, src + stride), dst);
        break;
      case 1:
        for (let x = 0; x < stride; x++) out[dst + x] = (raw[src + x] + (x >= bpp ? out[dst + x - bpp] : 0)) & 255;
        break;
      case 2:
        if (y === 0) out.set(raw.subarray(src, src + stride), dst);
        else for (let x = 0; x < stride; x++) out[dst + x] = (raw[src + x] + out[up + x]) & 255;
        break;
      case 3:
        for (let x = 0; x < stride; x++) {
          const a = x >= bpp ? out[dst + x - bpp] : 0;
          const b = y > 0 ? out[up + x] : 0;
          out[dst + x] = (raw[src + x] + ((a + b) >> 1)) & 255;
        }
        break;
      case 4:
        for (let x = 0; x < stride; x++) {
          const a = x >= bpp ? out[dst + x - bpp] : 0;
          const b = y > 0 ? out[up + x] : 0;
          const c = x >= bpp && y > 0 ? out[up + x - bpp] : 0;
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          out[dst + x] = (raw[src + x] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 255;
        }
        break;
      default:
        throw new InvalidImageError(`corrupt PNG: unknown row filter ${f}`);
    }
  }
  return channels === 2 ? greyAlphaToRgba(out, width, height) : { width, height, channels, data: out };
}
