import type * as tf from '@tensorflow/tfjs';
import { charactersOutside, DEFAULT_CHARSET } from '../core/charset.ts';
import { describedModel, outputFromShape } from '../core/model-contract.ts';
import { defaultPreprocess } from '../core/preprocess.ts';
import { loadCheckpointModel } from './checkpoint.ts';
import { TrainingDataError, type RunAlphabet } from './data/data-labels.ts';
import { loadMetadata, loadModel } from './model-io.ts';
import { describeDefaultModel } from './models/default-model.ts';
import { inputSizeOf, LOGITS_LAYER, type BuiltModel, type ModelSpec } from './models/model-spec.ts';
import { buildModel } from './models/registry.ts';
import type { ResolvedRun } from './run-settings.ts';
import { DEFAULT_MAX_LENGTH, type TrainSettings } from './settings.ts';
import type { TrainEvent } from './train-events.ts';
import { classMapping, transferWeights } from './transfer.ts';

/**
 * The model a run trains and its spec: the checkpoint's (`--resume`), the `--init` model (built
 * anew and its weights carried over when it is to grow, change its input size or its alphabet),
 * or a fresh one. A fresh run's lengths come from its labels or `--max-length`.
 */
export async function setUpModel(run: ResolvedRun, log: (event: TrainEvent) => void): Promise<BuiltModel> {
  const { settings, state, alphabet, charset } = run;
  if (state) return { model: await loadCheckpointModel(settings.out), spec: state.settings.spec };
  const made = settings.init
    ? await fromInit(settings.init, settings, charset, log)
    : buildModel(settings.architecture, { charset, maxLength: settings.maxLength ?? DEFAULT_MAX_LENGTH, seed: settings.seed, defaultModel: settings.defaultModel });
  const spec = withLengths(made.spec, alphabet, settings.maxLength);
  if (alphabet) log({ event: 'alphabet', charset: spec.charset, source: alphabet.charsetSource, minLength: spec.minLength, maxLength: spec.maxLength, labels: alphabet.labels });
  return { model: made.model, spec };
}

/** The spec of a saved model without metadata: its input size and output shape, over `charset`. */
function specFromModel(model: tf.LayersModel, architecture: string, charset: string, maxLength: number): ModelSpec {
  const { height, width } = inputSizeOf(model);
  const [, t, k] = model.outputs[0].shape as number[];
  const output = outputFromShape(t, k, charset);
  return { architecture, input: defaultPreprocess(height, width), output, minLength: output.kind === 'ctc' ? 1 : t, maxLength: output.kind === 'ctc' ? maxLength : t, charset };
}

/** `--init`: the saved model as it is, or (another size, more layers or channels, another alphabet) a new one with its weights. */
async function fromInit(init: string, settings: TrainSettings, charset: string | undefined, log: (event: TrainEvent) => void): Promise<BuiltModel> {
  const saved = await loadModel(init);
  const savedSpec = await loadMetadata(init).then(describedModel, () => specFromModel(saved, settings.architecture, DEFAULT_CHARSET, settings.maxLength ?? DEFAULT_MAX_LENGTH));
  const wanted = settings.defaultModel ?? {};
  const newAlphabet = charset !== undefined && charset !== savedSpec.charset;
  if (Object.keys(wanted).length > 0 && savedSpec.architecture !== 'default') {
    throw new RangeError(`--input/--channels/--sequence-*: only the default model can change its input size or grow (the saved model is ${savedSpec.architecture})`);
  }
  if (newAlphabet && savedSpec.architecture !== 'default') throw new RangeError(`another alphabet: only the default model's output layer can be rebuilt (the saved model is ${savedSpec.architecture}); give --charset ${savedSpec.charset}`);
  const have = savedSpec.architecture === 'default' ? describeDefaultModel(saved) : undefined;
  const shape = { ...have, ...wanted };
  if (!have || (JSON.stringify(shape) === JSON.stringify(have) && !newAlphabet)) return { model: saved, spec: savedSpec };
  // A new input size, a larger model or another alphabet: build it and carry the saved
  // weights over (the full-height kernel resampled, wider layers and added sequence layers
  // keep the function, the output layer keeps the classes of the shared characters).
  const to = charset ?? savedSpec.charset;
  const built = buildModel('default', { charset: to, maxLength: savedSpec.maxLength, seed: settings.seed, defaultModel: shape });
  const report = transferWeights(saved, built.model, { grow: true, ...(newAlphabet ? { classes: { layer: LOGITS_LAYER, map: classMapping(savedSpec.charset, to) } } : {}) });
  saved.dispose();
  const classes = newAlphabet ? { from: savedSpec.charset, to, shared: [...to].filter((c) => savedSpec.charset.includes(c)).length, added: charactersOutside([to], savedSpec.charset), dropped: charactersOutside([savedSpec.charset], to) } : undefined;
  log({ event: 'transfer', from: savedSpec.input, to: built.spec.input, copied: report.copied.length, resampled: report.resampled, widened: report.widened, added: report.added, ...(classes ? { classes } : {}) });
  return built;
}

/**
 * The lengths a run claims: a CTC model reads the labels' range (from --data), up to
 * `--max-length` when given; a model with one head per position reads exactly its positions.
 */
function withLengths(spec: ModelSpec, alphabet: RunAlphabet | undefined, maxLength: number | undefined): ModelSpec {
  const output = spec.output;
  if (output.kind === 'positions') {
    if (alphabet && (alphabet.minLength !== output.positions || alphabet.maxLength !== output.positions)) {
      throw new TrainingDataError(`--data: the ${spec.architecture} model reads exactly ${output.positions} characters; the labels have ${alphabet.minLength}-${alphabet.maxLength}`);
    }
    return spec;
  }
  const longest = alphabet ? alphabet.maxLength : (maxLength ?? spec.maxLength);
  if (longest > output.timeSteps) throw new TrainingDataError(`labels of ${longest} characters do not fit the model's ${output.timeSteps} time steps (give a wider --input)`);
  return alphabet ? { ...spec, minLength: alphabet.minLength, maxLength: longest } : { ...spec, maxLength: longest };
}
