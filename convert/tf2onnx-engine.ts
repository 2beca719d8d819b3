/**
 * `--engine tf2onnx`: converts the same tfjs export with Python's tensorflowjs_converter
 * (tfjs layers model -> Keras SavedModel) and tf2onnx, for users who have them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptchaOcrError } from '../core/errors.ts';
import { findPythonWith } from './verify.ts';

export class MissingToolError extends CaptchaOcrError {
  constructor(message: string) {
    super('missing_tool', 500, message);
  }
}

export const TF2ONNX_INSTALL_HINT = 'pip install tf2onnx tensorflowjs';

/** Runs tensorflowjs_converter then `python -m tf2onnx.convert`; returns the ONNX bytes. */
export function convertWithTf2onnx(modelDir: string, outFile: string, opset: number): Uint8Array {
  const py = findPythonWith(['tf2onnx', 'tensorflowjs']);
  if (!py) {
    throw new MissingToolError(
      `--engine tf2onnx needs Python with the tf2onnx and tensorflowjs packages (they bring TensorFlow); install them with \`${TF2ONNX_INSTALL_HINT}\`, or use the built-in converter (--engine ts, the default)`,
    );
  }
  const work = mkdtempSync(join(tmpdir(), 'tf2onnx-'));
  try {
    const saved = join(work, 'saved_model');
    const run = (args: string[]) => {
      const r = spawnSync(py, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      if (r.status !== 0) throw new CaptchaOcrError('tf2onnx_failed', 500, `${args.slice(0, 3).join(' ')} failed:\n${(r.stderr || r.stdout).trim().split('\n').slice(-8).join('\n')}`);
    };
    run(['-m', 'tensorflowjs.converters.converter', '--input_format=tfjs_layers_model', '--output_format=keras_saved_model', join(modelDir, 'model.json'), saved]);
    run(['-m', 'tf2onnx.convert', '--saved-model', saved, '--output', outFile, '--opset', String(opset)]);
    return new Uint8Array(readFileSync(outFile));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
