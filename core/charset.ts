/** The default alphabet of the Python `captcha` library benchmarks: digits then capitals. */
export const DEFAULT_CHARSET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Checks that a charset has no repeated or whitespace characters; returns it. */
export function validateCharset(charset: string): string {
  const chars = [...charset];
  if (chars.length === 0) throw new RangeError('charset is empty');
  const seen = new Set<string>();
  for (const c of chars) {
    if (/\s/.test(c)) throw new RangeError(`charset contains whitespace (${JSON.stringify(c)})`);
    if (seen.has(c)) throw new RangeError(`charset repeats ${JSON.stringify(c)}`);
    seen.add(c);
  }
  return charset;
}

/** Maps each character of `text` to its class index in `charset`; throws on an unknown one. */
export function encodeText(text: string, charset: string): number[] {
  return [...text].map((c) => {
    const i = charset.indexOf(c);
    if (i < 0) throw new RangeError(`character ${JSON.stringify(c)} is not in the charset`);
    return i;
  });
}
