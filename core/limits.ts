/**
 * Limits on what one request may ask of the server, checked before the work is done.
 * Every runtime entry takes these (the edge ones pass smaller values); see docs/api.md "Limits".
 */
export interface Limits {
  /** Largest request body for POST /decode, in bytes. */
  readonly maxBodyBytes: number;
  /** Largest request body for POST /score (the archive), in bytes. */
  readonly maxArchiveBytes: number;
  /** Most pixels (width x height, read from the header) one image may have. */
  readonly maxImagePixels: number;
  /** Most images in one POST /decode request. */
  readonly maxImagesPerRequest: number;
  /** Most entries (files and folders) in one archive. */
  readonly maxArchiveEntries: number;
  /** Most bytes an archive may hold once uncompressed, all entries together. */
  readonly maxUncompressedBytes: number;
  /** Highest uncompressed/compressed ratio of an entry (of more than 64 KiB) or of the archive. */
  readonly maxCompressionRatio: number;
  /** Longest time one request may take, in milliseconds. */
  readonly requestTimeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxBodyBytes: 10 * 1024 * 1024,
  maxArchiveBytes: 100 * 1024 * 1024,
  maxImagePixels: 16 * 1024 * 1024,
  maxImagesPerRequest: 64,
  maxArchiveEntries: 20_000,
  maxUncompressedBytes: 512 * 1024 * 1024,
  maxCompressionRatio: 100,
  requestTimeoutMs: 60_000,
};

/** Environment variable per limit (Node server and CLI), e.g. `MAX_BODY_BYTES=1048576`. */
export const LIMIT_ENV: Readonly<Record<keyof Limits, string>> = {
  maxBodyBytes: 'MAX_BODY_BYTES',
  maxArchiveBytes: 'MAX_ARCHIVE_BYTES',
  maxImagePixels: 'MAX_IMAGE_PIXELS',
  maxImagesPerRequest: 'MAX_IMAGES_PER_REQUEST',
  maxArchiveEntries: 'MAX_ARCHIVE_ENTRIES',
  maxUncompressedBytes: 'MAX_UNCOMPRESSED_BYTES',
  maxCompressionRatio: 'MAX_COMPRESSION_RATIO',
  requestTimeoutMs: 'REQUEST_TIMEOUT_MS',
};

/** Limits from a string map (an environment), falling back to `base`; a bad value throws a RangeError naming it. */
export function limitsFromEnv(env: Readonly<Record<string, string | undefined>>, base: Limits = DEFAULT_LIMITS): Limits {
  const out: Record<string, number> = { ...base };
  for (const [key, name] of Object.entries(LIMIT_ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new RangeError(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
    out[key] = n;
  }
  return out as unknown as Limits;
}
