import { parentPort } from 'node:worker_threads';
import { makeChunk, type ChunkRequest } from './dataset-chunk.ts';

/** Worker entry of the data-set writer: one ChunkRequest in, one ChunkResult (or error) out. */
parentPort?.on('message', (req: ChunkRequest) => {
  makeChunk(req).then(
    (result) => {
      const transfer = result.files.map((f) => f.buffer as ArrayBuffer);
      parentPort?.postMessage({ ok: true, result }, transfer);
    },
    (error: unknown) => parentPort?.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
});
