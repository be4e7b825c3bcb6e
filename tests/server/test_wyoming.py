"""The Wyoming protocol through the official `wyoming` client (pinned in requirements.txt),
against the real binary on 127.0.0.1: info, one-shot and streamed synthesis, errors, bad
framing, concurrency, SIGTERM, stdio:// and unix://."""
import asyncio
import json
import os
import signal
import socket
import subprocess
import time

import pytest
from wyoming.audio import AudioChunk, AudioStart
from wyoming.client import AsyncClient, AsyncTcpClient
from wyoming.error import Error
from wyoming.event import Event, async_read_event, async_write_event
from wyoming.info import Describe, Info
from wyoming.ping import Ping
from wyoming.tts import Synthesize, SynthesizeChunk, SynthesizeStart, SynthesizeStop, SynthesizeVoice

from conftest import BIN, FIXTURE, Server, free_port, post_json

TEXT = "Hello there, my little kitten. It costs $5.99 today!"
FIXTURE_VOICES = ["Bella", "Bruno", "Hugo", "Jasper", "Kiki", "Leo", "Luna", "Rosie"]


def wyoming_server(make_server, *args):
    port = free_port()
    s = make_server("--sessions", "2", "--threads", "1", "--wyoming", f"tcp://127.0.0.1:{port}", *args)
    s.wport = port
    return s


@pytest.fixture(scope="module")
def wserver():
    port = free_port()
    s = Server("--sessions", "2", "--threads", "1", "--wyoming", f"tcp://127.0.0.1:{port}")
    s.wport = port
    yield s
    s.stop()


async def read_group(client):
    """Reads one audio group: (start event, [chunk payloads], types seen)."""
    start = await client.read_event()
    if start.type != "audio-start":
        return start, [], [start.type]
    payloads, types = [], ["audio-start"]
    while True:
        event = await client.read_event()
        types.append(event.type)
        if event.type == "audio-chunk":
            chunk = AudioChunk.from_event(event)
            assert (chunk.rate, chunk.width, chunk.channels) == (24000, 2, 1)
            payloads.append(chunk.audio)
        elif event.type == "audio-stop":
            return start, payloads, types
        else:
            raise AssertionError(f"unexpected {event.type} inside a group")


async def synthesize(port, text, voice=None):
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Synthesize(text=text, voice=SynthesizeVoice(name=voice) if voice else None).event())
        start, payloads, _ = await read_group(client)
        assert start.type == "audio-start", start
        return b"".join(payloads), payloads


def http_pcm(server, text, voice):
    status, _, body = post_json(server.url + "/v1/audio/speech",
                                {"model": "tts-1", "input": text, "voice": voice, "response_format": "pcm"})
    assert status == 200
    return body


def test_info_lists_every_voice_for_home_assistant(wserver):
    async def main():
        async with AsyncTcpClient("127.0.0.1", wserver.wport) as client:
            await client.write_event(Describe().event())
            return Info.from_event(await client.read_event())

    info = asyncio.run(main())
    assert len(info.tts) == 1
    program = info.tts[0]
    assert program.name == "fixture" and program.installed
    assert program.attribution.name == "KittenML"
    assert program.attribution.url == "https://github.com/KittenML/KittenTTS"
    assert program.supports_synthesize_streaming is True
    assert [v.name for v in program.voices] == FIXTURE_VOICES
    for voice in program.voices:
        assert voice.languages == ["en_US"] and voice.installed
        assert voice.attribution.name == "KittenML"
    leo = next(v for v in program.voices if v.name == "Leo")
    assert leo.description == "Leo (expr-voice-5-m, male)"


def test_one_shot_audio_equals_the_http_apis_pcm(wserver):
    for voice in ("Bella", "expr-voice-4-m", "luna"):
        audio, payloads = asyncio.run(synthesize(wserver.wport, TEXT, voice))
        http_voice = {"luna": "Luna"}.get(voice, voice)
        assert audio == http_pcm(wserver, TEXT, http_voice)
        assert len(audio) > 48000
        assert all(len(p) == 2048 for p in payloads[:-1]) and 0 < len(payloads[-1]) <= 2048
    # No voice: the model's default (Leo), as HTTP's `echo` maps to.
    assert asyncio.run(synthesize(wserver.wport, "Hi there."))[0] == http_pcm(wserver, "Hi there.", "Leo")
    # A blend works as on the HTTP API.
    assert asyncio.run(synthesize(wserver.wport, "Hi.", "Bella*0.5+Leo*0.5"))[0] == http_pcm(wserver, "Hi.", "Bella*0.5+Leo*0.5")


def test_streamed_text_gives_one_group_per_sentence_then_stopped(wserver):
    pieces = ["Hello Dr. Sm", "ith, welcome. It costs $5.", "99 to", "day! And one more", " thing"]
    sentences = ["Hello Dr. Smith, welcome.", "It costs $5.99 today!", "And one more thing"]

    async def main():
        async with AsyncTcpClient("127.0.0.1", wserver.wport) as client:
            await client.write_event(SynthesizeStart(voice=SynthesizeVoice(name="Kiki")).event())
            for piece in pieces:
                await client.write_event(SynthesizeChunk(text=piece).event())
            # The compatibility event with the whole text: ignored while streaming.
            await client.write_event(Synthesize(text="".join(pieces)).event())
            await client.write_event(SynthesizeStop().event())
            groups = []
            while True:
                start, payloads, types = await read_group(client)
                if start.type == "synthesize-stopped":
                    return groups
                assert AudioStart.from_event(start).rate == 24000
                groups.append(b"".join(payloads))

    groups = asyncio.run(main())
    assert len(groups) == len(sentences)
    for audio, sentence in zip(groups, sentences):
        assert audio == asyncio.run(synthesize(wserver.wport, sentence, "Kiki"))[0]


def test_bad_requests_get_error_events_and_the_connection_keeps_serving(wserver):
    async def main():
        async with AsyncTcpClient("127.0.0.1", wserver.wport) as client:
            out = []
            for event in [
                Synthesize(text="Hi.", voice=SynthesizeVoice(name="Garfield")).event(),
                Synthesize(text="x" * 5000).event(),
                SynthesizeChunk(text="out of order").event(),
                SynthesizeStop().event(),
                Event(type="transcribe"),
                Synthesize(text="   ").event(),
            ]:
                await client.write_event(event)
                out.append(Error.from_event(await client.read_event()))
            await client.write_event(Ping(text="still there?").event())
            out.append(await client.read_event())
            return out

    errors = asyncio.run(main())
    assert "Garfield" in errors[0].text and "Leo" in errors[0].text
    assert "5000 characters" in errors[1].text
    assert errors[2].code == "out_of_order" and errors[3].code == "out_of_order"
    assert errors[4].code == "unsupported_event"
    assert "empty" in errors[5].text
    assert errors[6].type == "pong" and errors[6].data == {"text": "still there?"}


def raw_exchange(port, data, read_for=1.0):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(data)
        s.settimeout(read_for)
        got = b""
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    return got, True
                got += b
        except socket.timeout:
            return got, False


def test_garbage_huge_lengths_and_half_events_leave_the_server_serving(wserver):
    describe = b'{"type": "describe"}\n'
    got, _ = raw_exchange(wserver.wport, b"garbage\n" + describe)
    lines = got.split(b"\n")
    assert json.loads(lines[0])["type"] == "error"
    assert b'"info"' in got
    # A huge data_length: an error, then the connection is closed (nothing is allocated).
    got, closed = raw_exchange(wserver.wport, b'{"type": "synthesize", "data_length": 99999999999}\n')
    assert closed and b"over the limit" in got
    # A header line with no end: cut at its limit.
    got, closed = raw_exchange(wserver.wport, b"{" + b" " * (70 << 10))
    assert closed and b"longer than" in got
    # Half an event, then the client goes away.
    with socket.create_connection(("127.0.0.1", wserver.wport)) as s:
        s.sendall(b'{"type": "synthesize", "data_length": 50}\n{"text": "Hel')
    # Inline data works as well as a data block.
    got, _ = raw_exchange(wserver.wport, b'{"type": "ping", "data": {"text": "inline"}}\n')
    assert json.loads(got.split(b"\n")[0])["type"] == "pong" and b"inline" in got
    assert asyncio.run(synthesize(wserver.wport, "Still serving."))[0]


def test_twenty_connections_at_once_all_get_their_audio(wserver):
    texts = [f"Caller number {i} says hello." for i in range(20)]

    async def main():
        return await asyncio.gather(*(synthesize(wserver.wport, t, "Jasper") for t in texts))

    results = asyncio.run(main())
    assert len(results) == 20
    for text, (audio, _) in zip(texts, results):
        assert audio == http_pcm(wserver, text, "Jasper")


def test_idle_connections_are_closed(make_server):
    s = wyoming_server(make_server, "--wyoming-idle-timeout", "0.5")
    t = time.monotonic()
    got, closed = raw_exchange(s.wport, b"", read_for=5)
    assert closed and got == b""
    assert time.monotonic() - t < 4


def test_sigterm_finishes_the_group_in_flight(make_server):
    s = wyoming_server(make_server)
    long_text = " ".join(f"Sentence number {i} is here." for i in range(40))
    expected = http_pcm(s, long_text, "Leo")

    async def main():
        async with AsyncTcpClient("127.0.0.1", s.wport) as client:
            await client.write_event(Synthesize(text=long_text, voice=SynthesizeVoice(name="Leo")).event())
            assert (await client.read_event()).type == "audio-start"
            s.proc.send_signal(signal.SIGTERM)
            payloads = []
            while True:
                event = await client.read_event()
                if event.type == "audio-stop":
                    return b"".join(payloads)
                payloads.append(event.payload)

    audio = asyncio.run(main())
    assert audio == expected
    assert s.proc.wait(timeout=30) == 0


def test_stdio_answers_describe_at_once_and_synthesises(tmp_path):
    proc = subprocess.Popen([BIN, "--model", FIXTURE, "--no-http", "--wyoming", "stdio://", "--threads", "1"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    async def main():
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), proc.stdout)
        transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, proc.stdin)
        writer = asyncio.StreamWriter(transport, protocol, None, loop)
        await async_write_event(Describe().event(), writer)
        info = Info.from_event(await async_read_event(reader))
        await async_write_event(Synthesize(text="Hello there.", voice=SynthesizeVoice(name="Rosie")).event(), writer)
        payload = b""
        while True:
            event = await async_read_event(reader)
            if event.type == "audio-stop":
                break
            payload += event.payload or b""
        writer.close()
        return info, payload

    info, payload = asyncio.run(main())
    assert [v.name for v in info.tts[0].voices] == FIXTURE_VOICES
    assert len(payload) > 24000
    assert proc.wait(timeout=30) == 0  # stdin closed: the server stops


def test_unix_socket(tmp_path, make_server):
    path = tmp_path / "kitten.sock"
    s = make_server("--threads", "1", "--wyoming", f"unix://{path}")

    async def main():
        client = AsyncClient.from_uri(f"unix://{path}")
        await client.connect()
        try:
            await client.write_event(Synthesize(text="Over a socket.", voice=SynthesizeVoice(name="Hugo")).event())
            _, payloads, _ = await read_group(client)
            return b"".join(payloads)
        finally:
            await client.disconnect()

    assert asyncio.run(main()) == http_pcm(s, "Over a socket.", "Hugo")


def test_describe_is_answered_while_the_model_loads(tmp_path):
    # A hub that accepts connections and never answers: the model's download hangs.
    hub = socket.socket()
    hub.bind(("127.0.0.1", 0))
    hub.listen(16)
    port = free_port()
    env = {**os.environ, "HF_ENDPOINT": f"http://127.0.0.1:{hub.getsockname()[1]}", "HF_HOME": str(tmp_path)}
    env.pop("HF_HUB_OFFLINE", None)
    proc = subprocess.Popen([BIN, "--model", "kitten-tts-nano-0.8-int8", "--no-http", "--wyoming", f"tcp://127.0.0.1:{port}"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the Wyoming listener did not start"
                time.sleep(0.05)

        async def main():
            async with AsyncTcpClient("127.0.0.1", port) as client:
                t = time.monotonic()
                await client.write_event(Describe().event())
                event = await asyncio.wait_for(client.read_event(), timeout=5)
                return Info.from_event(event), time.monotonic() - t

        info, seconds = asyncio.run(main())
        assert seconds < 1.0
        assert info.tts[0].name == "kitten-tts-nano-0.8-int8"
        assert sorted(v.name for v in info.tts[0].voices) == FIXTURE_VOICES
        assert proc.poll() is None  # still loading
    finally:
        proc.kill()
        proc.wait()
        hub.close()
