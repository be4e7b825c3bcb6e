#!/usr/bin/env bash
# Checks kittentts-phonemize against the reference tool's own `frontend` output: ordinary
# sentences go through `kitten_ref.py frontend` (preprocess + chunk + phonemise + tokenise);
# every chunk text it produced is phonemised here and the wrapped ids are compared.
#
#   bash scripts/phonemize-frontend-check.sh [SENTENCES.txt]
#
# Default sentences: the text layer's test inputs (crates/kittentts-text/tests/data) plus
# sentences from the docstrings of Python modules not used by the held-out set.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/phonemize-common.sh"

if [ -n "${1:-}" ]; then
  cp "$1" "$work/sentences.txt"
else
  d="$ROOT/crates/kittentts-text/tests/data"
  { cat "$d/bench_sentences.txt" "$d/chunk_inputs.txt"
    python3 -c 'import json,sys; [print(json.loads(l)["text"].replace("\n"," ")) for l in open(sys.argv[1]) if l.strip()]' "$d/normalize_cases.jsonl"
    "$PY" - <<'PYEOF'
import importlib, random, re
rng = random.Random(7)
out = []
for name in ["abc", "asyncio", "base64", "bisect", "cmd", "codecs", "configparser", "contextlib", "copy", "dataclasses",
             "enum", "filecmp", "fnmatch", "ftplib", "getopt", "gettext", "glob", "gzip", "hashlib", "hmac", "html",
             "http.client", "imaplib", "inspect", "io", "ipaddress", "itertools", "mailbox", "mimetypes", "numbers",
             "operator", "optparse", "pickle", "platform", "plistlib", "pprint", "queue", "sched", "secrets",
             "selectors", "shelve", "signal", "smtplib", "sqlite3", "ssl", "struct", "tempfile", "timeit", "trace",
             "traceback", "uuid", "warnings", "wave", "weakref", "xml.dom.minidom"]:
    mod = importlib.import_module(name)
    flat = re.sub(r"\s+", " ", mod.__doc__ or "").strip()
    for s in re.split(r"(?<=[.!?])\s+", flat):
        if 20 <= len(s) <= 300 and re.search(r"[a-z]{3} [a-z]{3}", s):
            out.append(s)
out = sorted(set(out))
rng.shuffle(out)
print("\n".join(out[:300]))
PYEOF
  } | grep -v '^\s*$' > "$work/sentences.txt"
fi

"$PY" "$REF" frontend < "$work/sentences.txt" > "$work/frontend.jsonl"
python3 - "$work/frontend.jsonl" "$work/chunks.jsonl" <<'PYEOF'
import json, sys
n = 0
with open(sys.argv[2], "w") as out:
    for line in open(sys.argv[1]):
        g = json.loads(line)
        for c in g.get("chunks") or []:
            if isinstance(c.get("phonemes"), str):
                out.write(json.dumps({"text": c["text"], "input_ids": c["input_ids"]}, ensure_ascii=False) + "\n")
                n += 1
print(f"{sum(1 for _ in open(sys.argv[1]))} sentences, {n} reference chunks", file=sys.stderr)
PYEOF
"$LINES_BIN" < "$work/chunks.jsonl" > "$work/ours.jsonl"
python3 - "$work/chunks.jsonl" "$work/ours.jsonl" <<'PYEOF'
import json, sys
ref = [json.loads(l) for l in open(sys.argv[1])]
ours = [json.loads(l) for l in open(sys.argv[2])]
assert len(ref) == len(ours)
same = sum(r["input_ids"] == o["input_ids"] for r, o in zip(ref, ours))
multi = sum(len(o["items"]) > 1 for o in ours)
single = [(r, o) for r, o in zip(ref, ours) if len(o["items"]) == 1]
same_single = sum(r["input_ids"] == o["input_ids"] for r, o in single)
print(f"chunks: {len(ref)}; identical input_ids: {same}/{len(ref)}; "
      f"single-item chunks identical: {same_single}/{len(single)}; multi-item (reference loses text): {multi}")
for r, o in zip(ref, ours):
    if r["input_ids"] != o["input_ids"]:
        print("  differs:", repr(r["text"][:100]), "items:", len(o["items"]))
PYEOF
