import type { TimeBudget } from './time-budget.ts';
import type { ProgressEvent } from './train-events.ts';

export interface ProgressMeterOptions {
  /** The step this session starts from (a resumed run's checkpoint step, else 0). */
  readonly startStep: number;
  readonly maxSteps: number;
  readonly batchSize: number;
  /** Milliseconds between progress events. */
  readonly everyMs: number;
  /** A time budget: the progress shows its time left and planned steps instead of an ETA. */
  readonly budget?: TimeBudget;
}

/**
 * The progress line's figures. Loss and training accuracy are smoothed: the plain mean over this
 * session's first 20 steps, then an exponential moving average with weight 0.05 per step.
 * Images per second count the steps' own time (waiting for the batch included; evaluations and
 * checkpoints not).
 */
export class ProgressMeter {
  private trainMs = 0;
  private trainImages = 0;
  private lossEma = NaN;
  private accEma = NaN;
  private lastMs = performance.now();

  constructor(private readonly options: ProgressMeterOptions) {}

  /** Adds one step: `step` steps are now done; it took `ms` for `images` images, with this mean loss and `correct` texts read right. */
  add(step: number, ms: number, images: number, loss: number, correct: number): void {
    this.trainMs += ms;
    this.trainImages += images;
    const acc = correct / images;
    const alpha = step - this.options.startStep < 20 ? 1 / (step - this.options.startStep) : 0.05;
    this.lossEma = Number.isNaN(this.lossEma) ? loss : this.lossEma + alpha * (loss - this.lossEma);
    this.accEma = Number.isNaN(this.accEma) ? acc : this.accEma + alpha * (acc - this.accEma);
  }

  /** Whether a progress event is due after `step`: every `everyMs`, after the session's first step and the last, and when stopping. */
  due(step: number, nowMs: number, stopping: boolean): boolean {
    return nowMs - this.lastMs >= this.options.everyMs || step === this.options.maxSteps || step === this.options.startStep + 1 || stopping;
  }

  /** The progress event after `step` (and the clock of the next one starts now). */
  event(step: number, imagesSeen: number, learningRate: number, nowMs: number): ProgressEvent {
    this.lastMs = nowMs;
    const { maxSteps, batchSize, budget } = this.options;
    const ips = this.trainImages / (this.trainMs / 1000);
    const remaining = budget ? budget.secondsLeft(nowMs) : ((maxSteps - step) * batchSize) / ips;
    const planned = budget ? { plannedSteps: budget.estimated ? budget.plannedSteps() : undefined, secondsLeft: Math.round(remaining) } : {};
    return { event: 'progress', step, maxSteps, ...planned, imagesSeen, loss: this.lossEma, accuracy: this.accEma, learningRate, imagesPerSecond: ips, etaSeconds: Math.round(remaining) };
  }

  /** Images per second over the steps of this session (0 before the first). */
  imagesPerSecond(): number {
    return this.trainMs > 0 ? this.trainImages / (this.trainMs / 1000) : 0;
  }
}
