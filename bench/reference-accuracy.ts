// Accuracy of a model on the real library's reference CAPTCHAs (../shared/captcha-reference:
// v071-4, v03-4, v022-4-jpg, v071-4to6; 500 images each, never used in training), through the
// same scoring code as POST /score. Prints a Markdown table (the model card's) and, with --json,
// one JSON line per set.
// Usage: node --import tsx bench/reference-accuracy.ts [--model models/captcha-ocr.onnx] [--reference DIR] [--json]
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { scoreEntries } from '../functions/app/score-archive.ts';
import { cliRecognizer } from '../functions/node/cli-recognizer.ts';
import { folderEntries } from '../functions/node/folder-entries.ts';

const { values } = parseArgs({ options: { model: { type: 'string' }, reference: { type: 'string' }, json: { type: 'boolean' } } });
const reference = resolve(values.reference ?? join(import.meta.dirname, '..', '..', 'shared', 'captcha-reference'));
const sets = ['v071-4', 'v03-4', 'v022-4-jpg', 'v071-4to6'];
if (!existsSync(reference)) {
  console.error(`reference-accuracy: no reference folder at ${reference} (pass --reference DIR)`);
  process.exit(2);
}
const { recognizer, limits } = await cliRecognizer({ model: values.model });
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
const rows: string[] = [];
for (const set of sets) {
  const dir = join(reference, set);
  if (!existsSync(dir)) continue;
  const { report } = await scoreEntries(folderEntries(dir, limits.maxArchiveEntries), recognizer, {});
  const confusions = report.confusions.slice(0, 5).map((c) => `${c.truth}->${c.predicted} ${c.count}`).join(', ');
  if (values.json) console.log(JSON.stringify({ set, total: report.total, scored: report.scored, failed: report.failed.length, sequenceAccuracy: report.sequenceAccuracy, characterAccuracy: report.characterAccuracy, confusions: report.confusions.slice(0, 10) }));
  rows.push(`| ${set} | ${report.scored}/${report.total} | ${pct(report.sequenceAccuracy)} | ${pct(report.characterAccuracy)} | ${confusions} |`);
}
console.log(`\nmodel ${recognizer.predictor.metadata.name} (${values.model ?? 'models/captcha-ocr.onnx'})\n`);
console.log('| reference set | images | whole text | characters | top confusions (truth->read) |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
await recognizer.predictor.dispose?.();
