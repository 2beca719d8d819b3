// Two whole-image models and the served second look (core/second-look.ts): on labelled folders,
// whole-text misreads of the first model alone, the second alone, the surer of the two readings
// always, the served rule (the second model asked only where the first reads a character of
// --chars or one below --below), and, for comparison, the rule per disputed character (where the
// two readings line up, each 0/O position takes the model with the larger log-odds).
// Usage: node --import tsx experiments/second-look/fusion.ts FIRST.onnx SECOND.onnx DIR... [--chars 0O] [--below 0.9]
import { parseArgs } from 'node:util';
import type { DecodedText } from '../../core/decode-output.ts';
import { isLabelled, labelEntries } from '../../core/labelled-entries.ts';
import { surerReading, wantsSecondLook } from '../../core/second-look.ts';
import { cliRecognizer } from '../../cli/cli-recognizer.ts';
import { folderEntries } from '../../functions/node/folder-entries.ts';

const { values, positionals } = parseArgs({ options: { chars: { type: 'string', default: '0O' }, below: { type: 'string', default: '0.9' } }, allowPositionals: true });
const [firstPath, secondPath, ...dirs] = positionals;
if (!firstPath || !secondPath || dirs.length === 0) {
  console.error('usage: fusion.ts FIRST.onnx SECOND.onnx DIR... [--chars 0O] [--below 0.9]');
  process.exit(2);
}
const rule = { chars: values.chars!, below: Number(values.below) };
const first = await cliRecognizer({ model: firstPath });
const second = await cliRecognizer({ model: secondPath });
const ok = (r: DecodedText | Error): DecodedText => {
  if (r instanceof Error) throw r;
  return r;
};
const logOdds = (p: number) => Math.log(Math.max(p, 1e-7) / Math.max(1 - p, 1e-7));
/** Per disputed character: where the readings line up, each position of `chars` takes the surer model's character. */
function perCharacter(a: DecodedText, b: DecodedText): string {
  const x = a.characters;
  const y = b.characters;
  const inSet = (c: string) => rule.chars.includes(c);
  if (x.length !== y.length || !x.every((c, i) => c.char === y[i].char || (inSet(c.char) && inSet(y[i].char)))) return surerReading(a, b).text;
  return x.map((c, i) => (c.char !== y[i].char && logOdds(y[i].confidence) > logOdds(c.confidence) ? y[i].char : c.char)).join('');
}
type Counts = { n: number; first: number; second: number; surer: number; served: number; perChar: number; looked: number };
const zero = (): Counts => ({ n: 0, first: 0, second: 0, surer: 0, served: 0, perChar: 0, looked: 0 });
const totals = zero();
try {
  console.log(`| set | images | first | second | surer of the two, always | served rule (${rule.chars}, below ${rule.below}) | per disputed character, same gate | second looks |`);
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const dir of dirs) {
    const images = labelEntries(folderEntries(dir, 1e6)).images.filter(isLabelled);
    const m = zero();
    for (let at = 0; at < images.length; at += 64) {
      const batch = images.slice(at, at + 64);
      const bytes = batch.map((b) => b.entry.read());
      const a = (await first.recognizer.recognizeMany(bytes)).map(ok);
      const b = (await second.recognizer.recognizeMany(bytes)).map(ok);
      batch.forEach((img, i) => {
        const wrong = (text: string) => (text !== img.label ? 1 : 0);
        const looked = wantsSecondLook(a[i], rule);
        m.n++;
        m.looked += looked ? 1 : 0;
        m.first += wrong(a[i].text);
        m.second += wrong(b[i].text);
        m.surer += wrong(surerReading(a[i], b[i]).text);
        m.served += wrong(looked ? surerReading(a[i], b[i]).text : a[i].text);
        m.perChar += wrong(looked ? perCharacter(a[i], b[i]) : a[i].text);
      });
    }
    for (const k of Object.keys(totals) as (keyof Counts)[]) totals[k] += m[k];
    console.log(row(dir, m));
  }
  if (dirs.length > 1) console.log(row('all', totals));
} finally {
  await first.recognizer.dispose();
  await second.recognizer.dispose();
}

function row(name: string, m: Counts): string {
  const cell = (x: number) => `${x} (${((100 * (m.n - x)) / m.n).toFixed(2)} %)`;
  return `| ${name} | ${m.n} | ${cell(m.first)} | ${cell(m.second)} | ${cell(m.surer)} | ${cell(m.served)} | ${cell(m.perChar)} | ${((100 * m.looked) / m.n).toFixed(1)} % |`;
}
