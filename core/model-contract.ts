import type { PreprocessSpec } from './preprocess.ts';

/**
 * The model contract: what a model file is and how every stage talks to it (train writes it,
 * convert carries it into ONNX, every runtime reads it). One copy of each rule, here.
 */

/** The ONNX input tensor's name (the metadata's `inputName` may name another). */
export const INPUT_NAME = 'image';
/** The ONNX output tensor's name: probabilities `[N, T, K]`, softmax applied (`outputName` may name another). */
export const OUTPUT_NAME = 'probabilities';

/**
 * How the model's single output tensor `[N, T, K]` (probabilities, softmax applied) reads as text.
 * - `ctc`: T time steps over the charset plus a blank class at `blankIndex`; greedy decoding.
 * - `positions`: one row per character position; if `endIndex` is set, that class ends the text.
 */
export type OutputSpec =
  | { readonly kind: 'ctc'; readonly blankIndex: number; readonly timeSteps: number }
  | { readonly kind: 'positions'; readonly positions: number; readonly endIndex?: number };

/** What a model reads and how: the part of the metadata the trainer builds, feeds and scores by. */
export interface ModelDescription {
  /** Architecture id from train/models (`default`, `seed`, ...). */
  readonly architecture: string;
  /** Input tensor `[N, height, width, 1]` float32 (NHWC), made by core/preprocess.ts. */
  readonly input: PreprocessSpec;
  readonly output: OutputSpec;
  readonly minLength: number;
  readonly maxLength: number;
  readonly charset: string;
}

/** Everything a runtime needs to use a model; stored beside the model and in the ONNX metadata_props. */
export interface ModelMetadata extends ModelDescription {
  readonly format: 'captcha-ocr-model';
  readonly formatVersion: 1;
  /** Free-form name, e.g. `default-v1`. */
  readonly name: string;
  readonly inputName?: string;
  readonly outputName?: string;
  /** What the model was trained on and how it went (free-form JSON). */
  readonly training?: Readonly<Record<string, unknown>>;
  readonly createdAt?: string;
  /** A second model that reads again the images this one may have misread (core/second-look.ts). */
  readonly secondLook?: SecondLookSpec;
}

/**
 * The metadata's `secondLook`: the second model's file (its `.json` beside it), named relative to
 * this metadata file, and when it is asked (core/second-look.ts `wantsSecondLook`).
 */
export interface SecondLookSpec {
  /** The second model, e.g. `captcha-ocr.second.onnx`: a file name in the same folder. */
  readonly model: string;
  /** It reads again every image whose first reading has one of these characters, e.g. `0O`. */
  readonly chars: string;
  /** ... or a character read with a confidence below this (0-1; 0: never for that reason). */
  readonly below: number;
}

type Fail = (what: string) => never;

function failing(what: string): Fail {
  return (problem) => {
    throw new RangeError(`${what}: ${problem}`);
  };
}

/** The checks a description's fields pass, in metadata and in a checkpoint alike. */
function checkDescribed(m: Partial<ModelDescription>, fail: Fail): void {
  if (typeof m.charset !== 'string' || m.charset.length === 0) fail('charset missing');
  const input = m.input;
  if (!input || !(input.height > 0) || !(input.width > 0)) fail('input.height/width missing');
  const out = m.output;
  if (!out || (out.kind !== 'ctc' && out.kind !== 'positions')) fail('output.kind must be "ctc" or "positions"');
  if (!(Number.isInteger(m.minLength) && Number.isInteger(m.maxLength))) fail('minLength/maxLength missing');
}

/** Checks the shape of parsed JSON metadata; throws a RangeError naming the first bad field. */
export function parseModelMetadata(json: unknown): ModelMetadata {
  const m = json as Partial<ModelMetadata> | null;
  const fail: Fail = failing('model metadata');
  if (!m || typeof m !== 'object') fail('not an object');
  if (m!.format !== 'captcha-ocr-model') fail('format is not "captcha-ocr-model"');
  checkDescribed(m!, fail);
  if (m!.secondLook !== undefined) checkSecondLook(m!.secondLook, m!.charset!, fail);
  return m as ModelMetadata;
}

function checkSecondLook(s: Partial<SecondLookSpec> | null, charset: string, fail: Fail): void {
  if (!s || typeof s !== 'object') fail('secondLook is not an object');
  if (typeof s!.model !== 'string' || !isModelFile(s!.model) || /[\\/]/.test(s!.model)) fail('secondLook.model must be a .onnx file name in the same folder, e.g. "captcha-ocr.second.onnx"');
  if (typeof s!.chars !== 'string') fail('secondLook.chars must be a string of characters, e.g. "0O"');
  const unknown = [...s!.chars!].filter((c) => !charset.includes(c));
  if (unknown.length > 0) fail(`secondLook.chars has ${unknown.map((c) => JSON.stringify(c)).join(', ')}, not in the charset ${charset}`);
  if (typeof s!.below !== 'number' || !(s!.below >= 0 && s!.below <= 1)) fail('secondLook.below must be a number from 0 to 1');
}

/** Checks a model description read from JSON (a checkpoint's spec); throws a RangeError naming `what` and the first bad field. */
export function parseModelDescription(json: unknown, what: string): ModelDescription {
  const m = json as Partial<ModelDescription> | null;
  const fail: Fail = failing(what);
  if (!m || typeof m !== 'object') fail('not an object');
  if (typeof m!.architecture !== 'string') fail('architecture missing');
  checkDescribed(m!, fail);
  return m as ModelDescription;
}

/** The ONNX input and output names of a model: the metadata's, else INPUT_NAME and OUTPUT_NAME. */
export function tensorNames(metadata: Pick<ModelMetadata, 'inputName' | 'outputName'>): { input: string; output: string } {
  return { input: metadata.inputName ?? INPUT_NAME, output: metadata.outputName ?? OUTPUT_NAME };
}

/** An input image's size in pixels (`ModelDescription.input` has it). */
export interface InputSize {
  readonly height: number;
  readonly width: number;
}

/** The input tensor's dims for `n` images: `[n, height, width, 1]`, grey, channels last (tfjs layout). */
export function inputDims(n: number, input: InputSize): [number, number, number, number] {
  return [n, input.height, input.width, 1];
}

/** Floats per image of the model input. */
export function inputSize(input: InputSize): number {
  return input.height * input.width;
}

const MODEL_SUFFIX = /\.onnx$/i;

/** Whether a file name is a model's: `NAME.onnx`, in any case. */
export function isModelFile(name: string): boolean {
  return MODEL_SUFFIX.test(name);
}

/** A model's path (or file name, or storage key) without `.onnx`: `a/b.ONNX` -> `a/b`; a path without it stays as it is. */
export function modelStem(path: string): string {
  return path.replace(MODEL_SUFFIX, '');
}

/**
 * The metadata beside a model: `X.onnx` -> `X.json` (a file, a models folder's `NAME.json`, an
 * R2/KV key alike); a path without `.onnx` gets `.json` added.
 */
export function sidecarPath(modelPath: string): string {
  return `${modelStem(modelPath)}.json`;
}

/** Classes K of an output over `charset`: one per character, plus the blank of a CTC output. */
export function outputClasses(kind: OutputSpec['kind'], charset: string): number {
  return [...charset].length + (kind === 'ctc' ? 1 : 0);
}

/** A CTC output of `timeSteps` rows over `charset`: the blank is the last class. */
export function ctcOutput(charset: string, timeSteps: number): OutputSpec {
  return { kind: 'ctc', blankIndex: outputClasses('ctc', charset) - 1, timeSteps };
}

/**
 * What an output `[N, T, K]` over `charset` means, from its shape alone (a model saved without
 * metadata): K = characters + 1 is CTC with the blank last, anything else one row per position.
 */
export function outputFromShape(timeSteps: number, classes: number, charset: string): OutputSpec {
  return classes === outputClasses('ctc', charset) ? ctcOutput(charset, timeSteps) : { kind: 'positions', positions: timeSteps };
}

/** The description part of a model's metadata (what `--init` starts from). */
export function describedModel(m: ModelMetadata): ModelDescription {
  return { architecture: m.architecture, input: m.input, output: m.output, minLength: m.minLength, maxLength: m.maxLength, charset: m.charset };
}

/**
 * The metadata written for a trained model (train's DIR/metadata.json, carried by convert into
 * FILE.json and the ONNX metadata_props): named after its architecture and step, with the
 * training record the trainer gives.
 */
export function trainedModelMetadata(model: ModelDescription, step: number, training: Readonly<Record<string, unknown>>, createdAt = new Date()): ModelMetadata {
  return {
    format: 'captcha-ocr-model',
    formatVersion: 1,
    name: `${model.architecture}-step${step}`,
    architecture: model.architecture,
    charset: model.charset,
    minLength: model.minLength,
    maxLength: model.maxLength,
    input: model.input,
    output: model.output,
    training,
    createdAt: createdAt.toISOString(),
  };
}
