/** One step of an alignment between a true text and a prediction. */
export type AlignmentOp =
  | { readonly op: 'match'; readonly truth: string; readonly predicted: string }
  | { readonly op: 'substitute'; readonly truth: string; readonly predicted: string }
  | { readonly op: 'delete'; readonly truth: string }
  | { readonly op: 'insert'; readonly predicted: string };

/** Levenshtein distance between two texts (by Unicode code point). */
export function editDistance(a: string, b: string): number {
  return align([...a], [...b]).distance;
}

/**
 * A minimal-cost alignment (unit costs). Ties prefer a match or substitution, so equal-length
 * texts align position by position.
 */
export function align(truth: readonly string[], predicted: readonly string[]): { distance: number; ops: AlignmentOp[] } {
  const n = truth.length;
  const m = predicted.length;
  const d = new Uint32Array((n + 1) * (m + 1));
  const w = m + 1;
  for (let i = 0; i <= n; i++) d[i * w] = i;
  for (let j = 0; j <= m; j++) d[j] = j;
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const sub = d[(i - 1) * w + j - 1] + (truth[i - 1] === predicted[j - 1] ? 0 : 1);
      const del = d[(i - 1) * w + j] + 1;
      const ins = d[i * w + j - 1] + 1;
      d[i * w + j] = Math.min(sub, del, ins);
    }
  }
  const ops: AlignmentOp[] = [];
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const here = d[i * w + j];
    if (i > 0 && j > 0 && here === d[(i - 1) * w + j - 1] + (truth[i - 1] === predicted[j - 1] ? 0 : 1)) {
      const t = truth[i - 1];
      const p = predicted[j - 1];
      ops.push(t === p ? { op: 'match', truth: t, predicted: p } : { op: 'substitute', truth: t, predicted: p });
      i--;
      j--;
    } else if (i > 0 && here === d[(i - 1) * w + j] + 1) {
      ops.push({ op: 'delete', truth: truth[i - 1] });
      i--;
    } else {
      ops.push({ op: 'insert', predicted: predicted[j - 1] });
      j--;
    }
  }
  ops.reverse();
  return { distance: d[n * w + m], ops };
}
