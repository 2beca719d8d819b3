import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { NO_AUGMENT } from './augment.ts';
import { buildBatch, type Batch } from './batch.ts';
import { readLabelledSamples, splitLabelled, type UnusableImage } from './labelled-data.ts';
import { createGeneratedSource, createListSource, type SampleSource } from './sample-source.ts';
import { DATA_WORKER_NICE, type FromWorker, type StreamConfig, type ToWorker } from './stream-config.ts';

/** A data worker: builds batches ahead of the trainer (every `stride`-th step when there are several). */
const port = parentPort!;
// One libvips thread: the other core trains.
sharp.concurrency(1);
// The trainer's threads first: this thread runs DATA_WORKER_NICE steps nicer than the trainer and
// takes the CPU time they leave. Linux only, where a nice value is a thread's own (elsewhere it
// would lower the whole process); left as it is where the system refuses.
if (process.platform === 'linux' && DATA_WORKER_NICE > 0) {
  try {
    setPriority(Math.min(19, getPriority() + DATA_WORKER_NICE));
  } catch {
    // keep the inherited priority
  }
}
const config = workerData as StreamConfig;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function buffers(batch: Batch): ArrayBuffer[] {
  return [batch.images.buffer as ArrayBuffer, batch.labels.buffer as ArrayBuffer, batch.lengths.buffer as ArrayBuffer];
}

interface Sources {
  readonly training: SampleSource;
  readonly validation: SampleSource;
  readonly validationCount: number;
  readonly unusable?: readonly UnusableImage[];
}

async function open(): Promise<Sources> {
  if (config.dataPath) {
    // What `captcha-ocr score` reads, decoded as the server decodes (labelled-data.ts).
    const { samples, unusable } = await readLabelledSamples(config.dataPath);
    const { training, validation } = splitLabelled(samples, config.validationCount, config.validationSeed);
    return { training: createListSource(training), validation: createListSource(validation), validationCount: validation.length, unusable };
  }
  const charset = config.plan.charset;
  const training = createGeneratedSource(config.mix!, config.plan.seed, charset, config.fonts, config.focus, config.twins);
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
  (s) => post({ type: 'ready', trainingSize: s.training.size, validationSize: s.validationCount, ...(s.unusable ? { unusable: s.unusable.length, unusableExamples: s.unusable.slice(0, 10) } : {}) }),
  (error: unknown) => post({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
);
