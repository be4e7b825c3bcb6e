#!/usr/bin/env python3
"""ONNX Runtime alone on a KittenTTS model: which session and run options change a lone run's
time, and how much of the reference's generate() is its session.run. Run with the reference
venv's python (bash ../shared/reference/setup.sh --python), which has onnxruntime 1.32:

  $PY scripts/bench-ort-options.py options [--model DIR] [--rounds N]
  $PY scripts/bench-ort-options.py overhead [--model DIR] [--rounds N]

`options` loads one session per configuration and times them in turn, round after round
(this machine is noisy), then prints each one's median and best and its median relative to
the first: 2 threads (ONNX Runtime's defaults: spinning), no spinning, dynamic block base 4,
denormals as zero, 1 thread, and 2 threads with arena shrinkage after every run (what the
engine does). The input is 75 ids, the voice's first style row, speed 1.

`overhead` times the reference's generate() on one sentence and the session.run inside it.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SENTENCE = "The committee will meet again next Tuesday to review the final budget."


def model_file(model_dir):
    with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as f:
        return os.path.join(model_dir, json.load(f)["model_file"])


def options(args):
    path = model_file(args.model)
    shrink = ort.RunOptions()
    shrink.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
    configs = {
        "2 threads (defaults)": (2, {}, None),
        "2 threads, no spinning": (2, {"session.intra_op.allow_spinning": "0"}, None),
        "2 threads, dynamic block base 4": (2, {"session.dynamic_block_base": "4"}, None),
        "2 threads, denormals as zero": (2, {"session.set_denormal_as_zero": "1"}, None),
        "1 thread": (1, {}, None),
        "2 threads, arena shrinkage": (2, {}, shrink),
    }
    rng = np.random.default_rng(0)
    ids = np.array([[0] + list(rng.integers(20, 150, 72)) + [10, 0]], dtype=np.int64)
    voices = np.load(os.path.join(args.model, "voices.npz"))
    style = np.asarray(voices[sorted(voices.files)[0]], dtype=np.float32).reshape(-1, 256)[:1]
    feeds = {"input_ids": ids, "style": style, "speed": np.array([1.0], dtype=np.float32)}
    sessions = {}
    for name, (threads, entries, run_options) in configs.items():
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        for key, value in entries.items():
            so.add_session_config_entry(key, value)
        sessions[name] = (ort.InferenceSession(path, so, providers=["CPUExecutionProvider"]), run_options)
    for session, run_options in sessions.values():
        session.run(None, feeds, run_options)
    times = {name: [] for name in sessions}
    for _ in range(args.rounds):
        for name, (session, run_options) in sessions.items():
            t = time.perf_counter()
            session.run(None, feeds, run_options)
            times[name].append(time.perf_counter() - t)
    base = None
    for name, v in times.items():
        v.sort()
        median = v[len(v) // 2]
        base = base or median
        print(json.dumps({"config": name, "median_s": round(median, 4), "best_s": round(v[0], 4), "ratio": round(median / base, 3)}))


def overhead(args):
    sys.path.insert(0, os.path.join(ROOT, "..", "shared", "reference"))
    import kitten_ref  # noqa: E402

    m = kitten_ref._model(args.model, 0)
    m.generate("Warm up.", voice="expr-voice-5-m")
    inner = m.session
    spent = [0.0]

    class Timed:
        def run(self, *a, **k):
            t = time.perf_counter()
            out = inner.run(*a, **k)
            spent[0] += time.perf_counter() - t
            return out

        def __getattr__(self, name):
            return getattr(inner, name)

    m.session = Timed()
    rows = []
    for _ in range(args.rounds):
        spent[0] = 0.0
        t = time.perf_counter()
        m.generate(SENTENCE, voice="expr-voice-5-m", speed=1.0, clean_text=True)
        rows.append((time.perf_counter() - t, spent[0]))
    rows.sort()
    total, run = rows[len(rows) // 2]
    print(json.dumps({"generate_median_s": round(total, 4), "session_run_s": round(run, 4), "overhead_s": round(total - run, 4)}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["options", "overhead"])
    ap.add_argument("--model", default=os.path.join(ROOT, "..", "shared", "models", "standin-nano"))
    ap.add_argument("--rounds", type=int, default=12)
    args = ap.parse_args()
    {"options": options, "overhead": overhead}[args.what](args)


if __name__ == "__main__":
    main()
