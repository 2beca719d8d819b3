import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidModelError } from '../../core/errors.ts';
import { concatBytes, type TfjsArtifacts, type WeightSpec } from '../../core/tfjs-artifacts.ts';

/** A decoded weight: float values in tfjs order (row-major, tfjs shape). */
export interface Weight {
  readonly shape: number[];
  readonly values: Float32Array;
}

/** Reads `DIR/model.json` and the weight shards it lists. */
export async function readArtifactsFromDir(dir: string): Promise<TfjsArtifacts> {
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new InvalidModelError(`model directory not found: ${dir}`);
  const jsonPath = join(dir, 'model.json');
  let json: { format?: string; modelTopology?: unknown; weightsManifest?: { paths: string[]; weights: WeightSpec[] }[] };
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8'));
  } catch (error) {
    throw new InvalidModelError(`cannot read ${jsonPath}: ${(error as Error).message}`, { cause: error });
  }
  if (json.format && json.format !== 'layers-model') {
    throw new InvalidModelError(`${jsonPath} is a tfjs "${json.format}", not a layers model (only layers models convert)`);
  }
  if (!json.modelTopology) throw new InvalidModelError(`${jsonPath} has no modelTopology`);
  const specs: WeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  for (const group of json.weightsManifest ?? []) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      try {
        chunks.push(new Uint8Array(await readFile(join(dir, p))));
      } catch (error) {
        throw new InvalidModelError(`cannot read weight file ${join(dir, p)}: ${(error as Error).message}`, { cause: error });
      }
    }
  }
  return { modelTopology: json.modelTopology, weightSpecs: specs, weightData: concatBytes(chunks) };
}

const bytesPer: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Decodes every weight (dequantising uint8/uint16/float16 quantised weights) into float32. */
export function decodeWeights(specs: readonly WeightSpec[], data: Uint8Array): Map<string, Weight> {
  const out = new Map<string, Weight>();
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  for (const spec of specs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const stored = spec.quantization?.dtype ?? spec.dtype;
    const size = bytesPer[stored];
    if (!size) throw new InvalidModelError(`weight ${spec.name}: unsupported dtype ${stored}`);
    if (offset + count * size > data.byteLength) throw new InvalidModelError(`weight data is shorter than the manifest says (at ${spec.name})`);
    const values = new Float32Array(count);
    const q = spec.quantization;
    for (let i = 0; i < count; i++) {
      const o = offset + i * size;
      if (stored === 'float32') values[i] = view.getFloat32(o, true);
      else if (stored === 'int32') values[i] = view.getInt32(o, true);
      else if (stored === 'bool') values[i] = view.getUint8(o);
      else if (stored === 'float16') values[i] = float16ToFloat32(view.getUint16(o, true));
      else {
        const raw = stored === 'uint8' ? view.getUint8(o) : view.getUint16(o, true);
        values[i] = raw * (q?.scale ?? 1) + (q?.min ?? 0);
      }
    }
    out.set(spec.name, { shape: [...spec.shape], values });
    offset += count * size;
  }
  return out;
}

export function float16ToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
