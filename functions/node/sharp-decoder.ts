import { inflateSync } from 'node:zlib';
import sharp from 'sharp';
import { decodeSimplePng } from '../../core/png-fast.ts';
import { decodeBmp } from '../../core/bmp.ts';
import type { ImageDecoder } from '../../core/image-decode.ts';
import { greyAlphaToRgba, type RawImage } from '../../core/image.ts';

/**
 * Node's image decoder: 8-bit non-interlaced PNG with node:zlib (core/png-fast.ts), libvips
 * through sharp for other PNGs, JPEG, GIF (first frame) and WebP, the pure-JS BMP decoder from
 * core/ (libvips has no BMP loader). Pixels only: the one
 * preprocessing rule (core/preprocess.ts) runs afterwards, as on every runtime.
 */
export function createSharpDecoder(): ImageDecoder {
  sharp.cache(false);
  sharp.concurrency(1);
  return {
    name: 'sharp',
    formats: ['png', 'jpeg', 'gif', 'webp', 'bmp'],
    async decode(bytes, header): Promise<RawImage> {
      if (header.format === 'bmp') return decodeBmp(bytes);
      // the common CAPTCHA PNG (8-bit, not interlaced) on the main thread with node:zlib:
      // about 4 times less CPU than a trip through libvips; everything else goes to sharp
      if (header.format === 'png') {
        const image = decodeSimplePng(bytes, inflateSync);
        if (image) return image;
      }
      const { data, info } = await sharp(bytes, { limitInputPixels: header.width * header.height + 1, failOn: 'warning', pages: 1, sequentialRead: true })
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true });
      const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      if (info.channels === 2) return greyAlphaToRgba(pixels, info.width, info.height);
      return { width: info.width, height: info.height, channels: info.channels as 1 | 3 | 4, data: pixels };
    },
  };
}
