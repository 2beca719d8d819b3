import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { readZip } from '../../core/archive.ts';
import type { RawImage } from '../../core/image.ts';
import type { Sample } from './sample-source.ts';

const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'bmp', 'gif', 'webp'];

/** Decodes an image file with sharp into RGB(A) pixels. */
export async function decodeWithSharp(bytes: Uint8Array): Promise<RawImage> {
  const { data, info } = await sharp(bytes).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const channels = info.channels === 4 ? 4 : info.channels === 1 ? 1 : 3;
  return { width: info.width, height: info.height, channels, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * Reads a labelled data set in the seed's layout: `labels.txt` whose line i is the text of
 * image `i.png` (or .jpg, ...), from a folder or a zip archive (optionally inside one top folder).
 */
export async function readLabelledData(path: string, maxImages = Infinity): Promise<Sample[]> {
  const files = await listFiles(path);
  const names = [...files.keys()];
  const labelsName = names.filter((n) => n.split('/').pop() === 'labels.txt').sort((a, b) => a.length - b.length)[0];
  if (!labelsName) throw new RangeError(`${path}: no labels.txt`);
  const dir = labelsName.slice(0, labelsName.length - 'labels.txt'.length);
  const lines = new TextDecoder().decode(await files.get(labelsName)!()).split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  const samples: Sample[] = [];
  for (let i = 0; i < lines.length && samples.length < maxImages; i++) {
    const text = lines[i].trim();
    const name = IMAGE_EXTENSIONS.map((e) => `${dir}${i}.${e}`).find((n) => files.has(n));
    if (!name) throw new RangeError(`${path}: labels.txt line ${i + 1} has no image ${i}.png/.jpg`);
    samples.push({ text, image: await decodeWithSharp(await files.get(name)!()) });
  }
  if (samples.length === 0) throw new RangeError(`${path}: labels.txt is empty`);
  return samples;
}

async function listFiles(path: string): Promise<Map<string, () => Promise<Uint8Array>>> {
  const files = new Map<string, () => Promise<Uint8Array>>();
  if ((await stat(path)).isDirectory()) {
    for (const name of await readdir(path)) files.set(name, () => readFile(join(path, name)));
    return files;
  }
  const entries = readZip(new Uint8Array(await readFile(path)), { maxArchiveEntries: 10_000_000, maxUncompressedBytes: 16 * 2 ** 30, maxCompressionRatio: 1000 });
  for (const e of entries) if (!e.isDirectory) files.set(e.name, async () => e.read());
  return files;
}
