import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread that runs a TypeScript module (`new URL('./x-worker.ts', import.meta.url)`),
 * handing it `workerData`: the one way the project starts its threads (training replicas, data
 * workers, inference workers, the data-set writer's). The module is imported as it is when the
 * thread already loads TypeScript (`node --import tsx`: threads inherit the flag); otherwise, as
 * under `bin/captcha-ocr.js`, which registers tsx in the main thread only, the thread registers
 * tsx first.
 */
export function startTsWorker(moduleUrl: URL, workerData?: unknown): Worker {
  const url = JSON.stringify(moduleUrl.href);
  // A new URL for the second import, so that the failed first one is not answered from the cache.
  const retry = JSON.stringify(`${moduleUrl.href}?tsx`);
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const boot = `import(${url}).catch(async (e) => {
  if (!e || e.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
  (await import(${tsx})).register();
  await import(${retry});
});`;
  return new Worker(boot, { eval: true, workerData });
}
