import { unzlibSync } from 'fflate';
import { decode as decodePng } from 'fast-png';
import { decode as decodeJpeg } from 'jpeg-js';
import { GifReader } from 'omggif';
import { decodeBmp } from './bmp.ts';
import { InvalidImageError, UnsupportedMediaTypeError } from './errors.ts';
import type { RawImage } from './image.ts';
import { decodeSimplePng } from './png-fast.ts';
import { checkImageHeader, type ImageFormat, type ImageHeader } from './image-sniff.ts';

/**
 * Turns image file bytes into pixels. One implementation per runtime (sharp on Node, the
 * pure-JS one below at the edge); the header (format, size) is read and checked against the
 * pixel limit before `decode` is called.
 */
export interface ImageDecoder {
  readonly name: string;
  readonly formats: readonly ImageFormat[];
  decode(bytes: Uint8Array, header: ImageHeader): RawImage | Promise<RawImage>;
}

function fail(format: string, error: unknown): never {
  if (error instanceof InvalidImageError) throw error;
  const why = error instanceof Error ? error.message : String(error);
  throw new InvalidImageError(`cannot decode ${format}: ${why}`, { cause: error });
}

function pngToRaw(bytes: Uint8Array): RawImage {
  const png = decodePng(bytes, { checkCrc: false });
  const { width, height, depth } = png;
  const n = width * height;
  if (png.palette) {
    const pal = png.palette;
    const trns = png.transparency;
    const hasAlpha = pal.some((c) => c.length > 3 && c[3] !== 255) || (trns !== undefined && trns.length > 0);
    const channels = hasAlpha ? 4 : 3;
    const out = new Uint8Array(n * channels);
    const src = png.data;
    const per = 8 / depth;
    const rowBytes = Math.ceil((width * depth) / 8);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let idx: number;
        if (depth === 8) idx = src[y * width + x];
        else {
          const byte = src[y * rowBytes + Math.floor(x / per)];
          idx = (byte >> (8 - depth * ((x % per) + 1))) & ((1 << depth) - 1);
        }
        const c = pal[idx] ?? [0, 0, 0];
        const o = (y * width + x) * channels;
        out[o] = c[0];
        out[o + 1] = c[1];
        out[o + 2] = c[2];
        if (hasAlpha) out[o + 3] = c.length > 3 ? c[3] : trns && idx < trns.length ? trns[idx] : 255;
      }
    }
    return { width, height, channels, data: out };
  }
  const ch = png.channels;
  const src = png.data;
  const out = new Uint8Array(n * (ch === 2 ? 4 : ch === 1 ? 1 : ch));
  if (depth === 16) {
    for (let i = 0; i < n * ch; i++) out[i] = src[i] >> 8;
  } else if (depth === 8) {
    out.set(src.subarray(0, n * ch));
  } else {
    // grey at 1, 2 or 4 bits: rows are packed
    const rowBytes = Math.ceil((width * depth) / 8);
    const per = 8 / depth;
    const max = (1 << depth) - 1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const byte = src[y * rowBytes + Math.floor(x / per)];
        out[y * width + x] = Math.round((((byte >> (8 - depth * ((x % per) + 1))) & max) * 255) / max);
      }
    }
  }
  let data = out;
  let channels = ch as 1 | 2 | 3 | 4;
  if (ch === 2) {
    data = new Uint8Array(n * 4);
    for (let i = 0; i < n; i++) {
      data[i * 4] = data[i * 4 + 1] = data[i * 4 + 2] = out[i * 2];
      data[i * 4 + 3] = out[i * 2 + 1];
    }
    channels = 4;
  }
  const key = png.transparency;
  if (key && key.length > 0 && (channels === 1 || channels === 3)) {
    // tRNS colour key on grey or RGB: pixels of that colour are transparent
    const scale = depth === 16 ? 257 : depth < 8 ? 255 / ((1 << depth) - 1) : 1;
    const k = [...key].map((v) => Math.round(v / scale));
    const rgba = new Uint8Array(n * 4);
    for (let i = 0; i < n; i++) {
      const r = data[i * channels];
      const g = channels === 3 ? data[i * 3 + 1] : r;
      const b = channels === 3 ? data[i * 3 + 2] : r;
      rgba[i * 4] = r;
      rgba[i * 4 + 1] = g;
      rgba[i * 4 + 2] = b;
      const transparent = channels === 1 ? r === k[0] : r === k[0] && g === k[1] && b === k[2];
      rgba[i * 4 + 3] = transparent ? 0 : 255;
    }
    return { width, height, channels: 4, data: rgba };
  }
  return { width, height, channels: channels as 1 | 3 | 4, data };
}

function gifToRaw(bytes: Uint8Array): RawImage {
  const reader = new GifReader(bytes);
  if (reader.numFrames() < 1) throw new InvalidImageError('GIF has no frames');
  const { width, height } = reader;
  const data = new Uint8Array(width * height * 4);
  reader.decodeAndBlitFrameRGBA(0, data);
  return { width, height, channels: 4, data };
}

/** Pure-JavaScript decoding (PNG, JPEG, GIF, BMP) for runtimes without native libraries. */
export const pureJsImageDecoder: ImageDecoder = {
  name: 'pure-js',
  formats: ['png', 'jpeg', 'gif', 'bmp'],
  decode(bytes, header) {
    try {
      switch (header.format) {
        case 'png':
          // the common CAPTCHA PNG (8-bit, not interlaced) with fflate; the rest with fast-png
          return decodeSimplePng(bytes, unzlibSync) ?? pngToRaw(bytes);
        case 'jpeg': {
          const mp = (header.width * header.height) / 1e6 + 1;
          const j = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: mp, maxMemoryUsageInMB: Math.ceil(mp * 16 + 64) });
          return { width: j.width, height: j.height, channels: 3, data: j.data };
        }
        case 'gif':
          return gifToRaw(bytes);
        case 'bmp':
          return decodeBmp(bytes);
        default:
          throw new UnsupportedMediaTypeError(`${header.format} images are not supported by this runtime's decoder`);
      }
    } catch (error) {
      if (error instanceof UnsupportedMediaTypeError) throw error;
      return fail(header.format, error);
    }
  },
};

/** Reads and checks the header (pixel limit), then decodes with `decoder`; every failure is typed. */
export async function decodeImage(bytes: Uint8Array, maxPixels: number, decoder: ImageDecoder = pureJsImageDecoder): Promise<RawImage> {
  const header = checkImageHeader(bytes, maxPixels);
  if (!decoder.formats.includes(header.format)) {
    throw new UnsupportedMediaTypeError(`${header.format} images are not supported by the ${decoder.name} decoder`);
  }
  let image: RawImage;
  try {
    image = await decoder.decode(bytes, header);
  } catch (error) {
    if (error instanceof UnsupportedMediaTypeError || error instanceof InvalidImageError) throw error;
    return fail(header.format, error);
  }
  if (image.width !== header.width || image.height !== header.height) {
    if (image.width * image.height > maxPixels) throw new InvalidImageError('image size differs from its header');
  }
  if (image.data.length < image.width * image.height * image.channels) throw new InvalidImageError('decoded image is short of pixels');
  return image;
}
