#!/usr/bin/env python3
"""Golden chunks from the reference chunker (kittenml 0.9.6 `chunk_text`) for kittentts-text.

Reads crates/kittentts-text/tests/data/chunk_inputs.txt (one text a line; `\\n` stands for a
newline; lines starting with `#` are comments; a line `@max N` sets the limit for the lines after
it) and writes crates/kittentts-text/tests/data/chunk_golden.jsonl, one
{"text", "max_chars", "chunks"} object a line. Run with the reference venv:

  /root/.cache/kittentts-reference/venv/bin/python scripts/text-golden.py
"""
import json
import os

from kittenml.preprocess import chunk_text

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "crates", "kittentts-text", "tests", "data")


def main():
    max_chars = 400
    out = []
    with open(os.path.join(DATA, "chunk_inputs.txt"), encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            if line.startswith("@max "):
                max_chars = int(line.split()[1])
                continue
            text = line.replace("\\n", "\n")
            out.append({"text": text, "max_chars": max_chars, "chunks": chunk_text(text, max_chars)})
    with open(os.path.join(DATA, "chunk_golden.jsonl"), "w", encoding="utf-8") as f:
        for case in out:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")
    print(f"{len(out)} cases")


if __name__ == "__main__":
    main()
