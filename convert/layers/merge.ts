import { physicalAxis, type Dim, type SymTensor } from '../graph/sym-tensor.ts';
import type { LayerContext, LayerConverter } from './layer-context.ts';

/** Brings every input to the first input's layout (equal ranks required). */
function aligned(ctx: LayerContext, inputs: SymTensor[]): SymTensor[] {
  if (inputs.length < 2) ctx.unsupported(`expected at least 2 inputs, got ${inputs.length}`);
  const rank = inputs[0].shape.length;
  if (inputs.some((t) => t.shape.length !== rank)) ctx.unsupported(`inputs of different ranks (${inputs.map((t) => t.shape.length).join(', ')})`);
  return inputs.map((t) => ctx.layout(t, inputs[0].perm));
}

function broadcastShape(ctx: LayerContext, inputs: SymTensor[]): Dim[] {
  return inputs[0].shape.map((_, i) => {
    const dims = inputs.map((t) => t.shape[i]);
    const known = dims.filter((d): d is number => d !== null && d !== 1);
    if (new Set(known).size > 1) ctx.unsupported(`input shapes do not broadcast: ${inputs.map((t) => `[${t.shape}]`).join(' ')}`);
    if (known.length) return known[0];
    return dims.includes(null) ? null : 1;
  });
}

const variadic: Record<string, string> = { Add: 'Sum', Average: 'Mean', Maximum: 'Max', Minimum: 'Min' };

/** Add, Subtract, Multiply, Average, Maximum, Minimum (element-wise with broadcasting). */
export const merge: LayerConverter = {
  classNames: ['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum'],
  convert(ctx, inputs) {
    const xs = aligned(ctx, inputs);
    const cls = ctx.layer.className;
    const shape = broadcastShape(ctx, xs);
    const { g } = ctx;
    const base = ctx.layer.name;
    let y: string;
    if (cls === 'Subtract') {
      if (xs.length !== 2) ctx.unsupported('Subtract takes exactly 2 inputs');
      y = g.op('Sub', [xs[0].name, xs[1].name], {}, `${base}/Sub`);
    } else if (cls === 'Multiply') {
      y = xs.slice(1).reduce((acc, t) => g.op('Mul', [acc, t.name], {}, `${base}/Mul`), xs[0].name);
    } else if (cls === 'Add' && xs.length === 2) {
      y = g.op('Add', [xs[0].name, xs[1].name], {}, `${base}/Add`);
    } else {
      y = g.op(variadic[cls], xs.map((t) => t.name), {}, `${base}/${variadic[cls]}`);
    }
    return [{ name: y, shape, perm: xs[0].perm }];
  },
};

/** Concatenate(axis) on the physical axis that holds the logical one. */
export const concatenate: LayerConverter = {
  classNames: ['Concatenate'],
  convert(ctx, inputs) {
    const xs = aligned(ctx, inputs);
    const axisRaw = ctx.layer.config.axis ?? -1;
    if (typeof axisRaw !== 'number') return ctx.unsupported(`axis=${JSON.stringify(axisRaw)}`);
    const rank = xs[0].shape.length;
    const axis = axisRaw < 0 ? axisRaw + rank : axisRaw;
    if (axis <= 0 || axis >= rank) ctx.unsupported(`axis=${axisRaw} for rank ${rank}`);
    const shape = xs[0].shape.map((d, i) => (i === axis ? xs.reduce<number | null>((s, t) => (s === null || t.shape[i] === null ? null : s + (t.shape[i] as number)), 0) : d));
    const y = ctx.g.op('Concat', xs.map((t) => t.name), { axis: physicalAxis(xs[0], axis) }, `${ctx.layer.name}/Concat`);
    return [{ name: y, shape, perm: xs[0].perm }];
  },
};
