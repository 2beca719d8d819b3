import { join } from 'node:path';
import { validateCharset } from '../core/charset.ts';
import { hasCheckpoint, readCheckpointState, type TrainState } from './checkpoint.ts';
import { runAlphabet, type RunAlphabet } from './data/data-labels.ts';
import { readLabelledSet } from './data/labelled-data.ts';
import type { StoredSettings, TrainSettings } from './settings.ts';

/** What a run is, before anything is set up: its settings, the checkpoint it continues, its alphabet. */
export interface ResolvedRun {
  readonly settings: TrainSettings;
  /** The checkpoint a resumed run continues (`--resume`). */
  readonly state?: TrainState;
  /** A fresh `--data` run: the alphabet and lengths of its labels. */
  readonly alphabet?: RunAlphabet;
  /** The alphabet asked for (`--charset`, else the labels'); none: the `--init` model's or the default. */
  readonly charset?: string;
}

/**
 * Resolves a run: on `resume` the checkpoint's settings with what may change on resume taken
 * from `requested`; for a fresh `--data` run the alphabet and lengths of the labels.
 */
export async function resolveRun(requested: TrainSettings, resume: boolean): Promise<ResolvedRun> {
  let state: TrainState | undefined;
  if (resume) {
    if (!(await hasCheckpoint(requested.out))) throw new Error(`--resume: no checkpoint in ${join(requested.out, 'checkpoint')}`);
    state = await readCheckpointState(requested.out);
  }
  const settings = state ? resumedSettings(requested, state.settings) : requested;
  // The alphabet and the lengths: --charset, else the --data labels' (read before anything else:
  // a label the run cannot use is refused before a backend or a model is set up).
  const alphabet = !state && settings.data ? runAlphabet(settings.data, readLabelledSet(settings.data).images.map((i) => ({ file: i.entry.name, label: i.label })), settings.charset, settings.maxLength) : undefined;
  const charset = settings.charset ?? alphabet?.charset;
  if (charset !== undefined) validateCharset(charset);
  return { settings, state, alphabet, charset };
}

/** A resumed run's settings: the checkpoint's, with the folder, engine, threads, step cap and budget as asked now. */
function resumedSettings(requested: TrainSettings, stored: StoredSettings): TrainSettings {
  return {
    ...stored,
    out: requested.out,
    maxSteps: requested.keepMaxSteps ? stored.maxSteps : requested.maxSteps,
    backend: requested.backend,
    providers: requested.providers,
    workers: requested.workers,
    keepMaxSteps: undefined,
    // A new budget may be given on resume; the checkpoint's elapsed time counts against it.
    maxMinutes: requested.maxMinutes ?? stored.maxMinutes,
    evalEverySeconds: requested.evalEverySeconds ?? stored.evalEverySeconds,
  };
}
