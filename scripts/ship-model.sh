#!/usr/bin/env bash
# Ships a trained model: copies its tfjs export to models/tfjs/ and converts it to
# models/captcha-ocr.onnx (+ models/captcha-ocr.json), checked against tfjs and the ONNX checker.
# Usage: scripts/ship-model.sh RUN_DIR [CONVERT_FLAGS...]   (RUN_DIR = the --out folder of `captcha-ocr train`;
#        e.g. --int8 to ship the int8 graph)
set -euo pipefail
run="${1:?usage: scripts/ship-model.sh RUN_DIR}"
cd "$(dirname "$0")/.."
for f in model.json weights.bin metadata.json; do
  [ -f "$run/$f" ] || { echo "ship-model: $run/$f is missing (is $run a training output folder?)" >&2; exit 1; }
done
mkdir -p models/tfjs
cp "$run/model.json" "$run/weights.bin" "$run/metadata.json" models/tfjs/
node bin/captcha-ocr.js convert models/tfjs --out models/captcha-ocr.onnx "${@:2}"
ls -l models/captcha-ocr.onnx models/captcha-ocr.json models/tfjs
