import { UsageError } from './usage-error.ts';

/** The most worker threads `--workers` (and $ORT_WORKERS) may ask for. */
export const MAX_WORKERS = 256;

/**
 * A worker-thread count, as `--workers N|auto` of generate, decode, score and serve and
 * $ORT_WORKERS take it: the threads beside the main one (0 = all on the main thread); `auto` or
 * unset -> undefined (the command's default). Anything else is a RangeError naming `what`.
 */
export function parseWorkers(value: string | undefined, what: string): number | undefined {
  if (value === undefined || value.trim() === '' || value.trim() === 'auto') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > MAX_WORKERS) throw new RangeError(`${what} must be a whole number from 0 to ${MAX_WORKERS} or auto, got ${JSON.stringify(value)}`);
  return n;
}

/** `--workers N|auto` (see parseWorkers); a bad value is a usage error. */
export function workersFlag(value: string | undefined): number | undefined {
  try {
    return parseWorkers(value, '--workers');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
