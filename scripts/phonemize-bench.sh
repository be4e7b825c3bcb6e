#!/usr/bin/env bash
# Phonemise + tokenise throughput: the Python reference (phonemizer 3.4.0 over espeak-ng 1.52,
# KittenTTS's tokeniser, as in `kitten_ref.py frontend`) against kittentts-phonemize, on the
# same chunk texts in one run; prints both and the ratio. The reference runs on one thread (as
# KittenTTS does); ours once on one thread and once with THREADS libespeak-ng instances and
# threads (EspeakConfig::instances). Best of ROUNDS.
#
#   bash scripts/phonemize-bench.sh [TEXTS.jsonl|TEXTS.txt] [ROUNDS] [THREADS]
#
# TEXTS defaults to the ordinary-English part of the held-out set (800 sentences from Python's
# docstrings). Needs the reference venv (`bash ../shared/reference/setup.sh`; PY overrides the
# interpreter) and the fetched runtimes.
set -euo pipefail
TEXTS="${1:-}"
ROUNDS="${2:-5}"
THREADS="${3:-$(nproc)}"
source "$(dirname "${BASH_SOURCE[0]}")/phonemize-common.sh"
if [ -z "$TEXTS" ]; then
  head -n 800 "$ROOT/crates/kittentts-phonemize/tests/data/heldout.jsonl" > "$work/texts.jsonl"
  TEXTS="$work/texts.jsonl"
fi

rust=$("$LINES_BIN" --bench "$ROUNDS" < "$TEXTS")
rust_mt=$("$LINES_BIN" --bench "$ROUNDS" --threads "$THREADS" < "$TEXTS")

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
cpu0 = time.process_time()
for _ in range(max(rounds, 1)):
    t0 = time.perf_counter()
    ids = 0
    for t in texts:
        phon = backend.phonemize([t])[0]
        ids += len([0] + cleaner(" ".join(om.basic_english_tokenize(phon))) + [10, 0])
    best = min(best, time.perf_counter() - t0)
cpu = (time.process_time() - cpu0) / max(rounds, 1)
print(json.dumps({"texts": len(texts), "ids": ids, "best_total_s": best, "chunks_per_s": len(texts) / best,
                  "cpu_s_per_round": cpu}))
PYEOF
)
echo "reference (Python): $py"
echo "kittentts-phonemize: $rust"
echo "kittentts-phonemize, $THREADS threads: $rust_mt"
python3 - "$py" "$rust" "$rust_mt" "$(nproc)" <<'PYEOF'
import json, sys
py, rs, mt = (json.loads(a) for a in sys.argv[1:4])
print(f"texts {rs['texts']} (ids: reference {py['ids']}, ours {rs['ids']}; ours keeps every phonemizer item)")
print(f"  reference, 1 thread:  {py['chunks_per_s']:8.0f} chunks/s (best wall), {py['cpu_s_per_round']:.3f} CPU s per round")
print(f"  ours, 1 thread:       {rs['chunks_per_s']:8.0f} chunks/s  ratio {rs['chunks_per_s'] / py['chunks_per_s']:.2f}x"
      + (f"; {rs['cpu_s_per_round']:.3f} CPU s per round, CPU ratio {py['cpu_s_per_round'] / rs['cpu_s_per_round']:.2f}x"
         if rs.get('cpu_s_per_round') else ""))
print(f"  ours, {mt['threads']} threads:      {mt['chunks_per_s']:8.0f} chunks/s  ratio {mt['chunks_per_s'] / py['chunks_per_s']:.2f}x"
      f"  ({sys.argv[4]} CPUs)")
PYEOF
