import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { choiceFlag, intFlag, parseFlags, type Command } from '../command/args.ts';
import { UsageError } from '../command/usage-error.ts';
import { INPUT_NAME, OUTPUT_NAME, sidecarPath } from '../core/model-contract.ts';
import type { ConversionReport } from './conversion-report.ts';
import type { Verification } from './verify.ts';
import type { ModelMetadata } from '../core/model-contract.ts';

/** Seed of the generated calibration images (the check images use the next one). */
const CALIBRATION_SEED = 9001;

const help = `Usage: captcha-ocr convert MODEL_DIR --out FILE.onnx [--opset N] [--fp16 | --int8 [--calibration DIR|ZIP] [--calibration-images N]]
                      [--engine ts|tf2onnx] [--skip-verify] [--json]

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
  --int8                quantize the convolutions to int8 for faster CPU serving, except one with a
                        single input channel (int8 weights per channel, uint8 activations calibrated
                        on images; inputs and outputs stay float32), then print how often it reads
                        the same text as the float model
  --calibration DIR|ZIP with --int8: calibrate on your images, read as score reads them (the first N,
                        the next N for the check; labels not needed). Default: images generated from
                        the data mix the model was trained on (its metadata.json)
  --calibration-images N  with --int8: images to calibrate on, and as many to check with (default 256)
  --engine ts|tf2onnx   ts: the built-in TypeScript converter (default); tf2onnx: Python's
                        tensorflowjs_converter + tf2onnx, if installed (pip install tf2onnx tensorflowjs)
  --skip-verify         do not compare with tfjs / run the checker
  --json                print the report as JSON`;

interface Int8Report {
  quantized: number;
  convolutions: number;
  calibration: string;
  checkImages: number;
  sameText: number;
  differences: { float: string; int8: string }[];
}

interface Output {
  onnx: string;
  int8?: Int8Report;
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
        int8: { type: 'boolean' },
        calibration: { type: 'string' },
        'calibration-images': { type: 'string' },
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
    if (engine === 'tf2onnx' && (values.fp16 || values.int8)) throw new UsageError(`--${values.fp16 ? 'fp16' : 'int8'} works with --engine ts only`);
    if (values.fp16 && values.int8) throw new UsageError('--fp16 and --int8 do not combine: choose one way to store the weights');
    if (!values.int8 && (values.calibration !== undefined || values['calibration-images'] !== undefined)) throw new UsageError('--calibration and --calibration-images go with --int8');
    const calibrationImages = intFlag('calibration-images', values['calibration-images'], 1, 100_000) ?? 256;
    const modelDir = positionals[0];
    const out = values.out;
    const { readArtifactsFromDir } = await import('./tfjs/artifacts.ts');
    const artifacts = await readArtifactsFromDir(modelDir);
    // `--out models-dir/site.onnx` into a folder that does not exist yet: make it (as `train --out` does).
    await mkdir(dirname(out), { recursive: true });

    let bytes: Uint8Array;
    let report: ConversionReport | undefined;
    let metadata;
    let floatBytes: Uint8Array | undefined;
    let int8: Int8Report | undefined;
    if (engine === 'ts') {
      const result = await convertTfjsModel(modelDir, { opset, fp16: !!values.fp16 });
      ({ onnx: bytes, report, metadata } = result);
      if (values.int8) {
        if (!metadata) throw new UsageError(`--int8 needs ${modelDir}/metadata.json (the model's input size, charset and training data)`);
        floatBytes = bytes;
        ({ onnx: bytes, report: int8 } = await quantize(bytes, metadata, values.calibration, calibrationImages));
      }
      await writeFile(out, bytes);
    } else {
      const { convertWithTf2onnx } = await import('./tf2onnx-engine.ts');
      const { withMetadataProps } = await import('./onnx/onnx-schema.ts');
      metadata = await convertTfjsModel(modelDir, { opset }).then((r) => r.metadata, () => undefined);
      bytes = convertWithTf2onnx(modelDir, out, opset);
      if (metadata) bytes = withMetadataProps(bytes, metadataProps(metadata));
      await writeFile(out, bytes);
    }
    const result: Output = { onnx: out, engine, report, bytes: bytes.byteLength, ...(int8 ? { int8 } : {}) };
    if (metadata) {
      result.metadataJson = sidecarPath(out);
      await writeFile(result.metadataJson, `${JSON.stringify(metadata, null, 2)}\n`);
    }
    if (!values['skip-verify']) {
      const tf = await import('@tensorflow/tfjs');
      tf.env().set('PROD', true); // no "install tfjs-node" banner; the cpu backend is the reference
      const { verifyConversion } = await import('./verify.ts');
      // the float graph against tfjs (int8's own check is its reading agreement); the checker reads the file written
      result.verification = await verifyConversion(artifacts, floatBytes ?? bytes, out);
    }
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else printHuman(result);
    return result.verification?.checker.startsWith('failed') ? 1 : 0;
  },
};

/** The float model quantized to int8, calibrated and checked on images (see convert/int8.ts). */
async function quantize(floatBytes: Uint8Array, metadata: ModelMetadata, dir: string | undefined, count: number): Promise<{ onnx: Uint8Array; report: Int8Report }> {
  const { quantizeInt8, readingAgreement } = await import('./int8.ts');
  const { CalibrationError, folderCalibration, generatedCalibration } = await import('../train/data/calibration.ts');
  let calibration: Float32Array[];
  let check: Float32Array[];
  let source: string;
  try {
    if (dir !== undefined) {
      const set = await folderCalibration(dir, metadata, 2 * count);
      const half = Math.ceil(set.images.length / 2);
      [calibration, check, source] = [set.images.slice(0, half), set.images.slice(half), set.source];
    } else {
      const set = await generatedCalibration(metadata, count, CALIBRATION_SEED);
      [calibration, check, source] = [set.images, (await generatedCalibration(metadata, count, CALIBRATION_SEED + 1)).images, set.source];
    }
  } catch (e) {
    if (e instanceof CalibrationError) throw new UsageError(e.message);
    throw e;
  }
  const q = await quantizeInt8(floatBytes, calibration, [metadata.input.height, metadata.input.width, 1]);
  const agreement = await readingAgreement(floatBytes, q.onnx, check, metadata);
  return { onnx: q.onnx, report: { quantized: q.quantized, convolutions: q.convolutions, calibration: source, checkImages: agreement.images, sameText: agreement.same, differences: agreement.differences } };
}

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
  const q = r.int8;
  if (q) {
    console.log(`  int8: ${q.quantized} of ${q.convolutions} convolutions quantized, calibrated on ${q.calibration}`);
    console.log(`  int8 reads the same text as float32 on ${q.sameText} of ${q.checkImages} other images (${((100 * q.sameText) / Math.max(1, q.checkImages)).toFixed(1)} %)${q.differences.length ? `; e.g. ${q.differences.map((d) => `${d.float} -> ${d.int8}`).join(', ')}` : ''}`);
  }
  const v = r.verification;
  if (v) {
    console.log(`  onnxruntime-node vs tfjs on ${v.samples} random inputs: max abs diff ${v.maxAbsDiff.toExponential(2)}, argmax agreement ${(v.argmaxAgreement * 100).toFixed(1)}%`);
    console.log(`  onnx.checker (full_check): ${v.checker}`);
  }
}
