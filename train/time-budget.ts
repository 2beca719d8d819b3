/**
 * A wall-time budget for a run (`train --max-minutes N`): when to stop, and how many steps the
 * learning-rate schedule plans for, so that its cosine decay ends at the deadline.
 *
 * The rule:
 * - The clock runs from the start of the run (a resumed run has spent its checkpoint's time
 *   already). Training stops when the time left is no more than the reserve: what the final
 *   evaluation and checkpoint took the last time they ran (0 until they have run once).
 * - The step rate is measured on the wall clock, evaluations and checkpoints included (they
 *   recur at a fixed cadence), from the `skipSteps`-th step of this session on (the first steps
 *   build graphs and warm caches). Once `minSteps` steps (10) and `minSeconds` (5 s, or a
 *   20th of a shorter budget) have been measured, the planned total is the steps done plus
 *   the rate times the time left before the stop, re-estimated after every step and never
 *   beyond `maxSteps`. Until then it is `maxSteps` (the schedule is still in its flat part:
 *   its decay starts at 70 % of the plan by default).
 */
export interface TimeBudgetOptions {
  readonly seconds: number;
  /** Seconds of the budget already spent (a resumed run). */
  readonly spentSeconds?: number;
  /** The step cap (`--max-steps`); the plan never exceeds it. */
  readonly maxSteps: number;
  readonly skipSteps?: number;
  readonly minSteps?: number;
  readonly minSeconds?: number;
}

export class TimeBudget {
  private readonly deadline: number;
  private readonly maxSteps: number;
  private readonly skipSteps: number;
  private readonly minSteps: number;
  private readonly minMs: number;
  private sessionSteps = 0;
  private markStep = -1;
  private markMs = 0;
  private planned: number;
  private reserveMs = 0;
  private measured = false;

  /** `nowMs`: the clock at the start of the run (performance.now()). */
  constructor(options: TimeBudgetOptions, nowMs: number) {
    if (!(options.seconds > 0)) throw new RangeError(`time budget must be positive, got ${options.seconds} s`);
    this.deadline = nowMs + (options.seconds - (options.spentSeconds ?? 0)) * 1000;
    this.maxSteps = options.maxSteps;
    this.skipSteps = options.skipSteps ?? 10;
    this.minSteps = options.minSteps ?? 10;
    this.minMs = (options.minSeconds ?? Math.min(5, options.seconds / 20)) * 1000;
    this.planned = options.maxSteps;
  }

  /** After every step: `step` is the number of steps done (of the whole run). */
  observe(step: number, nowMs: number): void {
    this.sessionSteps++;
    if (this.sessionSteps === this.skipSteps) {
      this.markStep = step;
      this.markMs = nowMs;
      return;
    }
    if (this.markStep < 0) return;
    const steps = step - this.markStep;
    const ms = nowMs - this.markMs;
    if (steps < this.minSteps || ms < this.minMs) return;
    const rate = steps / ms;
    this.measured = true;
    const usable = Math.max(0, this.deadline - this.reserveMs - nowMs);
    this.planned = Math.min(this.maxSteps, Math.max(step, Math.round(step + rate * usable)));
  }

  /** The total steps the learning-rate schedule plans for now. */
  plannedSteps(): number {
    return this.planned;
  }

  /** Whether the rate has been measured (the plan is an estimate, not the cap). */
  get estimated(): boolean {
    return this.measured;
  }

  /** What the final evaluation and checkpoint take: kept free at the end of the budget. */
  reserve(seconds: number): void {
    this.reserveMs = Math.max(0, seconds * 1000);
  }

  /** Whether to stop training now (the time left is within the reserve). */
  expired(nowMs: number): boolean {
    return nowMs >= this.deadline - this.reserveMs;
  }

  /** Seconds left until the deadline (the end of the budget, reserve included). */
  secondsLeft(nowMs: number): number {
    return Math.max(0, (this.deadline - nowMs) / 1000);
  }
}
