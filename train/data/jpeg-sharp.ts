import sharp from 'sharp';
import type { RawImage } from '../../core/image.ts';

/**
 * A JPEG round trip through sharp (libvips + mozjpeg: real files' DCT artefacts, as the
 * 0.2-era CAPTCHAs were saved). The data stream computes the same pixels with
 * `jpegRoundTripPixels` (jpeg-round-trip.ts) without the two native calls; this is the
 * reference its test and the data-stream bench compare against.
 */
export async function jpegRoundTripSharp(image: RawImage, quality: number): Promise<RawImage> {
  const { width, height, channels } = image;
  const input = Buffer.from(image.data.buffer, image.data.byteOffset, width * height * channels);
  const encoded = await sharp(input, { raw: { width, height, channels } }).jpeg({ quality: Math.round(quality) }).toBuffer();
  const { data, info } = await sharp(encoded).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels === 1 ? 1 : 3, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
