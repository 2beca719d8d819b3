import { parseProviders } from '../functions/node/ort-node-predictor.ts';
import { UsageError } from './usage-error.ts';

/** `--providers LIST` (onnxruntime execution providers in order) for serve, decode, score and train: a bad name is a usage error. */
export function providersFlag(value: string | undefined): string[] | undefined {
  try {
    return parseProviders(value);
  } catch (error) {
    throw new UsageError(`--providers: ${(error as Error).message}`);
  }
}
