import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../core/errors.ts';
import type { Limits } from '../../core/limits.ts';
import { decodeBase64 } from './base64.ts';
import { mediaType, readBody, type BodyReader } from './read-body.ts';

export interface DecodeInput {
  readonly images: readonly Uint8Array[];
  /** Whether the answer is `{ results: [...] }` (several images asked for) or one object. */
  readonly many: boolean;
}

async function multipartFiles(request: Request, body: Uint8Array, field: string): Promise<{ files: Uint8Array[]; fields: string[] }> {
  let form: FormData;
  try {
    form = await new Response(body as Uint8Array<ArrayBuffer>, { headers: { 'content-type': request.headers.get('content-type') ?? '' } }).formData();
  } catch {
    throw new BadRequestError('malformed multipart/form-data body');
  }
  const files: Uint8Array[] = [];
  for (const value of form.getAll(field)) {
    if (typeof value === 'string') throw new BadRequestError(`multipart field "${field}" must be a file`);
    files.push(new Uint8Array(await value.arrayBuffer()));
  }
  return { files, fields: [...new Set([...form.keys()])] };
}

/**
 * The images of a POST /decode request: a raw body of any image/* type (or
 * application/octet-stream), multipart field(s) `image`, or JSON `{ image }` / `{ images: [...] }`
 * in base64. The body limit and the image count limit are checked before decoding.
 */
export async function readDecodeInput(request: Request, limits: Limits, env?: unknown, reader?: BodyReader): Promise<DecodeInput> {
  const type = mediaType(request.headers.get('content-type'));
  const tooMany = (n: number) => {
    if (n > limits.maxImagesPerRequest) throw new PayloadTooLargeError(`${n} images in one request; the limit is ${limits.maxImagesPerRequest}`);
  };
  if (type === '' || type.startsWith('image/') || type === 'application/octet-stream') {
    const body = await readBody(request, env, limits.maxBodyBytes, 'request body', reader);
    if (body.length === 0) throw new BadRequestError('empty body: send an image (raw, multipart field "image" or JSON {"image": base64})');
    return { images: [body], many: false };
  }
  if (type === 'multipart/form-data') {
    const body = await readBody(request, env, limits.maxBodyBytes, 'request body', reader);
    const { files, fields } = await multipartFiles(request, body, 'image');
    if (files.length === 0) throw new BadRequestError(`multipart body has no "image" field (fields: ${fields.join(', ') || 'none'})`);
    tooMany(files.length);
    return { images: files, many: files.length > 1 };
  }
  if (type === 'application/json' || type.endsWith('+json')) {
    const body = await readBody(request, env, limits.maxBodyBytes, 'request body', reader);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(body));
    } catch {
      throw new BadRequestError('malformed JSON body');
    }
    const obj = json as { image?: unknown; images?: unknown } | null;
    if (obj && typeof obj === 'object' && typeof obj.image === 'string') return { images: [decodeBase64(obj.image)], many: false };
    if (obj && typeof obj === 'object' && Array.isArray(obj.images)) {
      if (obj.images.length === 0) throw new BadRequestError('"images" is empty');
      tooMany(obj.images.length);
      return { images: obj.images.map((s: unknown, i: number) => decodeBase64(s as string, `images[${i}]`)), many: true };
    }
    throw new BadRequestError('JSON body must be {"image": "<base64>"} or {"images": ["<base64>", ...]}');
  }
  throw new UnsupportedMediaTypeError(`content type ${JSON.stringify(type)} is not accepted: send image/*, multipart/form-data or application/json`);
}

const ZIP_TYPES = new Set(['', 'application/zip', 'application/x-zip-compressed', 'application/x-zip', 'application/octet-stream', 'multipart/x-zip']);

/** The archive of a POST /score request: a raw zip body or the multipart field `archive`. */
export async function readScoreInput(request: Request, limits: Limits, env?: unknown, reader?: BodyReader): Promise<Uint8Array> {
  const type = mediaType(request.headers.get('content-type'));
  if (ZIP_TYPES.has(type)) {
    const body = await readBody(request, env, limits.maxArchiveBytes, 'archive', reader);
    if (body.length === 0) throw new BadRequestError('empty body: send a zip archive (raw application/zip or multipart field "archive")');
    return body;
  }
  if (type === 'multipart/form-data') {
    const body = await readBody(request, env, limits.maxArchiveBytes, 'archive', reader);
    const { files, fields } = await multipartFiles(request, body, 'archive');
    if (files.length !== 1) throw new BadRequestError(`multipart body needs exactly one "archive" file field (fields: ${fields.join(', ') || 'none'})`);
    return files[0];
  }
  throw new UnsupportedMediaTypeError(`content type ${JSON.stringify(type)} is not accepted: send application/zip or multipart/form-data`);
}
