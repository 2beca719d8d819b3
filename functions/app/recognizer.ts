import type { DecodedText } from '../../core/decode-output.ts';
import { decodeImage, pureJsImageDecoder, type ImageDecoder } from '../../core/image-decode.ts';
import { inputSize, type ModelMetadata } from '../../core/model-contract.ts';
import { preprocess } from '../../core/preprocess.ts';
import type { PredictOptions, Predictor } from '../predictor.ts';

/**
 * Image bytes -> text: header check (pixel limit), decode (the runtime's decoder), the one
 * preprocessing rule (core/preprocess.ts), the predictor. Shared by the routes and the CLI.
 */
export interface Recognizer {
  readonly metadata: ModelMetadata;
  readonly predictor: Predictor;
  readonly decoder: ImageDecoder;
  /** Decodes and preprocesses one image into `out` at image slot `slot`. Throws typed errors. */
  prepare(bytes: Uint8Array, out: Float32Array, slot: number): Promise<void>;
  /** `options.mask` restricts the reading (`?charset=`, `--charset`). */
  recognize(bytes: Uint8Array, options?: PredictOptions): Promise<DecodedText>;
  /** Several images in one model run; a bad image gives its error in its slot. */
  recognizeMany(list: readonly Uint8Array[], options?: PredictOptions): Promise<Array<DecodedText | Error>>;
}

export interface RecognizerOptions {
  readonly predictor: Predictor;
  readonly decoder?: ImageDecoder;
  readonly maxImagePixels: number;
}

export function createRecognizer(options: RecognizerOptions): Recognizer {
  const { predictor, maxImagePixels } = options;
  const decoder = options.decoder ?? pureJsImageDecoder;
  const metadata = predictor.metadata;
  const per = inputSize(metadata.input);
  const prepare = async (bytes: Uint8Array, out: Float32Array, slot: number): Promise<void> => {
    const image = await decodeImage(bytes, maxImagePixels, decoder);
    preprocess(image, metadata.input, out, slot * per);
  };
  return {
    metadata,
    predictor,
    decoder,
    prepare,
    async recognize(bytes, options) {
      const input = new Float32Array(per);
      await prepare(bytes, input, 0);
      const [text] = await predictor.predict(input, 1, options);
      return text;
    },
    async recognizeMany(list, options) {
      const input = new Float32Array(per * list.length);
      const errors = await Promise.all(list.map((bytes, i) => prepare(bytes, input, i).then(() => undefined, (e: unknown) => (e instanceof Error ? e : new Error(String(e))))));
      const ok = errors.map((e, i) => (e ? -1 : i)).filter((i) => i >= 0);
      const out: Array<DecodedText | Error> = errors.map((e) => e ?? new Error('unreachable'));
      if (ok.length === 0) return out;
      let batch = input;
      if (ok.length !== list.length) {
        batch = new Float32Array(per * ok.length);
        ok.forEach((src, dst) => batch.set(input.subarray(src * per, (src + 1) * per), dst * per));
      }
      const texts = await predictor.predict(batch, ok.length, options);
      ok.forEach((src, k) => (out[src] = texts[k]));
      return out;
    },
  };
}
