// Test-time augmentation pilot: does averaging the model's per-step probabilities over a few
// shifted or rescaled windows of the image read more texts right than the image alone?
// Usage: node --import tsx experiments/tta/tta.ts --model M.onnx DIR... (labelled folders, read as `score` reads them)
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { decodeOutput } from '../../core/decode-output.ts';
import { decodeImage } from '../../core/image-decode.ts';
import { isLabelled, labelEntries } from '../../core/labelled-entries.ts';
import { inputDims, inputSize, sidecarPath, tensorNames, type ModelMetadata } from '../../core/model-contract.ts';
import { preprocessRegion, type Region } from '../../core/preprocess.ts';
import { folderEntries } from '../../functions/node/folder-entries.ts';
import { createSharpDecoder } from '../../functions/node/sharp-decoder.ts';

const { values, positionals } = parseArgs({ options: { model: { type: 'string' } }, allowPositionals: true });
const modelPath = values.model ?? 'models/captcha-ocr.onnx';
const meta = JSON.parse(readFileSync(sidecarPath(modelPath), 'utf8')) as ModelMetadata;
const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1 });
const names = tensorNames(meta);
const per = inputSize(meta.input);
const decoder = createSharpDecoder();
/** Windows of a w x h image: the whole, shifted by 2 px each way, 3 px tighter and looser. */
const windows = (w: number, h: number): Region[] => [
  { left: 0, top: 0, width: w, height: h },
  { left: -2, top: 0, width: w, height: h },
  { left: 2, top: 0, width: w, height: h },
  { left: 0, top: -2, width: w, height: h },
  { left: 0, top: 2, width: w, height: h },
  { left: 3, top: 3, width: w - 6, height: h - 6 },
  { left: -3, top: -3, width: w + 6, height: h + 6 },
];
const schemes: Record<string, number[]> = { alone: [0], shifts: [0, 1, 2, 3, 4], all: [0, 1, 2, 3, 4, 5, 6], scales: [0, 5, 6] };
for (const dir of positionals) {
  const labelled = labelEntries(folderEntries(dir, 100_000)).images.filter(isLabelled);
  const right: Record<string, number> = Object.fromEntries(Object.keys(schemes).map((k) => [k, 0]));
  for (const { entry, label } of labelled) {
    const image = await decodeImage(entry.read(), 1e7, decoder);
    const regions = windows(image.width, image.height);
    const input = new Float32Array(per * regions.length);
    regions.forEach((r, k) => preprocessRegion(image, r, meta.input, input, k * per));
    const out = (await session.run({ [names.input]: new ort.Tensor('float32', input, inputDims(regions.length, meta.input)) }))[names.output];
    const [, rows, classes] = out.dims as number[];
    const probs = out.data as Float32Array;
    for (const [scheme, picks] of Object.entries(schemes)) {
      const mean = new Float32Array(rows * classes);
      for (const k of picks) for (let j = 0; j < mean.length; j++) mean[j] += probs[k * rows * classes + j] / picks.length;
      if (decodeOutput(mean, rows, classes, meta.charset, meta.output).text === label) right[scheme]++;
    }
  }
  console.log(basename(dir), Object.entries(right).map(([k, v]) => `${k} ${((100 * v) / labelled.length).toFixed(2)} % (${labelled.length - v} wrong)`).join(', '));
}
