import { statSync, writeFileSync } from 'node:fs';
import type { Command } from '../command/args.ts';
import { parseFlags } from '../command/args.ts';
import { UsageError } from '../command/usage-error.ts';
import { limitsFromEnv } from '../core/limits.ts';
import type { ArchiveEntry } from '../core/archive.ts';
import { scoreEntries, type ScoreReport } from '../functions/app/score-archive.ts';
import { renderReportHtml, rowsToCsv } from '../functions/app/score-formats.ts';
import { CHARSET_FLAG, CHARSET_HELP, charsetOption, cliRecognizer, MODEL_FLAGS, MODEL_HELP } from './cli-recognizer.ts';
import { pathEntries } from '../functions/node/folder-entries.ts';

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

export function summaryText(r: ScoreReport): string {
  const lines = [
    `model ${r.model.name}: ${r.total} images, ${r.scored} scored, ${r.failed.length} failed (${r.elapsedMs} ms, ${r.imagesPerSecond} images/s)`,
    `sequence accuracy   ${pct(r.sequenceAccuracy)}`,
    `character accuracy  ${pct(r.characterAccuracy)}`,
    `character error rate ${pct(r.characterErrorRate)}`,
    `per position        ${r.positionAccuracy.map((p) => `${p.position + 1}:${pct(p.accuracy)}`).join(' ')}`,
  ];
  if (r.confusions.length) lines.push(`top confusions      ${r.confusions.slice(0, 10).map((c) => `${c.truth}->${c.predicted} (${c.count})`).join(', ')}`);
  for (const f of r.failed.slice(0, 20)) lines.push(`failed: ${f.file}: ${f.reason}`);
  if (r.failed.length > 20) lines.push(`... and ${r.failed.length - 20} more failed`);
  return lines.join('\n');
}

export const scoreCommand: Command = {
  summary: 'score the model on a labelled zip archive or folder',
  help: `Usage: captcha-ocr score ZIP|DIR [--model M] [--charset CHARS] [--json [--details] | --csv | --html FILE] [--providers LIST] [--workers N|auto]

Reads every image of the archive (or folder, e.g. the output of \`captcha-ocr generate\`) and
compares it with its label, exactly as POST /score does. Labels come from labels.csv
(file,label), labels.txt (line i is the text of image i.*), or the file name (AKNC.png, AKNC_17.jpg).

Options:
${MODEL_HELP}
${CHARSET_HELP}
  --json            print the POST /score JSON object
  --details         with --json: add one row per image
  --csv             print the per-image rows as CSV
  --html FILE       write the HTML report (with the misread images) to FILE
Limits from the environment as for the server (MAX_ARCHIVE_ENTRIES, MAX_UNCOMPRESSED_BYTES, ...).`,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { ...MODEL_FLAGS, ...CHARSET_FLAG, json: { type: 'boolean' }, details: { type: 'boolean' }, csv: { type: 'boolean' }, html: { type: 'string' } }, true);
    if (positionals.length !== 1) throw new UsageError('give exactly one ZIP file or folder');
    if ([values.json, values.csv, values.html !== undefined].filter(Boolean).length > 1) throw new UsageError('use only one of --json, --csv, --html');
    if (values.details && !values.json) throw new UsageError('--details goes with --json');
    const target = positionals[0];
    try {
      statSync(target);
    } catch {
      throw new UsageError(`no such file or folder: ${target}`);
    }
    // The archive is read before the model starts: a bad one fails fast, with no worker threads to stop.
    const limits = limitsFromEnv(process.env);
    const entries: ArchiveEntry[] = pathEntries(target, limits);
    const { recognizer } = await cliRecognizer(values);
    const predict = await charsetOption(recognizer, values.charset);
    try {
      const result = await scoreEntries(entries, recognizer, { details: values.details, predict });
      if (values.json) console.log(JSON.stringify(result.report, null, 2));
      else if (values.csv) process.stdout.write(rowsToCsv(result.rows));
      else {
        if (values.html !== undefined) {
          writeFileSync(values.html, renderReportHtml(result.report, result.rows, (file) => result.entryOf(file)?.read()));
          console.error(`wrote ${values.html}`);
        }
        console.log(summaryText(result.report));
      }
    } finally {
      // live worker threads would keep the process from exiting after an error
      await recognizer.dispose();
    }
    return 0;
  },
};
