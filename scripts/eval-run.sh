#!/usr/bin/env bash
# Scores a training run on the reference sets without shipping it: converts the run's best
# export (default) or its latest checkpoint to a temporary ONNX file and runs
# bench/reference-accuracy.ts on it. Safe while the run goes on (reads only).
# Usage: scripts/eval-run.sh RUN_DIR [best|latest]
set -euo pipefail
run="${1:?usage: scripts/eval-run.sh RUN_DIR [best|latest]}"
which="${2:-best}"
cd "$(dirname "$0")/.."
src="$run"
[ "$which" = latest ] && src="$run/checkpoint"
[ "$which" = best ] || [ "$which" = latest ] || { echo "eval-run: the second argument is best or latest, not $which" >&2; exit 2; }
for f in "$src/model.json" "$src/weights.bin" "$run/metadata.json"; do
  [ -f "$f" ] || { echo "eval-run: $f is missing (is $run a training output folder with a first export?)" >&2; exit 1; }
done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp "$src/model.json" "$src/weights.bin" "$run/metadata.json" "$tmp/"
if [ "$which" = latest ]; then
  step="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).step)' "$run/checkpoint/state.json")"
  node -e 'const f=process.argv[1],s=process.argv[2],fs=require("fs");const m=JSON.parse(fs.readFileSync(f,"utf8"));m.name=m.architecture+"-step"+s+"-latest";fs.writeFileSync(f,JSON.stringify(m))' "$tmp/metadata.json" "$step"
fi
node bin/captcha-ocr.js convert "$tmp" --out "$tmp/model.onnx" > /dev/null
node --import tsx bench/reference-accuracy.ts --model "$tmp/model.onnx" "${@:3}"
