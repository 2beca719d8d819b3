import type { AttrValue } from '../graph/graph-builder.ts';
import type { SymTensor } from '../graph/sym-tensor.ts';
import { activationId } from './activation-fn.ts';
import { requireOneInput, type LayerContext, type LayerConverter } from './layer-context.ts';

type Cell = 'LSTM' | 'GRU';
type Cfg = Record<string, unknown>;

const GATES: Record<Cell, { count: number; order: number[] }> = {
  // Keras LSTM gates i, f, c, o -> ONNX i, o, f, c.
  LSTM: { count: 4, order: [0, 3, 1, 2] },
  // Keras GRU gates z, r, h -> ONNX z, r, h.
  GRU: { count: 3, order: [0, 1, 2] },
};

/** tfjs activation -> ONNX RNN activation name (+ alpha/beta where the function takes them). */
function rnnActivation(ctx: LayerContext, raw: unknown): { name: string; alpha?: number; beta?: number } {
  switch (activationId(raw)) {
    case 'sigmoid':
      return { name: 'Sigmoid' };
    case 'hardsigmoid':
      return { name: 'HardSigmoid', alpha: 0.2, beta: 0.5 };
    case 'tanh':
      return { name: 'Tanh' };
    case 'relu':
      return { name: 'Relu' };
    case 'softsign':
      return { name: 'Softsign' };
    case 'softplus':
      return { name: 'Softplus' };
    default:
      return ctx.unsupported(`recurrent activation ${String(raw)} (supported: sigmoid, hard_sigmoid, tanh, relu, softsign, softplus)`);
  }
}

/** Refuses options that change inference results and are not converted. */
export function checkRecurrentConfig(ctx: LayerContext, cfg: Cfg): void {
  if (cfg.return_state) ctx.unsupported('return_state=true');
  if (cfg.stateful) ctx.unsupported('stateful=true');
  if (cfg.time_major) ctx.unsupported('time_major=true');
}

/** W, R, B for one direction in ONNX layout, from the Keras kernel [in, G*u], recurrent kernel [u, G*u], bias. */
function directionWeights(ctx: LayerContext, cell: Cell, cfg: Cfg, scope?: string) {
  const { count, order } = GATES[cell];
  const k = ctx.weight('kernel', scope);
  const r = ctx.weight('recurrent_kernel', scope);
  const [inF, gu] = k.shape;
  const u = gu / count;
  const reorder = (src: Float32Array, rows: number) => {
    // src [rows, G*u] (Keras gate order) -> [G*u, rows] (ONNX gate order), transposed.
    const out = new Float32Array(src.length);
    order.forEach((kg, og) => {
      for (let j = 0; j < u; j++) for (let i = 0; i < rows; i++) out[(og * u + j) * rows + i] = src[i * gu + kg * u + j];
    });
    return out;
  };
  const W = reorder(k.values, inF);
  const R = reorder(r.values, u);
  let B: Float32Array | undefined;
  const useBias = cfg.use_bias !== false;
  let linearBeforeReset = 0;
  if (useBias) {
    const b = ctx.weight('bias', scope);
    const gate = (src: Float32Array, dst: Float32Array, at: number) =>
      order.forEach((kg, og) => dst.set(src.subarray(kg * u, kg * u + u), at + og * u));
    B = new Float32Array(2 * gu);
    if (cell === 'GRU' && cfg.reset_after === true) {
      if (b.values.length !== 2 * gu) ctx.unsupported(`bias of ${b.values.length} values for reset_after`);
      gate(b.values.subarray(0, gu), B, 0);
      gate(b.values.subarray(gu), B, gu);
    } else {
      gate(b.values, B, 0);
    }
  }
  if (cell === 'GRU' && cfg.reset_after === true) linearBeforeReset = 1;
  return { W, R, B, inF, u, linearBeforeReset };
}

/**
 * Emits one ONNX LSTM/GRU (forward, reverse or bidirectional) on a [N, T, F] input.
 * Returns Y as physical [T, D, N, u] and Y_h as [D, N, u].
 */
export function emitRnn(ctx: LayerContext, cell: Cell, x: SymTensor, dirs: { cfg: Cfg; scope?: string }[], direction: 'forward' | 'reverse' | 'bidirectional') {
  const { g } = ctx;
  if (x.shape.length !== 3) ctx.unsupported(`expected a 3-D input [N, T, F], got rank ${x.shape.length}`);
  const tnf = ctx.layout(x, [1, 0, 2]);
  const parts = dirs.map((d) => directionWeights(ctx, cell, d.cfg, d.scope));
  const { inF, u, linearBeforeReset } = parts[0];
  if (x.shape[2] !== inF) ctx.unsupported(`kernel expects ${inF} features, input has ${x.shape[2]}`);
  const D = parts.length;
  const cat = (key: 'W' | 'R' | 'B') => {
    const arrays = parts.map((p) => p[key] ?? new Float32Array(2 * GATES[cell].count * u));
    const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
    let o = 0;
    for (const a of arrays) {
      out.set(a, o);
      o += a.length;
    }
    return out;
  };
  const G = GATES[cell].count;
  const base = ctx.layer.name;
  const inputs = [tnf.name, g.float(`${base}/W`, cat('W'), [D, G * u, inF]), g.float(`${base}/R`, cat('R'), [D, G * u, u])];
  if (parts.some((p) => p.B)) inputs.push(g.float(`${base}/B`, cat('B'), [D, 2 * G * u]));
  const acts: { name: string; alpha?: number; beta?: number }[] = [];
  for (const d of dirs) {
    const rec = rnnActivation(ctx, d.cfg.recurrent_activation ?? 'hard_sigmoid');
    const act = rnnActivation(ctx, d.cfg.activation ?? 'tanh');
    acts.push(rec, act);
    if (cell === 'LSTM') acts.push(act);
  }
  const attrs: Record<string, AttrValue> = { hidden_size: u, direction, activations: acts.map((a) => a.name) };
  const withAlpha = acts.filter((a) => a.alpha !== undefined);
  if (withAlpha.length) {
    attrs.activation_alpha = { floats: withAlpha.map((a) => a.alpha!) };
    attrs.activation_beta = { floats: withAlpha.map((a) => a.beta!) };
  }
  if (cell === 'GRU') attrs.linear_before_reset = linearBeforeReset;
  const [y, yh] = g.opMulti(cell, inputs, 2, attrs, `${base}/${cell}`);
  const t = x.shape[1];
  if (t !== null) ctx.addFlops(2 * t * D * (inF * G * u + u * G * u));
  return { y, yh, u, D };
}

/** Squeezes axis `axis` (opset 13: axes as an input). */
export function squeeze(ctx: LayerContext, name: string, axis: number): string {
  return ctx.g.op('Squeeze', [name, ctx.g.int64('axes', [axis])], {}, `${name}_squeezed`);
}

/** Reverses the time axis (axis 0 of a physical [T, ...] tensor). */
export function reverseTime(ctx: LayerContext, name: string): string {
  const { g } = ctx;
  return g.op('Slice', [name, g.int64('starts', [-1]), g.int64('ends', [-(2 ** 53)]), g.int64('axes', [0]), g.int64('steps', [-1])], {}, `${name}_reversed`);
}

/** LSTM and GRU (return_sequences, go_backwards; initial state zero). */
export const recurrent: LayerConverter = {
  classNames: ['LSTM', 'GRU'],
  convert(ctx, inputs) {
    const x = requireOneInput(ctx, inputs);
    const cfg = ctx.layer.config;
    checkRecurrentConfig(ctx, cfg);
    const cell = ctx.layer.className as Cell;
    const back = cfg.go_backwards === true;
    const { y, yh, u } = emitRnn(ctx, cell, x, [{ cfg }], back ? 'reverse' : 'forward');
    const [n, t] = x.shape;
    if (cfg.return_sequences) {
      // Y [T, 1, N, u] -> [T, N, u] = logical [N, T, u] stored time-major. Keras' go_backwards
      // returns the outputs in processing order (reversed time), ONNX in input order.
      let seq = squeeze(ctx, y, 1);
      if (back) seq = reverseTime(ctx, seq);
      return [{ name: seq, shape: [n, t, u], perm: [1, 0, 2] }];
    }
    return [{ name: squeeze(ctx, yh, 0), shape: [n, u], perm: [0, 1] }];
  },
};
