#!/usr/bin/env python3
"""Score text normalisers on the held-out spoken-form benchmark.

Reads bench-data/normalize/heldout.jsonl (one case a line:
{"id", "category", "text", "accepted": [...], optional "keep_case": [...]}),
runs each selected system on every case's "text", and prints one table of
per-category and overall accuracy, the systems side by side.

Systems (pick with --systems, comma-separated; default: all that are available):
  tp    reference kittenml TextPreprocessor(remove_punctuation=False), exactly
        what KittenTTS_1_Onnx.generate(clean_text=True) applies
        (kittenml/kittentts_legacy/onnx_model.py), run with $KITTENTTS_REF_PYTHON
  nt    reference kittenml.preprocess.normalize_text (the newer API)
  ktp   kitten_text_processing.normalize_text from PyPI's kitten-text-processing
        (NeMo's English grammars, pure Python), run with $KTP_PYTHON
  kt2   kittenml/kittentts2/text.py normalize_text: what KittenTTS 2 speaks
        (kitten-text-processing plus kittenml's own pre/post rules), loaded
        from the reference venv's kittenml but run with $KTP_PYTHON (which
        needs numpy as well); not in the default list
  plus any number of --cmd NAME=COMMAND: a shell command that reads one text a
        line on stdin and writes one line per input on stdout, either the plain
        normalised text or a JSON object with a "normalized" field (a JSON
        object with an "error" field, or without "normalized", counts as a crash).
        With --cmd-input jsonl each input line is sent as {"text": ...} instead.

Scoring: a case scores 1 when the system's output, canonicalised, equals one of
the case's accepted spoken forms, canonicalised the same way, and every word in
"keep_case" appears in the output with exactly that letter case (so "US" read
as the pronoun "us" fails). Canonicalisation (see canon()):
  * lowercase (no Unicode normalisation: labels are NFC, and an output left
    decomposed does not match them);
  * apostrophes and periods are deleted ("o'clock" -> "oclock", "a.m." -> "am",
    "e.g." -> "eg"): "a m" and "am" stay different, so labels list both
    spellings explicitly where both are fine;
  * hyphens and dashes become spaces ("twenty-four" == "twenty four");
  * every other non-word character becomes a space, and the result is the
    sequence of whitespace-separated tokens;
  * "and" right after a scale word (hundred, thousand, million, ... ) and
    right before a number word is dropped, so "one hundred and five" ==
    "one hundred five" and "two thousand and nine" == "two thousand nine"
    (the British and the American reading are both fine); every other "and"
    counts ("one and a half", "rock and roll");
  * the token "o" counts as "oh" ("six o seven" == "six oh seven": espeak
    says the letter and the word alike).
A system that raises, exits non-zero or returns no line for a case scores 0 on
it; crashes are counted in the table's last rows.

Usage:
  python3 scripts/normalize-accuracy.py                      # tp, nt, ktp
  python3 scripts/normalize-accuracy.py --systems tp,nt,ktp,kt2
  python3 scripts/normalize-accuracy.py --systems tp,nt --misses /tmp/misses.jsonl
  python3 scripts/normalize-accuracy.py --systems none \
      --cmd 'rust=cargo run -q --release --example inspect -- --only-normalize'
"""
import argparse
import json
import os
import re
import subprocess
import sys
import unicodedata
from collections import OrderedDict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_DATA = os.path.join(ROOT, "bench-data", "normalize", "heldout.jsonl")
DEFAULT_REF_PY = os.environ.get(
    "KITTENTTS_REF_PYTHON", "/root/.cache/kittentts-reference/venv/bin/python")
DEFAULT_KTP_PY = os.environ.get(
    "KTP_PYTHON", os.path.expanduser("~/.cache/ktp-venv/bin/python"))

# Worker run inside another interpreter: JSON lines {"text"} in, {"out"} or {"error"} out.
_WORKER = r'''
import json, sys
which = sys.argv[1]
if which == "tp":
    from kittenml.preprocess import TextPreprocessor
    fn = TextPreprocessor(remove_punctuation=False)
elif which == "nt":
    from kittenml.preprocess import normalize_text as fn
elif which == "ktp":
    import kitten_text_processing as k
    k.warm()
    fn = k.normalize_text
elif which == "kt2":
    import importlib.util
    spec = importlib.util.spec_from_file_location("kt2_text", sys.argv[2])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.warm_normalizer()
    fn = mod.normalize_text
else:
    raise SystemExit("unknown system " + which)
for line in sys.stdin:
    text = json.loads(line)["text"]
    try:
        res = {"out": fn(text)}
    except BaseException as e:  # the reference's bugs are data
        res = {"error": type(e).__name__ + ": " + str(e)}
    sys.stdout.write(json.dumps(res) + "\n")
    sys.stdout.flush()
'''

LABELS = {
    "tp": "TextPreprocessor",
    "nt": "normalize_text",
    "ktp": "kitten-text-proc",
    "kt2": "KittenTTS2-text",
}

_DASHES = re.compile(r"[\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212]")
_DELETE = re.compile(r"['\u2019\u2018.]")
_OTHER = re.compile(r"[^\w\s]|_")


_SCALES = {"hundred", "thousand", "million", "billion", "trillion", "quadrillion",
           "quintillion", "sextillion"}
_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
          "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
          "seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty",
          "sixty", "seventy", "eighty", "ninety"]
_ORDS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
         "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
         "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth", "thirtieth",
         "fortieth", "fiftieth", "sixtieth", "seventieth", "eightieth", "ninetieth"]
_NUMBER_WORDS = set(_UNITS) | set(_ORDS)


def canon(text):
    """The token sequence a spoken form is compared by (see the module docs).

    No Unicode normalisation here: an output that keeps a decomposed "e" +
    U+0301 differs from the NFC label "é" (the combining mark becomes a space).
    """
    text = text.lower()
    text = _DELETE.sub("", text)
    text = _DASHES.sub(" ", text)
    text = _OTHER.sub(" ", text)
    toks = text.split()
    out = []
    for i, t in enumerate(toks):
        if (t == "and" and out and out[-1] in _SCALES
                and i + 1 < len(toks) and toks[i + 1] in _NUMBER_WORDS):
            continue
        out.append("oh" if t == "o" else t)
    return tuple(out)


def case_ok(output, keep_case):
    """Every word of keep_case occurs in output as a whole word with that exact case."""
    for word in keep_case:
        if not re.search(r"(?<!\w)" + re.escape(word) + r"(?!\w)", output):
            return False
    return True


def score_case(case, output):
    if output is None:
        return 0
    got = canon(output)
    if not any(got == canon(a) for a in case["accepted"]):
        return 0
    return 1 if case_ok(output, case.get("keep_case", [])) else 0


def load_cases(path):
    cases = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                case = json.loads(line)
            except ValueError as e:
                raise SystemExit(f"{path}:{n}: bad JSON: {e}")
            for key in ("id", "category", "text", "accepted"):
                if key not in case:
                    raise SystemExit(f"{path}:{n}: missing {key!r}")
            if "\n" in case["text"] or not case["accepted"]:
                raise SystemExit(f"{path}:{n}: newline in text or no accepted form")
            for a in case["accepted"]:
                # labels are spoken words: NFC, no digits left to read
                if not unicodedata.is_normalized("NFC", a) or re.search(r"\d", a):
                    raise SystemExit(f"{path}:{n}: label not NFC or has a digit: {a!r}")
            cases.append(case)
    ids = [c["id"] for c in cases]
    if len(set(ids)) != len(ids):
        raise SystemExit(f"{path}: duplicate ids")
    return cases


def _kt2_text_py(ref_python):
    """Path of kittenml/kittentts2/text.py in the reference venv, or None."""
    lib = os.path.join(os.path.dirname(os.path.dirname(ref_python)), "lib")
    if not os.path.isdir(lib):
        return None
    for pyver in sorted(os.listdir(lib)):
        cand = os.path.join(lib, pyver, "site-packages", "kittenml", "kittentts2", "text.py")
        if os.path.exists(cand):
            return cand
    return None


def run_python_system(python, which, texts, extra=()):
    """Outputs (or None) and error strings, one per text, from the worker."""
    if not os.path.exists(python):
        return None, f"interpreter not found: {python}"
    payload = "".join(json.dumps({"text": t}) + "\n" for t in texts)
    proc = subprocess.run([python, "-c", _WORKER, which, *extra], input=payload,
                          capture_output=True, text=True, encoding="utf-8")
    lines = proc.stdout.splitlines()
    if proc.returncode != 0 or len(lines) != len(texts):
        return None, f"worker failed (rc {proc.returncode}): {proc.stderr.strip()[-500:]}"
    outs, errs = [], []
    for line in lines:
        obj = json.loads(line)
        outs.append(obj.get("out"))
        errs.append(obj.get("error"))
    return (outs, errs), None


def _parse_cmd_line(line):
    """(output, error) from one stdout line of a --cmd system."""
    s = line.strip()
    if s.startswith("{"):
        try:
            obj = json.loads(s)
        except ValueError:
            return line, None
        if isinstance(obj, dict):
            if obj.get("error") is not None:
                return None, str(obj["error"])
            if "normalized" in obj and isinstance(obj["normalized"], str):
                return obj["normalized"], None
            return None, "JSON line without \"normalized\""
    return line, None


def _cmd_payload(texts, mode):
    if mode == "jsonl":
        return "".join(json.dumps({"text": t}) + "\n" for t in texts)
    return "".join(t + "\n" for t in texts)


def run_cmd_system(cmd, texts, mode, timeout):
    """Run the command once on all texts; if that fails, once per text."""
    try:
        proc = subprocess.run(cmd, shell=True, input=_cmd_payload(texts, mode),
                              capture_output=True, text=True, encoding="utf-8",
                              timeout=timeout * max(1, len(texts)))
        lines = proc.stdout.splitlines()
        if proc.returncode == 0 and len(lines) == len(texts):
            outs, errs = zip(*(_parse_cmd_line(l) for l in lines))
            return (list(outs), list(errs)), None
        why = f"batch run rc {proc.returncode}, {len(lines)} lines for {len(texts)} inputs"
    except subprocess.TimeoutExpired:
        why = "batch run timed out"
    sys.stderr.write(f"note: {why}; running {cmd!r} once per case\n")
    outs, errs = [], []
    for t in texts:
        try:
            proc = subprocess.run(cmd, shell=True, input=_cmd_payload([t], mode),
                                  capture_output=True, text=True, encoding="utf-8",
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            outs.append(None)
            errs.append(f"timeout after {timeout}s")
            continue
        lines = proc.stdout.splitlines()
        if proc.returncode != 0 or len(lines) != 1:
            outs.append(None)
            errs.append(f"rc {proc.returncode}, {len(lines)} lines: {proc.stderr.strip()[-300:]}")
            continue
        o, e = _parse_cmd_line(lines[0])
        outs.append(o)
        errs.append(e)
    return (outs, errs), None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=DEFAULT_DATA, help="cases (JSONL)")
    ap.add_argument("--systems", default="tp,nt,ktp",
                    help="comma-separated built-in systems (tp, nt, ktp, kt2) or 'none'")
    ap.add_argument("--cmd", action="append", default=[], metavar="NAME=COMMAND",
                    help="an external normaliser (stdin lines -> stdout lines); repeatable")
    ap.add_argument("--cmd-input", choices=["text", "jsonl"], default="text",
                    help="send --cmd inputs as plain lines or as {\"text\": ...} lines")
    ap.add_argument("--cmd-timeout", type=float, default=60.0,
                    help="seconds per case for --cmd systems")
    ap.add_argument("--ref-python", default=DEFAULT_REF_PY)
    ap.add_argument("--ktp-python", default=DEFAULT_KTP_PY)
    ap.add_argument("--category", action="append", default=[],
                    help="only these categories (repeatable)")
    ap.add_argument("--misses", metavar="FILE",
                    help="write every miss/crash as JSON lines (system, id, text, output, accepted)")
    ap.add_argument("--json", metavar="FILE", help="write the scores as JSON")
    args = ap.parse_args()

    cases = load_cases(args.data)
    if args.category:
        cases = [c for c in cases if c["category"] in args.category]
    texts = [c["text"] for c in cases]

    results = OrderedDict()   # name -> (outs, errs)
    skipped = {}
    for which in [s.strip() for s in args.systems.split(",") if s.strip() and s.strip() != "none"]:
        if which not in LABELS:
            raise SystemExit(f"unknown system {which!r}")
        python = args.ktp_python if which in ("ktp", "kt2") else args.ref_python
        extra = ()
        if which == "kt2":
            text_py = _kt2_text_py(args.ref_python)
            if text_py is None:
                skipped[LABELS[which]] = "kittenml/kittentts2/text.py not found"
                continue
            extra = (text_py,)
        res, why = run_python_system(python, which, texts, extra)
        if res is None:
            skipped[LABELS[which]] = why
            sys.stderr.write(f"skipping {which}: {why}\n")
        else:
            results[LABELS[which]] = res
    for spec in args.cmd:
        name, sep, cmd = spec.partition("=")
        if not sep or not name or not cmd:
            raise SystemExit(f"--cmd wants NAME=COMMAND, got {spec!r}")
        res, _ = run_cmd_system(cmd, texts, args.cmd_input, args.cmd_timeout)
        results[name] = res

    if not results:
        raise SystemExit("no system ran")

    categories = list(OrderedDict.fromkeys(c["category"] for c in cases))
    scores = {name: [score_case(c, o) for c, o in zip(cases, outs)]
              for name, (outs, _) in results.items()}
    crashes = {name: sum(1 for o, e in zip(outs, errs) if o is None or e is not None)
               for name, (outs, errs) in results.items()}

    names = list(results)
    w0 = max(len("category"), *(len(c) for c in categories), len("OVERALL"))
    widths = [max(len(n), 6) for n in names]
    header = f"{'category':<{w0}}  {'n':>4}  " + "  ".join(f"{n:>{w}}" for n, w in zip(names, widths))
    print(header)
    print("-" * len(header))
    summary = {"cases": len(cases), "systems": {}}
    for cat in categories + ["OVERALL"]:
        idx = [i for i, c in enumerate(cases) if cat == "OVERALL" or c["category"] == cat]
        if cat == "OVERALL":
            print("-" * len(header))
        cells = []
        for n, w in zip(names, widths):
            s = sum(scores[n][i] for i in idx) / len(idx)
            summary["systems"].setdefault(n, {})[cat] = round(s, 4)
            cells.append(f"{s:>{w}.2f}")
        print(f"{cat:<{w0}}  {len(idx):>4}  " + "  ".join(cells))
    print(f"{'crashes':<{w0}}  {'':>4}  " + "  ".join(f"{crashes[n]:>{w}}" for n, w in zip(names, widths)))
    for n, why in skipped.items():
        print(f"skipped {n}: {why}")
    for n in names:
        summary["systems"][n]["crashes"] = crashes[n]

    if args.misses:
        with open(args.misses, "w", encoding="utf-8") as f:
            for n in names:
                outs, errs = results[n]
                for c, o, e, s in zip(cases, outs, errs, scores[n]):
                    if s:
                        continue
                    f.write(json.dumps({"system": n, "id": c["id"], "category": c["category"],
                                        "text": c["text"], "output": o, "error": e,
                                        "accepted": c["accepted"][:4]},
                                       ensure_ascii=False) + "\n")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1)


if __name__ == "__main__":
    main()
