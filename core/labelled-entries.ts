import type { ArchiveEntry } from './archive.ts';
import { errorItem } from './error-response.ts';
import { createLabelResolver, isClutter, labelFileKind, type LabelFile, type LabelSource } from './labels.ts';

/** An image of a labelled set with its true text. */
export interface LabelledImage {
  readonly entry: ArchiveEntry;
  readonly label: string;
  readonly source: LabelSource;
}

/** An image whose label could not be found, and why. */
export interface UnlabelledImage {
  readonly entry: ArchiveEntry;
  readonly reason: string;
}

/** An entry that is not an image (a folder, a labels file, OS clutter), and why. */
export interface SkippedEntry {
  readonly file: string;
  readonly reason: string;
}

export interface LabelledEntries {
  /** Every image, in archive order: labelled (`label` set) or with the reason it has none. */
  readonly images: readonly (LabelledImage | UnlabelledImage)[];
  readonly skipped: readonly SkippedEntry[];
}

export const isLabelled = (image: LabelledImage | UnlabelledImage): image is LabelledImage => 'label' in image;

const textDecoder = new TextDecoder('utf-8', { fatal: false });

/**
 * The one reading of a labelled set (an archive, or a folder read as entries): which entries
 * are images, and the label of each (core/labels.ts: labels.csv, labels.txt, the file name).
 * `captcha-ocr score`, POST /score and `train --data` all read their images through it.
 */
export function labelEntries(entries: readonly ArchiveEntry[]): LabelledEntries {
  const skipped: SkippedEntry[] = [];
  const labelFiles: LabelFile[] = [];
  const candidates: ArchiveEntry[] = [];
  for (const entry of entries) {
    if (entry.isDirectory) skipped.push({ file: entry.name, reason: 'folder' });
    else if (isClutter(entry.name)) skipped.push({ file: entry.name, reason: 'operating-system clutter' });
    else if (labelFileKind(entry.name)) {
      try {
        labelFiles.push({ name: entry.name, text: textDecoder.decode(entry.read()) });
        skipped.push({ file: entry.name, reason: 'labels file' });
      } catch (error) {
        skipped.push({ file: entry.name, reason: `unreadable labels file: ${errorItem(error).message}` });
      }
    } else candidates.push(entry);
  }
  const resolve = createLabelResolver(labelFiles);
  const images = candidates.map((entry): LabelledImage | UnlabelledImage => {
    const found = resolve(entry.name);
    return found.label === undefined ? { entry, reason: found.reason ?? 'no label' } : { entry, label: found.label, source: found.source! };
  });
  return { images, skipped };
}
