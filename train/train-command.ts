import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CAPTCHA_STYLES, type CaptchaStyle } from '../captcha/options.ts';
import { choiceFlag, intFlag, numberFlag, parseFlags, type Command } from '../command/args.ts';
import { UsageError } from '../command/usage-error.ts';
import { validateCharset } from '../core/charset.ts';
import { providersFlag } from '../command/providers-flag.ts';
import { seedFlag } from '../command/seed-flag.ts';
import { BACKEND_CHOICES } from './backend.ts';
import { TrainingDataError } from './data/data-labels.ts';
import { ARCHITECTURES } from './models/registry.ts';
import type { WorkersChoice } from './parallel/worker-count.ts';
import { MODEL_JSON } from './model-io.ts';
import { DEFAULT_SETTINGS, type TrainSettings } from './settings.ts';
import type { TrainEvent } from './train-events.ts';
import { train } from './trainer.ts';
import type { Focus, Twins } from './data/data-mix.ts';

const HELP = `Usage: captcha-ocr train --out DIR [options]

Trains a model on CAPTCHAs generated on the fly (or on a labelled folder/zip) and exports
DIR/model.json + DIR/weights.bin + DIR/metadata.json (the best model on the validation set).
DIR/checkpoint/ holds the latest checkpoint; Ctrl-C saves one and exits.

Options:
  --out DIR              output folder (required)
  --model NAME           default | seed                      (default: default)
  --backend NAME         auto | tensorflow | ort | wasm | cpu (default: auto: tfjs-node-gpu,
                         then tfjs-node, then ort (onnxruntime-node runs the training graphs),
                         else wasm with the project's gradient kernels)
  --providers LIST       onnxruntime execution providers for ort, e.g. cuda,cpu (default cpu);
                         an unavailable one falls back to cpu with a warning
  --replicas N|auto      data-parallel copies of the model, one training thread each (1 = on
                         the main thread; default: auto = CPU cores, at most 4, on wasm; on
                         ort the cores, at most one per 16 images of the batch, 1 on a GPU;
                         1 on the native backend). On wasm the run is the same for any N; on
                         ort each replica batch-normalises its own share (--replicas 1 for the
                         whole batch's statistics). A checkpoint resumes with any --replicas
                         (--workers is its old name)
  --batch-size B         images per step                     (default: 32)
  --max-steps N          stop after N steps and export       (default: 40000; with
                         --max-minutes, no limit)
  --max-minutes N        train for at most N minutes of wall time (from the start, reading the
                         data included), then export the best model. The learning-rate schedule
                         is fitted to the budget: once the step rate is measured (wall clock,
                         evaluations included, from the 10th step on, over 10 steps and 5 s at
                         least), its total steps are re-planned
                         after every step as steps done + rate x time left, so the cosine decay
                         ends at the deadline; the time the last evaluation and checkpoint took is
                         kept free for the final ones. Progress shows the time left; validation
                         runs about every tenth of the budget unless --eval-every is given
  --lr X                 peak Adam learning rate (default: 0.003, seed model 0.001;
                         linear warm-up, cosine decay over the last 30 %)
  --decay F              share of the steps under the final cosine decay (default: 0.3)
  --warmup-steps N       linear warm-up steps                (default: 100)
  --styles LIST          generator styles to train on, e.g. 0.7,0.3 (default: all of the mix)
  --max-length N         longest text the default model reads (default: the longest label
                         with --data, else the --init model's, else 8)
  --charset CHARS        the model's alphabet, case-sensitive (default: every character of the
                         --data labels, in code point order, e.g. 0-9A-Za-z; else the --init
                         model's; else 0-9A-Z). A label with a character outside it is refused.
                         With --init and another alphabet the backbone is carried over and the
                         output layer rebuilt: the classes of shared characters and the CTC
                         blank are copied, new characters start fresh
  --data PATH            train on a labelled folder or zip, read as \`captcha-ocr score\` reads it
                         (labels.csv, labels.txt line i = image i.*, or labels in file names)
                         and decoded as the server decodes; 1/10 of it (at most
                         --validation-size) is held out for validation
  --init DIR             start from a saved model (fine-tuning)
  --input HxW            input size of the default model, e.g. 64x160 (default: 48x128, or
                         the --init model's). With --init at another size the saved weights
                         are carried over (the full-height kernel is resampled)
  --channels C1,...,C5   channels of the default model's five conv blocks (default:
                         16,32,48,64,64, or the --init model's)
  --sequence-channels N  channels of the height collapse and the convolutions along the
                         width (default: 128, or the --init model's)
  --sequence-layers N    convolutions along the width (default: 2, or the --init model's).
                         With --init these grow the saved model: more channels or layers,
                         never fewer; it starts out computing exactly what the saved one did
  --resume               continue DIR/checkpoint exactly (same settings; --max-steps may change)
  --eval-every N         validate every N steps (default: 500, or a tenth of --max-minutes;
                         0 = only at the end)
  --checkpoint-every N   checkpoint every N steps (default: 500)
  --validation-size N    validation images (default: 1024; fixed seed)
  --seed N               data and initialisation seed, 0 to 4294967295 (default: 1)
  --no-augment           no border/photometric augmentation
  --focus CHARS[:P[:N]]  emphasise characters the model confuses: a share P (default 0.3)
                         of the training images gets N (default 1) of CHARS, e.g. --focus 0O:0.4;
                         distinct texts hold each at most once, so 0O:0.5:2 puts a zero and an O
                         into the same image (validation images are never focused)
  --twins AB[:P]         twin images: a share P (default 0.3) of the pairs of training images are
                         one CAPTCHA drawn twice, the second with A and B swapped (texts with an A
                         or a B), augmented alike, e.g. --twins 0O:0.3 (never in validation)
  --json                 one JSON object per line (progress, evals, summary last)
`;

function parseFocus(value: string | undefined): Focus | undefined {
  if (value === undefined) return undefined;
  const [chars, share, count, ...extra] = value.split(':');
  const probability = share === undefined ? 0.3 : Number(share);
  const n = count === undefined ? 1 : Number(count);
  if ([...chars].length === 0) throw new UsageError('--focus: give the characters, e.g. --focus 0O:0.3');
  if (extra.length > 0) throw new UsageError(`--focus: expected CHARS[:P[:N]], got ${JSON.stringify(value)}`);
  if (!(probability > 0 && probability <= 1)) throw new UsageError(`--focus: the share must be in (0, 1], got ${JSON.stringify(share)}`);
  if (!(Number.isInteger(n) && n >= 1 && n <= 8)) throw new UsageError(`--focus: the count must be a whole number from 1 to 8, got ${JSON.stringify(count)}`);
  return n === 1 ? { chars, probability } : { chars, probability, count: n };
}

function parseTwins(value: string | undefined): Twins | undefined {
  if (value === undefined) return undefined;
  const [chars, share, ...extra] = value.split(':');
  const probability = share === undefined ? 0.3 : Number(share);
  if ([...chars].length !== 2 || new Set(chars).size !== 2 || extra.length > 0) throw new UsageError(`--twins: expected two different characters and an optional share, e.g. --twins 0O:0.3, got ${JSON.stringify(value)}`);
  if (!(probability > 0 && probability <= 1)) throw new UsageError(`--twins: the share must be in (0, 1], got ${JSON.stringify(share)}`);
  return { chars, probability };
}

/** `--replicas N|auto` (1-64), or the same under its old name `--workers` (older command lines keep working). */
function replicasFlag(replicas: string | undefined, workers: string | undefined): WorkersChoice {
  if (replicas !== undefined && workers !== undefined) throw new UsageError('--workers is the old name of --replicas: give one of them');
  const flag = replicas !== undefined ? 'replicas' : 'workers';
  const value = replicas ?? workers;
  return value === undefined || value === 'auto' ? 'auto' : intFlag(flag, value, 1, 64)!;
}

function parseInput(value: string | undefined): { height: number; width: number } | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)x(\d+)$/.exec(value.trim());
  if (!m) throw new UsageError(`--input: expected HEIGHTxWIDTH, e.g. 64x160, got ${JSON.stringify(value)}`);
  const height = Number(m[1]);
  const width = Number(m[2]);
  if (height < 16 || height > 256 || height % 8 !== 0 || width < 16 || width > 1024 || width % 8 !== 0) throw new UsageError(`--input: height must be 16-256 and width 16-1024, both multiples of 8 (got ${value})`);
  return { height, width };
}

function parseChannels(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((c) => c.trim());
  const channels = parts.map(Number);
  if (channels.length !== 5 || !channels.every((c) => Number.isInteger(c) && c >= 1 && c <= 1024)) {
    throw new UsageError(`--channels: expected five whole numbers 1-1024, one per conv block, e.g. 16,32,48,64,64 (got ${JSON.stringify(value)})`);
  }
  return channels;
}

function parseStyles(value: string | undefined): CaptchaStyle[] | undefined {
  if (value === undefined) return undefined;
  const styles = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of styles) if (!(CAPTCHA_STYLES as readonly string[]).includes(s)) throw new UsageError(`--styles: unknown style ${JSON.stringify(s)} (use ${CAPTCHA_STYLES.join(', ')})`);
  if (styles.length === 0) throw new UsageError('--styles is empty');
  return styles as CaptchaStyle[];
}

function charsetFlag(value: string): string {
  try {
    return validateCharset(value);
  } catch (error) {
    throw new UsageError(`--charset: ${(error as Error).message}`);
  }
}

function formatEvent(e: TrainEvent): string | undefined {
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
  switch (e.event) {
    case 'backend':
      return `backend: ${e.backend} (${e.notes.join('; ')})`;
    case 'model':
      return `model: ${e.architecture}, ${e.parameters.toLocaleString('en')} parameters, ${e.mflopsPerImage.toFixed(0)} MFLOP/image, input ${JSON.stringify(e.input)}, output ${JSON.stringify(e.output)}`;
    case 'data': {
      const unusable = e.unusable ?? 0;
      const examples = e.unusableExamples ?? [];
      const left = unusable > 0 ? `; ${unusable} image${unusable === 1 ? '' : 's'} left out (${examples.slice(0, 3).map((u) => `${u.file}: ${u.reason}`).join('; ')}${unusable > 3 ? '; ...' : ''})` : '';
      return `data: ${e.source}, training images ${e.trainingImages}, validation ${e.validationImages}${e.source === 'generator' ? '' : ' (held out)'}${left}`;
    }
    case 'progress': {
      const duration = (seconds: number) => (seconds >= 3600 ? `${(seconds / 3600).toFixed(1)} h` : seconds >= 60 ? `${(seconds / 60).toFixed(1)} min` : `${seconds} s`);
      // With a time budget: the steps the schedule plans for (once the rate is measured) and the time left.
      const of = e.secondsLeft !== undefined ? (e.plannedSteps === undefined ? '' : `/~${e.plannedSteps}`) : `/${e.maxSteps}`;
      const left = e.secondsLeft !== undefined ? `time left ${duration(e.secondsLeft)}` : `ETA ${duration(e.etaSeconds)}`;
      return `step ${e.step}${of}  loss ${e.loss.toFixed(4)}  acc ${pct(e.accuracy)}  lr ${e.learningRate.toExponential(2)}  ${e.imagesPerSecond.toFixed(1)} img/s  ${left}`;
    }
    case 'eval':
      return `eval @ step ${e.step}${e.epoch === undefined ? '' : ` (epoch ${e.epoch.toFixed(1)})`}: whole text ${pct(e.accuracy)}, characters ${pct(e.characterAccuracy)}, per position ${e.perPosition.map(pct).join(' ')}`;
    case 'best':
      return `  new best (${pct(e.accuracy)}): exported`;
    case 'checkpoint':
      return `checkpoint @ step ${e.step} (${e.seconds.toFixed(1)} s)`;
    case 'engine':
      return `engine: onnxruntime ${e.provider} provider, ${e.threads} thread${e.threads === 1 ? '' : 's'} per session${e.note ? ` (${e.note})` : ''}`;
    case 'workers':
      return `replicas: ${e.workers} training thread${e.workers === 1 ? '' : 's'}${e.workers === 1 ? '' : ' (data-parallel)'}${e.note ? ` (${e.note})` : ''}`;
    case 'transfer': {
      const classes = e.classes;
      return (
        `transfer: input ${JSON.stringify(e.from)} -> ${JSON.stringify(e.to)}, ${e.copied} layers copied, resampled ${e.resampled.join(', ') || 'none'}` +
        `, widened ${e.widened.join(', ') || 'none'}, added ${e.added.join(', ') || 'none'}` +
        (classes ? `; output layer rebuilt for ${[...classes.to].length} characters: ${classes.shared} shared and the blank copied, new ${classes.added || 'none'}, dropped ${classes.dropped || 'none'}` : '')
      );
    }
    case 'alphabet':
      return `alphabet: ${[...e.charset].length} characters ${e.charset} (from ${e.source === 'labels' ? 'the labels' : '--charset'}), lengths ${e.minLength}-${e.maxLength}, ${e.labels} labelled images`;
    case 'resume':
      return `resumed at step ${e.step}`;
    case 'interrupt':
      return 'interrupted: saving a checkpoint, then exiting (Ctrl-C again to abort)';
    default:
      // The summary (`done`): the command prints its own line for it, so this is only a fallback.
      return JSON.stringify(e);
  }
}

export const trainCommand: Command = {
  summary: 'train a model (onnxruntime engine, wasm or tfjs-node backends; data generated on the fly)',
  help: HELP,
  async run(argv) {
    const { values } = parseFlags(argv, {
      out: { type: 'string' },
      model: { type: 'string' },
      backend: { type: 'string' },
      providers: { type: 'string' },
      replicas: { type: 'string' },
      workers: { type: 'string' },
      'batch-size': { type: 'string' },
      'max-steps': { type: 'string' },
      'max-minutes': { type: 'string' },
      lr: { type: 'string' },
      'warmup-steps': { type: 'string' },
      styles: { type: 'string' },
      'max-length': { type: 'string' },
      charset: { type: 'string' },
      data: { type: 'string' },
      init: { type: 'string' },
      input: { type: 'string' },
      channels: { type: 'string' },
      'sequence-channels': { type: 'string' },
      'sequence-layers': { type: 'string' },
      resume: { type: 'boolean' },
      'eval-every': { type: 'string' },
      'checkpoint-every': { type: 'string' },
      'validation-size': { type: 'string' },
      seed: { type: 'string' },
      'no-augment': { type: 'boolean' },
      focus: { type: 'string' },
      twins: { type: 'string' },
      decay: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (!values.out) throw new UsageError('--out DIR is required');
    if (values.focus !== undefined && values.data) throw new UsageError('--focus shapes generated data: it cannot be used with --data');
    if (values.twins !== undefined && values.data) throw new UsageError('--twins shapes generated data: it cannot be used with --data');
    const shapeFlags = (['channels', 'sequence-channels', 'sequence-layers'] as const).filter((f) => values[f] !== undefined);
    if (values.resume && (values.init || values.data || values.model || values.focus !== undefined || values.twins !== undefined || values.decay !== undefined || values.input !== undefined || shapeFlags.length > 0)) {
      throw new UsageError('--resume continues the checkpoint as it was: drop --init/--data/--model/--focus/--twins/--decay/--input/--channels/--sequence-*');
    }
    if (values.init && !existsSync(join(values.init, MODEL_JSON))) throw new UsageError(`--init: no ${MODEL_JSON} in ${values.init} (give a folder that train wrote, e.g. models/tfjs)`);
    if (values.data && !existsSync(values.data)) throw new UsageError(`--data: ${values.data} does not exist (give a labelled folder or .zip)`);
    const architecture = choiceFlag('model', values.model, ARCHITECTURES) ?? DEFAULT_SETTINGS.architecture;
    const input = parseInput(values.input);
    if (input && architecture !== 'default') throw new UsageError(`--input sets the default model's size; the ${architecture} model's input is fixed`);
    if (shapeFlags.length > 0 && architecture !== 'default') throw new UsageError(`--${shapeFlags[0]} shapes the default model; the ${architecture} model is fixed`);
    const channels = parseChannels(values.channels);
    const sequenceChannels = intFlag('sequence-channels', values['sequence-channels'], 1, 4096);
    const sequenceLayers = intFlag('sequence-layers', values['sequence-layers'], 0, 16);
    const defaultModel = {
      ...input,
      ...(channels ? { channels } : {}),
      ...(sequenceChannels !== undefined ? { sequenceChannels } : {}),
      ...(sequenceLayers !== undefined ? { sequenceLayers } : {}),
    };
    const maxMinutes = numberFlag('max-minutes', values['max-minutes'], 0.01, 1e6);
    const settings: TrainSettings = {
      out: resolve(values.out),
      architecture,
      backend: choiceFlag('backend', values.backend, BACKEND_CHOICES) ?? DEFAULT_SETTINGS.backend,
      ...(values.providers !== undefined ? { providers: providersFlag(values.providers) } : {}),
      workers: replicasFlag(values.replicas, values.workers),
      batchSize: intFlag('batch-size', values['batch-size'], 1, 4096) ?? DEFAULT_SETTINGS.batchSize,
      // With a time budget the steps are unlimited unless --max-steps caps them.
      maxSteps: intFlag('max-steps', values['max-steps'], 1) ?? (maxMinutes !== undefined ? Number.MAX_SAFE_INTEGER : DEFAULT_SETTINGS.maxSteps),
      ...(maxMinutes !== undefined ? { maxMinutes } : {}),
      // With a time budget and no --eval-every: validate about every tenth of the budget.
      ...(maxMinutes !== undefined && values['eval-every'] === undefined ? { evalEverySeconds: maxMinutes * 6 } : {}),
      ...(values.resume && values['max-steps'] === undefined ? { keepMaxSteps: true } : {}),
      // The seed network has no batch norm: it wants the usual 1e-3.
      learningRate: numberFlag('lr', values.lr, 1e-7, 1) ?? (architecture === 'seed' ? 1e-3 : DEFAULT_SETTINGS.learningRate),
      warmupSteps: intFlag('warmup-steps', values['warmup-steps'], 0) ?? DEFAULT_SETTINGS.warmupSteps,
      styles: parseStyles(values.styles),
      ...(values['max-length'] !== undefined ? { maxLength: intFlag('max-length', values['max-length'], 1, 32) } : {}),
      ...(values.charset !== undefined ? { charset: charsetFlag(values.charset) } : {}),
      data: values.data ? resolve(values.data) : undefined,
      init: values.init ? resolve(values.init) : undefined,
      evalEvery: intFlag('eval-every', values['eval-every'], 0) ?? (maxMinutes !== undefined ? 0 : DEFAULT_SETTINGS.evalEvery),
      checkpointEvery: intFlag('checkpoint-every', values['checkpoint-every'], 0) ?? DEFAULT_SETTINGS.checkpointEvery,
      validationSize: intFlag('validation-size', values['validation-size'], 1, 1_000_000) ?? DEFAULT_SETTINGS.validationSize,
      seed: seedFlag(values.seed) ?? DEFAULT_SETTINGS.seed,
      augment: !values['no-augment'],
      ...(values.focus !== undefined ? { focus: parseFocus(values.focus) } : {}),
      ...(values.twins !== undefined ? { twins: parseTwins(values.twins) } : {}),
      ...(values.decay !== undefined ? { decayFraction: numberFlag('decay', values.decay, 0, 1) } : {}),
      ...(Object.keys(defaultModel).length > 0 ? { defaultModel } : {}),
    };
    const json = values.json ?? false;
    const log = (e: TrainEvent) => {
      if (json) {
        process.stdout.write(`${JSON.stringify(e)}\n`);
      } else {
        const line = formatEvent(e);
        if (line) process.stderr.write(`${line}\n`);
      }
    };
    let stop = false;
    const onSigint = () => {
      if (stop) process.exit(130);
      stop = true;
      log({ event: 'interrupt' });
    };
    // Ctrl-C or `kill` (SIGTERM): save a checkpoint and exit cleanly; a second signal exits at once.
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    try {
      const summary = await train(settings, values.resume ?? false, { log, shouldStop: () => stop }).catch((error: unknown) => {
        throw error instanceof TrainingDataError ? new UsageError(error.message) : error;
      });
      if (json) {
        log({ ...summary });
      } else {
        const v = summary.validation;
        process.stdout.write(
          `${summary.interrupted ? 'interrupted' : summary.timeUp ? 'time budget spent' : 'done'}: ${summary.steps} steps, ${summary.imagesSeen} images, ${summary.imagesPerSecond.toFixed(1)} images/s on ${summary.backend}` +
            `${summary.workers > 1 ? ` (${summary.workers} replicas)` : ''}` +
            `${v ? `; validation ${(100 * v.accuracy).toFixed(2)}% whole text, ${(100 * v.characterAccuracy).toFixed(2)}% characters` : ''}; model in ${summary.out}` +
            `${summary.interrupted ? ' (continue with --resume)' : ''}\n`,
        );
      }
      return 0;
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    }
  },
};
