import { InvalidCharsetError } from './errors.ts';
import type { OutputSpec } from './model-contract.ts';

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
 * Which classes a reading may use: `mask[k]` for class k, one entry per character of the model's
 * charset. Classes past the charset (the CTC blank, the end class) are always allowed.
 */
export type ClassMask = readonly boolean[];

/**
 * The mask that limits a reading to the characters of `chars` (`?charset=`, `--charset`).
 * Throws InvalidCharsetError (400) for an empty `chars` or a character the model does not know.
 */
export function charsetMask(modelCharset: string, chars: string): ClassMask {
  const known = [...modelCharset];
  const wanted = new Set(chars);
  if (wanted.size === 0) throw new InvalidCharsetError(`charset is empty: give the characters to read, e.g. 0123456789 (the model reads ${modelCharset})`);
  const unknown = [...wanted].filter((c) => !known.includes(c));
  if (unknown.length > 0) {
    const list = unknown.map((c) => JSON.stringify(c)).join(', ');
    throw new InvalidCharsetError(`charset ${JSON.stringify(chars)}: ${list} ${unknown.length === 1 ? 'is' : 'are'} not in the model's charset ${modelCharset}`);
  }
  return known.map((c) => wanted.has(c));
}

/**
 * Turns one sample's output rows (`rows x classes` probabilities, row-major) into text.
 * One copy of the rule, used by training evaluation and every predictor.
 * With a `mask`, the classes it excludes are removed before decoding: the argmax runs over the
 * allowed classes only, and each confidence is renormalised over them (the softmax of the
 * masked logits, which is what masking before the softmax would give).
 */
export function decodeOutput(probs: ArrayLike<number>, rows: number, classes: number, charset: string, output: OutputSpec, mask?: ClassMask): DecodedText {
  const chars = [...charset];
  const characters: DecodedCharacter[] = [];
  const best = mask ? (offset: number) => maskedArgmax(probs, offset, classes, mask) : (offset: number) => argmax(probs, offset, classes);
  if (output.kind === 'ctc') {
    let prev = -1;
    for (let t = 0; t < rows; t++) {
      const [k, p] = best(t * classes);
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
      const [k, p] = best(t * classes);
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

/** The argmax over the allowed classes, with its probability renormalised over them. */
function maskedArgmax(values: ArrayLike<number>, offset: number, n: number, mask: ClassMask): [number, number] {
  let best = -1;
  let bestValue = -Infinity;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    if (k < mask.length && !mask[k]) continue;
    const v = values[offset + k];
    sum += v;
    if (v > bestValue) {
      bestValue = v;
      best = k;
    }
  }
  return [best, sum > 0 ? bestValue / sum : 0];
}
