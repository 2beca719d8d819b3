import { isAbsolute, join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { CaptchaStyle } from '../captcha/options.ts';
import { charactersOutside, DEFAULT_CHARSET, validateCharset } from '../core/charset.ts';
import { describedModel, outputFromShape, trainedModelMetadata, type ModelMetadata } from '../core/model-contract.ts';
import { defaultPreprocess } from '../core/preprocess.ts';
import { fallBackToWasm, selectBackend, type BackendChoice, type BackendInfo } from './backend.ts';
import { hasCheckpoint, loadCheckpointModel, readCheckpointState, restoreOptimizer, saveCheckpoint, type TrainState } from './checkpoint.ts';
import { DEFAULT_AUGMENT, NO_AUGMENT } from './data/augment.ts';
import type { Batch } from './data/batch.ts';
import { BatchStream } from './data/batch-stream.ts';
import { runAlphabet, TrainingDataError, type RunAlphabet } from './data/data-labels.ts';
import { clampLengths, defaultMix, filterStyles, seedMix, type Focus, type MixEntry } from './data/data-mix.ts';
import { readLabelledSet } from './data/labelled-data.ts';
import { evaluate, type Score } from './evaluate.ts';
import { useFastBatchNorm } from './kernels/fast-batch-norm-layers.ts';
import { loadMetadata, loadModel, saveModel } from './model-io.ts';
import { countMacs } from './models/flops.ts';
import { inputSizeOf, LOGITS_LAYER, type ModelSpec } from './models/model-spec.ts';
import { describeDefaultModel, type DefaultModelOptions } from './models/default-model.ts';
import { buildModel, type Architecture } from './models/registry.ts';
import { OrtStepper } from './ort/ort-stepper.ts';
import { UnsupportedForEngineError } from './ort/training-graph.ts';
import { ReplicaPool } from './parallel/replica-pool.ts';
import { LocalStepper, type TrainStepper } from './parallel/stepper.ts';
import { resolveWorkers, type WorkersChoice } from './parallel/worker-count.ts';
import { learningRate } from './schedule.ts';
import { TimeBudget } from './time-budget.ts';
import { classMapping, transferWeights } from './transfer.ts';

/** Every setting of a run (stored in the checkpoint; `--resume` reuses them). */
export interface TrainSettings {
  readonly out: string;
  readonly architecture: Architecture;
  readonly backend: BackendChoice;
  /** onnxruntime execution providers for the `ort` engine, in order (default cpu); not part of the run. */
  readonly providers?: readonly string[];
  /**
   * Training threads (data-parallel replicas, train/parallel/): a count or `auto` (CPU cores,
   * at most 4, on wasm; 1 on the native backend). Not part of the run: `--resume` takes the
   * new value, and any count continues the same training. Default 1.
   */
  readonly workers?: WorkersChoice;
  readonly batchSize: number;
  readonly maxSteps: number;
  readonly learningRate: number;
  readonly warmupSteps: number;
  readonly data?: string;
  readonly init?: string;
  readonly styles?: readonly CaptchaStyle[];
  /**
   * Longest text the model reads. Default: the longest label with `data`, the `init` model's,
   * else DEFAULT_MAX_LENGTH. With `data`, shorter than the longest label is refused.
   */
  readonly maxLength?: number;
  /**
   * The model's alphabet (`--charset`). Default: every character of the `data` labels
   * (core/charset.ts alphabetOf), else the `init` model's, else DEFAULT_CHARSET. With `init`
   * and another alphabet the output layer is rebuilt (train/transfer.ts classMapping).
   */
  readonly charset?: string;
  readonly evalEvery: number;
  /** Also validate every this many seconds of wall time (`--max-minutes` without `--eval-every`: a tenth of the budget). */
  readonly evalEverySeconds?: number;
  /**
   * Wall-time budget in minutes (`--max-minutes`): train until it is spent, with the learning-rate
   * schedule planned to end at the deadline (train/time-budget.ts), then export the best model.
   */
  readonly maxMinutes?: number;
  readonly checkpointEvery: number;
  readonly validationSize: number;
  readonly seed: number;
  readonly augment: boolean;
  /** Extra training images with these characters (generated data only; see data-mix Focus). */
  readonly focus?: Focus;
  /** Share of the steps under the final cosine decay (default 0.3). */
  readonly decayFraction?: number;
  readonly fonts?: readonly string[];
  /** Extra options of the default architecture (experiments; stored with the checkpoint). */
  readonly defaultModel?: DefaultModelOptions;
  /** With resume: keep the checkpoint's maxSteps instead of this one (no --max-steps given). */
  readonly keepMaxSteps?: boolean;
}

export const DEFAULT_SETTINGS = {
  architecture: 'default',
  backend: 'auto',
  batchSize: 32,
  maxSteps: 40000,
  learningRate: 3e-3,
  warmupSteps: 100,
  evalEvery: 500,
  checkpointEvery: 500,
  validationSize: 1024,
  seed: 1,
  augment: true,
} as const satisfies Partial<TrainSettings>;

/** Longest text of a fresh model trained on generated data, unless `maxLength` says otherwise. */
export const DEFAULT_MAX_LENGTH = 8;

/** One event of the run (progress lines, evaluations, notes, the summary). */
export type TrainEvent = Readonly<Record<string, unknown>> & { readonly event: string };

export interface TrainHooks {
  /** Receives every event. */
  readonly log: (event: TrainEvent) => void;
  /** Checked after every step: true = save a checkpoint, export and stop (Ctrl-C). */
  readonly shouldStop?: () => boolean;
  /** Seconds between progress events (default 10). */
  readonly progressSeconds?: number;
}

export interface TrainSummary {
  readonly event: 'done';
  readonly backend: string;
  /** Training threads used. */
  readonly workers: number;
  readonly architecture: string;
  readonly steps: number;
  readonly imagesSeen: number;
  readonly imagesPerSecond: number;
  readonly validation?: Score;
  readonly bestAccuracy: number;
  readonly bestStep: number;
  readonly interrupted: boolean;
  /** The time budget (`maxMinutes`) ended the run. */
  readonly timeUp: boolean;
  readonly out: string;
}

/** A path as the metadata records it: relative to the working folder when inside it (no machine's layout in a shipped file). */
export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/** The spec of a saved model without metadata: its input size and output shape, over `charset`. */
function specFromModel(model: tf.LayersModel, architecture: string, charset: string, maxLength: number): ModelSpec {
  const { height, width } = inputSizeOf(model);
  const [, t, k] = model.outputs[0].shape as number[];
  const output = outputFromShape(t, k, charset);
  return { architecture, input: defaultPreprocess(height, width), output, minLength: output.kind === 'ctc' ? 1 : t, maxLength: output.kind === 'ctc' ? maxLength : t, charset };
}

function dataMix(settings: TrainSettings, spec: ModelSpec): MixEntry[] {
  let mix = settings.architecture === 'seed' && !settings.styles ? seedMix() : defaultMix(spec.maxLength);
  if (settings.styles) mix = filterStyles(mix, settings.styles);
  return clampLengths(mix, spec.minLength, spec.maxLength);
}

/**
 * The lengths a run claims: a CTC model reads the labels' range (from --data), up to
 * `--max-length` when given; a model with one head per position reads exactly its positions.
 */
function withLengths(spec: ModelSpec, run: RunAlphabet | undefined, maxLength: number | undefined): ModelSpec {
  const output = spec.output;
  if (output.kind === 'positions') {
    if (run && (run.minLength !== output.positions || run.maxLength !== output.positions)) {
      throw new TrainingDataError(`--data: the ${spec.architecture} model reads exactly ${output.positions} characters; the labels have ${run.minLength}-${run.maxLength}`);
    }
    return spec;
  }
  const longest = run ? run.maxLength : (maxLength ?? spec.maxLength);
  if (longest > output.timeSteps) throw new TrainingDataError(`labels of ${longest} characters do not fit the model's ${output.timeSteps} time steps (give a wider --input)`);
  return run ? { ...spec, minLength: run.minLength, maxLength: longest } : { ...spec, maxLength: longest };
}

/** Trains (or resumes) a model per `settings`; exports the best model to OUT. */
export async function train(requested: TrainSettings, resume: boolean, hooks: TrainHooks): Promise<TrainSummary> {
  const log = hooks.log;
  const started = performance.now();
  let state: TrainState | undefined;
  let settings = requested;
  if (resume) {
    if (!(await hasCheckpoint(requested.out))) throw new Error(`--resume: no checkpoint in ${join(requested.out, 'checkpoint')}`);
    state = await readCheckpointState(requested.out);
    const stored = state.settings as unknown as TrainSettings;
    settings = {
      ...stored,
      out: requested.out,
      maxSteps: requested.keepMaxSteps ? stored.maxSteps : requested.maxSteps,
      backend: requested.backend,
      providers: requested.providers,
      workers: requested.workers,
      keepMaxSteps: undefined,
      // A new budget may be given on resume; the checkpoint's elapsed time counts against it.
      maxMinutes: requested.maxMinutes ?? stored.maxMinutes,
      evalEverySeconds: requested.evalEverySeconds ?? stored.evalEverySeconds,
    };
  }
  // The alphabet and the lengths: --charset, else the --data labels' (read before anything else:
  // a label the run cannot use is refused before a backend or a model is set up).
  const run = !state && settings.data ? runAlphabet(settings.data, readLabelledSet(settings.data).images.map((i) => ({ file: i.entry.name, label: i.label })), settings.charset, settings.maxLength) : undefined;
  const charset = settings.charset ?? run?.charset;
  if (charset !== undefined) validateCharset(charset);

  tf.env().set('PROD', true);
  let backend: BackendInfo = await selectBackend(settings.backend);
  log({ event: 'backend', backend: backend.name, package: backend.package, notes: backend.notes });

  // The model: from the checkpoint, from --init, or fresh.
  let model: tf.LayersModel;
  let spec: ModelSpec;
  if (state) {
    model = await loadCheckpointModel(settings.out);
    spec = (state.settings as { spec: ModelSpec }).spec;
  } else if (settings.init) {
    const saved = await loadModel(settings.init);
    const savedSpec = await loadMetadata(settings.init).then(describedModel, () => specFromModel(saved, settings.architecture, DEFAULT_CHARSET, settings.maxLength ?? DEFAULT_MAX_LENGTH));
    const wanted = settings.defaultModel ?? {};
    const newAlphabet = charset !== undefined && charset !== savedSpec.charset;
    if (Object.keys(wanted).length > 0 && savedSpec.architecture !== 'default') {
      throw new RangeError(`--input/--channels/--sequence-*: only the default model can change its input size or grow (the saved model is ${savedSpec.architecture})`);
    }
    if (newAlphabet && savedSpec.architecture !== 'default') throw new RangeError(`another alphabet: only the default model's output layer can be rebuilt (the saved model is ${savedSpec.architecture}); give --charset ${savedSpec.charset}`);
    const have = savedSpec.architecture === 'default' ? describeDefaultModel(saved) : undefined;
    const shape = { ...have, ...wanted };
    if (have && (JSON.stringify(shape) !== JSON.stringify(have) || newAlphabet)) {
      // A new input size, a larger model or another alphabet: build it and carry the saved
      // weights over (the full-height kernel resampled, wider layers and added sequence layers
      // keep the function, the output layer keeps the classes of the shared characters).
      const to = charset ?? savedSpec.charset;
      const built = buildModel('default', { charset: to, maxLength: savedSpec.maxLength, seed: settings.seed, defaultModel: shape });
      const report = transferWeights(saved, built.model, { grow: true, ...(newAlphabet ? { classes: { layer: LOGITS_LAYER, map: classMapping(savedSpec.charset, to) } } : {}) });
      saved.dispose();
      const classes = newAlphabet ? { from: savedSpec.charset, to, shared: [...to].filter((c) => savedSpec.charset.includes(c)).length, added: charactersOutside([to], savedSpec.charset), dropped: charactersOutside([savedSpec.charset], to) } : undefined;
      log({ event: 'transfer', from: savedSpec.input, to: built.spec.input, copied: report.copied.length, resampled: report.resampled, widened: report.widened, added: report.added, ...(classes ? { classes } : {}) });
      model = built.model;
      spec = built.spec;
    } else {
      model = saved;
      spec = savedSpec;
    }
  } else {
    const built = buildModel(settings.architecture, { charset, maxLength: settings.maxLength ?? DEFAULT_MAX_LENGTH, seed: settings.seed, defaultModel: settings.defaultModel });
    model = built.model;
    spec = built.spec;
  }
  if (!state) spec = withLengths(spec, run, settings.maxLength);
  if (run) log({ event: 'alphabet', charset: spec.charset, source: run.charsetSource, minLength: spec.minLength, maxLength: spec.maxLength, labels: run.labels });
  // The JS batch norm reads activations back to the CPU: right for wasm/cpu, wrong for a GPU.
  const patched = backend.name === 'tensorflow' ? 0 : useFastBatchNorm(model);
  const params = model.countParams();
  log({ event: 'model', architecture: spec.architecture, parameters: params, mflopsPerImage: (2 * countMacs(model)) / 1e6, input: spec.input, output: spec.output, fastBatchNormLayers: patched });

  const mix = settings.data ? undefined : dataMix(settings, spec);
  const outside = settings.focus ? [...settings.focus.chars].filter((c) => !spec.charset.includes(c)) : [];
  if (outside.length > 0) throw new RangeError(`focus: ${outside.join('')} not in the model's charset ${spec.charset}`);
  const stream = await BatchStream.open({
    plan: { batchSize: settings.batchSize, input: spec.input, charset: spec.charset, maxLength: spec.maxLength, augment: settings.augment ? DEFAULT_AUGMENT : NO_AUGMENT, seed: settings.seed },
    mix,
    dataPath: settings.data,
    fonts: settings.fonts,
    ...(settings.focus && !settings.data ? { focus: settings.focus } : {}),
    validationCount: settings.validationSize,
    validationSeed: 1_000_003,
    validationMix: mix,
  });
  const interrupted = { value: false };
  let stepper: TrainStepper | undefined;
  try {
    const validation = await stream.validation();
    log({ event: 'data', source: settings.data ?? 'generator', mix, trainingImages: stream.trainingSize ?? 'unlimited', validationImages: stream.validationSize, ...(settings.data ? { unusable: stream.unusable, unusableExamples: stream.unusableExamples } : {}) });

    const optimizer = tf.train.adam(settings.learningRate);
    let step = state?.step ?? 0;
    let imagesSeen = state?.imagesSeen ?? 0;
    let bestAccuracy = state?.bestAccuracy ?? -1;
    let bestStep = state?.bestStep ?? -1;
    const history: Record<string, unknown>[] = [...((state?.history ?? []) as Record<string, unknown>[])];
    const elapsedBefore = state?.elapsedSeconds ?? 0;
    // A time budget runs from the start of train() (reading and decoding the data included).
    const budget = settings.maxMinutes !== undefined ? new TimeBudget({ seconds: settings.maxMinutes * 60, spentSeconds: elapsedBefore, maxSteps: settings.maxSteps }, started) : undefined;
    let timeUp = false;
    const runSettings = { ...settings, spec } as unknown as Record<string, unknown>;
    let lastScore: Score | undefined;

    if (state) {
      // Adam's moments and step count, matched to varList by position (same model, same order).
      await restoreOptimizer(settings.out, optimizer);
      log({ event: 'resume', step });
    }
    if (backend.name === 'ort') {
      try {
        const engine = await OrtStepper.open({ model, logitsLayer: LOGITS_LAYER, spec, batchSize: settings.batchSize, optimizer, resumed: state !== undefined, seed: settings.seed, providers: settings.providers });
        stepper = engine;
        log({ event: 'engine', provider: engine.engine.provider, threads: engine.engine.threads, ...(engine.engine.note ? { note: engine.engine.note } : {}) });
      } catch (error) {
        if (!(error instanceof UnsupportedForEngineError) || settings.backend !== 'auto') throw error;
        backend = fallBackToWasm(backend, error.message);
        log({ event: 'backend', backend: backend.name, package: backend.package, notes: backend.notes });
      }
    }
    const { workers, note } = resolveWorkers(settings.workers, backend.name, settings.batchSize);
    stepper ??=
      workers > 1
        ? await ReplicaPool.open({ replicas: workers, backend: backend.name === 'cpu' ? 'cpu' : 'wasm', model, optimizer, resumed: state !== undefined, spec, learningRate: settings.learningRate })
        : new LocalStepper(model, LOGITS_LAYER, optimizer, spec.charset, spec.output);
    const steps = stepper;
    log({ event: 'workers', workers, ...(note ? { note } : {}) });

    const metadataFor = (score: Score | undefined, atStep: number): ModelMetadata =>
      trainedModelMetadata(spec, atStep, {
        data: settings.data ? { kind: 'labelled', path: shownPath(settings.data) } : { kind: 'generated', mix, seed: settings.seed, augment: settings.augment, ...(settings.focus ? { focus: settings.focus } : {}) },
        init: settings.init === undefined ? undefined : shownPath(settings.init),
        steps: atStep,
        imagesSeen: atStep * settings.batchSize,
        batchSize: settings.batchSize,
        learningRate: settings.learningRate,
        ...(settings.maxMinutes !== undefined ? { maxMinutes: settings.maxMinutes } : {}),
        backend: backend.name,
        parameters: params,
        validation: score,
      });

    // What the last evaluation (with its export) and checkpoint took: a time budget keeps that free at its end.
    let evalSeconds = 0;
    let checkpointSeconds = 0;
    const checkpoint = async () => {
      const t0 = performance.now();
      await steps.syncModel();
      const elapsedSeconds = elapsedBefore + (performance.now() - runStart) / 1000;
      await steps.withOptimizer((o) => saveCheckpoint(settings.out, model, o, { step, imagesSeen, elapsedSeconds, bestAccuracy, bestStep, settings: runSettings, history }));
      checkpointSeconds = (performance.now() - t0) / 1000;
      budget?.reserve(evalSeconds + checkpointSeconds);
      log({ event: 'checkpoint', step, seconds: checkpointSeconds });
    };

    let lastEvalMs = performance.now();
    const runEval = async () => {
      const t0 = performance.now();
      await steps.syncModel();
      const score = evaluate(model, validation, spec.charset, spec.output);
      lastScore = score;
      const epoch = stream.trainingSize ? Math.round((imagesSeen / stream.trainingSize) * 100) / 100 : undefined;
      const entry = { event: 'eval', step, imagesSeen, ...(epoch !== undefined ? { epoch } : {}), accuracy: score.accuracy, characterAccuracy: score.characterAccuracy, perPosition: score.perPosition, count: score.count };
      history.push(entry);
      log(entry);
      if (score.accuracy > bestAccuracy) {
        bestAccuracy = score.accuracy;
        bestStep = step;
        await saveModel(model, settings.out, metadataFor(score, step));
        log({ event: 'best', step, accuracy: score.accuracy });
      }
      lastEvalMs = performance.now();
      evalSeconds = (lastEvalMs - t0) / 1000;
      budget?.reserve(evalSeconds + checkpointSeconds);
    };

    stream.start(step);
    const runStart = performance.now();
    let trainMs = 0;
    let trainImages = 0;
    let lossEma = NaN;
    let accEma = NaN;
    let lastProgress = performance.now();
    const startStep = step;
    const progressMs = (hooks.progressSeconds ?? 10) * 1000;
    let learningRateNow = settings.learningRate;

    while (step < settings.maxSteps) {
      if (budget?.expired(performance.now())) {
        timeUp = true;
        break;
      }
      // Let signal handlers (Ctrl-C) and worker messages run: a queued batch resolves as a microtask.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const t0 = performance.now();
      const batch: Batch = await stream.next();
      if (batch.step !== step) throw new Error(`data stream out of order (got batch ${batch.step} for step ${step})`);
      const plannedSteps = budget ? budget.plannedSteps() : settings.maxSteps;
      learningRateNow = learningRate(step, settings.learningRate, plannedSteps, settings.warmupSteps, settings.decayFraction);
      const { loss: lossValue, correct } = await steps.step(batch, learningRateNow);
      const dt = performance.now() - t0;
      trainMs += dt;
      trainImages += batch.size;
      step++;
      imagesSeen += batch.size;
      const acc = correct / batch.size;
      const alpha = step - startStep < 20 ? 1 / (step - startStep) : 0.05;
      lossEma = Number.isNaN(lossEma) ? lossValue : lossEma + alpha * (lossValue - lossEma);
      accEma = Number.isNaN(accEma) ? acc : accEma + alpha * (acc - accEma);
      if (!Number.isFinite(lossValue)) throw new Error(`loss is ${lossValue} at step ${step}; try a lower --lr`);

      const now = performance.now();
      budget?.observe(step, now);
      const stopping = hooks.shouldStop?.() ?? false;
      if (now - lastProgress >= progressMs || step === settings.maxSteps || step === startStep + 1 || stopping) {
        lastProgress = now;
        const ips = trainImages / (trainMs / 1000);
        const remaining = budget ? budget.secondsLeft(now) : ((settings.maxSteps - step) * settings.batchSize) / ips;
        const planned = budget ? { plannedSteps: budget.estimated ? budget.plannedSteps() : undefined, secondsLeft: Math.round(remaining) } : {};
        log({ event: 'progress', step, maxSteps: settings.maxSteps, ...planned, imagesSeen, loss: lossEma, accuracy: accEma, learningRate: learningRateNow, imagesPerSecond: ips, etaSeconds: Math.round(remaining) });
      }
      if (stopping) {
        interrupted.value = true;
        break;
      }
      if ((settings.evalEvery > 0 && step % settings.evalEvery === 0) || (settings.evalEverySeconds !== undefined && performance.now() - lastEvalMs >= settings.evalEverySeconds * 1000)) await runEval();
      if (settings.checkpointEvery > 0 && step % settings.checkpointEvery === 0) await checkpoint();
    }

    if (!lastScore || history.length === 0 || (history[history.length - 1] as { step?: number }).step !== step) await runEval();
    await checkpoint();
    if (bestStep < 0) await saveModel(model, settings.out, metadataFor(lastScore, step));
    const imagesPerSecond = trainMs > 0 ? trainImages / (trainMs / 1000) : 0;
    const summary: TrainSummary = {
      event: 'done',
      backend: backend.name,
      workers,
      architecture: spec.architecture,
      steps: step,
      imagesSeen,
      imagesPerSecond,
      validation: lastScore,
      bestAccuracy,
      bestStep,
      interrupted: interrupted.value,
      timeUp,
      out: settings.out,
    };
    return summary;
  } finally {
    await stepper?.close();
    await stream.close();
  }
}
