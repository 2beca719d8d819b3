import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseModelMetadata, type ModelMetadata } from '../core/model-contract.ts';
import { captureArtifacts, concatBytes } from '../core/tfjs-artifacts.ts';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
export const METADATA_JSON = 'metadata.json';

/** Writes a file atomically (temp file + rename), so an interrupted save never leaves half a file. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/**
 * Saves a layers model as standard tfjs artifacts (contract 3): DIR/model.json,
 * DIR/weights.bin and, when given, DIR/metadata.json. Works without tfjs-node (no file://).
 */
export async function saveModel(model: tf.LayersModel, dir: string, metadata?: ModelMetadata): Promise<void> {
  await mkdir(dir, { recursive: true });
  const artifacts = await captureArtifacts(model);
  const modelJson = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs }],
  };
  await writeFileAtomic(join(dir, WEIGHTS_BIN), artifacts.weightData);
  await writeFileAtomic(join(dir, MODEL_JSON), JSON.stringify(modelJson));
  if (metadata) await writeFileAtomic(join(dir, METADATA_JSON), `${JSON.stringify(metadata, null, 2)}\n`);
}

/** An IOHandler that reads DIR/model.json and the weight files it names. */
export function fileLoadHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const parts: Uint8Array[] = [];
        for (const group of manifest) {
          for (const p of group.paths) parts.push(new Uint8Array(await readFile(join(dir, p))));
          specs.push(...group.weights);
        }
        return [specs, concatBytes(parts).buffer as ArrayBuffer];
      });
    },
  };
}

/** Loads DIR/model.json (+ weights) as a layers model. */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileLoadHandler(dir));
}

/** Reads and checks DIR/metadata.json. */
export async function loadMetadata(dir: string): Promise<ModelMetadata> {
  return parseModelMetadata(JSON.parse(await readFile(join(dir, METADATA_JSON), 'utf8')));
}
