import { mkdir, readFile, rm, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadModel, saveModel, writeFileAtomic } from './model-io.ts';
import { tensorsOfValues, valuesOfTensors, type NamedValues } from './named-values.ts';
import { parseStoredSettings, type StoredSettings } from './settings.ts';
import type { EvalEvent } from './train-events.ts';

export const CHECKPOINT_DIR = 'checkpoint';
const STATE = 'state.json';
const OPTIMIZER_JSON = 'optimizer.json';
const OPTIMIZER_BIN = 'optimizer.bin';

/** Everything beyond the weights that a resumed run needs to continue exactly. */
export interface TrainState {
  /** Steps done; the next batch is batch `step` of the (deterministic) data stream. */
  readonly step: number;
  readonly imagesSeen: number;
  readonly elapsedSeconds: number;
  readonly bestAccuracy: number;
  readonly bestStep: number;
  /** The run's settings, so `--resume` needs no other flag. */
  readonly settings: StoredSettings;
  /** Every validation of the run, as logged. */
  readonly history: readonly EvalEvent[];
}

/**
 * Saves model weights, optimizer state (Adam moments and step count) and the loop state to
 * OUT/checkpoint. Written to a fresh folder, then swapped in, so a crash mid-save keeps the old one.
 */
export async function saveCheckpoint(outDir: string, model: tf.LayersModel, optimizer: tf.Optimizer, state: TrainState): Promise<void> {
  const dir = join(outDir, CHECKPOINT_DIR);
  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await saveModel(model, tmp);
  const weights = await valuesOfTensors(await optimizer.getWeights());
  const specs: { name: string; shape: number[]; offset: number }[] = [];
  let offset = 0;
  for (const w of weights) {
    specs.push({ name: w.name, shape: w.shape, offset });
    offset += w.values.length;
  }
  const all = new Float32Array(offset);
  weights.forEach((w, i) => all.set(w.values, specs[i].offset));
  await writeFileAtomic(join(tmp, OPTIMIZER_BIN), new Uint8Array(all.buffer));
  await writeFileAtomic(join(tmp, OPTIMIZER_JSON), JSON.stringify({ className: optimizer.getClassName(), weights: specs }));
  await writeFileAtomic(join(tmp, STATE), JSON.stringify(state, null, 2));
  const old = `${dir}.old`;
  await rm(old, { recursive: true, force: true });
  if (await exists(dir)) await rename(dir, old);
  await rename(tmp, dir);
  await rm(old, { recursive: true, force: true });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export async function hasCheckpoint(outDir: string): Promise<boolean> {
  return exists(join(outDir, CHECKPOINT_DIR, STATE));
}

/** Reads OUT/checkpoint/state.json, checking the fields a resumed run relies on (RangeError naming the first bad one). */
export async function readCheckpointState(outDir: string): Promise<TrainState> {
  const path = join(outDir, CHECKPOINT_DIR, STATE);
  return parseTrainState(JSON.parse(await readFile(path, 'utf8')), path);
}

/** Checks a parsed state.json (`where` names it in errors). */
export function parseTrainState(json: unknown, where: string): TrainState {
  const s = json as Partial<Record<keyof TrainState, unknown>> | null;
  const fail = (what: string): never => {
    throw new RangeError(`${where}: ${what}`);
  };
  if (!s || typeof s !== 'object') return fail('not an object');
  for (const key of ['step', 'imagesSeen', 'elapsedSeconds', 'bestAccuracy', 'bestStep'] as const) if (!Number.isFinite(s[key])) fail(`${key} is not a number`);
  if (!Array.isArray(s.history) || !s.history.every((e: Partial<EvalEvent> | null) => e?.event === 'eval' && Number.isInteger(e.step))) fail('history is not a list of eval events');
  parseStoredSettings(s.settings, where);
  return s as TrainState;
}

/** Loads the checkpointed model. */
export async function loadCheckpointModel(outDir: string): Promise<tf.LayersModel> {
  return loadModel(join(outDir, CHECKPOINT_DIR));
}

/** Restores the optimizer's state (call after the optimizer has been created for the same model). */
export async function restoreOptimizer(outDir: string, optimizer: tf.Optimizer): Promise<void> {
  const dir = join(outDir, CHECKPOINT_DIR);
  const meta = JSON.parse(await readFile(join(dir, OPTIMIZER_JSON), 'utf8')) as { weights: { name: string; shape: number[]; offset: number }[] };
  const bytes = await readFile(join(dir, OPTIMIZER_BIN));
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const named = meta.weights.map((w) => {
    const size = w.shape.reduce((a, b) => a * b, 1);
    return { name: w.name, tensor: tf.tensor(all.slice(w.offset, w.offset + size), w.shape) };
  });
  await optimizer.setWeights(named);
}

/**
 * Runs `fn` with a tfjs Adam holding `state` (the step count named `iter`, then every first
 * moment, then every second, as `getWeights` lists them): how a trainer whose Adam lives
 * elsewhere (replica threads, the onnxruntime engine) hands its state to `saveCheckpoint`.
 * The rate is not part of the state (a checkpoint stores moments and step count only).
 */
export async function withAdamState<T>(state: readonly NamedValues[], fn: (optimizer: tf.Optimizer) => Promise<T>): Promise<T> {
  const optimizer = tf.train.adam(1e-3);
  const tensors = tensorsOfValues(state);
  try {
    await optimizer.setWeights(tensors);
    return await fn(optimizer);
  } finally {
    tf.dispose(tensors.map((t) => t.tensor));
    optimizer.dispose();
  }
}
