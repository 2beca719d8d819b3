import type { ArchiveEntry } from '../../core/archive.ts';
import { InvalidArchiveError, RequestTimeoutError } from '../../core/errors.ts';
import { errorItem } from '../../core/error-response.ts';
import type { RawImage } from '../../core/image.ts';
import { isLabelled, labelEntries } from '../../core/labelled-entries.ts';
import type { LabelSource } from '../../core/labels.ts';
import { inputSize } from '../../core/model-contract.ts';
import { ScoreAccumulator, type ScoreMetrics } from '../../core/scoring.ts';
import type { PredictOptions } from '../predictor.ts';
import type { Recognizer } from './recognizer.ts';

/** One image of a scored archive (a row of `?details=1` and of `?format=csv`). */
export interface ScoreRow {
  readonly file: string;
  readonly truth?: string;
  readonly predicted?: string;
  readonly confidence?: number;
  readonly correct?: boolean;
  readonly editDistance?: number;
  readonly labelSource?: LabelSource;
  /** Set for a failed image: `{ code, message }`. */
  readonly error?: { readonly code: string; readonly message: string };
}

export interface FailedEntry {
  readonly file: string;
  readonly code: string;
  readonly reason: string;
}

/** The answer of POST /score and `captcha-ocr score --json`. */
export interface ScoreReport extends ScoreMetrics {
  /** Images in the archive: every entry that is not a folder, a labels file or OS clutter. */
  readonly total: number;
  readonly scored: number;
  /** Images that could not be scored, with the reason; `total = scored + failed.length`. */
  readonly failed: readonly FailedEntry[];
  /** Entries that are not images to score (folders, labels files, OS clutter), with the reason. */
  readonly skipped: readonly { readonly file: string; readonly reason: string }[];
  readonly model: { readonly name: string; readonly architecture: string };
  readonly elapsedMs: number;
  readonly imagesPerSecond: number;
  /** With `details`: one row per image, in archive order. */
  readonly rows?: readonly ScoreRow[];
}

export interface ScoreOptions {
  /** Include `rows` in the report. */
  readonly details?: boolean;
  /** Images per model run (default 64). */
  readonly batchSize?: number;
  /** Epoch ms after which the work stops with RequestTimeoutError. */
  readonly deadline?: number;
  readonly maxConfusions?: number;
  readonly now?: () => number;
  /** Options of every model run (`?charset=` / `--charset`: the mask). */
  readonly predict?: PredictOptions;
}

export interface ScoreResult {
  readonly report: ScoreReport;
  /** Every row (also when `details` is off), and the entry of each, for CSV and HTML output. */
  readonly rows: readonly ScoreRow[];
  readonly entryOf: (file: string) => ArchiveEntry | undefined;
}

interface Job {
  readonly entry: ArchiveEntry;
  readonly index: number;
  readonly truth: string;
  readonly source: LabelSource;
}

/**
 * Scores the images of an archive (or a folder read as entries) against their labels.
 * Decoding of one batch overlaps the model run of the previous one.
 */
export async function scoreEntries(entries: readonly ArchiveEntry[], recognizer: Recognizer, options: ScoreOptions = {}): Promise<ScoreResult> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const batchSize = Math.max(1, options.batchSize ?? 64);
  const checkDeadline = () => {
    if (options.deadline !== undefined && Date.now() > options.deadline) throw new RequestTimeoutError('scoring ran past the per-request time limit; send a smaller archive');
  };
  const { images, skipped } = labelEntries(entries);
  const rows: ScoreRow[] = images.map((image) => ({ file: image.entry.name }));
  const byName = new Map(images.map((image) => [image.entry.name, image.entry]));
  if (images.length === 0) {
    const n = entries.length;
    const what = n === 0 ? 'it is empty' : `no image among ${n} ${n === 1 ? 'entry' : 'entries'}: ${[...new Set(skipped.map((s) => s.reason))].join(', ')}`;
    throw new InvalidArchiveError(`nothing to score (${what})`);
  }
  const fail = (index: number, error: unknown) => {
    rows[index] = { ...rows[index], error: error instanceof Error ? errorItem(error) : (error as { code: string; message: string }) };
  };
  const jobs: Job[] = [];
  images.forEach((image, index) => {
    if (isLabelled(image)) jobs.push({ entry: image.entry, index, truth: image.label, source: image.source });
    else fail(index, { code: 'no_label', message: image.reason });
  });
  const per = inputSize(recognizer.metadata.input);

  const prepareBatch = async (batch: readonly Job[]) => {
    const input = new Float32Array(per * batch.length);
    const decoded = new Map<Job, RawImage>();
    await Promise.all(
      batch.map(async (job, i) => {
        try {
          decoded.set(job, await recognizer.prepare(job.entry.read(), input, i));
        } catch (error) {
          fail(job.index, error);
        }
      }),
    );
    // compact the slots of the images that decoded, keeping archive order
    const order = batch.map((job, slot) => ({ job, slot })).filter(({ job }) => decoded.has(job));
    const jobsOk = order.map((o) => o.job);
    const images = jobsOk.map((job) => decoded.get(job)!);
    if (order.length === batch.length) return { jobs: batch, input, images };
    const packed = new Float32Array(per * order.length);
    order.forEach(({ slot }, k) => packed.set(input.subarray(slot * per, (slot + 1) * per), k * per));
    return { jobs: jobsOk, input: packed, images };
  };

  // Runs finish in any order: the readings are kept per job and counted in archive order at the
  // end, so the report (down to the last bit of a floating-point sum) never depends on timing.
  const readings = new Map<Job, { text: string; confidence: number }>();
  const finish = (batch: readonly Job[], texts: readonly { text: string; confidence: number }[]) => {
    batch.forEach((job, k) => readings.set(job, texts[k]));
  };

  // Up to `concurrency` model runs in flight (worker threads) while the next batch is prepared.
  const concurrency = Math.max(1, recognizer.predictor.concurrency ?? 1);
  const inFlight: Promise<void>[] = [];
  try {
    for (let start = 0; start < jobs.length; start += batchSize) {
      checkDeadline();
      const prepared = await prepareBatch(jobs.slice(start, start + batchSize));
      while (inFlight.length >= concurrency) await inFlight.shift();
      checkDeadline();
      if (prepared.jobs.length > 0) inFlight.push(recognizer.read(prepared.input, prepared.images, options.predict).then((texts) => finish(prepared.jobs, texts)));
    }
    while (inFlight.length > 0) await inFlight.shift();
  } finally {
    // a run that fails after another one threw is not left as an unhandled rejection
    for (const p of inFlight) p.catch(() => undefined);
  }
  const acc = new ScoreAccumulator();
  for (const job of jobs) {
    const reading = readings.get(job);
    if (!reading) continue;
    const { text, confidence } = reading;
    const { correct, editDistance } = acc.add({ truth: job.truth, predicted: text, confidence });
    rows[job.index] = { file: job.entry.name, truth: job.truth, predicted: text, confidence, correct, editDistance, labelSource: job.source };
  }

  const failed: FailedEntry[] = rows.filter((r) => r.error).map((r) => ({ file: r.file, code: r.error!.code, reason: r.error!.message }));
  const metrics = acc.summary(options.maxConfusions ?? 20);
  const elapsedMs = now() - started;
  const report: ScoreReport = {
    total: rows.length,
    ...metrics,
    scored: acc.count,
    failed,
    skipped,
    model: { name: recognizer.metadata.name, architecture: recognizer.metadata.architecture },
    elapsedMs: Math.round(elapsedMs * 10) / 10,
    imagesPerSecond: elapsedMs > 0 ? Math.round((rows.length / elapsedMs) * 1000) : 0,
    ...(options.details ? { rows } : {}),
  };
  return { report, rows, entryOf: (file) => byName.get(file) };
}
