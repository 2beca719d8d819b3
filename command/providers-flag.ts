import { UsageError } from './usage-error.ts';

/** onnxruntime execution provider names a list may hold. */
const KNOWN = ['cpu', 'cuda', 'tensorrt', 'webgpu', 'dml', 'coreml'];

/** Parses `cuda,cpu` (flag or $ORT_PROVIDERS); throws a RangeError naming an unknown provider. */
export function parseProviders(text: string | undefined): string[] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const list = text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const p of list) if (!KNOWN.includes(p)) throw new RangeError(`unknown execution provider ${JSON.stringify(p)} (known: ${KNOWN.join(', ')})`);
  return list;
}

/** `--providers LIST` (onnxruntime execution providers in order) for serve, decode, score and train: a bad name is a usage error. */
export function providersFlag(value: string | undefined): string[] | undefined {
  try {
    return parseProviders(value);
  } catch (error) {
    throw new UsageError(`--providers: ${(error as Error).message}`);
  }
}
