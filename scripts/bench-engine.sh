#!/usr/bin/env bash
# The engine's speed and memory figures against the Python reference, in one run (see
# scripts/bench-engine.py for what is measured).
#   bash scripts/bench-engine.sh [MODEL_DIR ...]
# Default: ../shared/models/standin-nano (fp32), its int8 file, and ../shared/models/standin-mini.
# Needs the reference venv (bash ../shared/reference/setup.sh). REPEAT=N sets the runs per
# figure (default 3).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REF_DIR="$ROOT/../shared/reference"
PY="$(bash "$REF_DIR/setup.sh" --python)"
bash "$ROOT/scripts/fetch-runtimes.sh"
(cd "$ROOT" && cargo build -q --release --example speak --example bench)
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/examples"
export KITTENTTS_RUNTIME_DIR="${KITTENTTS_RUNTIME_DIR:-$ROOT/runtimes}"
models=("$@")
if [ ${#models[@]} -eq 0 ]; then
    nano="$(cd "$ROOT/../shared/models/standin-nano" && pwd)"
    int8="$(mktemp -d)"
    trap 'rm -rf "$int8"' EXIT
    for f in voices.npz model-int8.onnx; do ln -s "$nano/$f" "$int8/$f"; done
    sed 's/"model_file": *"model.onnx"/"model_file": "model-int8.onnx"/' "$nano/config.json" > "$int8/config.json"
    mkdir -p "$int8/standin-nano-int8"
    mv "$int8"/voices.npz "$int8"/model-int8.onnx "$int8"/config.json "$int8/standin-nano-int8/"
    models=("$nano" "$int8/standin-nano-int8" "$(cd "$ROOT/../shared/models/standin-mini" && pwd)")
fi
"$PY" "$ROOT/scripts/bench-engine.py" --bin-dir "$BIN" --ref-dir "$REF_DIR" --repeat "${REPEAT:-3}" "${models[@]}"
