#!/usr/bin/env python3
"""The engine's figures against the Python reference (kittenml 0.9.6), in one run, as ratios.
Run through scripts/bench-engine.sh, which builds the examples and picks the reference venv's
python:

  bash scripts/bench-engine.sh [MODEL_DIR ...]   (default: stand-in nano fp32, nano int8, mini)

For each model it prints one JSON line per figure and a summary line. Every timing is the best
of --repeat runs; the two sides of a ratio run alternately, since this machine is noisy.
  sentence       one 71-character sentence, one caller, model loaded: `bench` with the
                 library's defaults vs the reference's generate() (its default threads)
  short_one      the ten texts of scripts/data/short-texts.txt, one caller: defaults vs
                 1 session x all cores
  short_two      the same texts, 2 callers with the defaults vs 1 caller on 1 session x all
                 cores (throughput ratio)
  paragraph      `speak` process (load included) on scripts/data/paragraph-1000.txt vs the
                 reference's in-process generate() with the model loaded
  first_loaded   stream()'s first chunk on scripts/data/long-5000.txt, model loaded, vs the
                 reference's first chunk of generate_stream() with its model loaded
  first_process  from process start to the first audio byte: `speak --out - --format pcm` vs
                 a reference process that loads the model and yields its first chunk
  rss            peak RSS of `speak` on the paragraph (defaults, and 1 session) vs the
                 reference process doing the same
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VOICE = "expr-voice-5-m"
SENTENCE = "The committee will meet again next Tuesday to review the final budget."


def ref_module(ref_dir):
    sys.path.insert(0, ref_dir)
    import kitten_ref  # noqa: E402

    return kitten_ref


# A small launcher process starts the command and reports its peak RSS: a child forked from
# this process (which holds the reference model) would count this process's pages too.
LAUNCHER = r"""
import os, subprocess, sys, time
t = time.perf_counter()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(p.pid, 0)
print(time.perf_counter() - t, usage.ru_maxrss, status)
"""


def run_rss(cmd, stdin_path):
    """Runs cmd with stdin from a file; returns (wall seconds, peak RSS in MB)."""
    with open(stdin_path, "rb") as f:
        out = subprocess.run([sys.executable, "-c", LAUNCHER, *cmd], stdin=f, capture_output=True)
    wall, rss_kb, status = out.stdout.split()
    if int(status) != 0:
        raise SystemExit(f"{cmd[0]} failed: {out.stderr.decode(errors='replace')}")
    return float(wall), int(rss_kb) / 1024


def first_byte(cmd, stdin_path):
    """Seconds from starting cmd to the first byte on its stdout; the process is then killed."""
    with open(stdin_path, "rb") as f:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=f, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        b = p.stdout.read(1)
        dt = time.perf_counter() - t
        p.kill()
        p.wait()
    if not b:
        raise SystemExit(f"{cmd[0]} wrote nothing")
    return dt


def bench(bin_dir, model, texts, *extra):
    with open(texts, "rb") as f:
        out = subprocess.run(
            [os.path.join(bin_dir, "bench"), "--model", model, "--voice", VOICE, *extra],
            stdin=f,
            capture_output=True,
        )
    if out.returncode != 0:
        raise SystemExit(f"bench failed: {out.stderr.decode(errors='replace')}")
    return json.loads(out.stdout)


REF_FIRST = r"""
import sys, os
sys.path.insert(0, sys.argv[1])
import kitten_ref as kr
m = kr._model(sys.argv[2], 0)
text = open(sys.argv[3]).read()
for chunk in m.generate_stream(text, voice="expr-voice-5-m", speed=1.0, clean_text=True):
    os.write(1, b"x")
    break
"""

REF_WHOLE = r"""
import sys
sys.path.insert(0, sys.argv[1])
import kitten_ref as kr
m = kr._model(sys.argv[2], 0)
m.generate(open(sys.argv[3]).read(), voice="expr-voice-5-m", speed=1.0, clean_text=True)
"""


def timed(f):
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--ref-dir", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("models", nargs="+")
    args = ap.parse_args()
    kr = ref_module(args.ref_dir)
    data = os.path.join(ROOT, "scripts", "data")
    paragraph = os.path.join(data, "paragraph-1000.txt")
    long_text = os.path.join(data, "long-5000.txt")
    short = os.path.join(data, "short-texts.txt")
    sentence = os.path.join(ROOT, "target", "bench-engine-sentence.txt")
    os.makedirs(os.path.dirname(sentence), exist_ok=True)
    with open(sentence, "w") as f:
        f.write(SENTENCE + "\n")
    cores = str(os.cpu_count() or 1)
    wide = ["--sessions", "1", "--threads", cores]
    speak = os.path.join(args.bin_dir, "speak")
    py = sys.executable
    rep = str(args.repeat)
    for model in args.models:
        name = os.path.basename(model.rstrip("/"))
        m = kr._model(model, 0)
        para = open(paragraph).read()
        long = open(long_text).read()
        m.generate("Warm up.", voice=VOICE)
        gen = lambda text: m.generate(text, voice=VOICE, speed=1.0, clean_text=True)  # noqa: E731

        # one sentence, one caller
        ours, ref = [], []
        for _ in range(args.repeat):
            ours.append(bench(args.bin_dir, model, sentence, "--repeat", "5")["best_total_s"])
            ref.append(min(timed(lambda: gen(SENTENCE)) for _ in range(5)))
        s = {"model": name, "what": "sentence", "defaults_s": min(ours), "reference_s": min(ref)}
        s["ratio"] = s["defaults_s"] / s["reference_s"]
        print(json.dumps(s), flush=True)

        # short texts, one caller and two
        d1, w1, d2 = [], [], []
        for _ in range(args.repeat):
            d1.append(bench(args.bin_dir, model, short, "--repeat", "2"))
            w1.append(bench(args.bin_dir, model, short, "--repeat", "2", *wide))
            d2.append(bench(args.bin_dir, model, short, "--repeat", "2", "--callers", "2"))
        best = lambda runs: min(runs, key=lambda r: r["best_total_s"])  # noqa: E731
        d1, w1, d2 = best(d1), best(w1), best(d2)
        so = {"model": name, "what": "short_one", "defaults_s": d1["best_total_s"], "one_wide_session_s": w1["best_total_s"]}
        so["ratio"] = so["one_wide_session_s"] / so["defaults_s"]
        print(json.dumps(so), flush=True)
        st = {
            "model": name,
            "what": "short_two",
            "two_callers_defaults": {k: d2[k] for k in ("best_total_s", "audio_s", "latency_p50_s", "latency_p95_s")},
            "one_caller_wide": {k: w1[k] for k in ("best_total_s", "audio_s")},
        }
        st["throughput_ratio"] = (d2["audio_s"] / d2["best_total_s"]) / (w1["audio_s"] / w1["best_total_s"])
        print(json.dumps(st), flush=True)

        # paragraph: our whole process vs the reference's in-process generate()
        ours, ref = [], []
        for _ in range(args.repeat):
            ours.append(run_rss([speak, "--model", model, "--voice", VOICE, "--out", "/dev/null", "--format", "pcm"], paragraph)[0])
            ref.append(timed(lambda: gen(para)))
        p = {"model": name, "what": "paragraph", "speak_process_s": min(ours), "reference_generate_s": min(ref)}
        p["ratio"] = p["speak_process_s"] / p["reference_generate_s"]
        print(json.dumps(p), flush=True)

        # first audio, model loaded
        ours_first = bench(args.bin_dir, model, long_text, "--stream", "--first-only", "--repeat", rep, "--max-chars", "10000")
        ref_first = []
        for _ in range(args.repeat):
            ref_first.append(timed(lambda: next(iter(m.generate_stream(long, voice=VOICE, speed=1.0, clean_text=True)))))
        f = {"model": name, "what": "first_loaded", "first_audio_s": ours_first["first_audio_p50_s"], "reference_first_chunk_s": min(ref_first)}
        f["ratio"] = f["first_audio_s"] / f["reference_first_chunk_s"]
        print(json.dumps(f), flush=True)

        # first audio from process start
        ours_p, ref_p = [], []
        for _ in range(args.repeat):
            ours_p.append(first_byte([speak, "--model", model, "--voice", VOICE, "--out", "-", "--format", "pcm", "--max-chars", "10000"], long_text))
            ref_p.append(first_byte([py, "-c", REF_FIRST, args.ref_dir, model, long_text], long_text))
        fp = {"model": name, "what": "first_process", "speak_s": min(ours_p), "reference_s": min(ref_p)}
        fp["ratio"] = fp["speak_s"] / fp["reference_s"]
        print(json.dumps(fp), flush=True)

        # peak RSS
        r = {"model": name, "what": "rss"}
        r["speak_defaults_mb"] = round(run_rss([speak, "--model", model, "--out", "/dev/null", "--format", "pcm"], paragraph)[1], 1)
        r["speak_1_session_mb"] = round(run_rss([speak, "--model", model, "--sessions", "1", "--out", "/dev/null", "--format", "pcm"], paragraph)[1], 1)
        r["reference_process_mb"] = round(run_rss([py, "-c", REF_WHOLE, args.ref_dir, model, paragraph], paragraph)[1], 1)
        r["ratio"] = r["speak_defaults_mb"] / r["reference_process_mb"]
        print(json.dumps(r), flush=True)

        print(
            f"== {name}: sentence x{s['ratio']:.2f} of the reference (target <= 0.95); "
            f"short texts, one caller: 1 wide session / defaults x{so['ratio']:.2f} (>= 0.97); "
            f"paragraph x{p['ratio']:.2f} (<= 0.80); "
            f"first audio x{f['ratio']:.2f} of the reference's first chunk (<= 0.25), "
            f"from process start x{fp['ratio']:.2f} (<= 0.35); "
            f"2 callers x{st['throughput_ratio']:.2f} of 1 caller on 1 wide session (>= 1.25); "
            f"RSS x{r['ratio']:.2f} of the reference ({r['speak_defaults_mb']} vs {r['reference_process_mb']} MB; "
            f"{r['speak_1_session_mb']} MB with 1 session) (<= 1.00)",
            flush=True,
        )


if __name__ == "__main__":
    main()
