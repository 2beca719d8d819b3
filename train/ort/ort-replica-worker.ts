import { parentPort, workerData } from 'node:worker_threads';
import { OrtGradients, type ShardSetup } from './ort-gradients.ts';
import type { FromOrtReplica, ToOrtReplica } from './ort-replicas.ts';

/**
 * A training replica of the onnxruntime engine (worker thread): its own sessions for its
 * share of each batch. It keeps no weights or optimizer state: each request brings the weights,
 * and the trainer's thread combines the shares and applies Adam (ort-stepper.ts).
 */
const port = parentPort!;

function post(message: FromOrtReplica, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

try {
  const shard = await OrtGradients.open(workerData as ShardSetup);
  port.on('message', (m: ToOrtReplica) => {
    shard.compute(m).then(
      (r) => {
        const buffers = [...r.grads, r.logits, ...r.means, ...r.variances].map((a) => a.buffer as ArrayBuffer);
        // Distinct buffers only: onnxruntime-node gives each output its own.
        post({ type: 'result', result: r }, [...new Set(buffers)]);
      },
      (error: unknown) => post({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
  });
  post({ type: 'ready', engine: shard.engine });
} catch (error) {
  post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}
