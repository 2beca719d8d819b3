/** Learning rate at `step`: linear warm-up, flat, then a cosine decay to `floor * base` over the last `decayFraction` of the run. */
export function learningRate(step: number, base: number, maxSteps: number, warmupSteps: number, decayFraction = 0.3, floor = 0.05): number {
  const warm = warmupSteps > 0 ? Math.min(1, (step + 1) / warmupSteps) : 1;
  const decayStart = Math.floor(maxSteps * (1 - decayFraction));
  if (step < decayStart || maxSteps <= decayStart) return base * warm;
  const p = Math.min(1, (step - decayStart) / (maxSteps - decayStart));
  return base * warm * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * p)));
}
