/** Compares two strings in time that depends only on the expected one's length. */
export function constantTimeEqual(given: string, expected: string): boolean {
  const enc = new TextEncoder();
  const a = enc.encode(given);
  const b = enc.encode(expected);
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a[i % Math.max(1, a.length)] ?? 0) ^ b[i];
  return diff === 0;
}

/** The key a request carries: `Authorization: Bearer KEY` or `x-api-key: KEY`. */
export function requestApiKey(headers: Headers): string | undefined {
  const auth = headers.get('authorization');
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1].trim();
  }
  return headers.get('x-api-key')?.trim() || undefined;
}
