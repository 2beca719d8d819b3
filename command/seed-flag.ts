import { intFlag } from './args.ts';

/** Seeds are unsigned 32-bit integers: 0 to 4294967295, every command alike. */
export const MAX_SEED = 2 ** 32 - 1;

/** `--seed N` of generate and train: a whole number from 0 to MAX_SEED; a bad one is a usage error. */
export function seedFlag(value: string | undefined): number | undefined {
  return intFlag('seed', value, 0, MAX_SEED);
}
