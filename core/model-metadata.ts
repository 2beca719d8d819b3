import type { PreprocessSpec } from './preprocess.ts';

/**
 * How the model's single output tensor `[N, T, K]` (probabilities, softmax applied) reads as text.
 * - `ctc`: T time steps over the charset plus a blank class at `blankIndex`; greedy decoding.
 * - `positions`: one row per character position; if `endIndex` is set, that class ends the text.
 */
export type OutputSpec =
  | { readonly kind: 'ctc'; readonly blankIndex: number; readonly timeSteps: number }
  | { readonly kind: 'positions'; readonly positions: number; readonly endIndex?: number };

/** Everything a runtime needs to use a model; stored beside the model and in the ONNX metadata_props. */
export interface ModelMetadata {
  readonly format: 'captcha-ocr-model';
  readonly formatVersion: 1;
  /** Free-form name, e.g. `default-v1`. */
  readonly name: string;
  /** Architecture id from train/models (`default`, `seed`, ...). */
  readonly architecture: string;
  readonly charset: string;
  readonly minLength: number;
  readonly maxLength: number;
  /** Input tensor `[N, height, width, 1]` float32 (NHWC), made by core/preprocess.ts. */
  readonly input: PreprocessSpec;
  readonly inputName?: string;
  readonly outputName?: string;
  readonly output: OutputSpec;
  /** What the model was trained on and how it went (free-form JSON). */
  readonly training?: Readonly<Record<string, unknown>>;
  readonly createdAt?: string;
}

/** Checks the shape of parsed JSON metadata; throws a RangeError naming the first bad field. */
export function parseModelMetadata(json: unknown): ModelMetadata {
  const m = json as Partial<ModelMetadata> | null;
  const fail = (what: string): never => {
    throw new RangeError(`model metadata: ${what}`);
  };
  if (!m || typeof m !== 'object') fail('not an object');
  if (m!.format !== 'captcha-ocr-model') fail('format is not "captcha-ocr-model"');
  if (typeof m!.charset !== 'string' || m!.charset.length === 0) fail('charset missing');
  const input = m!.input;
  if (!input || !(input.height > 0) || !(input.width > 0)) fail('input.height/width missing');
  const out = m!.output;
  if (!out || (out.kind !== 'ctc' && out.kind !== 'positions')) fail('output.kind must be "ctc" or "positions"');
  if (!(Number.isInteger(m!.minLength) && Number.isInteger(m!.maxLength))) fail('minLength/maxLength missing');
  return m as ModelMetadata;
}
