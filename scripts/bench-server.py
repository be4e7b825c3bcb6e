#!/usr/bin/env python3
"""The speech server against the library, in one run, as ratios (run by scripts/bench-server.sh):
  throughput  8 concurrent long streamed requests through the server (pcm) vs the same 8 texts
              through the library directly (`bench --callers 8 --stream`), same sessions/threads
  ttfb        one streamed request's time to first byte vs the library's time to first audio
  encoding    each encoder's time per audio second (encode_bench on the stand-in's audio) as a
              fraction of the synthesis time per audio second
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "server"))
from conftest import Server  # noqa: E402


def stream(url, text, fmt="pcm"):
    t0 = time.perf_counter()
    req = urllib.request.Request(url + "/v1/audio/speech", method="POST", headers={"Content-Type": "application/json"},
                                 data=json.dumps({"model": "tts-1", "voice": "echo", "input": text, "response_format": fmt}).encode())
    first = None
    n = 0
    with urllib.request.urlopen(req, timeout=600) as r:
        while True:
            b = r.read(65536)
            if not b:
                break
            if first is None:
                first = time.perf_counter() - t0
            n += len(b)
    return first, time.perf_counter() - t0, n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    words = open(os.path.join(root, "scripts", "data", "long-5000.txt")).read().split(". ")
    texts, cur = [], ""
    for w in words:
        cur += w + ". "
        if len(cur) > 550:
            texts.append(cur.strip())
            cur = ""
    texts = texts[:8]
    tfile = os.path.join(root, "target", "bench-server-texts.txt")
    open(tfile, "w").write("\n".join(texts) + "\n")

    s = ServerWith(args.model)
    try:
        stream(s.url, texts[0])  # warm-up
        best = None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                res = list(pool.map(lambda t: stream(s.url, t), texts))
            wall = time.perf_counter() - t0
            audio = sum(r[2] for r in res) / 2 / 24000
            if best is None or wall < best[0]:
                best = (wall, audio, sorted(r[0] for r in res))
        server_wall, server_audio, ttfbs = best
        single = min(stream(s.url, texts[0])[0] for _ in range(3))
    finally:
        s.stop()
    bench = os.path.join(args.bin_dir, "bench")
    lib = json.loads(subprocess.run([bench, "--model", args.model, "--callers", "8", "--stream", "--repeat", str(args.repeat), "--voice", "Leo"],
                                    stdin=open(tfile), capture_output=True, check=True).stdout)
    one = open(os.path.join(root, "target", "bench-server-one.txt"), "w")
    one.write(texts[0] + "\n")
    one.close()
    lib_one = json.loads(subprocess.run([bench, "--model", args.model, "--stream", "--repeat", "3", "--voice", "Leo"],
                                        stdin=open(one.name), capture_output=True, check=True).stdout)
    t = {"what": "throughput", "server_wall_s": round(server_wall, 3), "server_audio_s": round(server_audio, 2),
         "library_wall_s": lib["wall_s"], "library_audio_s": lib["audio_s"],
         "ratio": round((server_audio / server_wall) / (lib["audio_s"] / lib["wall_s"]), 3),
         "server_ttfb_p50_s": round(ttfbs[len(ttfbs) // 2], 3)}
    print(json.dumps(t), flush=True)
    f = {"what": "ttfb", "server_ttfb_s": round(single, 4), "library_first_audio_s": lib_one["first_audio_p50_s"],
         "ratio": round(single / lib_one["first_audio_p50_s"], 3)}
    print(json.dumps(f), flush=True)
    # Encoding cost: the stand-in's own audio, synthesis time per audio second from one caller.
    wav = os.path.join(root, "target", "bench-server-audio.wav")
    subprocess.run([os.path.join(args.bin_dir, "speak"), "--model", args.model, "--out", wav],
                   stdin=open(tfile), check=True, capture_output=True)
    synth_per_s = lib["wall_s"] / lib["audio_s"]
    enc = [json.loads(l) for l in subprocess.run([os.path.join(args.bin_dir, "encode_bench"), wav], capture_output=True, check=True, text=True).stdout.splitlines()]
    for e in enc:
        e["fraction_of_synthesis"] = round(e["per_audio_s"] / synth_per_s, 4)
    print(json.dumps({"what": "encoding", "synthesis_s_per_audio_s": round(synth_per_s, 4), "formats": enc}), flush=True)
    print(f"== server throughput x{t['ratio']:.2f} of the library (target >= 0.9); "
          f"TTFB {f['server_ttfb_s']:.3f} s vs the library's first audio {f['library_first_audio_s']:.3f} s (x{f['ratio']:.2f}); "
          "encoding as a fraction of synthesis: " + ", ".join(f"{e['format']} {100 * e['fraction_of_synthesis']:.1f}%" for e in enc), flush=True)


class ServerWith(Server):
    def __init__(self, model):
        import conftest
        saved = conftest.FIXTURE
        conftest.FIXTURE = model
        try:
            super().__init__("--max-input-chars", "100000")
        finally:
            conftest.FIXTURE = saved


if __name__ == "__main__":
    main()
