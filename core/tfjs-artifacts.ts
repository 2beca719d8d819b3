/**
 * A tfjs layers model as bytes, and the one way the project carries one between tfjs, files and
 * threads: capture a live model's artifacts (no disk), join weight buffers into one, and hand
 * artifacts back to `tf.io.fromMemory`. Runtime-neutral: a model is anything with tfjs's
 * `save(handler)`, so no tfjs import is needed here (train/ and convert/ both use it).
 */
import { InvalidModelError } from './errors.ts';

/** One entry of a tfjs weights manifest. */
export interface WeightSpec {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: string;
  readonly quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

/** A tfjs layers model in memory: what `model.json` + shards hold, or what `LayersModel.save` hands to an IOHandler. */
export interface TfjsArtifacts {
  readonly modelTopology: unknown;
  readonly weightSpecs: readonly WeightSpec[];
  readonly weightData: Uint8Array;
  /** model.json's fields as tfjs fills them in when saving (absent where the source does not say). */
  readonly format?: string;
  readonly generatedBy?: string;
  readonly convertedBy?: string | null;
}

/** tfjs's weight data: one buffer or several (`tf.io.WeightData`). */
export type WeightBuffers = ArrayBuffer | readonly ArrayBuffer[];

/** What tfjs hands to a save handler (the fields read here). */
interface SavedArtifacts {
  readonly modelTopology?: unknown;
  readonly weightSpecs?: readonly WeightSpec[];
  readonly weightData?: WeightBuffers;
  readonly format?: string;
  readonly generatedBy?: string;
  readonly convertedBy?: string | null;
}

/** A model that saves through a handler: a tfjs `LayersModel`. */
export interface SavableModel {
  save(handler: { save(artifacts: SavedArtifacts): Promise<{ modelArtifactsInfo: { dateSaved: Date; modelTopologyType: 'JSON' } }> }): Promise<unknown>;
}

/** The chunks one after the other in a new array (its buffer holds exactly these bytes). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** tfjs weight data (one buffer or several, or none) as one new byte array. */
export function weightBytes(data: WeightBuffers | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const buffers = Array.isArray(data) ? (data as readonly ArrayBuffer[]) : [data as ArrayBuffer];
  return concatBytes(buffers.map((b) => new Uint8Array(b)));
}

/** A live model's artifacts, captured through a save handler (no disk). */
export async function captureArtifacts(model: SavableModel): Promise<TfjsArtifacts> {
  let captured: TfjsArtifacts | undefined;
  await model.save({
    save: async (a) => {
      captured = {
        modelTopology: a.modelTopology,
        weightSpecs: a.weightSpecs ?? [],
        weightData: weightBytes(a.weightData),
        ...(a.format !== undefined ? { format: a.format } : {}),
        ...(a.generatedBy !== undefined ? { generatedBy: a.generatedBy } : {}),
        ...(a.convertedBy !== undefined ? { convertedBy: a.convertedBy } : {}),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  if (!captured) throw new InvalidModelError('the model did not hand over its artifacts');
  return captured;
}

/** Artifacts as `tf.io.fromMemory` takes them: the weight bytes copied into a buffer of their own. */
export function memoryArtifacts(a: TfjsArtifacts): { modelTopology: object; weightSpecs: WeightSpec[]; weightData: ArrayBuffer } {
  return { modelTopology: a.modelTopology as object, weightSpecs: [...a.weightSpecs], weightData: a.weightData.slice().buffer };
}
