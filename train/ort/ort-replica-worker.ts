import { parentPort, workerData } from 'node:worker_threads';
import { OrtGradients, sharedViews, type ShardSetup } from './ort-gradients.ts';
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
  const setup = workerData as ShardSetup;
  const shard = await OrtGradients.open(setup);
  const shared = setup.gradients ? sharedViews(setup.gradients, setup.weightShapes) : undefined;
  // onnxruntime-node refuses tensors over shared memory ("Invalid argument"): the trainer's
  // shared weights are copied into this thread's own arrays each step.
  const local = setup.weightShapes.map((shape) => new Float32Array(shape.reduce((a, b) => a * b, 1)));
  port.on('message', (m: ToOrtReplica) => {
    const weights = m.weights.map((w, k) => (w.buffer instanceof SharedArrayBuffer ? (local[k].set(w), local[k]) : w));
    shard.compute({ ...m, weights }).then(
      (r) => {
        // The gradients go into the shared buffer (posting its views copies nothing); the
        // rest is small and moved. Distinct buffers only: onnxruntime-node gives each output its own.
        shared?.forEach((view, k) => view.set(r.grads[k]));
        const grads = shared ?? r.grads;
        const moved = [...(shared ? [] : r.grads), r.logits, ...r.means, ...r.variances].map((a) => a.buffer as ArrayBuffer);
        post({ type: 'result', result: { ...r, grads } }, [...new Set(moved)]);
      },
      (error: unknown) => post({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
  });
  post({ type: 'ready', engine: shard.engine });
} catch (error) {
  post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}
