import { readFile } from 'node:fs/promises';
import type { Command } from '../command/args.ts';
import { parseFlags } from '../command/args.ts';
import { UsageError } from '../command/usage-error.ts';
import { errorItem } from '../core/error-response.ts';
import { CaptchaOcrError } from '../core/errors.ts';
import { CHARSET_FLAG, CHARSET_HELP, charsetOption, cliRecognizer, MODEL_FLAGS, MODEL_HELP } from './cli-recognizer.ts';

const BATCH = 64;

export const decodeCommand: Command = {
  summary: 'read the text of CAPTCHA images',
  help: `Usage: captcha-ocr decode FILE... [--model M] [--charset CHARS] [--json] [--providers LIST] [--workers N|auto]

Reads each image (PNG, JPEG, GIF, WebP, BMP) with the model, exactly as POST /decode does.
Prints "FILE<TAB>TEXT<TAB>CONFIDENCE" per image, or with --json one JSON object per line:
{"file", "text", "confidence", "characters": [{"char", "confidence"}]}; a file that cannot be read
prints {"file", "error": {"code", "message"}} and the exit code is 1.

Options:
${MODEL_HELP}
                    (decode runs on the main thread unless --workers or $ORT_WORKERS says otherwise)
${CHARSET_HELP}
  --json            one JSON object per line`,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { ...MODEL_FLAGS, ...CHARSET_FLAG, json: { type: 'boolean' } }, true);
    if (positionals.length === 0) throw new UsageError('give at least one image FILE');
    const { recognizer } = await cliRecognizer(values, 0);
    const predict = await charsetOption(recognizer, values.charset);
    let failures = 0;
    for (let start = 0; start < positionals.length; start += BATCH) {
      const files = positionals.slice(start, start + BATCH);
      const read = await Promise.all(files.map((f) => readFile(f).then((b) => new Uint8Array(b) as Uint8Array | Error, (e: Error) => e)));
      const readable = read.map((r, i) => ({ r, i })).filter((x): x is { r: Uint8Array; i: number } => !(x.r instanceof Error));
      const results = await recognizer.recognizeMany(readable.map((x) => x.r), predict);
      const out: unknown[] = read.map((r) => r);
      readable.forEach((x, k) => (out[x.i] = results[k]));
      files.forEach((file, i) => {
        const r = out[i];
        if (r instanceof Error) {
          failures++;
          const error = r instanceof CaptchaOcrError ? errorItem(r) : { code: 'unreadable_file', message: r.message };
          if (values.json) console.log(JSON.stringify({ file, error }));
          else console.error(`${file}: ${error.message}`);
        } else {
          const t = r as { text: string; confidence: number; characters: unknown };
          if (values.json) console.log(JSON.stringify({ file, text: t.text, confidence: t.confidence, characters: t.characters }));
          else console.log(`${file}\t${t.text}\t${t.confidence.toFixed(4)}`);
        }
      });
    }
    await recognizer.dispose();
    return failures > 0 ? 1 : 0;
  },
};
