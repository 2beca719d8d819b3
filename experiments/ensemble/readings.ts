// One model's readings of labelled folders, saved for experiments/ensemble/vote.ts: one JSON line
// per image, {dir, name, label, text, chars: [[character, confidence]...]}. The model reads alone
// (a `secondLook` in its metadata is not asked), so the two models of a pair can be dumped apart.
// Usage: node --import tsx experiments/ensemble/readings.ts MODEL.onnx OUT.jsonl DIR...
import { writeFileSync } from 'node:fs';
import type { DecodedText } from '../../core/decode-output.ts';
import { limitsFromEnv } from '../../core/limits.ts';
import { isLabelled, labelEntries } from '../../core/labelled-entries.ts';
import { createRecognizer } from '../../functions/app/recognizer.ts';
import { folderEntries } from '../../functions/node/folder-entries.ts';
import { createNodePredictor } from '../../functions/node/node-predictor.ts';
import { createSharpDecoder } from '../../functions/node/sharp-decoder.ts';
import type { Reading } from './vote.ts';

const [modelPath, out, ...dirs] = process.argv.slice(2);
if (!modelPath || !out || dirs.length === 0) {
  console.error('usage: readings.ts MODEL.onnx OUT.jsonl DIR...');
  process.exit(2);
}
const predictor = await createNodePredictor({ modelPath, warmUp: false, log: (line) => console.error(line) });
const recognizer = createRecognizer({ predictor, decoder: createSharpDecoder(), maxImagePixels: limitsFromEnv(process.env).maxImagePixels });
const ok = (r: DecodedText | Error): DecodedText => {
  if (r instanceof Error) throw r;
  return r;
};
const lines: string[] = [];
try {
  for (const dir of dirs) {
    const images = labelEntries(folderEntries(dir, 1e6)).images.filter(isLabelled);
    for (let at = 0; at < images.length; at += 64) {
      const batch = images.slice(at, at + 64);
      const read = (await recognizer.recognizeMany(batch.map((b) => b.entry.read()))).map(ok);
      batch.forEach((img, i) => {
        const reading: Reading = { dir, name: img.entry.name, label: img.label, text: read[i].text, chars: read[i].characters.map((c) => [c.char, Number(c.confidence.toPrecision(6))]) };
        lines.push(JSON.stringify(reading));
      });
    }
  }
} finally {
  await recognizer.dispose();
}
writeFileSync(out, lines.join('\n') + '\n');
console.log(`${out}: ${lines.length} readings`);
