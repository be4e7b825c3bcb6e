#!/usr/bin/env bash
# Score the normalisers on bench-data/normalize/heldout.jsonl (see its README.md).
# Creates the separate kitten-text-processing venv on first use, builds the Rust
# normaliser's example, and runs scripts/normalize-accuracy.py with every system.
# Extra arguments go to the Python script (e.g. --misses /tmp/misses.jsonl).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
ktp_venv="${KTP_VENV:-$HOME/.cache/ktp-venv}"
if [ ! -x "$ktp_venv/bin/python" ]; then
    python3 -m venv "$ktp_venv"
    "$ktp_venv/bin/pip" install -q kitten-text-processing==0.1.0 numpy
fi
export KTP_PYTHON="$ktp_venv/bin/python"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
(cd "$root" && cargo build -q --release -p kittentts-text --example normalize)
exe="$CARGO_TARGET_DIR/release/examples/normalize"
exec python3 "$root/scripts/normalize-accuracy.py" --systems tp,nt,ktp,kt2 \
    --cmd "kittentts-text=$exe" --cmd "kittentts-text-no-roman=$exe --no-roman" "$@"
