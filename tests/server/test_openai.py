"""The speech server through real clients: the official `openai` package, raw HTTP, sockets,
and (test_page.py) a headless browser. Every request goes to 127.0.0.1, bounded in number."""
import base64
import concurrent.futures
import io
import json
import signal
import socket
import threading
import time
import urllib.request

import numpy as np
import openai
import pytest
import soundfile as sf

import os

from conftest import ROOT, post_json

TEXT = "Hello there! This is KittenTTS, speaking through the OpenAI client. It costs $5.99 today."
LONG = " ".join(f"Sentence number {i} is here, and it goes on for a while before it ends." for i in range(40))


def client(server, key="unused"):
    return openai.OpenAI(base_url=server.url + "/v1", api_key=key, max_retries=0, timeout=120)


def pcm_samples(data):
    return np.frombuffer(data, dtype="<i2")


def speak(server, fmt, text=TEXT, voice="alloy", **kw):
    return client(server).audio.speech.create(model="tts-1", voice=voice, input=text, response_format=fmt, **kw).content


def test_every_format_decodes_to_the_right_length(server):
    n = len(pcm_samples(speak(server, "pcm")))
    assert n > 24000
    for fmt in ("wav", "opus"):
        audio, rate = sf.read(io.BytesIO(speak(server, fmt)), dtype="float32")
        assert rate == 24000, fmt
        assert len(audio) == n, fmt
    # FLAC comes whole when the audio is complete, with its length (and MD5) in STREAMINFO
    # and a Content-Length: libsndfile reads it as it is, sample for sample.
    c = client(server)
    with c.audio.speech.with_streaming_response.create(model="tts-1", voice="alloy", input=TEXT, response_format="flac") as r:
        flac = r.read()
        assert int(r.headers["content-length"]) == len(flac)
    assert flac[:4] == b"fLaC"
    total = ((flac[8 + 13] & 0x0F) << 32) | int.from_bytes(flac[8 + 14:8 + 18], "big")
    assert total == n and flac[8 + 18:8 + 34] != bytes(16)
    audio, rate = sf.read(io.BytesIO(flac), dtype="int16")
    assert rate == 24000 and np.array_equal(audio, pcm_samples(speak(server, "pcm")))
    # As the README shows it: write_to_file, then soundfile.read.
    path = os.path.join(ROOT, "target", "client-test.flac")
    c.audio.speech.create(model="tts-1", voice="alloy", input=TEXT, response_format="flac").write_to_file(path)
    audio, rate = sf.read(path, dtype="int16")
    assert rate == 24000 and len(audio) == n
    audio, rate = sf.read(io.BytesIO(speak(server, "mp3")), dtype="float32")
    assert rate == 24000
    # libsndfile keeps the MP3 encoder's delay and padding: a little longer, never shorter.
    assert n <= len(audio) <= n + 4000
    # The streamed WAV is bit-exact with the PCM.
    wav, _ = sf.read(io.BytesIO(speak(server, "wav")), dtype="int16")
    assert np.array_equal(wav, pcm_samples(speak(server, "pcm")))
    # mp3 is the default format: the body starts with an MPEG audio frame sync.
    default = client(server).audio.speech.create(model="tts-1", voice="alloy", input=TEXT).content
    assert default[0] == 0xFF and default[1] & 0xE0 == 0xE0


def test_aac_is_refused_not_replaced(server):
    with pytest.raises(openai.BadRequestError) as e:
        speak(server, "aac")
    assert "aac" in e.value.message


def test_streaming_gives_first_bytes_before_the_end(server):
    c = client(server)
    t0 = time.perf_counter()
    first = None
    total = 0
    with c.audio.speech.with_streaming_response.create(model="tts-1", voice="nova", input=LONG, response_format="pcm") as r:
        assert r.headers["content-type"] == "audio/pcm"
        for chunk in r.iter_bytes():
            if first is None and chunk:
                first = time.perf_counter() - t0
            total += len(chunk)
    end = time.perf_counter() - t0
    assert total == len(speak(server, "pcm", text=LONG, voice="nova"))
    assert first is not None and first < 0.5 * end, (first, end)


def test_sse_events_parse_and_decode(server):
    c = client(server)
    audio = b""
    done = None
    with c.audio.speech.with_streaming_response.create(
        model="tts-1", voice="echo", input=TEXT, response_format="pcm", extra_body={"stream_format": "sse"}
    ) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if not line.startswith("data: "):
                continue
            event = json.loads(line[len("data: "):])
            if event["type"] == "speech.audio.delta":
                audio += base64.b64decode(event["audio"])
            elif event["type"] == "speech.audio.done":
                done = event
    assert audio == speak(server, "pcm", voice="echo")
    assert done is not None
    usage = done["usage"]
    assert all(isinstance(usage[k], int) for k in ("input_tokens", "output_tokens", "total_tokens"))
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"] > 0


def test_errors_arrive_as_typed_exceptions(server, keyed_server):
    c = client(server)
    with pytest.raises(openai.BadRequestError) as e:
        c.audio.speech.create(model="tts-1", voice="ballad-nope", input=TEXT)
    assert "Bella" in e.value.message and "alloy" in e.value.message
    assert e.value.body["param"] == "voice"
    for kw, param in [
        (dict(speed=5.0), "speed"),
        (dict(speed=0.1), "speed"),
        (dict(input=""), "input"),
        (dict(input="a" * 4097), "input"),
    ]:
        args = dict(model="tts-1", voice="alloy", input=TEXT)
        args.update(kw)
        with pytest.raises(openai.BadRequestError) as e:
            c.audio.speech.create(**args)
        assert e.value.body["param"] == param, kw
    with pytest.raises(openai.NotFoundError):
        c.audio.speech.create(model="no-such-model", voice="alloy", input=TEXT)
    with pytest.raises(openai.AuthenticationError):
        client(keyed_server, key="wrong").audio.speech.create(model="tts-1", voice="alloy", input=TEXT)
    # Either header alone is enough.
    assert client(keyed_server, key="s3cret").audio.speech.create(model="tts-1", voice="alloy", input=TEXT, response_format="pcm").content
    status, _, _ = post_json(keyed_server.url + "/v1/audio/speech", {"model": "tts-1", "voice": "alloy", "input": "Hi.", "response_format": "pcm"}, headers={"Api-Key": "s3cret"})
    assert status == 200
    status, headers, body = post_json(keyed_server.url + "/v1/audio/speech", {"model": "tts-1", "voice": "alloy", "input": "Hi."})
    assert status == 401 and json.loads(body)["error"]["type"] == "authentication_error"


def test_a_full_queue_is_a_rate_limit_error_with_retry_after(make_server):
    s = make_server("--max-queue", "1", "--sessions", "1", "--threads", "1", "--max-input-chars", "100000")
    c = client(s)
    with c.audio.speech.with_streaming_response.create(model="tts-1", voice="alloy", input=LONG * 3, response_format="pcm") as r:
        chunks = r.iter_bytes()  # kept: a dropped iterator closes the connection
        next(chunks)  # the one place in the queue is taken while this streams
        with pytest.raises(openai.RateLimitError) as e:
            c.audio.speech.create(model="tts-1", voice="alloy", input=TEXT)
        assert e.value.response.headers["retry-after"] == "1"


def test_an_hse_request_decodes(server):
    status, _, body = post_json(server.url + "/v1/audio/speech", {
        "model": "fixture", "mode": "single_speaker_tts", "input": TEXT, "voice": "Leo",
        "generation_options": {"speed": 1.2}, "output_options": {"format": "wav"},
    })
    assert status == 200, body
    reply = json.loads(body)
    assert reply["id"].startswith("tts-") and reply["model"] == "fixture" and isinstance(reply["created"], int)
    audio, rate = sf.read(io.BytesIO(base64.b64decode(reply["data"])))
    assert rate == 24000 and len(audio) > 24000
    status, _, body = post_json(server.url + "/v1/audio/speech", {"model": "fixture", "mode": "voice_cloning", "input": "Hi"})
    err = json.loads(body)
    assert status == 400 and err["object"] == "error" and err["code"] == 400 and "not supported by KittenTTS" in err["message"]
    status, _, body = post_json(server.url + "/v1/audio/speech", {"model": "kitten-tts-nope", "mode": "single_speaker_tts", "input": "Hi"})
    assert status == 404 and json.loads(body)["type"] == "NotFoundError"
    with urllib.request.urlopen(server.url + "/v1/audio/speech/models") as r:
        cards = json.load(r)
    voices = [v["voice"] for v in cards["data"][0]["languages"][0]["voices"]]
    assert "Jasper" in voices and cards["data"][0]["id"] == "fixture"


def test_lists_health_and_metrics(server):
    models = client(server).models.list()
    assert [m.id for m in models.data] == ["fixture"]
    assert client(server).models.retrieve("fixture").id == "fixture"
    with pytest.raises(openai.NotFoundError):
        client(server).models.retrieve("nope")
    with urllib.request.urlopen(server.url + "/v1/audio/voices") as r:
        voices = json.load(r)["voices"]
    assert {"id": "Leo", "name": "Leo"} in voices and {"id": "alloy", "name": "alloy"} in voices
    with urllib.request.urlopen(server.url + "/health") as r:
        assert json.load(r)["status"] == "ok"
    m = server.metrics()
    assert m['kittentts_requests_total{route="speech",status="200"}'] > 0
    assert "kittentts_queue_depth" in m and "kittentts_time_to_first_byte_seconds_count" in m


def test_load_16_clients_by_10_requests(server):
    expected = {}

    def one(i):
        c = client(server)
        text = f"Client {i % 4} asks for speech number {i % 4}."
        t0 = time.perf_counter()
        try:
            with c.audio.speech.with_streaming_response.create(model="tts-1", voice="alloy", input=text, response_format="pcm") as r:
                data = b""
                ttfb = None
                for chunk in r.iter_bytes():
                    if ttfb is None:
                        ttfb = time.perf_counter() - t0
                    data += chunk
            return ("ok", text, len(data), time.perf_counter() - t0, ttfb)
        except openai.RateLimitError:
            return ("429", text, 0, 0, 0)
        except openai.APIStatusError as e:
            return (str(e.status_code), text, 0, 0, 0)

    for i in range(4):
        text = f"Client {i} asks for speech number {i}."
        expected[text] = len(speak(server, "pcm", text=text))
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        results = list(pool.map(one, range(160)))
    statuses = [r[0] for r in results]
    assert not [s for s in statuses if s.startswith("5")], statuses
    served = [r for r in results if r[0] == "ok"]
    assert all(r[2] == expected[r[1]] for r in served), "every response complete"
    assert len(served) >= 0.8 * len(results), statuses
    assert set(statuses) <= {"ok", "429"}
    lat = sorted(r[3] for r in served)
    ttfb = sorted(r[4] for r in served)
    figures = {
        "requests": len(results), "served": len(served), "429": statuses.count("429"),
        "5xx": sum(s.startswith("5") for s in statuses),
        "latency_p50_s": lat[len(lat) // 2], "latency_p95_s": lat[int(len(lat) * 0.95) - 1],
        "ttfb_p50_s": ttfb[len(ttfb) // 2], "ttfb_p95_s": ttfb[int(len(ttfb) * 0.95) - 1],
    }
    with open(os.path.join(ROOT, "target", "server-load.json"), "w") as f:
        json.dump(figures, f)
    print("load test:", json.dumps(figures))


def test_bad_input_gets_statuses_and_the_server_stays_up(server):
    url = server.url + "/v1/audio/speech"
    ok = {"model": "tts-1", "voice": "alloy", "input": "Hi.", "response_format": "pcm"}
    cases = [
        (dict(raw=b"{not json"), 400),
        (dict(raw=b"[1, 2]"), 400),
        (dict(raw=b'{"model": "tts-1", "voice": "alloy", "input": "Hi", "speed": NaN}'), 400),
        (dict(body={**ok, "input": 5}), 400),
        (dict(body={**ok, "voice": ["a"]}), 400),
        (dict(body={**ok, "voice": {"id": "Leo", "x": 1}}), 400),
        (dict(body={k: v for k, v in ok.items() if k != "input"}), 400),
        (dict(body={**ok, "input": "x" * 1_000_000}), 400),
        (dict(body={**ok, "voice": "../../etc/passwd"}), 400),
        (dict(body={**ok, "model": "../../etc/passwd"}), 404),
        (dict(body={**ok, "speed": "fast"}), 400),
        (dict(body={**ok, "speed": 0}), 400),
        (dict(body={**ok, "speed": 5}), 400),
        (dict(body={**ok, "response_format": "ogg"}), 400),
        (dict(body={**ok, "stream_format": "carrier-pigeon"}), 400),
        (dict(body={**ok, "input": "!!! ..."}), 400),
        (dict(raw=b'{"input": "' + b"x" * (3 << 19) + b'"}'), 413),
    ]
    for kw, want in cases:
        status, headers, body = post_json(url, kw.get("body"), raw=kw.get("raw"), timeout=60)
        assert status == want, (str(kw)[:80], status, body[:200])
        err = json.loads(body)["error"]
        assert set(err) == {"message", "type", "param", "code"} and err["message"]
    # A 100 MB body: refused once the 1 MiB limit is passed, without reading the rest.
    status, sent = raw_post(server.port, b"x" * (100 << 20))
    assert status in (413, None) and sent < (100 << 20), (status, sent)
    # Not JSON at all.
    req = urllib.request.Request(url, data=b"input=hi", method="POST", headers={"Content-Type": "text/plain"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req)
    assert e.value.code == 415
    # NUL bytes are spoken around.
    status, _, body = post_json(url, {**ok, "input": "Hello\u0000 there."})
    assert status == 200 and len(body) > 0
    # A voice object and a KittenTTS name in another case work.
    assert post_json(url, {**ok, "voice": {"id": "leo"}})[0] == 200
    assert post_json(url, {**ok, "instructions": "Speak like a pirate."})[0] == 200
    # A blend of voices, and a bad one.
    assert post_json(url, {**ok, "voice": "Bella*0.7+Luna*0.3"})[0] == 200
    status, _, body = post_json(url, {**ok, "voice": "Bella*0+Luna"})
    assert status == 400 and json.loads(body)["error"]["param"] == "voice"
    assert post_json(url, ok)[0] == 200


def raw_post(port, body):
    """Sends a POST with `body` over a raw socket; returns (status or None, bytes sent)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(b"POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              + f"Content-Length: {len(body)}\r\n\r\n".encode())
    sent = 0
    try:
        view = memoryview(body)
        while sent < len(body):
            sent += s.send(view[sent:sent + (1 << 16)])
    except OSError:
        pass  # the server stopped reading and closed: expected past the limit
    status = None
    try:
        line = s.recv(64).split(b"\r\n", 1)[0].split()
        status = int(line[1]) if len(line) > 1 else None
    except OSError:
        pass
    s.close()
    return status, sent


def test_slow_vanishing_and_many_clients_leave_the_server_up(server):
    host, port = "127.0.0.1", server.port
    # A client that sends half a request and goes away, one that sends a body slowly.
    s = socket.create_connection((host, port))
    s.sendall(b"POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"mod")
    s.close()
    slow = socket.create_connection((host, port))
    slow.sendall(b"POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n")
    # 1,000 connections opened at once (some may be refused by the OS backlog).
    socks = []
    for _ in range(1000):
        try:
            socks.append(socket.create_connection((host, port), timeout=5))
        except OSError:
            break
    assert len(socks) >= 500
    for c in socks:
        c.close()
    slow.close()
    status, _, body = post_json(server.url + "/v1/audio/speech", {"model": "tts-1", "voice": "alloy", "input": "Still here.", "response_format": "pcm"})
    assert status == 200 and len(body) > 1000


def test_a_client_that_disconnects_cancels_its_synthesis(make_server):
    s = make_server("--sessions", "1", "--threads", "1", "--max-input-chars", "100000")
    before = s.metrics()["kittentts_model_runs_started_total"]
    req = urllib.request.Request(s.url + "/v1/audio/speech", method="POST", headers={"Content-Type": "application/json"},
                                 data=json.dumps({"model": "tts-1", "voice": "alloy", "input": LONG * 5, "response_format": "pcm"}).encode())
    r = urllib.request.urlopen(req)
    assert len(r.read(4096)) == 4096
    r.close()  # the client goes away
    time.sleep(0.5)
    at_close = s.metrics()["kittentts_model_runs_started_total"]
    time.sleep(1.0)
    after = s.metrics()["kittentts_model_runs_started_total"]
    assert after == at_close, "no model run after the disconnect"
    # The text has about 200 chunks; only the look-ahead's few ran.
    assert at_close - before < 20, at_close - before


def test_sigterm_finishes_requests_in_flight(make_server):
    s = make_server("--sessions", "1", "--threads", "1", "--max-input-chars", "100000")
    expected = len(speak(s, "pcm", text=LONG))
    got = {}

    def long_request():
        got["n"] = len(speak(s, "pcm", text=LONG * 2))

    t = threading.Thread(target=long_request)
    t.start()
    deadline = time.time() + 30
    while s.metrics()["kittentts_requests_in_flight"] < 1 and time.time() < deadline:
        time.sleep(0.005)
    s.proc.send_signal(signal.SIGTERM)
    t.join(60)
    assert got.get("n", 0) > expected  # it finished, whole
    assert s.proc.wait(timeout=30) == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", s.port), timeout=2)


def test_say_writes_flac_and_wav_files_that_soundfile_reads(tmp_path):
    """`kittentts say` to a file: FLAC and WAV carry their real length (and FLAC its MD5)."""
    import subprocess
    binary = os.environ.get("KITTENTTS_BIN", os.path.join(ROOT, "target", "release", "kittentts"))
    fixture = os.path.join(ROOT, "tests", "data", "fixture")
    out = {}
    for ext in ("flac", "wav", "pcm"):
        path = tmp_path / f"hi.{ext}"
        subprocess.run([binary, "say", "--model", fixture, "--out", str(path), TEXT], check=True, timeout=120,
                       capture_output=True)
        out[ext] = path
    pcm = np.frombuffer(out["pcm"].read_bytes(), dtype="<i2")
    for ext in ("flac", "wav"):
        audio, rate = sf.read(str(out[ext]), dtype="int16")
        assert rate == 24000 and np.array_equal(audio, pcm), ext
