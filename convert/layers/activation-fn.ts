import type { LayerContext } from './layer-context.ts';
import { physicalAxis, type SymTensor } from '../graph/sym-tensor.ts';

/** Normalises a tfjs/Keras activation identifier: `hard_sigmoid`, `hardSigmoid` -> `hardsigmoid`. */
export function activationId(raw: unknown): string {
  if (raw === undefined || raw === null) return 'linear';
  if (typeof raw === 'object' && raw && 'class_name' in raw) return activationId((raw as { class_name: unknown }).class_name);
  return String(raw).replace(/_/g, '').toLowerCase();
}

/** The tfjs activations this converter knows. */
export const ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hardsigmoid', 'tanh', 'softmax', 'logsoftmax', 'softplus', 'softsign', 'swish', 'mish', 'gelu', 'gelunew'];

/** Applies a tfjs activation (by name) to `x`, element-wise in any layout (softmax on the logical last axis). */
export function applyActivation(ctx: LayerContext, raw: unknown, x: SymTensor, base = ctx.layer.name): SymTensor {
  const id = activationId(raw);
  const { g } = ctx;
  const out = (name: string): SymTensor => ({ name, shape: x.shape, perm: x.perm });
  const un = (op: string, attrs = {}) => out(g.op(op, [x.name], attrs, `${base}/${op}`));
  switch (id) {
    case 'linear':
      return x;
    case 'relu':
      return un('Relu');
    case 'relu6':
      return out(g.op('Clip', [x.name, g.scalar('zero', 0), g.scalar('six', 6)], {}, `${base}/Relu6`));
    case 'elu':
      return un('Elu', { alpha: { f: 1 } });
    case 'selu':
      return un('Selu', { alpha: { f: 1.6732632423543772 }, gamma: { f: 1.0507009873554805 } });
    case 'sigmoid':
      return un('Sigmoid');
    case 'hardsigmoid':
      // tfjs: clip(0.2 * x + 0.5, 0, 1)
      return un('HardSigmoid', { alpha: { f: 0.2 }, beta: { f: 0.5 } });
    case 'tanh':
      return un('Tanh');
    case 'softmax':
      return un('Softmax', { axis: physicalAxis(x, -1) });
    case 'logsoftmax':
      return un('LogSoftmax', { axis: physicalAxis(x, -1) });
    case 'softplus':
      return un('Softplus');
    case 'softsign':
      return un('Softsign');
    case 'swish': {
      const s = g.op('Sigmoid', [x.name], {}, `${base}/Sigmoid`);
      return out(g.op('Mul', [x.name, s], {}, `${base}/Swish`));
    }
    case 'mish': {
      const sp = g.op('Softplus', [x.name], {}, `${base}/Softplus`);
      const t = g.op('Tanh', [sp], {}, `${base}/Tanh`);
      return out(g.op('Mul', [x.name, t], {}, `${base}/Mish`));
    }
    case 'gelu': {
      // tfjs: x * 0.5 * (1 + erf(x / sqrt(2)))
      const e = g.op('Erf', [g.op('Div', [x.name, g.scalar('sqrt2', Math.SQRT2)], {}, `${base}/Div`)], {}, `${base}/Erf`);
      const half = g.op('Mul', [g.op('Add', [e, g.scalar('one', 1)], {}, `${base}/Add`), g.scalar('half', 0.5)], {}, `${base}/Mul`);
      return out(g.op('Mul', [x.name, half], {}, `${base}/Gelu`));
    }
    case 'gelunew': {
      // tfjs: 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))
      const x3 = g.op('Mul', [x.name, g.op('Mul', [x.name, x.name], {}, `${base}/Sq`)], {}, `${base}/Cube`);
      const inner = g.op('Add', [x.name, g.op('Mul', [x3, g.scalar('c', 0.044715)], {}, `${base}/Mul`)], {}, `${base}/Add`);
      const t = g.op('Tanh', [g.op('Mul', [inner, g.scalar('k', Math.sqrt(2 / Math.PI))], {}, `${base}/Scale`)], {}, `${base}/Tanh`);
      const half = g.op('Mul', [g.op('Add', [t, g.scalar('one', 1)], {}, `${base}/Add1`), g.scalar('half', 0.5)], {}, `${base}/Half`);
      return out(g.op('Mul', [x.name, half], {}, `${base}/GeluNew`));
    }
    default:
      return ctx.unsupported(`activation "${String(raw)}" is not supported (supported: ${ACTIVATIONS.join(', ')})`);
  }
}
