import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { choiceFlag, intFlag, parseFlags, type Command } from '../command/args.ts';
import { UsageError } from '../command/usage-error.ts';
import { INPUT_NAME, OUTPUT_NAME, sidecarPath } from '../core/model-contract.ts';
import type { ConversionReport } from './conversion-report.ts';
import type { Verification } from './verify.ts';

const help = `Usage: captcha-ocr convert MODEL_DIR --out FILE.onnx [--opset N] [--fp16] [--engine ts|tf2onnx] [--skip-verify] [--json]

Converts a TensorFlow.js layers model (MODEL_DIR/model.json + weight files) to ONNX.
The input is named "${INPUT_NAME}" in the tfjs layout [N, H, W, C] (dynamic batch), the output
"${OUTPUT_NAME}" (tfjs output names when there are several). MODEL_DIR/metadata.json, when
present, goes into the ONNX metadata_props and is written to FILE.json beside FILE.onnx.
Afterwards the ONNX model is run in onnxruntime-node against tfjs on random inputs and
checked with Python's onnx.checker when available.

Options:
  --out FILE.onnx       where to write the model (required)
  --opset N             ONNX opset, 13..17 (default 13)
  --fp16                store weights as float16 (half the size; inputs, outputs and maths stay float32)
  --engine ts|tf2onnx   ts: the built-in TypeScript converter (default); tf2onnx: Python's
                        tensorflowjs_converter + tf2onnx, if installed (pip install tf2onnx tensorflowjs)
  --skip-verify         do not compare with tfjs / run the checker
  --json                print the report as JSON`;

interface Output {
  onnx: string;
  metadataJson?: string;
  engine: 'ts' | 'tf2onnx';
  report?: ConversionReport;
  bytes: number;
  verification?: Verification;
}

export const convertCommand: Command = {
  summary: 'convert a TensorFlow.js layers model to ONNX',
  help,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        out: { type: 'string', short: 'o' },
        opset: { type: 'string' },
        fp16: { type: 'boolean' },
        engine: { type: 'string' },
        'skip-verify': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      true,
    );
    if (positionals.length !== 1) throw new UsageError(`expected exactly one MODEL_DIR, got ${positionals.length}`);
    if (!values.out) throw new UsageError('--out FILE.onnx is required');
    const { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET, convertTfjsModel, metadataProps } = await import('./convert.ts');
    const opset = intFlag('opset', values.opset, MIN_OPSET, MAX_OPSET) ?? DEFAULT_OPSET;
    const engine = choiceFlag('engine', values.engine, ['ts', 'tf2onnx'] as const) ?? 'ts';
    if (engine === 'tf2onnx' && values.fp16) throw new UsageError('--fp16 works with --engine ts only');
    const modelDir = positionals[0];
    const out = values.out;
    const { readArtifactsFromDir } = await import('./tfjs/artifacts.ts');
    const artifacts = await readArtifactsFromDir(modelDir);
    // `--out models-dir/site.onnx` into a folder that does not exist yet: make it (as `train --out` does).
    await mkdir(dirname(out), { recursive: true });

    let bytes: Uint8Array;
    let report: ConversionReport | undefined;
    let metadata;
    if (engine === 'ts') {
      const result = await convertTfjsModel(modelDir, { opset, fp16: !!values.fp16 });
      ({ onnx: bytes, report, metadata } = result);
      await writeFile(out, bytes);
    } else {
      const { convertWithTf2onnx } = await import('./tf2onnx-engine.ts');
      const { withMetadataProps } = await import('./onnx/onnx-schema.ts');
      metadata = await convertTfjsModel(modelDir, { opset }).then((r) => r.metadata, () => undefined);
      bytes = convertWithTf2onnx(modelDir, out, opset);
      if (metadata) bytes = withMetadataProps(bytes, metadataProps(metadata));
      await writeFile(out, bytes);
    }
    const result: Output = { onnx: out, engine, report, bytes: bytes.byteLength };
    if (metadata) {
      result.metadataJson = sidecarPath(out);
      await writeFile(result.metadataJson, `${JSON.stringify(metadata, null, 2)}\n`);
    }
    if (!values['skip-verify']) {
      const tf = await import('@tensorflow/tfjs');
      tf.env().set('PROD', true); // no "install tfjs-node" banner; the cpu backend is the reference
      const { verifyConversion } = await import('./verify.ts');
      result.verification = await verifyConversion(artifacts, bytes, out);
    }
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else printHuman(result);
    return result.verification?.checker.startsWith('failed') ? 1 : 0;
  },
};

function printHuman(r: Output): void {
  const kb = (r.bytes / 1024).toFixed(1);
  console.log(`wrote ${r.onnx} (${kb} KiB, engine ${r.engine})${r.metadataJson ? ` and ${r.metadataJson}` : ' (no metadata.json in the model directory)'}`);
  const rep = r.report;
  if (rep) {
    const shape = (s: (number | string)[]) => `[${s.join(', ')}]`;
    console.log(`  IR ${rep.irVersion}, opset ${rep.opset}${rep.fp16 ? ', float16 weights' : ''}`);
    console.log(`  inputs:  ${rep.inputs.map((i) => `${i.name} ${shape(i.shape)}`).join(', ')}`);
    console.log(`  outputs: ${rep.outputs.map((o) => `${o.name} ${shape(o.shape)}`).join(', ')}`);
    console.log(`  parameters ${rep.parameters.toLocaleString('en-US')}, ${(rep.flopsPerImage / 1e6).toFixed(2)} MFLOPs per image, ${rep.nodes} nodes`);
    const counts = new Map<string, number>();
    rep.opTypes.forEach((o) => counts.set(o, (counts.get(o) ?? 0) + 1));
    console.log(`  ops: ${[...counts].map(([o, n]) => (n > 1 ? `${o} x${n}` : o)).join(', ')}`);
    console.log(`  batch norms folded: ${rep.foldedBatchNorms}; removed: ${rep.removedLayers.join(', ') || 'none'}`);
  }
  const v = r.verification;
  if (v) {
    console.log(`  onnxruntime-node vs tfjs on ${v.samples} random inputs: max abs diff ${v.maxAbsDiff.toExponential(2)}, argmax agreement ${(v.argmaxAgreement * 100).toFixed(1)}%`);
    console.log(`  onnx.checker (full_check): ${v.checker}`);
  }
}
