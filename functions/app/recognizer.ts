import type { DecodedText } from '../../core/decode-output.ts';
import { InvalidModelError } from '../../core/errors.ts';
import type { RawImage } from '../../core/image.ts';
import { decodeImage, pureJsImageDecoder, type ImageDecoder } from '../../core/image-decode.ts';
import { inputSize, type ModelMetadata } from '../../core/model-contract.ts';
import { preprocess } from '../../core/preprocess.ts';
import { secondLookMismatch, surerReading, wantsSecondLook, type SecondLookRule } from '../../core/second-look.ts';
import type { PredictOptions, Predictor } from '../predictor.ts';
import { disposeModel } from './model-catalog.ts';

/** A second model that reads again the images the first may have misread (core/second-look.ts). */
export interface SecondLook extends SecondLookRule {
  readonly predictor: Predictor;
  /** Where it came from (its file), for GET /model. */
  readonly source?: string;
}

/**
 * The second look `first`'s metadata names (`secondLook`), run by `second`; InvalidModelError when
 * `second` reads another charset. Every runtime's loader builds it this way (Node `startModel`,
 * the Worker's `createWorker`).
 */
export function secondLookOf(first: ModelMetadata, second: Predictor): SecondLook {
  const spec = first.secondLook;
  if (!spec) throw new InvalidModelError(`${first.name} names no second look`);
  const mismatch = secondLookMismatch(first, second.metadata);
  if (mismatch) throw new InvalidModelError(mismatch);
  return { predictor: second, chars: spec.chars, below: spec.below, source: spec.model };
}

/**
 * Image bytes -> text: header check (pixel limit), decode (the runtime's decoder), the one
 * preprocessing rule (core/preprocess.ts), the predictor, and the second look when the model has
 * one. Shared by the routes and the CLI.
 */
export interface Recognizer {
  readonly metadata: ModelMetadata;
  readonly predictor: Predictor;
  readonly decoder: ImageDecoder;
  readonly secondLook?: SecondLook;
  /** Decodes and preprocesses one image into `out` at image slot `slot`; answers the decoded image (for `read`). Throws typed errors. */
  prepare(bytes: Uint8Array, out: Float32Array, slot: number): Promise<RawImage>;
  /**
   * Reads prepared images: `input` holds `images.length` of them (`prepare`). The second model,
   * if any, reads again the images its rule picks, from `images`. Answers the texts in order.
   */
  read(input: Float32Array, images: readonly RawImage[], options?: PredictOptions): Promise<DecodedText[]>;
  /** `options.mask` restricts the reading (`?charset=`, `--charset`). */
  recognize(bytes: Uint8Array, options?: PredictOptions): Promise<DecodedText>;
  /** Several images in one model run; a bad image gives its error in its slot. */
  recognizeMany(list: readonly Uint8Array[], options?: PredictOptions): Promise<Array<DecodedText | Error>>;
  /** Frees the model's session and its second look's; the recognizer must not be used afterwards. */
  dispose(): Promise<void>;
}

export interface RecognizerOptions {
  readonly predictor: Predictor;
  readonly decoder?: ImageDecoder;
  readonly maxImagePixels: number;
  /** The second model; it must read the first one's charset. */
  readonly secondLook?: SecondLook;
}

export function createRecognizer(options: RecognizerOptions): Recognizer {
  const { predictor, maxImagePixels, secondLook } = options;
  const decoder = options.decoder ?? pureJsImageDecoder;
  const metadata = predictor.metadata;
  const per = inputSize(metadata.input);
  const mismatch = secondLook && secondLookMismatch(metadata, secondLook.predictor.metadata);
  if (mismatch) throw new InvalidModelError(mismatch);
  const prepare = async (bytes: Uint8Array, out: Float32Array, slot: number): Promise<RawImage> => {
    const image = await decodeImage(bytes, maxImagePixels, decoder);
    preprocess(image, metadata.input, out, slot * per);
    return image;
  };
  const read = async (input: Float32Array, images: readonly RawImage[], options?: PredictOptions): Promise<DecodedText[]> => {
    const texts = await predictor.predict(input, images.length, options);
    if (!secondLook) return texts;
    const again = texts.flatMap((text, i) => (wantsSecondLook(text, secondLook) ? [i] : []));
    if (again.length === 0) return texts;
    const spec = secondLook.predictor.metadata.input;
    const second = new Float32Array(inputSize(spec) * again.length);
    again.forEach((i, k) => preprocess(images[i], spec, second, k * inputSize(spec)));
    const seconds = await secondLook.predictor.predict(second, again.length, options);
    again.forEach((i, k) => (texts[i] = surerReading(texts[i], seconds[k])));
    return texts;
  };
  return {
    metadata,
    predictor,
    decoder,
    secondLook,
    prepare,
    read,
    dispose: () => disposeModel({ predictor, secondLook }),
    async recognize(bytes, options) {
      const input = new Float32Array(per);
      const image = await prepare(bytes, input, 0);
      const [text] = await read(input, [image], options);
      return text;
    },
    async recognizeMany(list, options) {
      const input = new Float32Array(per * list.length);
      const prepared = await Promise.all(list.map((bytes, i) => prepare(bytes, input, i).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))));
      const ok = prepared.flatMap((p, i) => (p instanceof Error ? [] : [i]));
      const out: Array<DecodedText | Error> = prepared.map((p) => (p instanceof Error ? p : new Error('unreachable')));
      if (ok.length === 0) return out;
      let batch = input;
      if (ok.length !== list.length) {
        batch = new Float32Array(per * ok.length);
        ok.forEach((src, dst) => batch.set(input.subarray(src * per, (src + 1) * per), dst * per));
      }
      const texts = await read(batch, ok.map((i) => prepared[i] as RawImage), options);
      ok.forEach((src, k) => (out[src] = texts[k]));
      return out;
    },
  };
}
