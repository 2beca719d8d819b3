/**
 * The images every runtime is asked about: CAPTCHAs from the project's generator (seeded),
 * encoded by pure-JS encoders (same bytes everywhere) as PNG and JPEG, plus a scored archive.
 */
import { encode as encodePng } from 'fast-png';
import { zipSync } from 'fflate';
import { encode as encodeJpeg } from 'jpeg-js';
import { createCaptchaGenerator } from '../../captcha/generator.ts';
import type { RawImage } from '../../core/image.ts';

export interface SampleImage {
  readonly name: string;
  readonly text: string;
  readonly type: string;
  readonly bytes: Uint8Array;
}

export interface Samples {
  readonly png: readonly SampleImage[];
  readonly jpeg: readonly SampleImage[];
  /** A zip in the seed's layout (0.png, 1.png, ... + labels.txt) holding `archiveImages` images and one broken entry. */
  readonly archive: Uint8Array;
  readonly archiveImages: number;
}

function rgba(image: RawImage): Uint8Array {
  const n = image.width * image.height;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) out[i * 4 + c] = image.channels === 1 ? image.data[i] : image.data[i * image.channels + c];
    out[i * 4 + 3] = 255;
  }
  return out;
}

export function makeSamples(count = 6, archiveImages = 24, seed = 20260426): Samples {
  const gen = createCaptchaGenerator({ seed, width: 160, height: 60 });
  const png: SampleImage[] = [];
  const jpeg: SampleImage[] = [];
  for (let i = 0; i < count; i++) {
    const { text, image } = gen.generate(i);
    png.push({ name: `${i}.png`, text, type: 'image/png', bytes: encodePng({ width: image.width, height: image.height, channels: 3, data: image.data as Uint8Array }) });
    if (i < 2) {
      const data = rgba(image);
      jpeg.push({ name: `${i}.jpg`, text, type: 'image/jpeg', bytes: new Uint8Array(encodeJpeg({ width: image.width, height: image.height, data }, 90).data) });
    }
  }
  const files: Record<string, Uint8Array> = {};
  const labels: string[] = [];
  for (let i = 0; i < archiveImages; i++) {
    const { text, image } = gen.generate(1000 + i);
    files[`${i}.png`] = encodePng({ width: image.width, height: image.height, channels: 3, data: image.data as Uint8Array });
    labels.push(text);
  }
  files[`${archiveImages}.png`] = new TextEncoder().encode('not a png');
  labels.push('BROKEN');
  files['labels.txt'] = new TextEncoder().encode(labels.join('\n') + '\n');
  return { png, jpeg, archive: zipSync(files, { level: 6 }), archiveImages: archiveImages + 1 };
}
