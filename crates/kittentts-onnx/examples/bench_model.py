#!/usr/bin/env python3
"""Python onnxruntime counterpart of bench_model.rs: same inputs, same thread settings, same output.

    $PY crates/kittentts-onnx/examples/bench_model.py --threads 2 --runs 5 --tokens 5,50,200,510 MODEL.onnx...
"""
import argparse
import json
import math
import time

import numpy as np
import onnxruntime as ort


def cpu_seconds():
    """Process CPU seconds (user + system, all threads) from /proc/self/stat, as bench_model.rs."""
    try:
        with open("/proc/self/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (float(fields[11]) + float(fields[12])) / 100.0
    except (OSError, IndexError, ValueError):
        return 0.0


def ids(n):
    return [0] + [(7 * i + 3) % 177 + 1 for i in range(n - 3)] + [10, 0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--tokens", default="5,50,200,510")
    ap.add_argument("models", nargs="+")
    a = ap.parse_args()
    style = np.array([[0.1 * math.sin(np.float32(0.37) * np.float32(j)) for j in range(256)]], dtype=np.float32)
    for path in a.models:
        t0 = time.perf_counter()
        so = ort.SessionOptions()
        so.intra_op_num_threads = a.threads
        so.inter_op_num_threads = 1
        sess = ort.InferenceSession(path, sess_options=so, providers=["CPUExecutionProvider"])
        load_s = time.perf_counter() - t0
        for n in (int(t) for t in a.tokens.split(",")):
            feed = {"input_ids": np.array([ids(n)], dtype=np.int64), "style": style,
                    "speed": np.array([1.0], dtype=np.float32)}
            warm = sess.run(None, feed)
            times = []
            cpu0 = cpu_seconds()
            for _ in range(a.runs):
                t = time.perf_counter()
                sess.run(None, feed)
                times.append(time.perf_counter() - t)
            cpu_s = (cpu_seconds() - cpu0) / a.runs
            times.sort()
            frames = int(warm[1].sum()) if len(warm) > 1 else 0
            print(json.dumps({"impl": "python", "model": path, "threads": a.threads, "N": n, "runs": a.runs,
                              "load_s": round(load_s, 4), "median_s": round(times[len(times) // 2], 5),
                              "min_s": round(times[0], 5), "cpu_s": round(cpu_s, 4), "samples": int(warm[0].size), "frames": frames,
                              "ort": ort.__version__}))


if __name__ == "__main__":
    main()
