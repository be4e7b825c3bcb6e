#!/usr/bin/env bash
# Speed of kittentts-text's normaliser against the reference TextPreprocessor, same sentences,
# one run. The reference is timed as its Python loop only (model-free, interpreter start and
# imports excluded); ours as the whole process (start, read stdin, normalise, write stdout).
#
#   scripts/text-bench.sh [REPEAT]        # default REPEAT=200 (the 50 sentences × REPEAT lines)
#
# Our side runs crates/kittentts-text's example binary. To time the facade's entry point
# instead, set RUST_CMD, e.g.:
#   RUST_CMD="target/release/examples/inspect --only-normalize" scripts/text-bench.sh
# (build it first with `cargo build --release --example inspect`).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${KITTENTTS_REF_PYTHON:-/root/.cache/kittentts-reference/venv/bin/python}"
REPEAT="${1:-200}"
SENTENCES="$ROOT/crates/kittentts-text/tests/data/bench_sentences.txt"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/targets/text}"
if [[ -z "${RUST_CMD:-}" ]]; then
  (cd "$ROOT" && cargo build -q --release -p kittentts-text --example normalize)
  RUST_CMD="$CARGO_TARGET_DIR/release/examples/normalize"
fi
INPUT="$(mktemp)"
trap 'rm -f "$INPUT" "$INPUT.out"' EXIT
for _ in $(seq "$REPEAT"); do cat "$SENTENCES"; done > "$INPUT"
LINES=$(wc -l < "$INPUT")

PY_S=$("$PY" - "$INPUT" <<'PYEOF'
import sys, time
from kittenml.preprocess import TextPreprocessor
pp = TextPreprocessor(remove_punctuation=False)
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
t = time.perf_counter()
for line in lines:
    pp(line)
print(f"{time.perf_counter() - t:.6f}")
PYEOF
)

# Best of 3 whole-process runs.
RS_S=""
for _ in 1 2 3; do
  s=$(date +%s.%N)
  $RUST_CMD < "$INPUT" > "$INPUT.out"
  e=$(date +%s.%N)
  t=$(echo "$e - $s" | bc -l)
  if [[ -z "$RS_S" ]] || (( $(echo "$t < $RS_S" | bc -l) )); then RS_S=$t; fi
done
OUT_LINES=$(wc -l < "$INPUT.out")
[[ "$OUT_LINES" == "$LINES" ]] || { echo "line count mismatch: $OUT_LINES vs $LINES" >&2; exit 1; }

printf 'lines: %d\n' "$LINES"
printf 'reference TextPreprocessor loop: %.3f s (%.0f lines/s)\n' "$PY_S" "$(echo "$LINES / $PY_S" | bc -l)"
printf 'kittentts-text whole process:   %.3f s (%.0f lines/s)\n' "$RS_S" "$(echo "$LINES / $RS_S" | bc -l)"
printf 'speed-up: %.1fx\n' "$(echo "$PY_S / $RS_S" | bc -l)"
