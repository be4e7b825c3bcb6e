#!/usr/bin/env python3
"""The Python package against the Python reference (kittenml 0.9.6), in one process, as ratios.

Run it with the reference venv's python (it has kittenml, onnxruntime 1.32 and espeakng-loader):

    bash ../shared/reference/setup.sh            # once
    $(bash ../shared/reference/setup.sh --python) scripts/bench-python.py [--repeat N] [MODEL_DIR]

It installs kittentts_rs from this clone into target/bench-python-site (`pip install --no-deps
--target`, so the reference venv is left as it is) and imports both packages into this one
process; both use the same libonnxruntime (the venv's onnxruntime package). The default model
is the stand-in nano fp32 (../shared/models/standin-nano). Each figure is the best of --repeat
runs, the two sides alternating, and is printed as one JSON line:

  whole   KittenTTS_1_Onnx.generate() (ours, built as Harmony Speech Engine builds it) vs the
          reference's generate(), clean_text=True, on scripts/data/paragraph-1000.txt. The
          headline `ratio` gives ours the reference's thread budget (--threads, default the
          core count): that many sessions of one thread each. Also printed: ours with its
          defaults (2 sessions x 2 threads on 2 cores), and one session of --threads threads.
  first   the first chunk of Synthesizer.stream() vs the first chunk of the reference's
          generate_stream() on scripts/data/long-5000.txt, models loaded (ours: the same
          budget, and the defaults)

Targets (issue 14): whole <= 0.85, first <= 0.35.
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SITE = os.path.join(ROOT, "target", "bench-python-site")
REF_DIR = os.path.join(os.path.dirname(ROOT), "shared", "reference")
VOICE = "expr-voice-5-m"


def install():
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
         "--upgrade", "--target", SITE, os.path.join(ROOT, "bindings", "python")],
        check=True,
    )
    sys.path.insert(0, SITE)


def best(f, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                    help="the reference's intra-op threads (default: the core count, as ORT picks)")
    ap.add_argument("model", nargs="?", default=os.path.join(os.path.dirname(ROOT), "shared", "models", "standin-nano"))
    args = ap.parse_args()
    install()
    sys.path.insert(0, REF_DIR)
    import kitten_ref as kr  # noqa: E402
    import kittentts_rs  # noqa: E402

    model = os.path.abspath(args.model)
    with open(os.path.join(model, "config.json")) as f:
        config = json.load(f)
    paragraph = open(os.path.join(ROOT, "scripts", "data", "paragraph-1000.txt")).read()
    long_text = open(os.path.join(ROOT, "scripts", "data", "long-5000.txt")).read()

    ref = kr._model(model, args.threads)

    def ours_with(**kw):
        return kittentts_rs.KittenTTS_1_Onnx(
            model_path=os.path.join(model, config["model_file"]),
            voices_path=os.path.join(model, config["voices"]),
            speed_priors=config.get("speed_priors", {}),
            voice_aliases=config.get("voice_aliases", {}),
            **kw,
        )

    variants = {
        "ours": ours_with(sessions=args.threads, threads=1),
        "defaults": ours_with(),
        "one_session": ours_with(sessions=1, threads=args.threads),
    }
    ref.generate("Warm up.", voice=VOICE)
    for m in variants.values():
        m.generate("Warm up.", voice=VOICE)

    times = {"reference": [], **{k: [] for k in variants}}
    for _ in range(args.repeat):
        for key, m in (("reference", ref), *variants.items()):
            times[key].append(best(lambda: m.generate(paragraph, voice=VOICE, speed=1.0, clean_text=True), 1))
    whole = {"what": "whole", "model": os.path.basename(model), "reference_threads": args.threads,
             "reference_s": min(times["reference"])}
    for key, m in variants.items():
        whole[key] = f"{m.synthesizer.sessions}x{m.synthesizer.threads}"
        whole[f"{key}_s"] = min(times[key])
        whole[f"ratio_{key}"] = whole[f"{key}_s"] / whole["reference_s"]
    whole["ratio"] = whole["ratio_ours"]
    print(json.dumps(whole), flush=True)

    def first_of(synth):
        def first():
            with synth.stream(long_text, voice=VOICE) as stream:
                next(stream)
        return first

    firsts = {"reference": [], "ours": [], "defaults": []}
    for _ in range(args.repeat):
        firsts["reference"].append(best(lambda: next(iter(
            ref.generate_stream(long_text, voice=VOICE, speed=1.0, clean_text=True))), 1))
        for key in ("ours", "defaults"):
            firsts[key].append(best(first_of(variants[key].synthesizer), 1))
            time.sleep(0.5)  # let the cancelled stream's last run end before the next timing
    fr = {"what": "first", "model": os.path.basename(model),
          "reference_first_chunk_s": min(firsts["reference"]),
          "ours_first_chunk_s": min(firsts["ours"]), "defaults_first_chunk_s": min(firsts["defaults"])}
    fr["ratio"] = fr["ours_first_chunk_s"] / fr["reference_first_chunk_s"]
    fr["ratio_defaults"] = fr["defaults_first_chunk_s"] / fr["reference_first_chunk_s"]
    print(json.dumps(fr), flush=True)
    print(json.dumps({"what": "summary", "whole_ratio": whole["ratio"], "whole_ratio_defaults": whole["ratio_defaults"],
                      "whole_target": 0.85, "first_ratio": fr["ratio"], "first_ratio_defaults": fr["ratio_defaults"],
                      "first_target": 0.35}), flush=True)


if __name__ == "__main__":
    main()
