import { Inflate } from 'fflate';
import { crc32 } from './crc32.ts';
import { ArchiveTooLargeError, InvalidArchiveError } from './errors.ts';

/**
 * One file of an archive (or of a folder read like one). `name` is data: it is reported back
 * and matched against labels, never used as a path on disk.
 */
export interface ArchiveEntry {
  readonly name: string;
  /** Uncompressed size in bytes, as declared. */
  readonly size: number;
  readonly isDirectory: boolean;
  /** The entry's bytes; throws `InvalidArchiveError` when this entry is broken. */
  read(): Uint8Array;
}

export interface ArchiveLimits {
  readonly maxArchiveEntries: number;
  readonly maxUncompressedBytes: number;
  readonly maxCompressionRatio: number;
}

/** Entries smaller than this are not held to the compression ratio (tiny text files compress well). */
const RATIO_FLOOR = 64 * 1024;
const CHUNK = 16 * 1024;

const u16 = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;

const utf8 = new TextDecoder('utf-8', { fatal: false });

function findEndOfCentralDirectory(b: Uint8Array): number {
  const stop = Math.max(0, b.length - 22 - 0xffff);
  for (let o = b.length - 22; o >= stop; o--) {
    if (b[o] === 0x50 && b[o + 1] === 0x4b && b[o + 2] === 0x05 && b[o + 3] === 0x06) return o;
  }
  return -1;
}

/** Inflates raw DEFLATE data, refusing to produce more than `expected` bytes (the declared size). */
function inflateBounded(data: Uint8Array, expected: number, name: string): Uint8Array {
  const out = new Uint8Array(expected);
  let at = 0;
  let overflow = false;
  const inflater = new Inflate((chunk) => {
    if (at + chunk.length > expected) {
      overflow = true;
      return;
    }
    out.set(chunk, at);
    at += chunk.length;
  });
  try {
    for (let o = 0; o < data.length && !overflow; o += CHUNK) {
      inflater.push(data.subarray(o, Math.min(data.length, o + CHUNK)), o + CHUNK >= data.length);
    }
  } catch (error) {
    throw new InvalidArchiveError(`entry ${JSON.stringify(name)}: corrupt compressed data`, { cause: error });
  }
  if (overflow) throw new InvalidArchiveError(`entry ${JSON.stringify(name)}: inflates past its declared size`);
  if (at !== expected) throw new InvalidArchiveError(`entry ${JSON.stringify(name)}: inflates to ${at} bytes, declared ${expected}`);
  return out;
}

/**
 * Reads a zip archive's central directory and checks the limits (entry count, total
 * uncompressed size, compression ratio) before anything is inflated. Entries are inflated
 * lazily by `read()`, never beyond their declared size.
 */
export function readZip(bytes: Uint8Array, limits: ArchiveLimits): ArchiveEntry[] {
  const eocd = findEndOfCentralDirectory(bytes);
  if (eocd < 0) throw new InvalidArchiveError('not a zip archive (no end of central directory)');
  const count = u16(bytes, eocd + 10);
  const cdSize = u32(bytes, eocd + 12);
  const cdOffset = u32(bytes, eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) throw new InvalidArchiveError('zip64 archives are not supported');
  if (count > limits.maxArchiveEntries) {
    throw new ArchiveTooLargeError(`archive has ${count} entries; the limit is ${limits.maxArchiveEntries}`);
  }
  if (cdOffset + cdSize > eocd) throw new InvalidArchiveError('corrupt zip: central directory out of bounds');
  const entries: ArchiveEntry[] = [];
  let total = 0;
  let totalCompressed = 0;
  let o = cdOffset;
  for (let i = 0; i < count; i++) {
    if (o + 46 > eocd || u32(bytes, o) !== 0x02014b50) throw new InvalidArchiveError(`corrupt zip: central directory entry ${i} is broken`);
    const flags = u16(bytes, o + 8);
    const method = u16(bytes, o + 10);
    const crc = u32(bytes, o + 16);
    const csize = u32(bytes, o + 20);
    const usize = u32(bytes, o + 24);
    const nameLen = u16(bytes, o + 28);
    const extraLen = u16(bytes, o + 30);
    const commentLen = u16(bytes, o + 32);
    const localOffset = u32(bytes, o + 42);
    if (o + 46 + nameLen > eocd) throw new InvalidArchiveError(`corrupt zip: central directory entry ${i} is truncated`);
    const name = utf8.decode(bytes.subarray(o + 46, o + 46 + nameLen));
    o += 46 + nameLen + extraLen + commentLen;
    const isDirectory = name.endsWith('/') || name.endsWith('\\');
    total += usize;
    totalCompressed += csize;
    if (total > limits.maxUncompressedBytes) {
      throw new ArchiveTooLargeError(`archive inflates to more than ${limits.maxUncompressedBytes} bytes (the limit)`);
    }
    if (usize > RATIO_FLOOR && usize > csize * limits.maxCompressionRatio) {
      throw new ArchiveTooLargeError(`entry ${JSON.stringify(name)} has a compression ratio over ${limits.maxCompressionRatio} (a zip bomb?)`);
    }
    const read = (): Uint8Array => {
      if (flags & 1) throw new InvalidArchiveError(`entry ${JSON.stringify(name)} is encrypted`);
      if (localOffset + 30 > bytes.length || u32(bytes, localOffset) !== 0x04034b50) {
        throw new InvalidArchiveError(`entry ${JSON.stringify(name)}: local header missing`);
      }
      const start = localOffset + 30 + u16(bytes, localOffset + 26) + u16(bytes, localOffset + 28);
      if (start + csize > bytes.length) throw new InvalidArchiveError(`entry ${JSON.stringify(name)} is truncated`);
      const raw = bytes.subarray(start, start + csize);
      let data: Uint8Array;
      if (method === 0) {
        if (csize !== usize) throw new InvalidArchiveError(`entry ${JSON.stringify(name)}: stored sizes disagree`);
        data = raw;
      } else if (method === 8) {
        data = inflateBounded(raw, usize, name);
      } else {
        throw new InvalidArchiveError(`entry ${JSON.stringify(name)}: compression method ${method} is not supported (only stored and deflate)`);
      }
      if (crc32(data) !== crc) throw new InvalidArchiveError(`entry ${JSON.stringify(name)}: CRC mismatch`);
      return data;
    };
    entries.push({ name, size: usize, isDirectory, read });
  }
  if (total > RATIO_FLOOR && total > totalCompressed * limits.maxCompressionRatio) {
    throw new ArchiveTooLargeError(`archive has a compression ratio over ${limits.maxCompressionRatio} (a zip bomb?)`);
  }
  return entries;
}
