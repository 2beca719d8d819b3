import { physicalAxis, type Dim, type SymTensor } from '../graph/sym-tensor.ts';
import { requireChannelsLast, requireOneInput, type LayerContext, type LayerConverter } from './layer-context.ts';

/** ((top, bottom), (left, right)) from an int, [h, w] or [[t, b], [l, r]]. */
function twoByTwo(ctx: LayerContext, key: string): [[number, number], [number, number]] {
  const v = ctx.layer.config[key];
  if (typeof v === 'number') return [[v, v], [v, v]];
  if (Array.isArray(v) && v.length === 2) {
    const side = (s: unknown): [number, number] => {
      if (typeof s === 'number') return [s, s];
      if (Array.isArray(s) && s.length === 2 && s.every((n) => typeof n === 'number')) return [s[0], s[1]];
      return ctx.unsupported(`${key}=${JSON.stringify(v)}`);
    };
    return [side(v[0]), side(v[1])];
  }
  return ctx.unsupported(`${key}=${JSON.stringify(v)}`);
}

function need4d(ctx: LayerContext, x: SymTensor): void {
  if (x.shape.length !== 4) ctx.unsupported(`expected a 4-D input, got rank ${x.shape.length}`);
  requireChannelsLast(ctx);
}

const add = (d: Dim, n: number): Dim => (d === null ? null : d + n);

/** ZeroPadding2D: Pad on the physical H and W axes. */
export const zeroPadding2d: LayerConverter = {
  classNames: ['ZeroPadding2D'],
  convert(ctx, inputs) {
    const x = requireOneInput(ctx, inputs);
    need4d(ctx, x);
    const [[t, b], [l, r]] = twoByTwo(ctx, 'padding');
    const begin = [0, 0, 0, 0];
    const end = [0, 0, 0, 0];
    begin[physicalAxis(x, 1)] = t;
    end[physicalAxis(x, 1)] = b;
    begin[physicalAxis(x, 2)] = l;
    end[physicalAxis(x, 2)] = r;
    const y = ctx.g.op('Pad', [x.name, ctx.g.int64('pads', [...begin, ...end])], { mode: 'constant' }, `${ctx.layer.name}/Pad`);
    return [{ name: y, shape: [x.shape[0], add(x.shape[1], t + b), add(x.shape[2], l + r), x.shape[3]], perm: x.perm }];
  },
};

/** Cropping2D: Slice on the physical H and W axes. */
export const cropping2d: LayerConverter = {
  classNames: ['Cropping2D'],
  convert(ctx, inputs) {
    const x = requireOneInput(ctx, inputs);
    need4d(ctx, x);
    const [[t, b], [l, r]] = twoByTwo(ctx, 'cropping');
    const endOf = (d: Dim, cut: number) => (d !== null ? d - cut : cut > 0 ? -cut : 2 ** 31 - 1);
    const { g } = ctx;
    const y = g.op(
      'Slice',
      [x.name, g.int64('starts', [t, l]), g.int64('ends', [endOf(x.shape[1], b), endOf(x.shape[2], r)]), g.int64('axes', [physicalAxis(x, 1), physicalAxis(x, 2)])],
      {},
      `${ctx.layer.name}/Slice`,
    );
    return [{ name: y, shape: [x.shape[0], add(x.shape[1], -t - b), add(x.shape[2], -l - r), x.shape[3]], perm: x.perm }];
  },
};

/** UpSampling2D (nearest or bilinear, as tf.image.resize* with align_corners=false, half_pixel_centers=false). */
export const upSampling2d: LayerConverter = {
  classNames: ['UpSampling2D'],
  convert(ctx, inputs) {
    const x = requireOneInput(ctx, inputs);
    need4d(ctx, x);
    const size = ctx.layer.config.size ?? [2, 2];
    const [sh, sw] = typeof size === 'number' ? [size, size] : (size as number[]);
    const interp = ctx.layer.config.interpolation ?? 'nearest';
    if (interp !== 'nearest' && interp !== 'bilinear') ctx.unsupported(`interpolation=${String(interp)}`);
    const scales = [1, 1, 1, 1];
    scales[physicalAxis(x, 1)] = sh;
    scales[physicalAxis(x, 2)] = sw;
    const { g } = ctx;
    const attrs: Record<string, string> = interp === 'nearest' ? { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' } : { mode: 'linear', coordinate_transformation_mode: 'asymmetric' };
    const y = g.op('Resize', [x.name, '', g.float('scales', scales, [4])], attrs, `${ctx.layer.name}/Resize`);
    const mul = (d: Dim, s: number): Dim => (d === null ? null : d * s);
    return [{ name: y, shape: [x.shape[0], mul(x.shape[1], sh), mul(x.shape[2], sw), x.shape[3]], perm: x.perm }];
  },
};
