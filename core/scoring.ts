import { align } from './edit-distance.ts';

/** One scored image: its true text and what the model read. */
export interface ScoredSample {
  readonly file: string;
  readonly truth: string;
  readonly predicted: string;
  readonly confidence: number;
}

export interface PositionAccuracy {
  /** 0-based character position. */
  readonly position: number;
  /** Images whose true text has a character at this position. */
  readonly total: number;
  readonly correct: number;
  readonly accuracy: number;
}

export interface CharacterStats {
  readonly char: string;
  /** Occurrences in the true texts. */
  readonly support: number;
  /** Occurrences in the predictions. */
  readonly predicted: number;
  /** Aligned matches. */
  readonly correct: number;
  readonly precision: number;
  readonly recall: number;
}

export interface Confusion {
  readonly truth: string;
  readonly predicted: string;
  readonly count: number;
}

/** The metrics of a batch of scored images (the numeric part of a POST /score answer). */
export interface ScoreMetrics {
  readonly scored: number;
  /** Images read exactly right / scored. */
  readonly sequenceAccuracy: number;
  /** Characters right at their position / characters compared (max of the two lengths per image). */
  readonly characterAccuracy: number;
  /** Edit distance / true characters, summed over the images. */
  readonly characterErrorRate: number;
  readonly meanConfidence: number;
  readonly positionAccuracy: readonly PositionAccuracy[];
  /** Per character of the true texts or predictions, ordered by the character. */
  readonly characters: readonly CharacterStats[];
  /** Substitutions (truth read as predicted), most frequent first. */
  readonly confusions: readonly Confusion[];
  readonly insertions: number;
  readonly deletions: number;
  readonly substitutions: number;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** Accumulates scored images and summarises them; one copy of the rule for the API, CLI and training. */
export class ScoreAccumulator {
  private n = 0;
  private exact = 0;
  private posCorrect = 0;
  private posTotal = 0;
  private edits = 0;
  private truthChars = 0;
  private confidenceSum = 0;
  private readonly positions: { total: number; correct: number }[] = [];
  private readonly chars = new Map<string, { support: number; predicted: number; correct: number }>();
  private readonly confusions = new Map<string, number>();
  private ins = 0;
  private del = 0;
  private sub = 0;

  add(sample: Pick<ScoredSample, 'truth' | 'predicted' | 'confidence'>): { correct: boolean; editDistance: number } {
    const t = [...sample.truth];
    const p = [...sample.predicted];
    this.n++;
    this.confidenceSum += Number.isFinite(sample.confidence) ? sample.confidence : 0;
    const correct = sample.truth === sample.predicted;
    if (correct) this.exact++;
    const len = Math.max(t.length, p.length);
    this.posTotal += len;
    for (let i = 0; i < t.length; i++) {
      const slot = (this.positions[i] ??= { total: 0, correct: 0 });
      slot.total++;
      if (p[i] === t[i]) {
        slot.correct++;
        this.posCorrect++;
      }
    }
    const stat = (c: string) => {
      let s = this.chars.get(c);
      if (!s) this.chars.set(c, (s = { support: 0, predicted: 0, correct: 0 }));
      return s;
    };
    for (const c of t) stat(c).support++;
    for (const c of p) stat(c).predicted++;
    const { distance, ops } = align(t, p);
    this.edits += distance;
    this.truthChars += t.length;
    for (const op of ops) {
      if (op.op === 'match') stat(op.truth).correct++;
      else if (op.op === 'substitute') {
        this.sub++;
        const key = `${op.truth}\u0000${op.predicted}`;
        this.confusions.set(key, (this.confusions.get(key) ?? 0) + 1);
      } else if (op.op === 'delete') this.del++;
      else this.ins++;
    }
    return { correct, editDistance: distance };
  }

  get count(): number {
    return this.n;
  }

  summary(maxConfusions = 20): ScoreMetrics {
    const characters = [...this.chars.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([char, s]) => ({ char, support: s.support, predicted: s.predicted, correct: s.correct, precision: ratio(s.correct, s.predicted), recall: ratio(s.correct, s.support) }));
    const confusions = [...this.confusions.entries()]
      .map(([key, count]) => {
        const [truth, predicted] = key.split('\u0000');
        return { truth, predicted, count };
      })
      .sort((a, b) => b.count - a.count || (a.truth + a.predicted < b.truth + b.predicted ? -1 : 1))
      .slice(0, maxConfusions);
    return {
      scored: this.n,
      sequenceAccuracy: ratio(this.exact, this.n),
      characterAccuracy: ratio(this.posCorrect, this.posTotal),
      characterErrorRate: ratio(this.edits, this.truthChars),
      meanConfidence: ratio(this.confidenceSum, this.n),
      positionAccuracy: this.positions.map((s, position) => ({ position, total: s.total, correct: s.correct, accuracy: ratio(s.correct, s.total) })),
      characters,
      confusions,
      insertions: this.ins,
      deletions: this.del,
      substitutions: this.sub,
    };
  }
}

/** Scores a list of samples at once. */
export function scoreSamples(samples: readonly Pick<ScoredSample, 'truth' | 'predicted' | 'confidence'>[], maxConfusions = 20): ScoreMetrics {
  const acc = new ScoreAccumulator();
  for (const s of samples) acc.add(s);
  return acc.summary(maxConfusions);
}
