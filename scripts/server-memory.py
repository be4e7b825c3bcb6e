"""Peak RSS of kittentts-server binaries under N HSE (or OpenAI) requests at once, side by side.

    target/server-venv/bin/python scripts/server-memory.py [--mode hse|openai] [--requests 6]
        [--speed 1.0] BIN [BIN ...]

Each binary serves the fixture model on a free 127.0.0.1 port; N requests of 4,096 characters
are sent at once; the server's VmHWM (peak resident memory) is printed, one line per binary,
in the order given (pass an old and a new build to compare them in one run).
"""
import argparse
import concurrent.futures
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "server"))
import conftest  # noqa: E402

TEXT = " ".join(f"This is sentence {i}, spoken in full, as part of a long request." for i in range(64))[:4096]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mode", choices=["hse", "openai"], default="hse")
    ap.add_argument("--requests", type=int, default=6)
    ap.add_argument("--speed", type=float, default=1.0)
    ap.add_argument("binaries", nargs="+")
    args = ap.parse_args()
    if args.mode == "hse":
        body = {"model": "fixture", "mode": "single_speaker_tts", "input": TEXT, "voice": "Leo",
                "generation_options": {"speed": args.speed}, "output_options": {"format": "wav"}}
    else:
        body = {"model": "tts-1", "voice": "alloy", "input": TEXT, "speed": args.speed, "response_format": "wav"}
    for binary in args.binaries:
        conftest.BIN = binary
        server = conftest.Server()
        start = conftest.proc_status(server.proc.pid, "VmHWM")
        t0 = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(args.requests) as pool:
            sizes = list(pool.map(lambda _: len(conftest.post_json(server.url + "/v1/audio/speech", body, timeout=600)[2]),
                                  range(args.requests)))
        took = time.perf_counter() - t0
        peak = conftest.proc_status(server.proc.pid, "VmHWM")
        server.stop()
        print(json.dumps({"binary": binary, "mode": args.mode, "requests": args.requests, "speed": args.speed,
                          "response_bytes": sizes[0], "peak_rss_mb": round(peak, 1),
                          "rss_at_start_mb": round(start, 1), "seconds": round(took, 2)}))


if __name__ == "__main__":
    main()
