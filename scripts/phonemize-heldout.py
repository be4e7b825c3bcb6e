#!/usr/bin/env python3
"""Held-out chunk texts for the phonemiser, written after the implementation was finished and
never tuned on: (1) sentences taken from the docstrings of Python's standard library (ordinary
English with code-ish punctuation, digits and quotes), cut to chunk size; (2) random strings
over a wide alphabet (letters of several scripts, every default punctuation mark, digits,
decimal separators, Python whitespace, combining marks, emoji). Seeded; JSONL on stdout.

  $PY scripts/phonemize-heldout.py | $PY scripts/phonemize-golden.py > crates/kittentts-phonemize/tests/data/heldout.jsonl
"""
import importlib
import json
import random
import re

rng = random.Random(20261125)
texts = []

modules = ["argparse", "collections", "csv", "datetime", "decimal", "email", "fractions", "functools",
           "heapq", "json", "logging", "os", "pathlib", "random", "re", "shutil", "statistics", "string",
           "subprocess", "textwrap", "threading", "typing", "unittest", "urllib.parse", "zipfile", "difflib",
           "calendar", "locale", "socket", "tarfile"]
sentences = []
for name in modules:
    mod = importlib.import_module(name)
    docs = [mod.__doc__ or ""]
    for attr in dir(mod):
        doc = getattr(getattr(mod, attr, None), "__doc__", None)
        if isinstance(doc, str):
            docs.append(doc)
    for doc in docs:
        flat = re.sub(r"\s+", " ", doc).strip()
        for s in re.split(r"(?<=[.!?])\s+", flat):
            if 3 <= len(s) <= 400 and re.search(r"[A-Za-z]{3}", s):
                sentences.append(s)
sentences = sorted(set(sentences))
rng.shuffle(sentences)
texts += sentences[:800]

alphabet = (list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") * 4 + list("0123456789") * 2 +
            list(";:,.!?¡¿—…\"«»“”(){}[]") * 2 + list("-–'‘’*&/@#%+=<>_~") +
            [" "] * 30 + ["\t", "\n", "\u00a0", "\u001c", "\u001f", "\u2003", "\u3000"] +
            list("éüñçøßłžčšαβγδжщюяאבגابتअकกไ中文日本語한국") + ["\u0301", "\u0308", "\u0329", "\u0303"] +
            ["😀", "🐱", "👍", "🎉", "❤", "☃", "♫", "→", "∞", "©", "°"])
for _ in range(500):
    n = rng.randint(1, 80)
    texts.append("".join(rng.choice(alphabet) for _ in range(n)))

for t in texts:
    print(json.dumps({"text": t}, ensure_ascii=False))
