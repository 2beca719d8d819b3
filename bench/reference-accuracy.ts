// Accuracy of a model on the real library's reference CAPTCHAs (../shared/captcha-reference:
// v071-4, v03-4, v022-4-jpg, v071-4to6; 500 images each, never used in training), through the
// same scoring code as POST /score. Prints a Markdown table (the model card's) and, with --json,
// one JSON line per set. --chars 0O adds a column: of the true 0s and Os, how many were read right
// (aligned matches, as in the report's per-character recall).
// Usage: node --import tsx bench/reference-accuracy.ts [--model models/captcha-ocr.onnx] [--reference DIR] [--chars CHARS] [--json]
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { scoreEntries } from '../functions/app/score-archive.ts';
import { cliRecognizer } from '../cli/cli-recognizer.ts';
import { folderEntries } from '../functions/node/folder-entries.ts';

const { values } = parseArgs({ options: { model: { type: 'string' }, reference: { type: 'string' }, chars: { type: 'string' }, json: { type: 'boolean' } } });
const reference = resolve(values.reference ?? join(import.meta.dirname, '..', '..', 'shared', 'captcha-reference'));
const sets = ['v071-4', 'v03-4', 'v022-4-jpg', 'v071-4to6'];
if (!existsSync(reference)) {
  console.error(`reference-accuracy: no reference folder at ${reference} (pass --reference DIR)`);
  process.exit(2);
}
const { recognizer, limits } = await cliRecognizer({ model: values.model });
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
const focus = [...(values.chars ?? '')];
// The model's worker threads keep the process alive: stop them however the run ends.
try {
  const rows: string[] = [];
  for (const set of sets) {
    const dir = join(reference, set);
    if (!existsSync(dir)) continue;
    const { report } = await scoreEntries(folderEntries(dir, limits.maxArchiveEntries), recognizer, {});
    const picked = report.characters.filter((c) => focus.includes(c.char));
    const support = picked.reduce((sum, c) => sum + c.support, 0);
    const correct = picked.reduce((sum, c) => sum + c.correct, 0);
    const focusCell = focus.length > 0 ? ` ${correct}/${support} (${pct(support === 0 ? 0 : correct / support)}) |` : '';
    const confusions = report.confusions.slice(0, 5).map((c) => `${c.truth}->${c.predicted} ${c.count}`).join(', ');
    if (values.json) console.log(JSON.stringify({ set, total: report.total, scored: report.scored, failed: report.failed.length, sequenceAccuracy: report.sequenceAccuracy, characterAccuracy: report.characterAccuracy, confusions: report.confusions.slice(0, 10), ...(focus.length > 0 ? { focus: { chars: values.chars, support, correct } } : {}) }));
    rows.push(`| ${set} | ${report.scored}/${report.total} | ${pct(report.sequenceAccuracy)} | ${pct(report.characterAccuracy)} |${focusCell} ${confusions} |`);
  }
  const { secondLook } = recognizer;
  const second = secondLook ? `, second look ${secondLook.predictor.metadata.name} (${secondLook.source ?? 'bundled'}) on ${secondLook.chars} or below ${secondLook.below}` : '';
  console.log(`\nmodel ${recognizer.predictor.metadata.name} (${values.model ?? 'models/captcha-ocr.onnx'})${second}\n`);
  const focusHead = focus.length > 0 ? [` ${focus.join('/')} read right |`, ' --- |'] : ['', ''];
  console.log(`| reference set | images | whole text | characters |${focusHead[0]} top confusions (truth->read) |`);
  console.log(`| --- | --- | --- | --- |${focusHead[1]} --- |`);
  for (const r of rows) console.log(r);
} finally {
  await recognizer.dispose();
}
