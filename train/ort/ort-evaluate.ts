import type * as tf from '@tensorflow/tfjs';
import { availableParallelism } from 'node:os';
import type { ModelMetadata } from '../../core/model-contract.ts';
import { convertLayersModel } from '../../convert/convert.ts';
import { createOrtNodePredictor } from '../../functions/node/ort-node-predictor.ts';
import { labelText, Scorer, type Score } from '../evaluate.ts';
import { batchLabels, type Batch } from '../data/batch.ts';

/**
 * Validation as the server reads: the model converted to ONNX in memory (convert/, as
 * `captcha-ocr convert` does) and run by onnxruntime-node on every core through the Node
 * server's predictor, its outputs decoded by core/decode-output.ts and scored as `evaluate`
 * scores. On the onnxruntime engine this replaces tfjs-on-wasm inference, which took 5-10 s for
 * the campaign model's 1,024 validation images while training waited (docs/training.md).
 */
export async function evaluateOnnx(model: tf.LayersModel, batches: readonly Batch[], metadata: ModelMetadata, providers?: readonly string[]): Promise<Score> {
  const { onnx } = await convertLayersModel(model, { metadata });
  const predictor = await createOrtNodePredictor({ modelBytes: onnx, metadata, providers, intraOpThreads: availableParallelism(), warmUp: false, log: () => {} });
  try {
    const scorer = new Scorer();
    for (const batch of batches) {
      const texts = await predictor.predict(batch.images, batch.size);
      batchLabels(batch).forEach((codes, i) => scorer.add(labelText(codes, metadata.charset), texts[i].text));
    }
    return scorer.score();
  } finally {
    await predictor.dispose?.();
  }
}
