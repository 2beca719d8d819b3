import { PayloadTooLargeError } from '../../core/errors.ts';

/**
 * A runtime's faster way to read a body (Node reads its IncomingMessage directly); returns
 * undefined to fall back to readBodyLimited. Must apply the same limit and throw PayloadTooLargeError.
 */
export type BodyReader = (request: Request, env: unknown, max: number, what: string) => Promise<Uint8Array> | undefined;

/** Reads the body with `reader` when it can, else with readBodyLimited. */
export function readBody(request: Request, env: unknown, max: number, what: string, reader?: BodyReader): Promise<Uint8Array> {
  return reader?.(request, env, max, what) ?? readBodyLimited(request, max, what);
}

/**
 * The request body as bytes, refusing more than `max` bytes: at once from Content-Length,
 * otherwise while streaming (chunked bodies), before the rest is read.
 */
export async function readBodyLimited(request: Request, max: number, what = 'request body'): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared)) {
    const n = Number(declared);
    if (n > max) throw new PayloadTooLargeError(`${what} is ${n} bytes; the limit is ${max}`);
    return new Uint8Array(await request.arrayBuffer());
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw new PayloadTooLargeError(`${what} is over the limit of ${max} bytes`);
    }
    parts.push(value);
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** The media type of a Content-Type header, lower case, without parameters ('' when absent). */
export function mediaType(contentType: string | null | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}
