import { parentPort, workerData } from 'node:worker_threads';
import type { Predictor } from '../predictor.ts';
import { createOrtNodePredictor } from './ort-node-predictor.ts';
import type { WorkerInit, WorkerReply, WorkerRequest } from './ort-worker-protocol.ts';

// One onnxruntime-node session in its own thread: the main thread keeps decoding and
// preprocessing (and serving HTTP) while this one runs the model.
const init = workerData as WorkerInit;
const port = parentPort!;
const warnings: string[] = [];
let predictor: Predictor;
try {
  predictor = await createOrtNodePredictor({ ...init, log: (line) => warnings.push(line) });
  port.postMessage({ kind: 'ready', info: predictor.info(), logs: warnings } satisfies WorkerReply);
} catch (error) {
  port.postMessage({ kind: 'failed', error: { name: (error as Error).name, message: (error as Error).message } } satisfies WorkerReply);
  process.exit(0);
}
port.on('message', (req: WorkerRequest) => {
  if (req.kind === 'close') {
    void predictor.dispose?.().finally(() => port.close());
    return;
  }
  predictor.predict(req.inputs, req.n, req.mask ? { mask: req.mask } : undefined).then(
    (texts) => port.postMessage({ kind: 'result', id: req.id, texts } satisfies WorkerReply),
    (error: unknown) => port.postMessage({ kind: 'error', id: req.id, error: { name: (error as Error).name, message: (error as Error).message } } satisfies WorkerReply),
  );
});
