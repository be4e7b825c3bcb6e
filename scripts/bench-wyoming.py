#!/usr/bin/env python3
"""First audio over Wyoming: streamed input (synthesize-start, the text in word-sized
synthesize-chunks as an LLM sends it, synthesize-stop) against one-shot synthesize of the same
text, on the real binary over 127.0.0.1. Prints one JSON line with the best of --repeat runs.

    target/server-venv/bin/python scripts/bench-wyoming.py [--model DIR] [--repeat N]

(`bash scripts/server-tests.sh` makes that venv; the default model is the stand-in nano fp32.)
The streamed figure is measured from the first chunk sent; the chunks go out every
--word-gap seconds (default 0.02 s, a fast LLM).
"""
import argparse
import asyncio
import json
import os
import socket
import subprocess
import time

from wyoming.client import AsyncTcpClient
from wyoming.tts import Synthesize, SynthesizeChunk, SynthesizeStart, SynthesizeStop, SynthesizeVoice

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEXT = ("The weather today is mostly sunny, with a light breeze from the west. Later this "
        "afternoon, clouds will build over the hills. Expect a high of twenty-three degrees. "
        "Tomorrow looks much the same, so plan your walk for the morning.")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def one_shot(port):
    async with AsyncTcpClient("127.0.0.1", port) as c:
        t = time.perf_counter()
        await c.write_event(Synthesize(text=TEXT, voice=SynthesizeVoice(name="Leo")).event())
        first = None
        while True:
            e = await c.read_event()
            if e.type == "audio-chunk" and first is None:
                first = time.perf_counter() - t
            if e.type == "audio-stop":
                return first, time.perf_counter() - t


async def streamed(port, gap):
    async with AsyncTcpClient("127.0.0.1", port) as c:
        t = time.perf_counter()
        await c.write_event(SynthesizeStart(voice=SynthesizeVoice(name="Leo")).event())
        first = None

        async def send():
            for word in TEXT.split(" "):
                await c.write_event(SynthesizeChunk(text=word + " ").event())
                await asyncio.sleep(gap)
            await c.write_event(SynthesizeStop().event())

        sender = asyncio.create_task(send())
        while True:
            e = await c.read_event()
            if e.type == "audio-chunk" and first is None:
                first = time.perf_counter() - t
            if e.type == "synthesize-stopped":
                await sender
                return first, time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(os.path.dirname(ROOT), "shared", "models", "standin-nano"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--word-gap", type=float, default=0.02)
    args = ap.parse_args()
    port = free_port()
    binary = os.path.join(ROOT, "target", "release", "kittentts-server")
    proc = subprocess.Popen([binary, "--model", args.model, "--no-http", "--wyoming", f"tcp://127.0.0.1:{port}"],
                            stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        asyncio.run(one_shot(port))  # warm up (and wait for the model)
        shots, streams = [], []
        for _ in range(args.repeat):
            shots.append(asyncio.run(one_shot(port)))
            streams.append(asyncio.run(streamed(port, args.word_gap)))
        best = lambda runs, i: min(r[i] for r in runs)  # noqa: E731
        out = {
            "model": os.path.basename(args.model.rstrip("/")), "chars": len(TEXT), "word_gap_s": args.word_gap,
            "one_shot_first_audio_s": best(shots, 0), "one_shot_total_s": best(shots, 1),
            "streamed_first_audio_s": best(streams, 0), "streamed_total_s": best(streams, 1),
        }
        out["first_audio_ratio_streamed_vs_one_shot"] = out["streamed_first_audio_s"] / out["one_shot_first_audio_s"]
        print(json.dumps(out))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
