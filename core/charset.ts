/** The default alphabet of the Python `captcha` library benchmarks: digits then capitals. */
export const DEFAULT_CHARSET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * Whether a character (one code point) may be a class of a model: any letter, digit, mark,
 * punctuation or symbol of Unicode; not whitespace, not a control, format, private-use or
 * unassigned code point.
 */
export function isCharsetCharacter(c: string): boolean {
  return [...c].length === 1 && !/[\s\p{C}]/u.test(c);
}

/** Checks that a charset has no repeated, whitespace or control characters; returns it. */
export function validateCharset(charset: string): string {
  const chars = [...charset];
  if (chars.length === 0) throw new RangeError('charset is empty');
  const seen = new Set<string>();
  for (const c of chars) {
    if (/\s/.test(c)) throw new RangeError(`charset contains whitespace (${JSON.stringify(c)})`);
    if (!isCharsetCharacter(c)) throw new RangeError(`charset contains a control or unassigned character (${JSON.stringify(c)})`);
    if (seen.has(c)) throw new RangeError(`charset repeats ${JSON.stringify(c)}`);
    seen.add(c);
  }
  return charset;
}

const byCodePoint = (a: string, b: string) => a.codePointAt(0)! - b.codePointAt(0)!;

/**
 * The alphabet of a set of labels: every character that occurs, case-sensitive, once, in
 * code point order (digits, then capitals, then small letters, then the rest of Unicode), so
 * the same labels always give the same classes in the same order. It may hold characters
 * `isCharsetCharacter` refuses: check with `validateCharset`.
 */
export function alphabetOf(texts: Iterable<string>): string {
  const seen = new Set<string>();
  for (const text of texts) for (const c of text) seen.add(c);
  return [...seen].sort(byCodePoint).join('');
}

/** The characters of `texts` that `charset` lacks, once each, in code point order ('' when none). */
export function charactersOutside(texts: Iterable<string>, charset: string): string {
  const known = new Set(charset);
  const outside = new Set<string>();
  for (const text of texts) for (const c of text) if (!known.has(c)) outside.add(c);
  return [...outside].sort(byCodePoint).join('');
}

/** Maps each character of `text` to its class index in `charset` (code points, as decoding counts them); throws on an unknown one. */
export function encodeText(text: string, charset: string): number[] {
  const chars = [...charset];
  return [...text].map((c) => {
    const i = chars.indexOf(c);
    if (i < 0) throw new RangeError(`character ${JSON.stringify(c)} is not in the charset`);
    return i;
  });
}
