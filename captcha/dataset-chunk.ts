import { encodeImage, type ImageFormat } from './encode.ts';
import { createCaptchaGenerator, type CaptchaGenerator } from './generator.ts';
import type { CaptchaOptions } from './options.ts';

/** A slice of a data set to make: images [start, end). */
export interface ChunkRequest {
  readonly options: Partial<CaptchaOptions>;
  readonly format: ImageFormat;
  readonly quality: number;
  readonly start: number;
  readonly end: number;
}

export interface ChunkResult {
  readonly start: number;
  readonly texts: string[];
  readonly files: Uint8Array[];
}

const generators = new Map<string, CaptchaGenerator>();

/** Generates and encodes one chunk (in a worker or in-process); generators are reused per options. */
export async function makeChunk(req: ChunkRequest): Promise<ChunkResult> {
  const key = JSON.stringify(req.options);
  let gen = generators.get(key);
  if (!gen) {
    gen = createCaptchaGenerator(req.options);
    generators.set(key, gen);
  }
  const texts: string[] = [];
  const files: Uint8Array[] = [];
  for (let i = req.start; i < req.end; i++) {
    const { text, image } = gen.generate(i);
    texts.push(text);
    const buf = await encodeImage(image, req.format, req.quality);
    files.push(new Uint8Array(buf)); // own ArrayBuffer, so it can be transferred
  }
  return { start: req.start, texts, files };
}
