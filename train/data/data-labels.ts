import { alphabetOf, charactersOutside, isCharsetCharacter } from '../../core/charset.ts';

/** The labels of a `--data` set do not fit the run (the train command prints it as a usage error). */
export class TrainingDataError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDataError';
  }
}

/** One label and the file it labels. */
export interface FileLabel {
  readonly file: string;
  readonly label: string;
}

/** What a run takes from the labels: its alphabet and length range. */
export interface RunAlphabet {
  readonly charset: string;
  /** Where the charset came from. */
  readonly charsetSource: '--charset' | 'labels';
  readonly minLength: number;
  readonly maxLength: number;
  /** Labelled images. */
  readonly labels: number;
}

const length = (text: string) => [...text].length;
const quoted = (chars: string) => [...chars].map((c) => JSON.stringify(c)).join(' ');

function firstWith(labels: readonly FileLabel[], chars: string): FileLabel {
  return labels.find((l) => [...l.label].some((c) => chars.includes(c)))!;
}

/**
 * The alphabet and length range of a run on labelled data. The charset is `fixed` (`--charset`)
 * or every character of the labels (core/charset.ts alphabetOf: case-sensitive, code point
 * order); the lengths run from the shortest label to `maxLength` (`--max-length`) or the
 * longest. Throws a TrainingDataError naming the characters (and a file) when a label holds
 * a character outside `fixed` or one no charset may hold (whitespace, controls), or when a
 * label is longer than `maxLength`.
 */
export function runAlphabet(path: string, labels: readonly FileLabel[], fixed?: string, maxLength?: number): RunAlphabet {
  if (labels.length === 0) throw new TrainingDataError(`--data ${path}: no labelled image (labels come from labels.csv, labels.txt or the file names)`);
  const texts = labels.map((l) => l.label);
  const found = alphabetOf(texts);
  const unusable = [...found].filter((c) => !isCharsetCharacter(c)).join('');
  if (unusable) {
    const example = firstWith(labels, unusable);
    throw new TrainingDataError(`--data ${path}: labels hold characters a model cannot read (whitespace or controls): ${quoted(unusable)}, e.g. ${JSON.stringify(example.label)} for ${example.file}`);
  }
  if (fixed !== undefined) {
    const outside = charactersOutside(texts, fixed);
    if (outside) {
      const example = firstWith(labels, outside);
      const count = labels.filter((l) => [...l.label].some((c) => outside.includes(c))).length;
      throw new TrainingDataError(
        `--data ${path}: ${count} label${count === 1 ? '' : 's'} hold${count === 1 ? 's' : ''} ${[...outside].length === 1 ? 'a character' : 'characters'} outside --charset: ${quoted(outside)}, e.g. ${JSON.stringify(example.label)} for ${example.file} (add ${[...outside].length === 1 ? 'it' : 'them'} to --charset, or leave --charset out to take the labels' alphabet)`,
      );
    }
  }
  let shortest = labels[0];
  let longest = labels[0];
  for (const l of labels) {
    if (length(l.label) < length(shortest.label)) shortest = l;
    if (length(l.label) > length(longest.label)) longest = l;
  }
  const longestLength = length(longest.label);
  if (maxLength !== undefined && longestLength > maxLength) {
    throw new TrainingDataError(`--data ${path}: the label ${JSON.stringify(longest.label)} of ${longest.file} has ${longestLength} characters, more than --max-length ${maxLength}`);
  }
  return { charset: fixed ?? found, charsetSource: fixed === undefined ? 'labels' : '--charset', minLength: length(shortest.label), maxLength: maxLength ?? longestLength, labels: labels.length };
}
