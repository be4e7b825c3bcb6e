#!/usr/bin/env bash
# The speech server against the library directly, in one run (see scripts/bench-server.py).
#   bash scripts/bench-server.sh [MODEL_DIR]      (default ../shared/models/standin-nano)
# Uses the venv of scripts/server-tests.sh (made there when missing).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MODEL="$(cd "${1:-$ROOT/../shared/models/standin-nano}" && pwd)"
bash scripts/fetch-runtimes.sh
cargo build -q --release -p kittentts-server
cargo build -q --release -p kittentts --example bench --example speak
cargo build -q --release -p kittentts-audio --example encode_bench
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release"
cp "$BIN/examples/encode_bench" "$BIN/examples/bench" "$BIN/examples/speak" "$BIN/" 2>/dev/null || true
VENV="$ROOT/target/server-venv"
[ -x "$VENV/bin/python" ] || bash scripts/server-tests.sh --collect-only -q >/dev/null
export KITTENTTS_SERVER_BIN="$BIN/kittentts-server"
"$VENV/bin/python" scripts/bench-server.py --bin-dir "$BIN" --model "$MODEL" --repeat "${REPEAT:-2}"
