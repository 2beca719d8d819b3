import type * as tf from '@tensorflow/tfjs';
import type { ModelMetadata } from '../core/model-contract.ts';
import { saveCheckpoint, type TrainState } from './checkpoint.ts';
import type { Batch } from './data/batch.ts';
import type { BatchStream } from './data/batch-stream.ts';
import { evaluate, type Score } from './evaluate.ts';
import { saveModel } from './model-io.ts';
import type { ModelSpec } from './models/model-spec.ts';
import type { TrainStepper } from './parallel/stepper.ts';
import { ProgressMeter } from './progress-meter.ts';
import { learningRate } from './schedule.ts';
import type { StoredSettings, TrainSettings } from './settings.ts';
import type { TimeBudget } from './time-budget.ts';
import type { EvalEvent, TrainHooks, TrainSummary } from './train-events.ts';

export interface StepLoopOptions {
  readonly settings: TrainSettings;
  readonly spec: ModelSpec;
  /** The trainer's model: validated, checkpointed and exported (the stepper brings it up to date first). */
  readonly model: tf.LayersModel;
  readonly stepper: TrainStepper;
  /** The training batches, already started at the loop's first step (the trainer starts it early). */
  readonly stream: BatchStream;
  readonly validation: readonly Batch[];
  /** The checkpoint a resumed run continues. */
  readonly state?: TrainState;
  readonly budget?: TimeBudget;
  /** The metadata of the model exported after `step` steps, validated as `score`. */
  readonly metadataFor: (score: Score | undefined, step: number) => ModelMetadata;
  readonly hooks: TrainHooks;
  /** How validation runs the model (default: tfjs inference, evaluate.ts; the onnxruntime engine's: ort/ort-evaluate.ts). */
  readonly evaluate?: (model: tf.LayersModel, batches: readonly Batch[]) => Promise<Score>;
}

/** How the loop ended: the summary's figures (`validation` is the last one), in the summary's order. */
export type StepLoopResult = Pick<TrainSummary, 'steps' | 'imagesSeen' | 'imagesPerSecond' | 'validation' | 'bestAccuracy' | 'bestStep' | 'interrupted' | 'timeUp'>;

/**
 * The step loop: the next batch, a step at the scheduled learning rate, a progress event when
 * due, validation (exporting each new best) and checkpoints as the settings ask, until the step
 * cap, the deadline or `shouldStop`; then a final validation (unless this step has one), a
 * checkpoint, and an export if no validation ever exported one.
 */
export class StepLoop {
  private step: number;
  private imagesSeen: number;
  private bestAccuracy: number;
  private bestStep: number;
  private readonly history: EvalEvent[];
  private lastScore: Score | undefined;
  /** What the checkpoint stores as the run's settings. */
  private readonly stored: StoredSettings;
  /** What the last evaluation (with its export) and checkpoint took: a time budget keeps that free at its end. */
  private evalSeconds = 0;
  private checkpointSeconds = 0;
  private lastEvalMs = performance.now();
  private runStart = performance.now();

  constructor(private readonly o: StepLoopOptions) {
    const state = o.state;
    this.step = state?.step ?? 0;
    this.imagesSeen = state?.imagesSeen ?? 0;
    this.bestAccuracy = state?.bestAccuracy ?? -1;
    this.bestStep = state?.bestStep ?? -1;
    this.history = [...(state?.history ?? [])];
    // A resumed run's settings still hold the checkpoint's spec in its place, so state.json keeps its key order.
    this.stored = { ...o.settings, spec: o.spec };
  }

  async run(): Promise<StepLoopResult> {
    const { settings, budget, hooks } = this.o;
    this.runStart = performance.now();
    const meter = new ProgressMeter({ startStep: this.step, maxSteps: settings.maxSteps, batchSize: settings.batchSize, everyMs: (hooks.progressSeconds ?? 10) * 1000, budget });
    let interrupted = false;
    let timeUp = false;
    while (this.step < settings.maxSteps) {
      if (budget?.expired(performance.now())) {
        timeUp = true;
        break;
      }
      // Let signal handlers (Ctrl-C) and worker messages run: a queued batch resolves as a microtask.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const rate = await this.trainStep(meter);
      const now = performance.now();
      budget?.observe(this.step, now);
      const stopping = hooks.shouldStop?.() ?? false;
      if (meter.due(this.step, now, stopping)) hooks.log(meter.event(this.step, this.imagesSeen, rate, now));
      if (stopping) {
        interrupted = true;
        break;
      }
      if ((settings.evalEvery > 0 && this.step % settings.evalEvery === 0) || (settings.evalEverySeconds !== undefined && performance.now() - this.lastEvalMs >= settings.evalEverySeconds * 1000)) await this.evaluate();
      if (settings.checkpointEvery > 0 && this.step % settings.checkpointEvery === 0) await this.checkpoint();
    }
    if (!this.lastScore || this.history.length === 0 || this.history[this.history.length - 1].step !== this.step) await this.evaluate();
    await this.checkpoint();
    if (this.bestStep < 0) await saveModel(this.o.model, settings.out, this.o.metadataFor(this.lastScore, this.step));
    return {
      steps: this.step,
      imagesSeen: this.imagesSeen,
      imagesPerSecond: meter.imagesPerSecond(),
      validation: this.lastScore,
      bestAccuracy: this.bestAccuracy,
      bestStep: this.bestStep,
      interrupted,
      timeUp,
    };
  }

  /** One step on the next batch; answers the learning rate it ran at. */
  private async trainStep(meter: ProgressMeter): Promise<number> {
    const { settings, stream, budget, stepper } = this.o;
    const t0 = performance.now();
    const batch = await stream.next();
    if (batch.step !== this.step) throw new Error(`data stream out of order (got batch ${batch.step} for step ${this.step})`);
    const plannedSteps = budget ? budget.plannedSteps() : settings.maxSteps;
    const rate = learningRate(this.step, settings.learningRate, plannedSteps, settings.warmupSteps, settings.decayFraction);
    const { loss, correct } = await stepper.step(batch, rate);
    const ms = performance.now() - t0;
    this.step++;
    this.imagesSeen += batch.size;
    meter.add(this.step, ms, batch.size, loss, correct);
    if (!Number.isFinite(loss)) throw new Error(`loss is ${loss} at step ${this.step}; try a lower --lr`);
    return rate;
  }

  /** Validates; a new best is exported to OUT. */
  private async evaluate(): Promise<void> {
    const { model, spec, stream, settings, hooks } = this.o;
    const t0 = performance.now();
    await this.o.stepper.syncModel();
    const score = this.o.evaluate ? await this.o.evaluate(model, this.o.validation) : evaluate(model, this.o.validation, spec.charset, spec.output);
    this.lastScore = score;
    const epoch = stream.trainingSize ? Math.round((this.imagesSeen / stream.trainingSize) * 100) / 100 : undefined;
    const entry: EvalEvent = { event: 'eval', step: this.step, imagesSeen: this.imagesSeen, ...(epoch !== undefined ? { epoch } : {}), accuracy: score.accuracy, characterAccuracy: score.characterAccuracy, perPosition: score.perPosition, count: score.count };
    this.history.push(entry);
    hooks.log(entry);
    if (score.accuracy > this.bestAccuracy) {
      this.bestAccuracy = score.accuracy;
      this.bestStep = this.step;
      await saveModel(model, settings.out, this.o.metadataFor(score, this.step));
      hooks.log({ event: 'best', step: this.step, accuracy: score.accuracy });
    }
    this.lastEvalMs = performance.now();
    this.evalSeconds = (this.lastEvalMs - t0) / 1000;
    this.o.budget?.reserve(this.evalSeconds + this.checkpointSeconds);
  }

  /** Saves OUT/checkpoint: weights, Adam's state, the loop's state and the settings. */
  private async checkpoint(): Promise<void> {
    const { stepper, model, settings, hooks } = this.o;
    const t0 = performance.now();
    await stepper.syncModel();
    const elapsedSeconds = (this.o.state?.elapsedSeconds ?? 0) + (performance.now() - this.runStart) / 1000;
    const state: TrainState = { step: this.step, imagesSeen: this.imagesSeen, elapsedSeconds, bestAccuracy: this.bestAccuracy, bestStep: this.bestStep, settings: this.stored, history: this.history };
    await stepper.withOptimizer((o) => saveCheckpoint(settings.out, model, o, state));
    this.checkpointSeconds = (performance.now() - t0) / 1000;
    this.o.budget?.reserve(this.evalSeconds + this.checkpointSeconds);
    hooks.log({ event: 'checkpoint', step: this.step, seconds: this.checkpointSeconds });
  }
}
