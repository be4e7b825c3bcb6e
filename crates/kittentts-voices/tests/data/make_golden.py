"""Regenerates golden.tsv: cells and sums of the real KittenML voice tables, read by numpy.

Run from the repository root with the reference venv:
  $PY crates/kittentts-voices/tests/data/make_golden.py > crates/kittentts-voices/tests/data/golden.tsv

Columns: model dir, voice id (in archive order), rows, then either
  cell <row> <col> <f32 bits as hex> <value repr>
  sum <f64 sum of all values> <f64 sum of absolute values>
"""
import numpy as np

ROWS = [0, 1, 25, 199, 398, 399]
COLS = [0, 1, 127, 255]
for model in ["kitten-mini-0.8", "kitten-nano-0.1"]:
    npz = np.load(f"tests/data/{model}/voices.npz")
    for voice in npz.files:
        table = npz[voice]
        rows = table.shape[0]
        for r in [r for r in ROWS if r < rows]:
            for c in COLS:
                v = table[r, c]
                bits = int(np.array([v], dtype="<f4").view("<u4")[0])
                print(f"{model}\t{voice}\t{rows}\tcell\t{r}\t{c}\t{bits:08x}\t{float(v)!r}")
        t64 = table.astype(np.float64)
        print(f"{model}\t{voice}\t{rows}\tsum\t{float(t64.sum())!r}\t{float(np.abs(t64).sum())!r}")
