#!/usr/bin/env bash
# End-to-end synthesis time, this crate against the Python reference (kittenml 0.9.6), on the
# same model, texts, voice and thread count, in one run. Prints both JSON lines and the ratio.
#   bash scripts/bench-vs-reference.sh [MODEL_DIR] [THREADS] [REPEAT] [TEXTS]
# Defaults: ../shared/models/standin-nano, 2 threads, 3 passes, scripts/data/bench-texts.txt
# (one text per line). Needs the reference venv (bash ../shared/reference/setup.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODEL="${1:-$ROOT/../shared/models/standin-nano}"
THREADS="${2:-2}"
REPEAT="${3:-3}"
REF="${KITTEN_REF:-$ROOT/../shared/reference/kitten_ref.py}"
PY="$(bash "$(dirname "$REF")/setup.sh" --python)"
texts="${4:-$ROOT/scripts/data/bench-texts.txt}"

bash "$ROOT/scripts/fetch-runtimes.sh"
(cd "$ROOT" && cargo build -q --release --example bench)
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/bench"
export KITTENTTS_RUNTIME_DIR="${KITTENTTS_RUNTIME_DIR:-$ROOT/runtimes}"

ref=$("$PY" "$REF" bench --model-dir "$MODEL" --threads "$THREADS" --repeat "$REPEAT" < "$texts")
ours=$("$BIN" --model "$MODEL" --threads "$THREADS" --repeat "$REPEAT" < "$texts")
echo "reference: $ref"
echo "kittentts: $ours"
python3 - "$ref" "$ours" <<'PY'
import json, sys
r, o = (json.loads(a) for a in sys.argv[1:3])
print(f"synthesis: reference {r['best_total_s']:.3f} s, kittentts {o['best_total_s']:.3f} s, "
      f"speed-up x{r['best_total_s'] / o['best_total_s']:.2f}")
print(f"model load: reference {r['load_s']:.3f} s, kittentts {o['load_s']:.3f} s")
print(f"audio: reference {r['audio_s']} s, kittentts {o['audio_s']} s (random-noise models differ slightly)")
PY
