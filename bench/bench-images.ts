// Test images for the benchmarks: 160x60 CAPTCHAs from captcha/generator.ts as PNG files.
import sharp from 'sharp';
import type { RawImage } from '../core/image.ts';

export interface LabelledImage {
  readonly text: string;
  readonly png: Uint8Array;
}

export async function encodePng(image: RawImage): Promise<Uint8Array> {
  return new Uint8Array(await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } }).png().toBuffer());
}

/** `n` labelled 160x60 PNG CAPTCHAs (seeded), encoded with sharp. */
export async function captchaPngs(n: number, seed = 7): Promise<LabelledImage[]> {
  const { createCaptchaGenerator } = await import('../captcha/generator.ts');
  const gen = createCaptchaGenerator({ width: 160, height: 60, seed });
  const out: LabelledImage[] = [];
  for (let i = 0; i < n; i++) {
    const { text, image } = gen.generate(i);
    out.push({ text, png: await encodePng(image) });
  }
  return out;
}
