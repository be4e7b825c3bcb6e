#!/usr/bin/env python3
"""Streaming, session-pool and memory figures of kittentts against the Python reference
(kittenml 0.9.6), in one run, as ratios. Run through scripts/bench-stream.sh, which builds the
examples and picks the reference venv's python:

  bash scripts/bench-stream.sh [MODEL_DIR ...]     (default: standin-nano fp32 and int8)

For each model it prints one JSON line per measurement and a summary line of ratios:
  paragraph      `speak` process (load included) on scripts/data/paragraph-1000.txt vs the
                 reference's in-process generate() with the model loaded (best of N each)
  first_loaded   stream()'s first chunk on scripts/data/long-5000.txt, model loaded, vs the
                 full synthesis of that text, and vs the reference's first chunk of
                 generate_stream() with its model loaded
  first_process  from process start to the first audio byte: `speak --out - --format pcm` vs
                 a reference process that loads the model and yields its first chunk
  callers        throughput (audio s / wall s) of 2 callers on one synthesizer with 2 sessions x
                 1 thread vs 1 caller with 1 session x 2 threads, on eight ~600-character texts
                 cut from scripts/data/long-5000.txt
  rss            peak RSS of `speak` on the paragraph with 1, 2 and 3 sessions, and of the
                 reference process doing the same
Timings are wall-clock on a noisy machine: each is the best of --repeat runs, and the two
sides of a ratio run alternately.
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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


def first_byte(cmd, stdin_path, env=None):
    """Seconds from starting cmd to the first byte on its stdout; the process is then killed."""
    with open(stdin_path, "rb") as f:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=f, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        b = p.stdout.read(1)
        dt = time.perf_counter() - t
        p.kill()
        p.wait()
    if not b:
        raise SystemExit(f"{cmd[0]} wrote nothing")
    return dt


def bench(bin_dir, model, texts, *extra):
    out = subprocess.run(
        [os.path.join(bin_dir, "bench"), "--model", model, *extra],
        stdin=open(texts, "rb"),
        capture_output=True,
        check=True,
    )
    return json.loads(out.stdout)


REF_FIRST = r"""
import sys, os
sys.path.insert(0, sys.argv[1])
import kitten_ref as kr
m = kr._model(sys.argv[2], int(sys.argv[3]))
text = open(sys.argv[4]).read()
for chunk in m.generate_stream(text, voice="expr-voice-5-m", speed=1.0, clean_text=True):
    os.write(1, b"x")
    break
"""

REF_WHOLE = r"""
import sys
sys.path.insert(0, sys.argv[1])
import kitten_ref as kr
m = kr._model(sys.argv[2], int(sys.argv[3]))
m.generate(open(sys.argv[4]).read(), voice="expr-voice-5-m", speed=1.0, clean_text=True)
"""


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
    # The callers' work: eight texts of about 600 characters (whole sentences of the long
    # text), so that two callers get equal shares.
    sentences = open(long_text).read().split(". ")
    eight, cur = [], ""
    for sentence in sentences:
        cur += sentence + ". "
        if len(cur) > 550:
            eight.append(cur.strip())
            cur = ""
    texts = os.path.join(ROOT, "target", "bench-stream-callers.txt")
    os.makedirs(os.path.dirname(texts), exist_ok=True)
    open(texts, "w").write("\n".join(eight[:8]) + "\n")
    speak = os.path.join(args.bin_dir, "speak")
    py = sys.executable
    for model in args.models:
        name = os.path.basename(model.rstrip("/"))
        m = kr._model(model, 2)
        para = open(paragraph).read()
        long = open(long_text).read()
        m.generate("Warm up.", voice="expr-voice-5-m")

        # paragraph: our whole process vs the reference's in-process generate()
        ours, ref = [], []
        for _ in range(args.repeat):
            ours.append(run_rss([speak, "--model", model, "--out", "/dev/null", "--format", "pcm"], paragraph)[0])
            t = time.perf_counter()
            m.generate(para, voice="expr-voice-5-m", speed=1.0, clean_text=True)
            ref.append(time.perf_counter() - t)
        p = {"model": name, "what": "paragraph", "speak_process_s": min(ours), "reference_generate_s": min(ref)}
        p["ratio"] = p["speak_process_s"] / p["reference_generate_s"]
        print(json.dumps(p), flush=True)

        # first audio, model loaded
        ours_first = bench(args.bin_dir, model, long_text, "--stream", "--repeat", str(args.repeat))
        ours_full = bench(args.bin_dir, model, long_text, "--repeat", "1")
        ref_first = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            next(iter(m.generate_stream(long, voice="expr-voice-5-m", speed=1.0, clean_text=True)))
            ref_first.append(time.perf_counter() - t)
        f = {
            "model": name,
            "what": "first_loaded",
            "first_audio_s": ours_first["first_audio_p50_s"],
            "full_synthesis_s": ours_full["best_total_s"],
            "reference_first_chunk_s": min(ref_first),
        }
        f["ratio_to_full"] = f["first_audio_s"] / f["full_synthesis_s"]
        f["ratio_to_reference"] = f["first_audio_s"] / f["reference_first_chunk_s"]
        print(json.dumps(f), flush=True)

        # first audio from process start
        ours_p, ref_p = [], []
        for _ in range(args.repeat):
            ours_p.append(first_byte([speak, "--model", model, "--out", "-", "--format", "pcm"], long_text))
            ref_p.append(first_byte([py, "-c", REF_FIRST, args.ref_dir, model, "2", long_text], long_text))
        fp = {"model": name, "what": "first_process", "speak_s": min(ours_p), "reference_s": min(ref_p)}
        fp["ratio"] = fp["speak_s"] / fp["reference_s"]
        print(json.dumps(fp), flush=True)

        # two callers on two sessions vs one caller on one two-thread session
        two = bench(args.bin_dir, model, texts, "--callers", "2", "--sessions", "2", "--threads", "1", "--repeat", str(args.repeat))
        one = bench(args.bin_dir, model, texts, "--callers", "1", "--sessions", "1", "--threads", "2", "--repeat", str(args.repeat))
        c = {
            "model": name,
            "what": "callers",
            "two_callers_2x1": {k: two[k] for k in ("wall_s", "audio_s", "latency_p50_s", "latency_p95_s")},
            "one_caller_1x2": {k: one[k] for k in ("wall_s", "audio_s", "latency_p50_s", "latency_p95_s")},
        }
        c["throughput_ratio"] = (two["audio_s"] / two["wall_s"]) / (one["audio_s"] / one["wall_s"])
        print(json.dumps(c), flush=True)

        # peak RSS
        r = {"model": name, "what": "rss"}
        for s in (1, 2, 3):
            r[f"speak_{s}_sessions_mb"] = round(
                run_rss([speak, "--model", model, "--sessions", str(s), "--out", "/dev/null", "--format", "pcm"], paragraph)[1], 1
            )
        r["reference_process_mb"] = round(run_rss([py, "-c", REF_WHOLE, args.ref_dir, model, "2", paragraph], paragraph)[1], 1)
        r["per_extra_session_mb"] = round((r["speak_3_sessions_mb"] - r["speak_1_sessions_mb"]) / 2, 1)
        print(json.dumps(r), flush=True)

        print(
            f"== {name}: paragraph x{p['ratio']:.2f} of the reference (target <= 0.75); "
            f"first audio {100 * f['ratio_to_full']:.1f}% of the full synthesis (<= 2%), "
            f"x{f['ratio_to_reference']:.2f} of the reference's first chunk (<= 0.25); "
            f"from process start x{fp['ratio']:.2f} (<= 0.35); "
            f"2 callers x{c['throughput_ratio']:.2f} throughput (>= 1.3); "
            f"RSS {r['speak_1_sessions_mb']}/{r['speak_2_sessions_mb']}/{r['speak_3_sessions_mb']} MB with 1/2/3 sessions "
            f"vs reference {r['reference_process_mb']} MB",
            flush=True,
        )


if __name__ == "__main__":
    main()
