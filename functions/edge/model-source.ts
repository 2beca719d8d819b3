import { InvalidModelError } from '../../core/errors.ts';
import { parseModelMetadata, sidecarPath, type ModelMetadata } from '../../core/model-contract.ts';

/** The subset of Cloudflare's R2 bucket binding used here. */
export interface R2BucketLike {
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
}

/** The subset of Cloudflare's KV namespace binding used here. */
export interface KvNamespaceLike {
  get(key: string, type: 'arrayBuffer'): Promise<ArrayBuffer | null>;
}

/** Bindings that select where the model comes from (wrangler.toml). */
export interface ModelBindings {
  /** R2 bucket holding `MODEL_KEY` (the ONNX file) and `MODEL_KEY` with `.json` (its metadata). */
  readonly MODEL_BUCKET?: R2BucketLike;
  /** KV namespace holding the same two keys (values up to 25 MiB). */
  readonly MODEL_KV?: KvNamespaceLike;
  readonly MODEL_KEY?: string;
}

export interface ModelSource {
  /** `bundled`, `r2:KEY` or `kv:KEY`. */
  readonly name: string;
  readonly metadata: ModelMetadata;
  readonly load: () => Promise<ArrayBuffer | Uint8Array>;
}

/**
 * Picks the model: from R2 or KV when `MODEL_KEY` and a binding are configured (metadata read
 * now, the model bytes on first use), else the one bundled into the Worker.
 */
export async function resolveModelSource(env: ModelBindings, bundled: { model?: ArrayBuffer; metadata?: unknown }): Promise<ModelSource> {
  const key = env.MODEL_KEY;
  const read = (): ((k: string) => Promise<ArrayBuffer | null>) | undefined => {
    if (env.MODEL_BUCKET) {
      const bucket = env.MODEL_BUCKET;
      return async (k) => (await bucket.get(k))?.arrayBuffer() ?? null;
    }
    if (env.MODEL_KV) {
      const kv = env.MODEL_KV;
      return (k) => kv.get(k, 'arrayBuffer');
    }
    return undefined;
  };
  const get = key ? read() : undefined;
  if (key && get) {
    const kind = env.MODEL_BUCKET ? 'r2' : 'kv';
    const metaKey = sidecarPath(key);
    const metaBytes = await get(metaKey);
    if (!metaBytes) throw new InvalidModelError(`model metadata ${kind}:${metaKey} not found`);
    const metadata = parseModelMetadata(JSON.parse(new TextDecoder().decode(metaBytes)));
    return {
      name: `${kind}:${key}`,
      metadata,
      load: async () => {
        const bytes = await get(key);
        if (!bytes) throw new InvalidModelError(`model ${kind}:${key} not found`);
        return bytes;
      },
    };
  }
  if (!bundled.model || bundled.metadata === undefined) {
    throw new InvalidModelError('no model: none is bundled and MODEL_KEY with an R2 or KV binding is not configured');
  }
  const model = bundled.model;
  return { name: 'bundled', metadata: parseModelMetadata(bundled.metadata), load: async () => model };
}
