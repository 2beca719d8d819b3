import { DEFAULT_LIMITS, type Limits } from '../../core/limits.ts';

/**
 * Defaults for the Worker (128 MB of memory per isolate, CPU time per request set by the plan),
 * from measurements under workerd (docs/deployment.md, "Limits on the Worker"). wrangler.toml [vars] may
 * change any of them by the Node server's names (MAX_ARCHIVE_BYTES, ...). Larger archives are
 * refused with 413 `archive_too_large` / `payload_too_large` before any work is done.
 */
export const EDGE_LIMITS: Limits = {
  ...DEFAULT_LIMITS,
  maxBodyBytes: 4 * 1024 * 1024,
  // About 2,000 160x60 PNG CAPTCHAs (6 KiB each): /score reads 110-135 images/s under workerd
  // here (~8 ms of CPU an image), about 15 s, inside Workers Paid's default 30 s of CPU; memory
  // stays near body + 40 MB (the wasm heap, the model, one batch).
  maxArchiveBytes: 16 * 1024 * 1024,
  maxUncompressedBytes: 48 * 1024 * 1024,
  maxArchiveEntries: 2_500,
  maxImagePixels: 4 * 1024 * 1024,
  maxImagesPerRequest: 32,
  requestTimeoutMs: 30_000,
};
