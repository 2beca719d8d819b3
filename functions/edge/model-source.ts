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
  /** The second model the metadata names (`secondLook`): bundled beside it, or the key beside MODEL_KEY. */
  readonly secondLook?: ModelSource;
}

/** A bundled model: its bytes, its metadata and, when the metadata names one, its second look. */
export interface BundledFiles {
  readonly model?: ArrayBuffer;
  readonly metadata?: unknown;
  readonly secondLook?: BundledFiles;
}

/** A bundled model as a source; InvalidModelError when bytes or metadata are missing. */
export function bundledSource(bundled: BundledFiles, what = 'bundled model'): ModelSource {
  if (!bundled.model || bundled.metadata === undefined) throw new InvalidModelError(`${what}: its bytes or its metadata are not bundled`);
  const model = bundled.model;
  return { name: 'bundled', metadata: parseModelMetadata(bundled.metadata), load: async () => model, ...(bundled.secondLook ? { secondLook: bundledSource(bundled.secondLook, 'bundled second look') } : {}) };
}

/**
 * Picks the model: from R2 or KV when `MODEL_KEY` and a binding are configured (metadata read
 * now, the model bytes on first use), else the one bundled into the Worker. A second look the
 * metadata names comes from the same place (the key beside MODEL_KEY, or bundled with it).
 */
export async function resolveModelSource(env: ModelBindings, bundled: BundledFiles): Promise<ModelSource> {
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
    const stored = async (k: string, withSecond: boolean): Promise<ModelSource> => {
      const metaKey = sidecarPath(k);
      const metaBytes = await get(metaKey);
      if (!metaBytes) throw new InvalidModelError(`model metadata ${kind}:${metaKey} not found`);
      const metadata = parseModelMetadata(JSON.parse(new TextDecoder().decode(metaBytes)));
      const load = async () => {
        const bytes = await get(k);
        if (!bytes) throw new InvalidModelError(`model ${kind}:${k} not found`);
        return bytes;
      };
      const second = withSecond && metadata.secondLook ? await stored(k.slice(0, k.lastIndexOf('/') + 1) + metadata.secondLook.model, false) : undefined;
      return { name: `${kind}:${k}`, metadata, load, ...(second ? { secondLook: second } : {}) };
    };
    return stored(key, true);
  }
  if (!bundled.model || bundled.metadata === undefined) {
    throw new InvalidModelError('no model: none is bundled and MODEL_KEY with an R2 or KV binding is not configured');
  }
  return bundledSource(bundled);
}
