import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CaptchaOcrError, InvalidModelError } from '../../core/errors.ts';
import { isModelFile, modelStem, sidecarPath } from '../../core/model-contract.ts';
import { DEFAULT_MODEL, type FailedModel, type ModelCatalog, type NamedModel } from '../app/model-catalog.ts';
import type { Predictor } from '../predictor.ts';
import { startModel } from './load-model.ts';

/** Default memory budget of a models folder: the process's RSS, models loaded (MiB). */
export const DEFAULT_MODELS_MAX_RSS_MB = 1024;

export interface ModelsDirOptions {
  /** Starts one model's predictor from its `.onnx` path (the server: worker threads; Lambda: the main thread). */
  readonly createPredictor: (modelPath: string) => Promise<Predictor>;
  /** No further model is loaded once the process's RSS plus one more model would pass this (bytes). */
  readonly maxRssBytes?: number;
  /** The process's resident set size in bytes (default process.memoryUsage.rss). */
  readonly rss?: () => number;
  readonly log?: (line: string) => void;
}

/** `$MODELS_MAX_RSS_MB` as bytes, else `defaultMb` MiB; a RangeError for a value that is not a positive number. */
export function modelsBudgetFromEnv(env: NodeJS.ProcessEnv, defaultMb = DEFAULT_MODELS_MAX_RSS_MB): number {
  const raw = env.MODELS_MAX_RSS_MB;
  if (raw === undefined || raw.trim() === '') return defaultMb * 1024 * 1024;
  const mb = Number(raw);
  if (!Number.isFinite(mb) || mb <= 0) throw new RangeError(`MODELS_MAX_RSS_MB must be a positive number of MiB, got ${JSON.stringify(raw)}`);
  return mb * 1024 * 1024;
}

const mib = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MiB`;

/** Why a model did not load, its files named relative to the folder (GET /models shows it). */
function reason(error: unknown, dir: string): FailedModel['error'] {
  const message = (error instanceof Error ? error.message : String(error)).split(join(dir, '/')).join('');
  return { code: error instanceof CaptchaOcrError ? error.code : 'invalid_model', message };
}

/** The file a model's metadata names as its second look, or undefined (none, or metadata that does not parse: the load reports that). */
function secondLookFile(modelPath: string): string | undefined {
  try {
    const model = (JSON.parse(readFileSync(sidecarPath(modelPath), 'utf8')) as { secondLook?: { model?: unknown } }).secondLook?.model;
    return typeof model === 'string' ? model : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every `NAME.onnx` of `dir` (metadata in `NAME.json` beside it, as for one model), loaded at start,
 * one after another: `default` first, then by name. A model that fails to load (a broken file, a
 * missing or invalid `.json`) is listed in `failed` with the reason and the others still load. The
 * memory budget is enforced by measurement: before each model after the first, the process's RSS
 * plus the largest RSS growth one model has caused so far must stay within `maxRssBytes`, else
 * that model is listed as failed (`memory_budget`). A model whose metadata names a second look
 * (`secondLook`) starts it too (load-model.ts `startModel`); that file is not served on its own.
 * Throws InvalidModelError when the folder
 * cannot be read, holds no `.onnx` file, or no model in it loads.
 */
export async function loadModelsDir(dir: string, options: ModelsDirOptions): Promise<ModelCatalog & { readonly models: NamedModel[]; readonly failed: FailedModel[] }> {
  const rss = options.rss ?? (() => process.memoryUsage.rss());
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => isModelFile(f) && statSync(join(dir, f)).isFile());
  } catch (error) {
    throw new InvalidModelError(`cannot read the models folder ${dir}: ${(error as Error).message}`, { cause: error });
  }
  if (files.length === 0) throw new InvalidModelError(`no NAME.onnx file in the models folder ${dir}`);
  // a file that another model names as its second look is served with that model, not on its own
  const seconds = new Set(files.map((f) => secondLookFile(join(dir, f))).filter((f) => f !== undefined));
  files = files.filter((f) => !seconds.has(f));
  files.sort((a, b) => Number(modelStem(b) === DEFAULT_MODEL) - Number(modelStem(a) === DEFAULT_MODEL) || (a < b ? -1 : a > b ? 1 : 0));

  const models: NamedModel[] = [];
  const failed: FailedModel[] = [];
  let perModel = 0;
  for (const file of files) {
    const name = modelStem(file);
    if (models.some((m) => m.name === name) || failed.some((f) => f.name === name)) {
      failed.push({ name, source: file, error: { code: 'invalid_model', message: `another file is also named ${name}.onnx (names differ only in case)` } });
      continue;
    }
    const before = rss();
    if (models.length > 0 && options.maxRssBytes !== undefined && before + perModel > options.maxRssBytes) {
      const message = `not loaded: the server uses ${mib(before)} and a model adds about ${mib(perModel)}, over the memory budget of ${mib(options.maxRssBytes)} (MODELS_MAX_RSS_MB)`;
      failed.push({ name, source: file, error: { code: 'memory_budget', message } });
      continue;
    }
    try {
      const { predictor, secondLook } = await startModel(join(dir, file), options.createPredictor);
      models.push({ name, source: file, predictor, ...(secondLook ? { secondLook } : {}) });
      perModel = Math.max(perModel, rss() - before);
    } catch (error) {
      failed.push({ name, source: file, error: reason(error, dir) });
    }
  }
  for (const f of failed) options.log?.(`captcha-ocr: model ${f.name} (${f.source}) not loaded: ${f.error.message}`);
  if (models.length === 0) throw new InvalidModelError(`no model in ${dir} could be loaded: ${failed.map((f) => `${f.source}: ${f.error.message}`).join('; ')}`);
  return { models, failed };
}
