import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { createCaptchaGenerator } from '../../captcha/generator.ts';
import type { ModelMetadata } from '../../core/model-contract.ts';
import { defaultPreprocess } from '../../core/preprocess.ts';
import { createRecognizer } from '../../functions/app/recognizer.ts';
import { scoreEntries } from '../../functions/app/score-archive.ts';
import { folderEntries } from '../../functions/node/folder-entries.ts';
import { createSharpDecoder } from '../../functions/node/sharp-decoder.ts';
import type { Predictor } from '../../functions/predictor.ts';
import { NO_AUGMENT } from './augment.ts';
import { buildBatch } from './batch.ts';
import { holdOut, readLabelledSamples, readLabelledSet, splitLabelled } from './labelled-data.ts';
import { createListSource } from './sample-source.ts';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const input = defaultPreprocess(48, 128);
const metadata: ModelMetadata = {
  format: 'captcha-ocr-model',
  formatVersion: 1,
  name: 'recorder',
  architecture: 'default',
  charset: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  minLength: 1,
  maxLength: 8,
  input,
  output: { kind: 'ctc', blankIndex: 36, timeSteps: 16 },
};
const per = input.height * input.width;

/** A predictor that keeps every model input it is given and reads nothing. */
function recordingPredictor(): Predictor & { readonly inputs: Float32Array[] } {
  const inputs: Float32Array[] = [];
  return {
    metadata,
    inputs,
    info: () => ({ runtime: 'recorder', provider: 'none', requestedProviders: [], warnings: [] }),
    async predict(batch, n) {
      for (let i = 0; i < n; i++) inputs.push(batch.slice(i * per, (i + 1) * per));
      return Array.from({ length: n }, () => ({ text: '', confidence: 0, characters: [] }));
    },
  };
}

type Layout = 'labels.txt' | 'labels.csv' | 'file name';

/** Six generated CAPTCHAs (two as JPEG) in a folder labelled the given way, plus a broken image and OS clutter. */
async function labelledFolder(layout: Layout): Promise<{ dir: string; texts: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'captcha-ocr-labelled-'));
  dirs.push(dir);
  const gen = createCaptchaGenerator({ style: '0.3', width: 120, height: 50, seed: 11 });
  const texts: string[] = [];
  const csv = ['file,label'];
  for (let i = 0; i < 6; i++) {
    const { text, image } = gen.generate(i);
    texts.push(text);
    const raw = sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: image.channels } });
    const ext = i % 3 === 2 ? 'jpg' : 'png';
    const bytes = await (ext === 'jpg' ? raw.jpeg({ quality: 80 }) : raw.png()).toBuffer();
    const name = layout === 'labels.txt' ? `${i}.${ext}` : layout === 'labels.csv' ? `img-${i}.${ext}` : `${text}_${i}.${ext}`;
    await writeFile(join(dir, name), bytes);
    csv.push(`${name},${text}`);
  }
  if (layout === 'labels.txt') await writeFile(join(dir, 'labels.txt'), `${texts.join('\n')}\nBROKEN\n`);
  if (layout === 'labels.csv') await writeFile(join(dir, 'labels.csv'), `${csv.join('\n')}\nbroken.png,BROKEN\n`);
  await writeFile(join(dir, layout === 'labels.txt' ? '6.png' : layout === 'labels.csv' ? 'broken.png' : 'BROKEN.png'), 'not a png');
  await writeFile(join(dir, '.DS_Store'), 'clutter');
  return { dir, texts };
}

for (const layout of ['labels.txt', 'labels.csv', 'file name'] as const) {
  test(`train --data reads the samples score reads, with the served pixels (${layout})`, async () => {
    const { dir, texts } = await labelledFolder(layout);
    const predictor = recordingPredictor();
    const recognizer = createRecognizer({ predictor, decoder: createSharpDecoder(), maxImagePixels: 1e7 });
    const { report } = await scoreEntries(folderEntries(dir, 1000), recognizer, { details: true, batchSize: 64 });
    const scored = report.rows!.filter((r) => r.error === undefined);
    assert.equal(scored.length, 6);
    assert.deepEqual(report.failed.map((f) => f.file), [layout === 'labels.txt' ? '6.png' : layout === 'labels.csv' ? 'broken.png' : 'BROKEN.png']);

    const { samples, unusable } = await readLabelledSamples(dir);
    assert.deepEqual(
      samples.map((s) => [s.file, s.text]),
      scored.map((r) => [r.file, r.truth]),
    );
    assert.deepEqual([...samples.map((s) => s.text)].sort(), [...texts].sort());
    assert.deepEqual(unusable.map((u) => u.file), report.failed.map((f) => f.file));
    // Without augmentation a training batch holds exactly the inputs the server built.
    const batch = await buildBatch(createListSource(samples), { batchSize: 6, input, charset: metadata.charset, maxLength: 8, augment: NO_AUGMENT, seed: 1 }, 0, [0, 1, 2, 3, 4, 5]);
    for (let i = 0; i < 6; i++) assert.deepEqual(batch.images.subarray(i * per, (i + 1) * per), predictor.inputs[i], `image ${samples[i].file}`);
    // Labels only (the charset and lengths are taken from these before training starts): the broken image is labelled too.
    const labels = readLabelledSet(dir).images.map((image) => image.label);
    assert.deepEqual(labels.filter((l) => l !== 'BROKEN'), samples.map((s) => s.text));
    assert.equal(labels.length, 7);
  });
}

test('holdOut and splitLabelled: a seeded draw, not the tail; small sets validate on the training images', () => {
  assert.deepEqual(holdOut(10, 3, 7), holdOut(10, 3, 7));
  assert.deepEqual(holdOut(10, 3, 7), [0, 2, 9]);
  assert.equal(new Set(holdOut(1000, 100, 1)).size, 100);
  const all = Array.from({ length: 200 }, (_, i) => i);
  const { training, validation } = splitLabelled(all, 1024, 1);
  assert.equal(validation.length, 20);
  assert.equal(training.length, 180);
  assert.deepEqual([...training, ...validation].sort((a, b) => a - b), all);
  assert.notDeepEqual(validation, all.slice(180));
  const small = splitLabelled(all.slice(0, 30), 8, 1);
  assert.equal(small.training.length, 30);
  assert.deepEqual(small.validation, all.slice(0, 8));
});
