#!/usr/bin/env bash
# Phonemise + tokenise throughput: the Python reference (phonemizer 3.4.0 over espeak-ng 1.52,
# KittenTTS's tokeniser, as in `kitten_ref.py frontend`) against kittentts-phonemize, on the
# same chunk texts in one run; prints both and the ratio. Single thread each, best of ROUNDS.
#
#   bash scripts/phonemize-bench.sh [TEXTS.jsonl|TEXTS.txt] [ROUNDS]
#
# TEXTS defaults to the ordinary-English part of the held-out set (800 sentences from Python's
# docstrings). Needs the reference venv (PY, default below) and the fetched runtimes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PY:-/root/.cache/kittentts-reference/venv/bin/python}"
TEXTS="${1:-}"
ROUNDS="${2:-5}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/targets/phonemize}"
export KITTENTTS_RUNTIME_DIR="${KITTENTTS_RUNTIME_DIR:-$ROOT/runtimes}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -z "$TEXTS" ]; then
  head -n 800 "$ROOT/crates/kittentts-phonemize/tests/data/heldout.jsonl" > "$work/texts.jsonl"
  TEXTS="$work/texts.jsonl"
fi

(cd "$ROOT" && cargo build -q --release -p kittentts-phonemize --example phonemize_lines)
rust=$("$CARGO_TARGET_DIR/release/examples/phonemize_lines" --bench "$ROUNDS" < "$TEXTS")

py=$("$PY" - "$ROUNDS" "$TEXTS" <<'PYEOF'
import json, sys, time
from kittenml.kittentts_legacy import onnx_model as om
import phonemizer
rounds, path = int(sys.argv[1]), sys.argv[2]
texts = []
for raw in open(path, encoding="utf-8"):
    raw = raw.rstrip("\n")
    texts.append(json.loads(raw)["text"] if raw.startswith("{") else raw)
backend = phonemizer.backend.EspeakBackend(language="en-us", preserve_punctuation=True, with_stress=True)
cleaner = om.TextCleaner()
best = float("inf")
for _ in range(max(rounds, 1)):
    t0 = time.perf_counter()
    ids = 0
    for t in texts:
        phon = backend.phonemize([t])[0]
        ids += len([0] + cleaner(" ".join(om.basic_english_tokenize(phon))) + [10, 0])
    best = min(best, time.perf_counter() - t0)
print(json.dumps({"texts": len(texts), "ids": ids, "best_total_s": best, "chunks_per_s": len(texts) / best}))
PYEOF
)
echo "reference (Python): $py"
echo "kittentts-phonemize: $rust"
python3 - "$py" "$rust" <<'PYEOF'
import json, sys
py, rs = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"texts {rs['texts']}: reference {py['chunks_per_s']:.0f} chunks/s, ours {rs['chunks_per_s']:.0f} chunks/s, "
      f"ratio {rs['chunks_per_s'] / py['chunks_per_s']:.2f}x (ids: reference {py['ids']}, ours {rs['ids']})")
PYEOF
