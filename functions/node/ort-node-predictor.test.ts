import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as Tf from '@tensorflow/tfjs';
import { preprocess } from '../../core/preprocess.ts';
import { decodeOutput } from '../../core/decode-output.ts';
import { memoryArtifacts } from '../../core/tfjs-artifacts.ts';
import { readArtifactsFromDir } from '../../convert/tfjs/artifacts.ts';
import { captchaSamples } from '../../test/fixtures/images.ts';
import { ensureTinyModel } from '../../test/fixtures/tiny-model.ts';
import { createOrtNodePredictor, resolveProviders } from './ort-node-predictor.ts';
import { parseProviders } from '../../command/providers-flag.ts';

test('providers: named explicitly, CUDA without the CUDA build falls back to cpu with a warning', () => {
  const available = [{ name: 'cpu', bundled: true }, { name: 'webgpu', bundled: true }, { name: 'cuda', bundled: false }];
  assert.deepEqual(resolveProviders(['cuda', 'cpu'], available, false).providers, ['cpu']);
  assert.match(resolveProviders(['cuda', 'cpu'], available, false).warnings[0], /CUDA build .* not installed/);
  assert.deepEqual(resolveProviders(['cuda', 'cpu'], available, true), { providers: ['cuda', 'cpu'], warnings: [] });
  assert.deepEqual(resolveProviders(['cuda'], available, true).providers, ['cuda', 'cpu']);
  assert.deepEqual(parseProviders(' CUDA, cpu '), ['cuda', 'cpu']);
  assert.equal(parseProviders(''), undefined);
  assert.throws(() => parseProviders('gpu'), /unknown execution provider/);
});

test('a CUDA request on this host runs on cpu, says so in info(), and logs the warning', async () => {
  const m = await ensureTinyModel();
  const logged: string[] = [];
  const p = await createOrtNodePredictor({ modelPath: m.modelPath, providers: ['cuda', 'cpu'], log: (l) => logged.push(l) });
  const info = p.info();
  assert.deepEqual(info.requestedProviders, ['cuda', 'cpu']);
  if (info.provider === 'cpu') {
    assert.ok(logged.some((l) => /cuda/.test(l)));
    assert.ok(info.warnings.length > 0);
  }
  await p.dispose?.();
});

test('onnxruntime-node reads like tfjs on the model the ONNX was converted from (same preprocessing)', async () => {
  const m = await ensureTinyModel();
  const p = await createOrtNodePredictor({ modelPath: m.modelPath, log: () => undefined });
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const model = await tf.loadLayersModel(tf.io.fromMemory(memoryArtifacts(await readArtifactsFromDir(m.tfjsDir))));
  const samples = (await captchaSamples()).slice(0, 6);
  const { height, width } = m.metadata.input;
  const batch = new Float32Array(samples.length * height * width);
  samples.forEach((s, i) => preprocess(s.image, m.metadata.input, batch, i * height * width));
  const ortTexts = await p.predict(batch, samples.length);
  const probs = (model.predict(tf.tensor4d(batch, [samples.length, height, width, 1])) as Tf.Tensor).dataSync();
  const per = probs.length / samples.length;
  const k = m.metadata.charset.length + 1;
  samples.forEach((_, i) => {
    const ref = decodeOutput(probs.subarray(i * per, (i + 1) * per), per / k, k, m.metadata.charset, m.metadata.output);
    assert.equal(ortTexts[i].text, ref.text);
    ortTexts[i].characters.forEach((c, j) => assert.ok(Math.abs(c.confidence - ref.characters[j].confidence) < 1e-4));
  });
  await p.dispose?.();
});
