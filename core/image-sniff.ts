import { ImageTooLargeError, InvalidImageError, UnsupportedMediaTypeError } from './errors.ts';

/** The image formats the API accepts. */
export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'bmp' | 'webp';

export const IMAGE_MIME_TYPES: Readonly<Record<ImageFormat, string>> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  bmp: 'image/bmp',
  webp: 'image/webp',
};

/** What the first bytes of a file say: its format and size, read without decoding any pixel. */
export interface ImageHeader {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
}

const u16be = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];
const u16le = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8);
const u24le = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8) | (b[o + 2] << 16);
const u32be = (b: Uint8Array, o: number): number => ((b[o] << 24) >>> 0) + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
const i32le = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);

function ascii(b: Uint8Array, o: number, n: number): string {
  let s = '';
  for (let i = 0; i < n && o + i < b.length; i++) s += String.fromCharCode(b[o + i]);
  return s;
}

/** The format from the magic bytes, or undefined. */
export function sniffFormat(b: Uint8Array): ImageFormat | undefined {
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 3) === 'PNG' && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return 'gif';
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return 'bmp';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'webp';
  return undefined;
}

function truncated(format: string): never {
  throw new InvalidImageError(`truncated ${format} header`);
}

function jpegSize(b: Uint8Array): [number, number] {
  let o = 2;
  while (o < b.length) {
    if (b[o] !== 0xff) throw new InvalidImageError('corrupt JPEG: expected a marker');
    while (o < b.length && b[o] === 0xff) o++; // fill bytes
    if (o >= b.length) break;
    const marker = b[o++];
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (marker === 0xd9 || marker === 0xda) throw new InvalidImageError('corrupt JPEG: no frame header before the scan');
    if (o + 2 > b.length) break;
    const len = u16be(b, o);
    if (len < 2) throw new InvalidImageError('corrupt JPEG: bad segment length');
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (o + 7 > b.length) break;
      return [u16be(b, o + 5), u16be(b, o + 3)];
    }
    o += len;
  }
  return truncated('JPEG');
}

function webpSize(b: Uint8Array): [number, number] {
  if (b.length < 30) truncated('WebP');
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ') {
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) throw new InvalidImageError('corrupt WebP: bad VP8 start code');
    return [u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff];
  }
  if (chunk === 'VP8L') {
    if (b[20] !== 0x2f) throw new InvalidImageError('corrupt WebP: bad VP8L signature');
    const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
    return [(bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1];
  }
  if (chunk === 'VP8X') return [u24le(b, 24) + 1, u24le(b, 27) + 1];
  throw new InvalidImageError(`corrupt WebP: unknown chunk ${JSON.stringify(chunk)}`);
}

/**
 * Reads the format and size from the header only. Throws `UnsupportedMediaTypeError` for
 * bytes that are no known image format and `InvalidImageError` for a broken header.
 */
export function readImageHeader(b: Uint8Array): ImageHeader {
  const format = sniffFormat(b);
  let size: [number, number];
  switch (format) {
    case 'png':
      if (b.length < 24) truncated('PNG');
      if (ascii(b, 12, 4) !== 'IHDR') throw new InvalidImageError('corrupt PNG: IHDR is not the first chunk');
      size = [u32be(b, 16), u32be(b, 20)];
      break;
    case 'jpeg':
      size = jpegSize(b);
      break;
    case 'gif':
      if (b.length < 10) truncated('GIF');
      size = [u16le(b, 6), u16le(b, 8)];
      break;
    case 'bmp': {
      if (b.length < 26) truncated('BMP');
      const dib = i32le(b, 14);
      if (dib === 12) size = [u16le(b, 18), u16le(b, 20)];
      else if (dib >= 40 && dib <= 124) size = [Math.abs(i32le(b, 18)), Math.abs(i32le(b, 22))];
      else throw new InvalidImageError(`unsupported BMP header size ${dib}`);
      break;
    }
    case 'webp':
      size = webpSize(b);
      break;
    default:
      throw new UnsupportedMediaTypeError('not a PNG, JPEG, GIF, BMP or WebP image');
  }
  const [width, height] = size;
  if (!(width > 0 && height > 0)) throw new InvalidImageError(`image has no pixels (${width}x${height})`);
  return { format, width, height };
}

/** `readImageHeader` plus the pixel limit: refuses an image before any pixel is decoded. */
export function checkImageHeader(b: Uint8Array, maxPixels: number): ImageHeader {
  const header = readImageHeader(b);
  if (header.width * header.height > maxPixels) {
    throw new ImageTooLargeError(`image is ${header.width}x${header.height} = ${header.width * header.height} pixels; the limit is ${maxPixels}`);
  }
  return header;
}
