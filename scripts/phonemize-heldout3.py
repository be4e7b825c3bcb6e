#!/usr/bin/env python3
"""Third held-out set, generated after the last change to the implementation and never tuned
on: (1) sentences from numpy's docstrings (technical English with numbers, decimals, quotes,
brackets and code), cut to chunk size; (2) punctuation-heavy pseudo-sentences (real words,
every default mark with random whitespace, decimals, quotes); (3) short random strings over a
wide alphabet. Seeded; JSONL on stdout.

  $PY scripts/phonemize-heldout3.py | $PY scripts/phonemize-golden.py > crates/kittentts-phonemize/tests/data/heldout3.jsonl
"""
import json
import random
import re

import numpy

rng = random.Random(31337)
sentences = set()
for name in dir(numpy):
    doc = getattr(getattr(numpy, name, None), "__doc__", None)
    if not isinstance(doc, str):
        continue
    flat = re.sub(r"\s+", " ", doc)
    for s in re.split(r"(?<=[.!?])\s+", flat):
        s = s.strip()
        if 15 <= len(s) <= 350 and re.search(r"[a-z]{3} [a-z]{3}", s) and ">>>" not in s:
            sentences.add(s)
sentences = sorted(sentences)
rng.shuffle(sentences)
texts = sentences[:600]

words = re.findall(r"[A-Za-z']+", " ".join(sentences[600:1600]))
marks = list(";:,.!?¡¿—…\"«»“”(){}[]")
spaces = [" ", " ", " ", "  ", "", "\t", "\u00a0", "\n", "\u001e"]
for _ in range(300):
    out = []
    for i in range(rng.randint(2, 14)):
        w = rng.choice(words)
        if rng.random() < 0.12:
            w = rng.choice([f"{rng.randint(0, 99)}.{rng.randint(0, 99)}", f"{rng.randint(1, 9)},{rng.randint(100, 999)}",
                            str(rng.randint(0, 10**6)), f"{rng.randint(0, 9)}.", f".{rng.randint(0, 9)}"])
        out.append(w)
        if rng.random() < 0.35:
            out.append(rng.choice(spaces) + "".join(rng.choice(marks) for _ in range(rng.choice([1, 1, 2, 3]))) + rng.choice(spaces))
        else:
            out.append(" ")
    texts.append("".join(out).strip(" ") + rng.choice(["", ".", "?", "!", "…", "\"", ")", ". "]))

alphabet = (list("abcdefghijklmnopqrstuvwxyz") * 3 + list("ABCDEFGHIJKLMNOPQRSTUVWXYZ") + list("0123456789") * 2 +
            list(";:,.!?¡¿—…\"«»“”(){}[]") * 2 + list("-–'’*&/@#%+=_") + [" "] * 25 + ["\t", "\u2009", "\u001c"] +
            list("äöüßéèçñåøæœłšžčřğış") + list("ηλμνξπρστ") + list("жзилмн") + list("αב") + list("水火") +
            ["\u0301", "\u0329", "😀", "✨", "→", "%", "°", "½"])
for _ in range(300):
    texts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 50))))

for t in texts:
    print(json.dumps({"text": t}, ensure_ascii=False))
