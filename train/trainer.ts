import { isAbsolute, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { trainedModelMetadata, type ModelMetadata } from '../core/model-contract.ts';
import { resolveProviders } from '../functions/node/ort-node-predictor.ts';
import { fallBackToWasm, selectBackend, type BackendInfo } from './backend.ts';
import { restoreOptimizer } from './checkpoint.ts';
import { DEFAULT_AUGMENT, NO_AUGMENT } from './data/augment.ts';
import type { Batch } from './data/batch.ts';
import { BatchStream } from './data/batch-stream.ts';
import { clampLengths, defaultMix, filterStyles, seedMix, type MixEntry } from './data/data-mix.ts';
import type { Score } from './evaluate.ts';
import { useFastBatchNorm } from './kernels/fast-batch-norm-layers.ts';
import { countMacs } from './models/flops.ts';
import { LOGITS_LAYER, type ModelSpec } from './models/model-spec.ts';
import { setUpModel } from './model-setup.ts';
import { evaluateOnnx } from './ort/ort-evaluate.ts';
import { OrtStepper } from './ort/ort-stepper.ts';
import { UnsupportedForEngineError } from './ort/training-graph.ts';
import { ReplicaPool } from './parallel/replica-pool.ts';
import { LocalStepper, type TrainStepper } from './parallel/stepper.ts';
import { shareSizes } from './parallel/shares.ts';
import { resolveWorkers } from './parallel/worker-count.ts';
import { resolveRun } from './run-settings.ts';
import type { TrainSettings } from './settings.ts';
import { StepLoop } from './step-loop.ts';
import { TimeBudget } from './time-budget.ts';
import { backendEvent, type TrainEvent, type TrainHooks, type TrainSummary } from './train-events.ts';

/**
 * Trains (or resumes) a model per `settings`; exports the best model to OUT. In order: resolve
 * the run (run-settings.ts), pick the backend, build or grow the model (model-setup.ts), open
 * the data, set up the optimizer and the stepper, then the step loop (step-loop.ts).
 */
export async function train(requested: TrainSettings, resume: boolean, hooks: TrainHooks): Promise<TrainSummary> {
  const log = hooks.log;
  const started = performance.now();
  const run = await resolveRun(requested, resume);
  const { settings, state } = run;

  tf.env().set('PROD', true);
  const selected = await selectBackend(settings.backend);
  log(backendEvent(selected));
  const { model, spec } = await setUpModel(run, log);
  // The JS batch norm reads activations back to the CPU: right for wasm/cpu, wrong for a GPU.
  const patched = selected.name === 'tensorflow' ? 0 : useFastBatchNorm(model);
  const parameters = model.countParams();
  log({ event: 'model', architecture: spec.architecture, parameters, mflopsPerImage: (2 * countMacs(model)) / 1e6, input: spec.input, output: spec.output, fastBatchNormLayers: patched });

  const mix = settings.data ? undefined : dataMix(settings, spec);
  const stream = await openData(settings, spec, mix);
  let stepper: TrainStepper | undefined;
  try {
    const validation = await stream.validation();
    // Started here, once: the first training batches are built while the engine sets up.
    stream.start(state?.step ?? 0);
    log({ event: 'data', source: settings.data ?? 'generator', mix, trainingImages: stream.trainingSize ?? 'unlimited', validationImages: stream.validationSize, ...(settings.data ? { unusable: stream.unusable, unusableExamples: stream.unusableExamples } : {}) });

    const optimizer = tf.train.adam(settings.learningRate);
    // A time budget runs from the start of train() (reading and decoding the data included).
    const budget = settings.maxMinutes !== undefined ? new TimeBudget({ seconds: settings.maxMinutes * 60, spentSeconds: state?.elapsedSeconds ?? 0, maxSteps: settings.maxSteps }, started) : undefined;
    if (state) {
      // Adam's moments and step count, matched to varList by position (same model, same order).
      await restoreOptimizer(settings.out, optimizer);
      log({ event: 'resume', step: state.step });
    }
    const opened = await openStepper(settings, spec, model, optimizer, selected, state !== undefined, log);
    stepper = opened.stepper;
    const metadataFor = exportedMetadata(settings, spec, mix, opened.backend.name, parameters);
    // On the onnxruntime engine validation runs the converted model in onnxruntime too.
    const evaluate = opened.backend.name === 'ort' ? (m: tf.LayersModel, batches: readonly Batch[]) => evaluateOnnx(m, batches, metadataFor(undefined, 0), settings.providers) : undefined;
    const result = await new StepLoop({ settings, spec, model, stepper, stream, validation, state, budget, metadataFor, hooks, evaluate }).run();
    return { event: 'done', backend: opened.backend.name, workers: opened.workers, architecture: spec.architecture, ...result, out: settings.out };
  } finally {
    await stepper?.close();
    await stream.close();
  }
}

/** A path as the metadata records it: relative to the working folder when inside it (no machine's layout in a shipped file). */
export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function dataMix(settings: TrainSettings, spec: ModelSpec): MixEntry[] {
  let mix = settings.architecture === 'seed' && !settings.styles ? seedMix() : defaultMix(spec.maxLength);
  if (settings.styles) mix = filterStyles(mix, settings.styles);
  return clampLengths(mix, spec.minLength, spec.maxLength);
}

/** The training and validation batches: generated from `mix`, or read from `--data`. */
async function openData(settings: TrainSettings, spec: ModelSpec, mix: MixEntry[] | undefined): Promise<BatchStream> {
  for (const [name, chars] of [['focus', settings.focus?.chars], ['twins', settings.twins?.chars]] as const) {
    const outside = [...(chars ?? '')].filter((c) => !spec.charset.includes(c));
    if (outside.length > 0) throw new RangeError(`${name}: ${outside.join('')} not in the model's charset ${spec.charset}`);
  }
  return BatchStream.open({
    plan: { batchSize: settings.batchSize, input: spec.input, charset: spec.charset, maxLength: spec.maxLength, augment: settings.augment ? DEFAULT_AUGMENT : NO_AUGMENT, seed: settings.seed },
    mix,
    dataPath: settings.data,
    fonts: settings.fonts,
    ...(settings.focus && !settings.data ? { focus: settings.focus } : {}),
    ...(settings.twins && !settings.data ? { twins: settings.twins } : {}),
    validationCount: settings.validationSize,
    validationSeed: 1_000_003,
    validationMix: mix,
  });
}

/**
 * What runs the steps: the onnxruntime engine on `ort` (a model it cannot train falls back to
 * wasm under `auto`), data-parallel replicas for more than one worker, else this thread.
 */
async function openStepper(
  settings: TrainSettings,
  spec: ModelSpec,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  selected: BackendInfo,
  resumed: boolean,
  log: (event: TrainEvent) => void,
): Promise<{ stepper: TrainStepper; backend: BackendInfo; workers: number }> {
  let backend = selected;
  if (backend.name === 'ort') {
    // One replica on a GPU, decided after fallback: CUDA asked for but not installed trains on the CPU, a replica per core.
    const gpu = resolveProviders(settings.providers ?? ['cpu']).providers.some((p) => p !== 'cpu');
    const { workers, note } = resolveWorkers(settings.workers, backend.name, settings.batchSize, undefined, gpu);
    try {
      const engine = await OrtStepper.open({ model, logitsLayer: LOGITS_LAYER, spec, batchSize: settings.batchSize, optimizer, resumed, seed: settings.seed, providers: settings.providers, replicas: workers });
      log({ event: 'engine', provider: engine.engine.provider, threads: engine.engine.threads, ...(engine.engine.note ? { note: engine.engine.note } : {}) });
      const sizes = shareSizes(settings.batchSize, workers);
      const range = sizes[0] === sizes[sizes.length - 1] ? `${sizes[0]}` : `${sizes[sizes.length - 1]}-${sizes[0]}`;
      const shares = workers > 1 ? `each replica's share of ${range} images is batch-normalised by its own statistics; --replicas 1 for the whole batch's` : undefined;
      const notes = [note, shares].filter((n) => n !== undefined);
      log({ event: 'workers', workers, ...(notes.length > 0 ? { note: notes.join('; ') } : {}) });
      return { stepper: engine, backend, workers };
    } catch (error) {
      if (!(error instanceof UnsupportedForEngineError) || settings.backend !== 'auto') throw error;
      backend = fallBackToWasm(backend, error.message);
      log(backendEvent(backend));
    }
  }
  const { workers, note } = resolveWorkers(settings.workers, backend.name, settings.batchSize);
  const stepper =
    workers > 1
      ? await ReplicaPool.open({ replicas: workers, backend: backend.name === 'cpu' ? 'cpu' : 'wasm', model, optimizer, resumed, spec, learningRate: settings.learningRate })
      : new LocalStepper(model, LOGITS_LAYER, optimizer, spec.charset, spec.output);
  log({ event: 'workers', workers, ...(note ? { note } : {}) });
  return { stepper, backend, workers };
}

/** The metadata of an exported model: the contract's, with what the run was trained on and how. */
function exportedMetadata(settings: TrainSettings, spec: ModelSpec, mix: MixEntry[] | undefined, backend: string, parameters: number): (score: Score | undefined, step: number) => ModelMetadata {
  return (score, step) =>
    trainedModelMetadata(spec, step, {
      data: settings.data ? { kind: 'labelled', path: shownPath(settings.data) } : { kind: 'generated', mix, seed: settings.seed, augment: settings.augment, ...(settings.focus ? { focus: settings.focus } : {}), ...(settings.twins ? { twins: settings.twins } : {}) },
      init: settings.init === undefined ? undefined : shownPath(settings.init),
      steps: step,
      imagesSeen: step * settings.batchSize,
      batchSize: settings.batchSize,
      learningRate: settings.learningRate,
      ...(settings.maxMinutes !== undefined ? { maxMinutes: settings.maxMinutes } : {}),
      backend,
      parameters,
      validation: score,
    });
}
