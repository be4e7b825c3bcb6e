#!/usr/bin/env python3
"""Golden phonemes and ids for chunk texts, from the Python reference's own phonemizer backend
and tokeniser (the objects `kitten_ref.py frontend` uses), applied to each text AS IS (no
preprocessing, no chunking). Input: one text per line, or JSONL with "text" (other fields are
copied). Output JSONL: the input fields + phonemes (the reference's item 0), items (all of
phonemizer's items; written only when there is not exactly one, else it is [phonemes]),
input_ids (wrapped, from item 0, exactly as KittenTTS computes them).

  PY=$(bash ../shared/reference/setup.sh --python)
  $PY scripts/phonemize-golden.py < texts.jsonl > golden.jsonl
"""
import json
import sys

from kittenml.kittentts_legacy import onnx_model as om  # espeak-ng 1.52 from espeakng-loader
import phonemizer

backend = phonemizer.backend.EspeakBackend(language="en-us", preserve_punctuation=True, with_stress=True)
cleaner = om.TextCleaner()

for raw in sys.stdin:
    raw = raw.rstrip("\n")
    row = json.loads(raw) if raw.startswith("{") else {"text": raw}
    items = backend.phonemize([row["text"]])
    phon = items[0] if items else ""
    toks = " ".join(om.basic_english_tokenize(phon))
    row.update(phonemes=phon, input_ids=[0] + cleaner(toks) + [10, 0])
    if len(items) != 1:
        row["items"] = items
    print(json.dumps(row, ensure_ascii=False), flush=True)
