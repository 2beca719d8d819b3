import { GraphBuilder, type AttrValue } from '../../convert/graph/graph-builder.ts';

/** Emits the input gradients of one forward op, given the gradient of its output. */
type Backward = (dy: string) => void;

/**
 * Reverse-mode differentiation over an ONNX graph being built: every forward op registers how
 * to emit its gradient, and `backward` replays them in reverse, summing the gradients of
 * tensors used more than once. Every node is a standard ONNX op.
 */
export class Tape {
  readonly g = new GraphBuilder();
  private readonly steps: { output: string; backward: Backward }[] = [];
  private readonly grads = new Map<string, string[]>();
  private readonly constants = new Set<string>();
  private readonly int64s = new Set<string>();

  /** Marks a tensor of int64 elements (pool indices); every other tensor is float32. */
  markInt64(tensor: string): void {
    this.int64s.add(tensor);
  }

  isInt64(tensor: string): boolean {
    return this.int64s.has(tensor);
  }

  /** Marks a tensor that needs no gradient (the image input, and what is computed from it alone). */
  markConstant(tensor: string): void {
    this.constants.add(tensor);
  }

  /** Whether a gradient with respect to `tensor` is wanted (ops skip emitting what nothing reads). */
  needsGradient(tensor: string): boolean {
    return !this.constants.has(tensor);
  }

  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, base = opType): string {
    return this.g.op(opType, inputs, attrs, base);
  }

  /** Records that `output` was computed by a differentiable step. */
  record(output: string, backward: Backward): void {
    this.steps.push({ output, backward });
  }

  /** Adds `grad` to the gradient of `tensor`. */
  accumulate(tensor: string, grad: string): void {
    const list = this.grads.get(tensor);
    if (list) list.push(grad);
    else this.grads.set(tensor, [grad]);
  }

  /** The gradient of `tensor` (summed over its uses), or undefined when nothing depends on it. */
  gradOf(tensor: string): string | undefined {
    const list = this.grads.get(tensor);
    if (!list || list.length === 0) return undefined;
    if (list.length === 1) return list[0];
    const sum = this.g.op('Sum', list, {}, `${tensor}_grad`);
    this.grads.set(tensor, [sum]);
    return sum;
  }

  /** Seeds the output gradient and emits the backward pass. */
  backward(output: string, seed: string): void {
    this.accumulate(output, seed);
    for (let i = this.steps.length - 1; i >= 0; i--) {
      const { output: out, backward } = this.steps[i];
      const dy = this.gradOf(out);
      if (dy !== undefined) backward(dy);
    }
  }

  int64(base: string, values: readonly number[]): string {
    return this.g.int64(base, [...values]);
  }

  scalar(base: string, value: number): string {
    return this.g.scalar(base, value);
  }
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
