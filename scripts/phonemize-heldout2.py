#!/usr/bin/env python3
"""Second held-out set, generated after the last change to the implementation (the first one,
scripts/phonemize-heldout.py, revealed two misfires of the long-word rule that were then
fixed, so it is no longer untouched). Sources never looked at while tuning: (1) sentences from
the package descriptions (METADATA) and license files of the reference venv's site-packages,
cut to chunk size; (2) random strings, another seed, a wider alphabet (more scripts, digit and
mark runs, long letter runs, controls). JSONL on stdout.

  $PY scripts/phonemize-heldout2.py | $PY scripts/phonemize-golden.py > crates/kittentts-phonemize/tests/data/heldout2.jsonl
"""
import glob
import json
import os
import random
import re
import sys

rng = random.Random(99173)
site = os.path.dirname(os.path.dirname(os.__file__))
site = next(p for p in sys.path if p.endswith("site-packages"))
sentences = set()
for path in sorted(glob.glob(os.path.join(site, "*.dist-info", "METADATA")) +
                   glob.glob(os.path.join(site, "*.dist-info", "LICENSE*")) +
                   glob.glob(os.path.join(site, "*.dist-info", "licenses", "*"))):
    try:
        text = open(path, encoding="utf-8", errors="replace").read()
    except (IsADirectoryError, OSError):
        continue
    text = "\n".join(l for l in text.split("\n") if not re.match(r"^[A-Z][\w-]+: ", l))  # drop headers
    flat = re.sub(r"\s+", " ", text)
    for s in re.split(r"(?<=[.!?])\s+", flat):
        if 10 <= len(s) <= 400 and re.search(r"[a-z]{3} [a-z]{2,}", s):
            sentences.add(s.strip())
sentences = sorted(sentences)
rng.shuffle(sentences)
texts = sentences[:700]

alphabet = (list("etaoinshrdlucmfwypvbgkjqxzETAOINSHRDLU") * 3 + list("0123456789") * 3 +
            list(";:,.!?¡¿—…\"«»“”(){}[]") * 3 + list("-–'‘’*&/@#%+=<>_~^|\\") + [" "] * 40 +
            ["\t", "\n", "\r", "\u000b", "\u000c", "\u0085", "\u00a0", "\u001d", "\u001e", "\u2002", "\u202f", "\u0007", "\u007f"] +
            list("àáâãäåèéêëìíîïòóôõöùúûüýÿčďěňřšťůžąćęłńśźżőűğışçâîûæøåœ") + list("ΑΒΓαβγδεζηθικλ") +
            list("абвгдеёжзийклмнопрстуфхцчшщъыьэюя") + list("אבגדהוזחטיכלמנסעפצקרשת") + list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي") +
            list("अआइईउऊकखगघचछजझटठडढणतथदधनपफबभमयरलवशसह") + list("กขคงจฉชซญดตถทนบปผพฟมยรลวสหอฮ") +
            list("日月火水木金土人大中小上下山川田") + list("가나다라마바사아자차카타파하") +
            ["\u0300", "\u0301", "\u0302", "\u0327", "\u0329", "\u0361", "\u20e3", "\ufe0f", "\u200d"] +
            ["😀", "😂", "🙏", "👩‍💻", "🇯🇵", "🐈", "🌍", "⭐", "✓", "™", "№", "€", "£", "±", "∑", "√", "≈", "½", "¾", "²", "µ"])
for _ in range(600):
    n = rng.choice([rng.randint(1, 10), rng.randint(10, 60), rng.randint(60, 200)])
    s = "".join(rng.choice(alphabet) for _ in range(n))
    if rng.random() < 0.1:  # a run of one letter or digit, sometimes past espeak's word limit
        c = rng.choice("aeiouwxyzq0123456789")
        s += " " + c * rng.randint(5, 60)
    texts.append(s)

for t in texts:
    print(json.dumps({"text": t}, ensure_ascii=False))
