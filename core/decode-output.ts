import type { OutputSpec } from './model-metadata.ts';

export interface DecodedCharacter {
  readonly char: string;
  readonly confidence: number;
}

export interface DecodedText {
  readonly text: string;
  /** Product of the character confidences (1 for an empty text). */
  readonly confidence: number;
  readonly characters: readonly DecodedCharacter[];
}

/**
 * Turns one sample's output rows (`rows x classes` probabilities, row-major) into text.
 * One copy of the rule, used by training evaluation and every predictor.
 */
export function decodeOutput(probs: ArrayLike<number>, rows: number, classes: number, charset: string, output: OutputSpec): DecodedText {
  const chars = [...charset];
  const characters: DecodedCharacter[] = [];
  if (output.kind === 'ctc') {
    let prev = -1;
    for (let t = 0; t < rows; t++) {
      const [k, p] = argmax(probs, t * classes, classes);
      if (k !== output.blankIndex && k !== prev) {
        characters.push({ char: chars[k] ?? '?', confidence: p });
      } else if (k !== output.blankIndex && k === prev) {
        const last = characters[characters.length - 1];
        if (p > last.confidence) characters[characters.length - 1] = { char: last.char, confidence: p };
      }
      prev = k;
    }
  } else {
    for (let t = 0; t < rows; t++) {
      const [k, p] = argmax(probs, t * classes, classes);
      if (output.endIndex !== undefined && k === output.endIndex) break;
      characters.push({ char: chars[k] ?? '?', confidence: p });
    }
  }
  const confidence = characters.reduce((acc, c) => acc * c.confidence, 1);
  return { text: characters.map((c) => c.char).join(''), confidence, characters };
}

function argmax(values: ArrayLike<number>, offset: number, n: number): [number, number] {
  let best = 0;
  let bestValue = -Infinity;
  for (let k = 0; k < n; k++) {
    const v = values[offset + k];
    if (v > bestValue) {
      bestValue = v;
      best = k;
    }
  }
  return [best, bestValue];
}
