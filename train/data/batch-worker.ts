import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { NO_AUGMENT } from './augment.ts';
import { buildBatch, type Batch } from './batch.ts';
import { readLabelledData } from './labelled-data.ts';
import { createGeneratedSource, createListSource, type SampleSource } from './sample-source.ts';
import type { FromWorker, StreamConfig, ToWorker } from './stream-config.ts';

/** A data worker: builds batches ahead of the trainer (every `stride`-th step when there are several). */
const port = parentPort!;
// One libvips thread: the other core trains.
sharp.concurrency(1);
const config = workerData as StreamConfig;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function buffers(batch: Batch): ArrayBuffer[] {
  return [batch.images.buffer as ArrayBuffer, batch.labels.buffer as ArrayBuffer, batch.lengths.buffer as ArrayBuffer];
}

async function open(): Promise<{ training: SampleSource; validation: SampleSource; validationCount: number }> {
  if (config.dataPath) {
    const all = await readLabelledData(config.dataPath);
    const holdout = all.length >= 40 ? Math.min(config.validationCount, Math.floor(all.length / 10)) : 0;
    const training = createListSource(holdout > 0 ? all.slice(0, all.length - holdout) : all);
    const validation = createListSource(holdout > 0 ? all.slice(all.length - holdout) : all);
    return { training, validation, validationCount: holdout > 0 ? holdout : Math.min(all.length, config.validationCount) };
  }
  const charset = config.plan.charset;
  const training = createGeneratedSource(config.mix!, config.plan.seed, charset, config.fonts, config.focus);
  const validation = createGeneratedSource(config.validationMix ?? config.mix!, config.validationSeed, charset, config.fonts);
  return { training, validation, validationCount: config.validationCount };
}

const sources = open();
let credits = 0;
let nextStep = 0;
let stride = 1;
let running = false;
let pumping = false;

async function pump(): Promise<void> {
  if (pumping) return;
  pumping = true;
  const { training } = await sources;
  while (running && credits > 0) {
    const batch = await buildBatch(training, config.plan, nextStep);
    nextStep += stride;
    credits--;
    post({ type: 'batch', batch }, buffers(batch));
    // Let 'credit' messages in between batches.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  pumping = false;
}

port.on('message', (message: ToWorker) => {
  void (async () => {
    try {
      if (message.type === 'validation') {
        const { validation, validationCount } = await sources;
        const plan = { ...config.plan, augment: NO_AUGMENT, seed: config.validationSeed };
        const { part = 0, parts = 1 } = message;
        const batches: Batch[] = [];
        for (let start = part * plan.batchSize; start < validationCount; start += parts * plan.batchSize) {
          const indices = Array.from({ length: Math.min(plan.batchSize, validationCount - start) }, (_, i) => start + i);
          batches.push(await buildBatch(validation, plan, 0, indices));
        }
        post({ type: 'validation', batches }, batches.flatMap(buffers));
      } else if (message.type === 'start') {
        nextStep = message.fromStep;
        stride = message.stride ?? 1;
        credits = message.depth;
        running = true;
        await pump();
      } else if (message.type === 'credit') {
        credits++;
        await pump();
      }
    } catch (error) {
      post({ type: 'error', message: error instanceof Error ? `${error.message}` : String(error) });
    }
  })();
});

sources.then(
  (s) => post({ type: 'ready', trainingSize: s.training.size, validationSize: s.validationCount }),
  (error: unknown) => post({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
);
