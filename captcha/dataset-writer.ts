import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import { startTsWorker } from '../command/ts-worker.ts';
import { makeChunk, type ChunkRequest, type ChunkResult } from './dataset-chunk.ts';
import type { ImageFormat } from './encode.ts';
import { resolveCaptchaOptions, type CaptchaOptions } from './options.ts';

export interface DatasetOptions {
  /** Generator options (seed included). */
  readonly captcha: Partial<CaptchaOptions>;
  readonly count: number;
  /** Write `0.png`, `1.png`, ... and `labels.txt` into this folder ... */
  readonly outDir?: string;
  /** ... or the same layout into this zip file. */
  readonly zipFile?: string;
  readonly format?: ImageFormat;
  /** JPEG quality (default 75, the 0.2 reference set's). */
  readonly quality?: number;
  /**
   * Worker threads besides this thread, which makes images too (default: one less than the
   * cores for 5,000 images or more, else none: a worker costs about 0.3 s of CPU to start,
   * which smaller runs do not earn back on a busy 2-core machine).
   */
  readonly workers?: number;
  /** Images per work unit (default 250). */
  readonly chunkSize?: number;
  /** Called after each finished chunk. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Fixed zip entry time, so that the same seed gives the same bytes. */
const ZIP_TIME = new Date(2000, 0, 1);

/** Output sink: files in a folder, or entries of a zip streamed to disk in index order. */
interface Sink {
  add(name: string, data: Uint8Array, compress: boolean): void;
  close(): void;
}

function folderSink(dir: string): Sink {
  mkdirSync(dir, { recursive: true });
  return { add: (name, data) => writeFileSync(join(dir, name), data), close: () => undefined };
}

function zipSink(file: string): Sink {
  mkdirSync(dirname(resolve(file)), { recursive: true });
  const fd = openSync(file, 'w');
  let failure: Error | undefined;
  const zip = new Zip((err, chunk) => {
    if (err) failure = err;
    else writeSync(fd, chunk);
  });
  return {
    add(name, data, compress) {
      const entry = compress ? new ZipDeflate(name, { level: 6 }) : new ZipPassThrough(name);
      entry.mtime = ZIP_TIME;
      zip.add(entry);
      entry.push(data, true);
      if (failure) throw failure;
    },
    close() {
      zip.end();
      closeSync(fd);
      if (failure) throw failure;
    },
  };
}

/** Runs chunk requests on worker threads. */
class WorkerPool {
  private readonly workers: Worker[] = [];
  constructor(size: number) {
    for (let i = 0; i < size; i++) this.workers.push(startTsWorker(new URL('./dataset-worker.ts', import.meta.url)));
  }

  run(worker: number, req: ChunkRequest): Promise<ChunkResult> {
    const w = this.workers[worker];
    return new Promise((resolvePromise, reject) => {
      const onMessage = (msg: { ok: boolean; result?: ChunkResult; message?: string }) => {
        w.off('error', onError);
        if (msg.ok && msg.result) resolvePromise(msg.result);
        else reject(new Error(msg.message ?? 'worker failed'));
      };
      const onError = (e: Error) => {
        w.off('message', onMessage);
        reject(e);
      };
      w.once('message', onMessage);
      w.once('error', onError);
      w.postMessage(req);
    });
  }

  get size(): number {
    return this.workers.length;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * Writes a data set in the seed's layout: images `0.png`, `1.png`, ... and `labels.txt` whose
 * line i is the text of image i, in a folder or a zip. Image i depends only on (options, i),
 * so the output is the same whatever the number of workers. Returns the texts.
 */
export async function writeDataset(opts: DatasetOptions): Promise<string[]> {
  const { count } = opts;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  if (!opts.outDir === !opts.zipFile) throw new RangeError('give exactly one of outDir and zipFile');
  const format = opts.format ?? 'png';
  const quality = opts.quality ?? 75;
  resolveCaptchaOptions(opts.captcha); // fail early, in this thread
  const chunkSize = opts.chunkSize ?? 250;
  const workers = Math.max(0, Math.min(opts.workers ?? (count >= 5000 ? availableParallelism() - 1 : 0), Math.ceil(count / chunkSize) - 1));
  const sink = opts.zipFile ? zipSink(opts.zipFile) : folderSink(opts.outDir!);
  const texts: string[] = new Array(count);
  const requests: ChunkRequest[] = [];
  for (let start = 0; start < count; start += chunkSize) {
    requests.push({ options: opts.captcha, format, quality, start, end: Math.min(count, start + chunkSize) });
  }
  // Results are written in index order (a zip's entries, and progress, stay deterministic).
  const pending = new Map<number, ChunkResult>();
  let nextToWrite = 0;
  let done = 0;
  const accept = (r: ChunkResult) => {
    pending.set(r.start, r);
    for (let c = pending.get(nextToWrite); c; c = pending.get(nextToWrite)) {
      pending.delete(nextToWrite);
      c.files.forEach((f, k) => sink.add(`${c.start + k}.${format}`, f, false));
      c.texts.forEach((t, k) => (texts[c.start + k] = t));
      nextToWrite += c.texts.length;
      done += c.texts.length;
      opts.onProgress?.(done, count);
    }
  };
  try {
    if (workers === 0) {
      for (const req of requests) accept(await makeChunk(req));
    } else {
      const pool = new WorkerPool(workers);
      try {
        let next = 0;
        const workerLoops = Array.from({ length: pool.size }, async (_, w) => {
          while (next < requests.length) accept(await pool.run(w, requests[next++]));
        });
        // This thread takes chunks too, yielding between them so worker results get written.
        const ownLoop = (async () => {
          while (next < requests.length) {
            accept(await makeChunk(requests[next++]));
            await new Promise((r) => setImmediate(r));
          }
        })();
        await Promise.all([...workerLoops, ownLoop]);
      } finally {
        await pool.close();
      }
    }
    sink.add('labels.txt', new TextEncoder().encode(texts.map((t) => `${t}\n`).join('')), true);
  } finally {
    sink.close();
  }
  return texts;
}
