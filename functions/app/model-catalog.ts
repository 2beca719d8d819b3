import type { ErrorBody } from '../../core/error-response.ts';
import { InvalidModelError, ModelUnavailableError, UnknownModelError } from '../../core/errors.ts';
import type { Predictor } from '../predictor.ts';
import type { SecondLook } from './recognizer.ts';

/** The name a request without `?model=` asks for, and the name of a server's only model. */
export const DEFAULT_MODEL = 'default';

/** One model a server holds, picked by `?model=NAME`. */
export interface NamedModel {
  readonly name: string;
  readonly predictor: Predictor;
  /** Where it came from: the file (`site.onnx`), `bundled`, `r2:KEY`, ... */
  readonly source?: string;
  /** The second model its metadata names (`secondLook`), started beside it. */
  readonly secondLook?: SecondLook;
}

/** Frees a model's session and its second look's. */
export async function disposeModel(model: Pick<NamedModel, 'predictor' | 'secondLook'>): Promise<void> {
  await Promise.all([model.predictor.dispose?.(), model.secondLook?.predictor.dispose?.()]);
}

/** A model that could not be loaded (a broken file, a missing `.json`, the memory budget), and why. */
export interface FailedModel {
  readonly name: string;
  readonly source?: string;
  readonly error: ErrorBody['error'];
}

/** What the app serves: the loaded models and the ones that failed (listed by GET /models). */
export interface ModelCatalog {
  readonly models: readonly NamedModel[];
  readonly failed?: readonly FailedModel[];
}

/** `default` when a model (loaded or failed) has that name, else the only one, else none. */
export function defaultModelName(names: readonly string[]): string | undefined {
  if (names.includes(DEFAULT_MODEL)) return DEFAULT_MODEL;
  return names.length === 1 ? names[0] : undefined;
}

export interface ModelPicker<T> {
  /** The loaded models' names, sorted. */
  readonly names: readonly string[];
  readonly defaultName: string | undefined;
  /** The loaded model named `name` (absent or empty: the default); typed errors for the rest. */
  pick(name: string | undefined): T;
  /** The default model when it is loaded, else the first one. */
  primary(): T;
}

/**
 * Looks models up by name. An unknown name is a 404 `unknown_model`, a model that failed to load a
 * 503 `model_unavailable`; both bodies list the `available` names. `build` runs once per model.
 */
export function createModelPicker<T>(catalog: ModelCatalog, build: (model: NamedModel) => T): ModelPicker<T> {
  if (catalog.models.length === 0) throw new InvalidModelError('no model to serve');
  const built = new Map<string, T>();
  for (const m of catalog.models) {
    if (built.has(m.name)) throw new InvalidModelError(`two models are named ${JSON.stringify(m.name)}`);
    built.set(m.name, build(m));
  }
  const failed = new Map((catalog.failed ?? []).map((f) => [f.name, f]));
  const names = [...built.keys()].sort();
  const defaultName = defaultModelName([...names, ...failed.keys()]);
  const list = names.join(', ');
  return {
    names,
    defaultName,
    pick(name) {
      const wanted = name || defaultName;
      if (wanted === undefined) throw new UnknownModelError(`${names.length} models are served and none is named "${DEFAULT_MODEL}": pick one with ?model=NAME (available: ${list})`, names);
      const model = built.get(wanted);
      if (model !== undefined) return model;
      const broken = failed.get(wanted);
      if (broken) throw new ModelUnavailableError(`model ${JSON.stringify(wanted)} failed to load: ${broken.error.message} (available: ${list})`, names);
      throw new UnknownModelError(`no model named ${JSON.stringify(wanted)} (available: ${list})`, names);
    },
    primary: () => built.get(defaultName ?? '') ?? built.get(names[0])!,
  };
}
