import { BadRequestError } from '../../core/errors.ts';

/** Bytes -> base64 without Node's Buffer (runs on every runtime). */
export function encodeBase64(bytes: Uint8Array): string {
  let s = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(s);
}

/** base64 (or a `data:...;base64,` URL; URL-safe alphabet and missing padding accepted) -> bytes. */
export function decodeBase64(text: string, what = 'image'): Uint8Array {
  if (typeof text !== 'string') throw new BadRequestError(`${what} must be a base64 string`);
  let s = text.trim();
  if (s.startsWith('data:')) {
    const comma = s.indexOf(',');
    if (comma < 0 || !/;base64$/i.test(s.slice(0, comma))) throw new BadRequestError(`${what}: only base64 data URLs are accepted`);
    s = s.slice(comma + 1);
  }
  s = s.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (s.length % 4 === 1 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new BadRequestError(`${what} is not valid base64`);
  while (s.length % 4 !== 0) s += '=';
  let bin: string;
  try {
    bin = atob(s);
  } catch {
    throw new BadRequestError(`${what} is not valid base64`);
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
