#!/usr/bin/env bash
# Checks that kittentts-hub and Python's huggingface_hub share one cache, both ways, against a
# mock hub on 127.0.0.1 (crates/kittentts-mockhub):
#   1. Rust downloads a repo into HF_HOME=A; Python, offline, finds every file in A.
#   2. Python downloads the repo into HF_HOME=B; Rust, offline, finds every file in B.
# The repo is made up here: a config.json, a 1 MB "model.onnx" and a 200 kB "voices.npz"
# (random bytes; the cache does not look inside). Exits non-zero on any mismatch.
#
# Usage: scripts/hub-python-interop.sh      (PY overrides the Python with huggingface_hub)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-/root/.cache/kittentts-reference/venv/bin/python}
REPO=KittenML/kitten-tts-mini-0.8
FILES=(config.json model.onnx voices.npz)

. scripts/hub-mock-lib.sh
cargo build -q -p kittentts-hub --example hub-fetch
FETCH=$CARGO_TARGET_DIR/debug/examples/hub-fetch

mkdir -p "$work/repo"
printf '{"type": "ONNX2", "model_file": "model.onnx", "voices": "voices.npz"}\n' > "$work/repo/config.json"
head -c 1000000 /dev/urandom > "$work/repo/model.onnx"
head -c 200000 /dev/urandom > "$work/repo/voices.npz"
start_mock "$REPO=$work/repo"
echo "mock hub: $URL"

py_fetch() { # HF_HOME, offline(0/1) -> one path per file
    HF_HOME=$1 HF_HUB_OFFLINE=$2 HF_ENDPOINT=$URL HF_HUB_DISABLE_PROGRESS_BARS=1 "$PY" -c '
import sys
from huggingface_hub import hf_hub_download
for f in sys.argv[2:]:
    print(hf_hub_download(sys.argv[1], f))
' "$REPO" "${FILES[@]}"
}

echo "== 1. Rust downloads, Python reads offline"
rust_paths=$(HF_HOME=$work/a HF_ENDPOINT=$URL "$FETCH" kitten-tts-mini-0.8 "${FILES[@]}" 2>/dev/null)
py_paths=$(py_fetch "$work/a" 1)
echo "$rust_paths"
[ "$rust_paths" = "$py_paths" ] || { echo "MISMATCH: python offline found:"; echo "$py_paths"; exit 1; }
echo "python (HF_HUB_OFFLINE=1) found the same ${#FILES[@]} paths"

echo "== 2. Python downloads, Rust reads offline"
py_paths=$(py_fetch "$work/b" 0)
rust_paths=$(HF_HOME=$work/b HF_HUB_OFFLINE=1 "$FETCH" kitten-tts-mini-0.8 "${FILES[@]}")
echo "$py_paths"
[ "$rust_paths" = "$py_paths" ] || { echo "MISMATCH: rust offline found:"; echo "$rust_paths"; exit 1; }
echo "rust (HF_HUB_OFFLINE=1) found the same ${#FILES[@]} paths"

for f in "${FILES[@]}"; do
    for home in a b; do
        cmp "$work/repo/$f" "$(HF_HOME=$work/$home HF_HUB_OFFLINE=1 "$FETCH" kitten-tts-mini-0.8 "$f")"
    done
done
echo "bytes identical to the served files in both caches"

stop_mock
