/**
 * Adam on Float32Arrays, step for step what tfjs's `tf.train.adam` does (same bias
 * correction, epsilon 1e-7 as on the cpu and wasm backends), so its state moves between the
 * two: `iterations` and the first and second moments per weight.
 */
export class Adam {
  constructor(
    readonly first: Float32Array[],
    readonly second: Float32Array[],
    public iterations: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-7,
  ) {}

  static zeros(sizes: readonly number[]): Adam {
    return new Adam(
      sizes.map((n) => new Float32Array(n)),
      sizes.map((n) => new Float32Array(n)),
      0,
    );
  }

  /** Applies one update of `weights[i]` by `grads[i]` at `learningRate`. */
  apply(weights: readonly Float32Array[], grads: readonly Float32Array[], learningRate: number): void {
    const b1 = this.beta1;
    const b2 = this.beta2;
    const c1 = 1 - b1 ** (this.iterations + 1);
    const c2 = 1 - b2 ** (this.iterations + 1);
    const eps = this.epsilon;
    for (let k = 0; k < weights.length; k++) {
      const w = weights[k];
      const g = grads[k];
      const m = this.first[k];
      const v = this.second[k];
      for (let i = 0; i < w.length; i++) {
        const gi = g[i];
        const mi = b1 * m[i] + (1 - b1) * gi;
        const vi = b2 * v[i] + (1 - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] -= (learningRate * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
      }
    }
    this.iterations++;
  }
}
