/**
 * Shared helpers of the converter tests: seeded weights and inputs, running a tfjs model,
 * running ONNX bytes in onnxruntime-node and onnxruntime-web, and the independent Python checker.
 */
import * as tf from '@tensorflow/tfjs';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelMetadata } from '../core/model-contract.ts';
import { captureArtifacts } from '../core/tfjs-artifacts.ts';

ortWeb.env.wasm.numThreads = 1;
ortWeb.env.logLevel = 'error';

let backendReady: Promise<boolean> | undefined;
export function useCpuBackend(): Promise<boolean> {
  backendReady ??= tf.setBackend('cpu');
  return backendReady;
}

/** mulberry32: a small seeded generator of floats in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomArray(n: number, rand: () => number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rand();
  return a;
}

/** Replaces every weight with seeded random values (variances positive), so that folding and biases are exercised. */
export function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const rand = seeded(seed);
  const values = model.weights.map((w) => {
    const n = (w.shape as number[]).reduce((a, b) => a * b, 1);
    const isVar = /moving_variance/.test(w.originalName);
    const arr = isVar ? randomArray(n, rand, 0.5, 1.5) : randomArray(n, rand, -0.5, 0.5);
    return tf.tensor(arr, w.shape as number[]);
  });
  model.setWeights(values);
  values.forEach((t) => t.dispose());
}

export interface Feed {
  readonly data: Float32Array;
  readonly shape: number[];
}

export function randomFeeds(model: tf.LayersModel, batch: number, seed: number): Feed[] {
  const rand = seeded(seed);
  return model.inputs.map((inp) => {
    const shape = [batch, ...(inp.shape.slice(1) as number[])];
    return { data: randomArray(shape.reduce((a, b) => a * b, 1), rand), shape };
  });
}

export function runTfjs(model: tf.LayersModel, feeds: Feed[]): Feed[] {
  return tf.tidy(() => {
    const xs = feeds.map((f) => tf.tensor(f.data, f.shape));
    const ys = model.predict(xs.length === 1 ? xs[0] : xs);
    return (Array.isArray(ys) ? ys : [ys]).map((y) => ({ data: y.dataSync() as Float32Array, shape: y.shape }));
  });
}

type Ort = typeof ortNode | typeof ortWeb;

export async function runOnnx(ort: Ort, bytes: Uint8Array, feeds: Feed[]): Promise<Feed[]> {
  const options = ort === ortNode ? { executionProviders: ['cpu'] } : { executionProviders: ['wasm'] };
  const session = await (ort as typeof ortNode).InferenceSession.create(bytes, options);
  try {
    const input: Record<string, ortNode.Tensor> = {};
    session.inputNames.forEach((name, i) => (input[name] = new (ort as typeof ortNode).Tensor('float32', feeds[i].data, feeds[i].shape)));
    const out = await session.run(input);
    return session.outputNames.map((n) => ({ data: out[n].data as Float32Array, shape: [...out[n].dims] }));
  } finally {
    await session.release();
  }
}

export const runOrtNode = (bytes: Uint8Array, feeds: Feed[]) => runOnnx(ortNode, bytes, feeds);
export const runOrtWeb = (bytes: Uint8Array, feeds: Feed[]) => runOnnx(ortWeb, bytes, feeds);

export function maxAbsDiff(a: Feed, b: Feed): number {
  if (a.shape.join() !== b.shape.join()) throw new Error(`shape [${a.shape}] != [${b.shape}]`);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i] - b.data[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

const scratch = mkdtempSync(join(tmpdir(), 'convert-test-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;

/** Writes ONNX bytes to a scratch file for the batch Python check. */
export function saveForChecker(name: string, bytes: Uint8Array): string {
  const file = join(scratch, `${String(counter++).padStart(3, '0')}-${name.replace(/[^A-Za-z0-9_-]/g, '_')}.onnx`);
  writeFileSync(file, bytes);
  return file;
}

export const PYTHON = '/usr/bin/python3';

export function pythonOnnxAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0;
}

/** Runs onnx.checker.check_model(full_check=True) on every file in one Python process; returns failures. */
export function checkWithPython(files: string[]): { file: string; error: string }[] {
  const script = [
    'import sys, json, onnx',
    'bad = []',
    'for f in sys.argv[1:]:',
    '    try:',
    '        m = onnx.load(f)',
    '        onnx.checker.check_model(m, full_check=True)',
    '    except Exception as e:',
    '        bad.append({"file": f, "error": str(e)[:500]})',
    'print(json.dumps(bad))',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', script, ...files], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python checker failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim()) as { file: string; error: string }[];
}

/** Saves a tfjs model as DIR/model.json + DIR/group1-shard1of1.bin (the standard layers-model format), plus metadata.json. */
export async function writeTfjsModelDir(model: tf.LayersModel, dir: string, metadata?: unknown): Promise<void> {
  const a = await captureArtifacts(model);
  mkdirSync(dir, { recursive: true });
  const json = {
    format: 'layers-model',
    generatedBy: 'TensorFlow.js tfjs-layers',
    convertedBy: null,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }],
  };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  writeFileSync(join(dir, 'group1-shard1of1.bin'), a.weightData);
  if (metadata) writeFileSync(join(dir, 'metadata.json'), JSON.stringify(metadata, null, 2));
}

/** Metadata of the converter tests' CAPTCHA-like model (4 positions over digits + end class). */
export const testMetadata: ModelMetadata = {
  format: 'captcha-ocr-model',
  formatVersion: 1,
  name: 'convert-test',
  architecture: 'test',
  charset: '0123456789',
  minLength: 4,
  maxLength: 4,
  input: { kind: 'grey-stretch', height: 24, width: 32, invert: true },
  output: { kind: 'positions', positions: 4, endIndex: 10 },
};
