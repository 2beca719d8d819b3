import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { readZip, type ArchiveEntry, type ArchiveLimits } from '../../core/archive.ts';
import { ArchiveTooLargeError } from '../../core/errors.ts';

/** A folder read like an archive: every file below it, named by its relative path with `/`. */
export function folderEntries(root: string, maxEntries: number): ArchiveEntry[] {
  const out: ArchiveEntry[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile()) {
        if (out.length >= maxEntries) throw new ArchiveTooLargeError(`folder has more than ${maxEntries} files (MAX_ARCHIVE_ENTRIES)`);
        out.push({ name: relative(root, path).split(sep).join('/'), size: stat.size, isDirectory: false, read: () => new Uint8Array(readFileSync(path)) });
      }
    }
  };
  walk(root);
  return out;
}

/**
 * The entries of a labelled set on disk, a folder or a zip archive: what `captcha-ocr score`
 * and `train --data` read (then core/labelled-entries.ts labels them).
 */
export function pathEntries(path: string, limits: ArchiveLimits): ArchiveEntry[] {
  return statSync(path).isDirectory() ? folderEntries(path, limits.maxArchiveEntries) : readZip(new Uint8Array(readFileSync(path)), limits);
}
