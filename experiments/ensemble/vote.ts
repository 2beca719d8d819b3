// Can more networks read the zeros and Os better than the served pair? From the readings of
// several models (experiments/ensemble/readings.ts, the same images in the same order), whole-text
// misreads per folder of every set of models that includes the first, under three rules, all
// gated as served (only where the first model's reading has a 0 or an O or a character below 0.9):
// - surer: the reading with the largest geometric mean of confidences (core/second-look.ts, served);
// - majority: the most frequent text, ties to the surer;
// - log-odds: where the readings line up and differ only between 0 and O, each such position
//   takes the sign of the summed log-odds of O against 0 (else the surer reading).
// Then the images that no model reads right: what a perfect arbiter of these models would leave.
// Last, for the first two (the served pair): its misreads on which the two readings agree, and
// where they differ.
// Usage: node --import tsx experiments/ensemble/vote.ts FIRST.jsonl OTHER.jsonl...
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { DecodedText } from '../../core/decode-output.ts';
import { surerReading, wantsSecondLook } from '../../core/second-look.ts';

/** One image as one model read it. */
export interface Reading {
  dir: string;
  name: string;
  label: string;
  text: string;
  chars: [string, number][];
}

const load = (file: string): Reading[] =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Reading);
const decoded = (r: Reading): DecodedText => ({ text: r.text, confidence: r.chars.reduce((p, c) => p * c[1], 1), characters: r.chars.map(([char, confidence]) => ({ char, confidence })) });
const surer = (rs: Reading[]): string => rs.map(decoded).reduce((a, b) => surerReading(a, b)).text;
const majority = (rs: Reading[]): string => {
  const votes = (t: string) => rs.filter((r) => r.text === t).length;
  const top = Math.max(...rs.map((r) => votes(r.text)));
  return surer(rs.filter((r) => votes(r.text) === top));
};
const isZeroOrO = (c: string) => c === '0' || c === 'O';
const logit = (p: number) => Math.log(Math.max(p, 1e-6) / Math.max(1 - p, 1e-6));
const logOdds = (rs: Reading[]): string => {
  const base = rs[0].chars;
  const lineUp = rs.every((r) => r.chars.length === base.length && r.chars.every(([c], i) => c === base[i][0] || (isZeroOrO(c) && isZeroOrO(base[i][0]))));
  if (!lineUp) return surer(rs);
  return base.map(([c], i) => (isZeroOrO(c) ? (rs.reduce((s, r) => s + (r.chars[i][0] === 'O' ? 1 : -1) * logit(r.chars[i][1]), 0) > 0 ? 'O' : '0') : c)).join('');
};
const RULES: Record<string, (rs: Reading[]) => string> = { surer, majority, 'log-odds': logOdds };

const files = process.argv.slice(2);
if (files.length < 2) {
  console.error('usage: vote.ts FIRST.jsonl OTHER.jsonl...');
  process.exit(2);
}
const runs = files.map(load);
const images = runs[0];
if (runs.some((run) => run.length !== images.length || run.some((r, i) => r.name !== images[i].name || r.dir !== images[i].dir))) {
  console.error('the readings are not of the same images in the same order');
  process.exit(2);
}
const dirs = [...new Set(images.map((r) => r.dir))];
const name = (file: string) => basename(file, '.jsonl');
/** Per folder, how many images `hit` holds for. */
const count = (hit: (i: number) => boolean) => dirs.map((d) => images.filter((r, i) => r.dir === d && hit(i)).length);
const misreads = (text: (i: number) => string) => count((i) => text(i) !== images[i].label);
const row = (label: string, counts: number[]) => `| ${label} | ${counts.join(' | ')} | ${counts.reduce((a, b) => a + b, 0)} |`;
console.log(`| models, rule | ${dirs.join(' | ')} | all |`);
console.log(`| --- | ${dirs.map(() => '---').join(' | ')} | --- |`);
const gate = { chars: '0O', below: 0.9 };
for (let mask = 1; mask < 1 << runs.length; mask += 2) {
  const members = runs.map((_, k) => k).filter((k) => mask & (1 << k));
  const models = members.map((k) => name(files[k])).join(' + ');
  if (members.length === 1) {
    console.log(row(`${models} alone`, misreads((i) => images[i].text)));
    continue;
  }
  for (const [rule, pick] of Object.entries(RULES)) {
    console.log(row(`${models}, ${rule}`, misreads((i) => (wantsSecondLook(decoded(images[i]), gate) ? pick(members.map((k) => runs[k][i])) : images[i].text))));
  }
}
console.log(row('read right by none of them', count((i) => runs.every((run) => run[i].text !== run[i].label))));
// The served pair (the first two models), image by image: where the second look is asked, do the
// two readings agree? A misread on which both agree no arbiter of the two can put right.
const pairMisread = (i: number) => wantsSecondLook(decoded(images[i]), gate) && surer([images[i], runs[1][i]]) !== images[i].label;
const agree = (i: number) => images[i].text === runs[1][i].text;
console.log(row(`${name(files[0])} + ${name(files[1])}, surer: misreads the two agree on`, count((i) => pairMisread(i) && agree(i))));
console.log(row('the same: misreads where they differ (the surer is the wrong one)', count((i) => pairMisread(i) && !agree(i))));
console.log(row('the same: images where they differ', count((i) => wantsSecondLook(decoded(images[i]), gate) && !agree(i))));
