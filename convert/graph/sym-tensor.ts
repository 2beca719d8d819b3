import type { GraphBuilder } from './graph-builder.ts';

/** A dimension: a number when known statically, `null` when dynamic (the batch). */
export type Dim = number | null;

/**
 * A tensor of the tfjs model while it is converted. `shape` is its logical (tfjs) shape;
 * `perm` says how it is laid out in the ONNX graph: physical axis i holds logical axis
 * perm[i] (identity = tfjs layout; [0, 3, 1, 2] = NCHW for a 4-D NHWC tensor).
 * `featureOrder`, when set, says the last axis holds the logical features in that order
 * (a Flatten/Reshape of a channels-first tensor whose only consumers are Dense layers, which
 * permute their kernel rows instead of paying for a Transpose).
 */
export interface SymTensor {
  readonly name: string;
  readonly shape: readonly Dim[];
  readonly perm: readonly number[];
  readonly featureOrder?: Int32Array;
}

export const identityPerm = (rank: number): number[] => Array.from({ length: rank }, (_, i) => i);

/** Channels-first layout of a channels-last tensor of rank >= 3: [0, r-1, 1, ..., r-2]. */
export const channelsFirstPerm = (rank: number): number[] => [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];

export const samePerm = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

export const isIdentity = (perm: readonly number[]): boolean => perm.every((v, i) => v === i);

export const physicalShape = (t: SymTensor): Dim[] => t.perm.map((a) => t.shape[a]);

/** The physical axis that holds logical axis `axis` (negative counts from the end). */
export function physicalAxis(t: SymTensor, axis: number): number {
  const a = axis < 0 ? axis + t.shape.length : axis;
  return t.perm.indexOf(a);
}

export const knownSize = (dims: readonly Dim[]): number | null =>
  dims.every((d) => d !== null) ? (dims as number[]).reduce((a, b) => a * b, 1) : null;

/**
 * The same tensor in layout `target`: a Transpose, or a Reshape when only size-1 axes move
 * (e.g. NHWC with C=1 to NCHW). Results are cached so a tensor is transposed once.
 */
export function toLayout(g: GraphBuilder, t: SymTensor, target: readonly number[], cache: Map<string, SymTensor>): SymTensor {
  const src = materialize(g, t);
  if (samePerm(src.perm, target)) return src;
  const key = `${src.name}|${src.perm.join(',')}|${target.join(',')}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const srcPhys = physicalShape(src);
  const transposePerm = target.map((a) => src.perm.indexOf(a));
  const dstPhys = transposePerm.map((i) => srcPhys[i]);
  const moved = transposePerm.filter((i) => srcPhys[i] !== 1);
  const orderKept = moved.every((v, i) => i === 0 || v > moved[i - 1]);
  const reshapeOk = orderKept && transposePerm[0] === 0 && srcPhys.slice(1).every((d) => d !== null);
  let name: string;
  if (reshapeOk) {
    name = g.op('Reshape', [src.name, g.int64('shape', [0, ...(dstPhys.slice(1) as number[])])], {}, `${src.name}_relayout`);
  } else {
    name = g.op('Transpose', [src.name], { perm: transposePerm }, `${src.name}_transposed`);
  }
  const out: SymTensor = { name, shape: src.shape, perm: [...target] };
  cache.set(key, out);
  return out;
}

/** Undoes a pending feature order (a Gather on the last axis), for consumers that need real order. */
export function materialize(g: GraphBuilder, t: SymTensor): SymTensor {
  if (!t.featureOrder) return t;
  // physical position j holds logical feature order[j]; logical feature f lives at position inv[f].
  const inv = new Array<number>(t.featureOrder.length);
  t.featureOrder.forEach((f, j) => (inv[f] = j));
  const idx = g.int64('feature_order', inv);
  const name = g.op('Gather', [t.name, idx], { axis: t.shape.length - 1 }, `${t.name}_reordered`);
  return { name, shape: t.shape, perm: t.perm };
}
