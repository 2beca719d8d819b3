import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { choiceFlag, intFlag, parseFlags, type Command } from '../command/args.ts';
import { seedFlag } from '../command/seed-flag.ts';
import { UsageError } from '../command/usage-error.ts';
import { workersFlag } from '../command/workers-flag.ts';
import { writeDataset } from './dataset-writer.ts';
import type { ImageFormat } from './encode.ts';
import { CAPTCHA_STYLES, resolveCaptchaOptions, type CaptchaOptions } from './options.ts';

const help = `Usage: captcha-ocr generate (--out DIR | --zip FILE) --count N [options]

Writes N CAPTCHA images drawn like the Python \`captcha\` library's ImageCaptcha,
0.png, 1.png, ... and labels.txt (line i = text of image i), into DIR or a zip FILE.
Image i depends only on (seed, i, options): the same seed gives the same bytes.

Options:
  --out DIR            output folder
  --zip FILE           write the same layout into a zip file instead
  --count N            number of images (required)
  --style S            library behaviour: 0.2 (the seed's era), 0.3, 0.7 (default)
  --width W            image width (default 160)
  --height H           image height (default 60)
  --length L           text length, fixed (4, default) or a range (4-6)
  --charset CHARS      alphabet (default 0-9A-Z)
  --repeats            allow repeated characters (default: distinct, as random.sample)
  --no-noise           leave out the 30 noise dots and the arc (for studying what the
                       noise costs a model; the library always draws them)
  --fonts F1,F2        font files (.ttf, .otf, .woff, .woff2; default: bundled Droid Sans Mono)
  --format png|jpg     image format (default png)
  --quality Q          JPEG quality 1-100 (default 75)
  --seed S             seed, 0 to 4294967295 (default: random, printed so that the run
                       can be repeated)
  --workers N|auto     worker threads besides the main one, which draws too (0 = the main
                       thread alone; up to 256; default auto: cores - 1 from 5,000 images,
                       else 0)
  --quiet              no progress lines
  -h, --help           this help

Example:
  captcha-ocr generate --out data/train --count 51200 --style 0.2 --seed 7`;

function parseLength(value: string | undefined): { minLength?: number; maxLength?: number } {
  if (value === undefined) return {};
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(value);
  if (!m) throw new UsageError(`--length must be N or MIN-MAX, got ${JSON.stringify(value)}`);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo < 1 || hi > 64 || lo > hi) throw new UsageError(`--length must satisfy 1 <= MIN <= MAX <= 64, got ${JSON.stringify(value)}`);
  return { minLength: lo, maxLength: hi };
}

function formatSeconds(s: number): string {
  return s < 90 ? `${Math.round(s)}s` : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

export const generateCommand: Command = {
  summary: 'generate a labelled CAPTCHA data set',
  help,
  async run(argv) {
    const { values } = parseFlags(argv, {
      out: { type: 'string' },
      zip: { type: 'string' },
      count: { type: 'string' },
      style: { type: 'string' },
      width: { type: 'string' },
      height: { type: 'string' },
      length: { type: 'string' },
      charset: { type: 'string' },
      repeats: { type: 'boolean' },
      'no-noise': { type: 'boolean' },
      fonts: { type: 'string' },
      format: { type: 'string' },
      quality: { type: 'string' },
      seed: { type: 'string' },
      workers: { type: 'string' },
      quiet: { type: 'boolean' },
    });
    if (values.out === undefined && values.zip === undefined) throw new UsageError('--out DIR or --zip FILE is required');
    if (values.out !== undefined && values.zip !== undefined) throw new UsageError('--out and --zip exclude each other');
    if (values.count === undefined) throw new UsageError('--count is required');
    const count = intFlag('count', values.count, 1, 100_000_000)!;
    const format = choiceFlag<ImageFormat>('format', values.format, ['png', 'jpg']) ?? 'png';
    const quality = intFlag('quality', values.quality, 1, 100) ?? 75;
    if (values.quality !== undefined && format !== 'jpg') throw new UsageError('--quality applies to --format jpg only');
    const seedGiven = seedFlag(values.seed);
    const seed = seedGiven ?? randomInt(0, 2 ** 31);
    const options: Partial<CaptchaOptions> = {
      seed,
      style: choiceFlag('style', values.style, CAPTCHA_STYLES),
      width: intFlag('width', values.width, 8, 4096),
      height: intFlag('height', values.height, 8, 4096),
      ...parseLength(values.length),
      charset: values.charset,
      distinct: values.repeats ? false : undefined,
      ...(values['no-noise'] ? { noiseDots: 0, noiseCurve: false } : {}),
      fonts: values.fonts
        ?.split(',')
        .map((f) => f.trim())
        .filter(Boolean),
    };
    for (const k of Object.keys(options) as (keyof CaptchaOptions)[]) if (options[k] === undefined) delete options[k];
    try {
      resolveCaptchaOptions(options);
    } catch (e) {
      const flag = /^(minLength|maxLength)/.test((e as Error).message) ? 'length' : /^charset/.test((e as Error).message) ? 'charset' : '';
      throw new UsageError(`${flag ? `--${flag}: ` : ''}${(e as Error).message}`);
    }
    for (const f of options.fonts ?? []) if (!existsSync(f)) throw new UsageError(`--fonts: font file not found: ${f}`);
    const workers = workersFlag(values.workers);
    if (seedGiven === undefined) console.error(`generate: seed ${seed} (pass --seed ${seed} to repeat this run)`);
    const t0 = performance.now();
    let last = t0;
    const progress = !values.quiet && count >= 1000;
    try {
      await writeDataset({
        captcha: options,
        count,
        outDir: values.out,
        zipFile: values.zip,
        format,
        quality,
        workers,
        onProgress: (done, total) => {
          const now = performance.now();
          if (!progress || (now - last < 1000 && done < total)) return;
          last = now;
          const rate = done / ((now - t0) / 1000);
          console.error(`generate: ${done}/${total} images (${Math.floor((100 * done) / total)}%), ${Math.round(rate)} images/s, ETA ${formatSeconds((total - done) / rate)}`);
        },
      });
    } catch (e) {
      if (e instanceof RangeError) throw new UsageError(e.message);
      throw e;
    }
    const secs = (performance.now() - t0) / 1000;
    console.error(`generate: wrote ${count} images and labels.txt to ${values.zip ?? values.out} in ${secs.toFixed(1)}s (${Math.round(count / secs)} images/s)`);
    return 0;
  },
};
