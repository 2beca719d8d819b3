#!/usr/bin/env bash
# Ships a trained model: copies its tfjs export to models/tfjs/ and converts it to
# models/captcha-ocr.onnx (+ models/captcha-ocr.json), checked against tfjs and the ONNX checker.
# With --second-look RUN2_DIR, also ships RUN2_DIR's export as the model's second look
# (docs/api.md, "A second look"): its tfjs export in models/tfjs-second/, converted with the same
# flags to models/captcha-ocr.second.onnx (+ .json), named in models/captcha-ocr.json with
# --chars (default 0O) and --below (default 0.9). Without it the shipped model has no second look.
# Usage: scripts/ship-model.sh RUN_DIR [--second-look RUN2_DIR [--chars 0O] [--below 0.9]] [CONVERT_FLAGS...]
#        (RUN_DIR = the --out folder of `captcha-ocr train`, or models/tfjs to keep the shipped
#        export; e.g. --int8 to ship the int8 graphs)
set -euo pipefail
run="${1:?usage: scripts/ship-model.sh RUN_DIR [--second-look RUN2_DIR [--chars 0O] [--below 0.9]] [CONVERT_FLAGS...]}"
shift
second="" chars="0O" below="0.9" flags=()
while [ $# -gt 0 ]; do
  case "$1" in
    --second-look) second="${2:?--second-look needs a folder}"; shift 2 ;;
    --chars) chars="${2?--chars needs characters}"; shift 2 ;;
    --below) below="${2:?--below needs a number from 0 to 1}"; shift 2 ;;
    *) flags+=("$1"); shift ;;
  esac
done
cd "$(dirname "$0")/.."
check() {
  for f in model.json weights.bin metadata.json; do
    [ -f "$1/$f" ] || { echo "ship-model: $1/$f is missing (is $1 a training output folder?)" >&2; exit 1; }
  done
}
export_to() { # copies a run's tfjs export into $2, unless it is that folder already
  mkdir -p "$2"
  [ "$(realpath "$1")" = "$(realpath "$2")" ] || cp "$1/model.json" "$1/weights.bin" "$1/metadata.json" "$2/"
}
check "$run"
[ -z "$second" ] || check "$second"
export_to "$run" models/tfjs
node bin/captcha-ocr.js convert models/tfjs --out models/captcha-ocr.onnx "${flags[@]}"
rm -rf models/captcha-ocr.second.onnx models/captcha-ocr.second.json
if [ -n "$second" ]; then
  export_to "$second" models/tfjs-second
  node bin/captcha-ocr.js convert models/tfjs-second --out models/captcha-ocr.second.onnx "${flags[@]}"
  node -e '
    const fs = require("fs");
    const [file, chars, below] = process.argv.slice(1);
    const m = JSON.parse(fs.readFileSync(file, "utf8"));
    m.secondLook = { model: "captcha-ocr.second.onnx", chars, below: Number(below) };
    fs.writeFileSync(file, JSON.stringify(m, null, 2) + "\n");
  ' models/captcha-ocr.json "$chars" "$below"
  node --import tsx -e 'import("./core/model-contract.ts").then((c) => c.parseModelMetadata(JSON.parse(require("fs").readFileSync("models/captcha-ocr.json", "utf8"))))'
else
  rm -rf models/tfjs-second
  if grep -q "models/captcha-ocr.second.onnx" functions/edge/worker.ts; then
    echo "ship-model: shipped without a second look; functions/edge/worker.ts still imports models/captcha-ocr.second.onnx: bundle the model alone there (createWorker({ model, metadata }, {}))" >&2
  fi
fi
ls -l models/captcha-ocr*.onnx models/captcha-ocr*.json models/tfjs
