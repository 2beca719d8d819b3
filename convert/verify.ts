/**
 * Checks a converted model the way the tests do: the same random inputs through tfjs (the
 * reference) and onnxruntime-node, and the independent ONNX checker when Python has `onnx`.
 * Node-only (loads @tensorflow/tfjs and onnxruntime-node lazily).
 */
import { spawnSync } from 'node:child_process';
import { memoryArtifacts, type TfjsArtifacts } from '../core/tfjs-artifacts.ts';

export interface Verification {
  /** Max abs difference of every output, onnxruntime-node vs tfjs. */
  readonly maxAbsDiff: number;
  /** Share of rows whose argmax (last axis) agrees. */
  readonly argmaxAgreement: number;
  readonly samples: number;
  /** `passed`, `not available`, or the checker's error. */
  readonly checker: string;
}

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs tfjs (cpu backend) and onnxruntime-node on `samples` seeded random inputs in [0, 1). */
export async function compareWithTfjs(artifacts: TfjsArtifacts, onnx: Uint8Array, samples = 4, seed = 1): Promise<{ maxAbsDiff: number; argmaxAgreement: number }> {
  const tf = await import('@tensorflow/tfjs');
  const ort = await import('onnxruntime-node');
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  const model = await tf.loadLayersModel(
    tf.io.fromMemory(memoryArtifacts(artifacts)),
  );
  const session = await ort.InferenceSession.create(onnx, { executionProviders: ['cpu'] });
  const rand = seeded(seed);
  try {
    const feeds = model.inputs.map((inp) => {
      const shape = [samples, ...inp.shape.slice(1).map((d) => d ?? 1)];
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => rand());
      return { shape, data };
    });
    const expected = tf.tidy(() => {
      const ys = model.predict(feeds.map((f) => tf.tensor(f.data, f.shape)));
      return (Array.isArray(ys) ? ys : [ys]).map((y) => ({ data: y.dataSync() as Float32Array, shape: y.shape }));
    });
    const inputs: Record<string, InstanceType<typeof ort.Tensor>> = {};
    session.inputNames.forEach((n, i) => (inputs[n] = new ort.Tensor('float32', feeds[i].data, feeds[i].shape)));
    const out = await session.run(inputs);
    let maxAbsDiff = 0;
    let rows = 0;
    let agree = 0;
    session.outputNames.forEach((n, k) => {
      const got = out[n].data as Float32Array;
      const exp = expected[k];
      if (got.length !== exp.data.length) throw new Error(`output ${n}: ${got.length} values, tfjs gives ${exp.data.length}`);
      for (let i = 0; i < got.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(got[i] - exp.data[i]) || (Number.isNaN(got[i]) ? Infinity : 0));
      const last = exp.shape[exp.shape.length - 1] as number;
      for (let r = 0; r < got.length / last; r++) {
        rows++;
        if (argmax(got, r * last, last) === argmax(exp.data, r * last, last)) agree++;
      }
    });
    return { maxAbsDiff, argmaxAgreement: rows ? agree / rows : 1 };
  } finally {
    await session.release();
    model.dispose();
  }
}

function argmax(a: Float32Array, start: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (a[start + i] > a[start + best]) best = i;
  return best;
}

/** Python with the `onnx` package: Debian's /usr/bin/python3 first, then python3 on PATH. */
export function findPythonWith(modules: string[]): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return undefined;
}

/** onnx.checker.check_model(full_check=True) on a file; `not available` without Python's onnx. */
export function runOnnxChecker(file: string): string {
  const py = findPythonWith(['onnx']);
  if (!py) return 'not available';
  const r = spawnSync(py, ['-c', 'import sys, onnx; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', file], { encoding: 'utf8' });
  return r.status === 0 ? 'passed' : `failed: ${r.stderr.trim().split('\n').slice(-1)[0]}`;
}

export async function verifyConversion(artifacts: TfjsArtifacts, onnx: Uint8Array, file: string): Promise<Verification> {
  const samples = 4;
  const cmp = await compareWithTfjs(artifacts, onnx, samples);
  return { ...cmp, samples, checker: runOnnxChecker(file) };
}
