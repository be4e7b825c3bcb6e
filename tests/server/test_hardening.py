"""The server under careless and hostile clients: the key before the body, timeouts, the
connection limit, bounded and cancellable HSE responses, no cut-off 200, and a drain that a
load balancer sees. Every request goes to 127.0.0.1; every loop is bounded in count and time."""
import base64
import concurrent.futures
import http.client
import io
import json
import signal
import socket
import subprocess
import threading
import time
import urllib.request

import numpy as np
import pytest
import soundfile as sf

from conftest import BIN, FIXTURE, post_json, proc_status

SPEECH = "/v1/audio/speech"
LONG = " ".join(f"Sentence number {i} is here, and it goes on for a while before it ends." for i in range(40))
OK = {"model": "tts-1", "voice": "alloy", "input": "Hi there.", "response_format": "pcm"}


def status_line(sock, timeout=10):
    """Reads a response head from a raw socket; returns (status or None, head text)."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data and len(data) < 65536:
            part = sock.recv(4096)
            if not part:
                break
            data += part
    except OSError:
        pass
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    parts = head.split(" ", 2)
    return (int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None), head


def closed_within(sock, seconds):
    """Seconds until the server closes `sock` (reads nothing else), or None past `seconds`."""
    sock.settimeout(seconds)
    t0 = time.perf_counter()
    try:
        while True:
            if not sock.recv(4096):
                return time.perf_counter() - t0
    except socket.timeout:
        return None
    except OSError:
        return time.perf_counter() - t0


def raw_request(port, head, body=b""):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(head + body)
    return s


def speech_head(length, extra=b""):
    return (b"POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {length}\r\n".encode() + extra + b"\r\n")


def slow_reader(s, text):
    """A PCM request from a client with a tiny receive buffer; returns the socket and a file
    positioned after the 200's head, for the test to read at its own pace."""
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.connect(("127.0.0.1", s.port))
    body = json.dumps({**OK, "input": text}).encode()
    c.sendall(speech_head(len(body)) + body)
    f = c.makefile("rb")
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        head += f.read(1)
    assert b" 200 " in head.split(b"\r\n")[0]
    return c, f


def never_reading_request(s):
    """A long PCM request from a client with a tiny receive buffer that never reads; returns
    once the server has it in flight."""
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.connect(("127.0.0.1", s.port))
    body = json.dumps({**OK, "input": LONG * 5}).encode()
    c.sendall(speech_head(len(body)) + body)
    deadline = time.time() + 20
    while s.metrics()["kittentts_requests_in_flight"] < 1 and time.time() < deadline:
        time.sleep(0.02)
    return c


def test_the_key_is_checked_before_the_body_is_read(make_server):
    s = make_server(env={"KITTENTTS_API_KEY": "s3cret"})
    # No `100 Continue` for a caller without the key: the 401 comes first, its body unread.
    sock = raw_request(s.port, speech_head(900_000, b"Expect: 100-continue\r\n"))
    status, head = status_line(sock)
    sock.close()
    assert status == 401, head
    assert "100 Continue" not in head
    # With the key, the same request is told to go on.
    sock = raw_request(s.port, speech_head(900_000, b"Expect: 100-continue\r\nAuthorization: Bearer s3cret\r\n"))
    status, head = status_line(sock)
    sock.close()
    assert status == 100, head
    # 300 callers without the key, each sending 900 KB: the server reads none of it.
    rss_before = proc_status(s.proc.pid, "VmRSS")
    body = b"x" * 900_000

    def one(_):
        try:
            c = raw_request(s.port, speech_head(len(body)))
            try:
                c.sendall(body)
            except OSError:
                pass  # the server answered and closed
            code, _ = status_line(c)
            c.close()
            return code
        except OSError:
            return None

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(one, range(300)))
    assert codes.count(401) >= 290, codes
    grown = proc_status(s.proc.pid, "VmHWM") - rss_before
    print(f"key before body: 300 x 900 KB unauthorised, peak RSS grew {grown:.1f} MB")
    assert grown < 60, grown


def test_header_body_and_idle_timeouts(make_server):
    s = make_server("--header-timeout", "1", "--idle-timeout", "1", "--body-timeout", "1")
    # An idle connection (no request) is closed after about a second.
    idle = socket.create_connection(("127.0.0.1", s.port))
    t = closed_within(idle, 6)
    assert t is not None and 0.7 < t < 4, t
    # Slow headers, a byte every 0.2 s: cut at the header timeout although bytes keep coming.
    slow = socket.create_connection(("127.0.0.1", s.port))
    t0 = time.perf_counter()
    cut = None
    for b in b"GET /health HTTP/1.1\r\nHost: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n":
        try:
            slow.send(bytes([b]))
        except OSError:
            cut = time.perf_counter() - t0
            break
        time.sleep(0.2)
        if time.perf_counter() - t0 > 8:
            break
    if cut is None:
        cut = closed_within(slow, 4)
        cut = cut and time.perf_counter() - t0
    assert cut is not None and cut < 4, cut
    # A body that stalls: 408 after the body timeout.
    stalled = raw_request(s.port, speech_head(100), b'{"model": "tts')
    t0 = time.perf_counter()
    status, head = status_line(stalled)
    assert status == 408 and time.perf_counter() - t0 < 4, head
    m = s.metrics()
    assert m['kittentts_timeouts_total{kind="idle"}'] >= 1
    assert m['kittentts_timeouts_total{kind="header"}'] >= 1
    assert m['kittentts_timeouts_total{kind="body"}'] == 1
    # A keep-alive client that sends its next request soon is not cut.
    c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=5)
    for _ in range(3):
        c.request("GET", "/health")
        r = c.getresponse()
        assert r.status == 200 and json.loads(r.read())["status"] == "ok"
        time.sleep(0.5)
    c.close()


def test_a_client_that_does_not_read_loses_its_place(make_server):
    s = make_server("--max-queue", "1", "--sessions", "1", "--threads", "1", "--write-timeout", "1",
                    "--max-input-chars", "100000", "--send-buffer", "16384")
    stuck = never_reading_request(s)
    t0 = time.perf_counter()
    status = None
    while time.perf_counter() - t0 < 20:
        status = post_json(s.url + SPEECH, OK)[0]
        if status == 200:
            break
        assert status == 429
        time.sleep(0.2)
    waited = time.perf_counter() - t0
    print(f"write timeout 1 s: the next caller was served after {waited:.2f} s")
    assert status == 200 and waited < 10, (status, waited)
    m = s.metrics()
    assert m['kittentts_timeouts_total{kind="write"}'] >= 1
    runs = m["kittentts_model_runs_started_total"]
    time.sleep(1.0)
    assert s.metrics()["kittentts_model_runs_started_total"] == runs, "its synthesis stopped"
    stuck.close()


def test_a_client_that_plays_in_real_time_is_never_cut(make_server):
    # A small send buffer, so that the server's writes wait on this reader for most of the
    # response (the system's default would take it all at once and prove nothing).
    s = make_server("--write-timeout", "1", "--sessions", "1", "--threads", "1", "--send-buffer", "16384")
    text = "A client that plays the audio as it comes is never cut off."
    expected = len(post_json(s.url + SPEECH, {**OK, "input": text})[2])
    assert expected > 5 * 48000  # more than five seconds of audio
    c, f = slow_reader(s, text)
    got = 0
    t0 = time.perf_counter()
    # Chunked: read the chunks at 48,000 bytes a second (1x real time for 24 kHz s16).
    while True:
        size = int(f.readline().strip(), 16)
        if size == 0:
            break
        left = size
        while left:
            piece = f.read(min(left, 2400))
            left -= len(piece)
            got += len(piece)
            ahead = got / 48000 - (time.perf_counter() - t0)
            if ahead > 0:
                time.sleep(ahead)
        f.readline()
    c.close()
    print(f"1x reader: {got} bytes in {time.perf_counter() - t0:.2f} s, complete")
    assert got == expected


def _has_data(sock):
    """Whether the server has sent something (or closed) on an idle socket."""
    sock.setblocking(False)
    try:
        return sock.recv(1, socket.MSG_PEEK) is not None
    except BlockingIOError:
        return False
    finally:
        sock.setblocking(True)


def test_connections_past_the_limit_get_an_answer(make_server):
    s = make_server("--max-connections", "4")
    held = [socket.create_connection(("127.0.0.1", s.port)) for _ in range(4)]
    time.sleep(0.2)
    # The readiness check's own connection may still have held a place when these arrived:
    # one of them was then refused (its 503 is waiting). Replace any such one until all four
    # hold a place and are silent.
    for _ in range(10):
        refused = [h for h in held if _has_data(h)]
        if not refused:
            break
        for h in refused:
            held.remove(h)
            h.close()
            held.append(socket.create_connection(("127.0.0.1", s.port)))
        time.sleep(0.2)
    assert not [h for h in held if _has_data(h)]
    extra = raw_request(s.port, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    status, head = status_line(extra)
    extra.close()
    assert status == 503 and "retry-after: 1" in head.lower(), head
    for h in held:
        h.close()
    time.sleep(0.3)
    with urllib.request.urlopen(s.url + "/health", timeout=5) as r:
        assert r.status == 200
    assert s.metrics()["kittentts_connections_refused_total"] >= 1


def test_hse_streams_in_bounded_memory_and_decodes(make_server):
    s = make_server("--sessions", "2", "--threads", "1")
    text = " ".join(f"This is sentence {i}, spoken in full, as part of a long request." for i in range(64))[:4096]
    body = {"model": "fixture", "mode": "single_speaker_tts", "input": text, "voice": "Leo",
            "output_options": {"format": "wav"}}
    base = proc_status(s.proc.pid, "VmHWM")

    def one(_):
        status, headers, data = post_json(s.url + SPEECH, body, timeout=300)
        assert status == 200, data[:200]
        reply = json.loads(data)
        wav = base64.b64decode(reply["data"])
        return len(wav), reply["id"]

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        results = list(pool.map(one, range(6)))
    peak = proc_status(s.proc.pid, "VmHWM")
    sizes = {r[0] for r in results}
    assert len(sizes) == 1 and len({r[1] for r in results}) == 6
    seconds = (results[0][0] - 44) / 48000
    print(f"6 HSE requests at once, {seconds:.0f} s of audio each: peak RSS {peak:.0f} MB (at start {base:.0f} MB)")
    assert seconds > 400
    # Held whole, each response was its samples (4 bytes a sample), its WAV, base64 and JSON
    # at once: over 250 MB here, 1.5 GB for the six. Streamed, a few chunks per request are.
    assert peak - base < 450, (peak, base)
    # A short one decodes as WAV to the same samples as the same call's PCM.
    short = {**body, "input": "Hello there, HSE.", "generation_options": {"speed": 1.0}}
    status, _, data = post_json(s.url + SPEECH, short)
    audio, rate = sf.read(io.BytesIO(base64.b64decode(json.loads(data)["data"])), dtype="int16")
    pcm = post_json(s.url + SPEECH, {**short, "output_options": {"format": "pcm"}})[2]
    pcm = np.frombuffer(base64.b64decode(json.loads(pcm)["data"]), dtype="<i2")
    assert rate == 24000 and np.array_equal(audio, pcm)


def test_an_hse_client_that_leaves_cancels_its_synthesis(make_server):
    s = make_server("--sessions", "1", "--threads", "1", "--max-input-chars", "100000")
    before = s.metrics()["kittentts_model_runs_started_total"]
    body = json.dumps({"model": "fixture", "mode": "single_speaker_tts", "input": LONG * 5, "voice": "Leo",
                       "output_options": {"format": "pcm"}}).encode()
    req = urllib.request.Request(s.url + SPEECH, method="POST", headers={"Content-Type": "application/json"}, data=body)
    r = urllib.request.urlopen(req)
    assert r.read(4096).startswith(b'{"id":"tts-')
    r.close()
    time.sleep(0.5)
    at_close = s.metrics()["kittentts_model_runs_started_total"]
    time.sleep(1.0)
    assert s.metrics()["kittentts_model_runs_started_total"] == at_close
    assert at_close - before < 20, at_close - before


@pytest.mark.parametrize("script", ["漢字", "ภาษาไทย"])
def test_no_cut_off_200_for_input_within_the_limits(server, script):
    text = (script * 4096)[:4096]
    for fmt, extra in [("pcm", {}), ("wav", {"stream_format": "sse"})]:
        t0 = time.perf_counter()
        status, _, data = post_json(server.url + SPEECH, {**OK, "input": text, "response_format": fmt, **extra}, timeout=60)
        assert status == 400, (fmt, status, data[:200])
        err = json.loads(data)["error"]
        assert err["param"] == "input" and "max_audio_seconds" in err["message"]
        assert time.perf_counter() - t0 < 10
    status, _, data = post_json(server.url + SPEECH, {"model": "fixture", "mode": "single_speaker_tts", "input": text})
    assert status == 400 and "max_audio_seconds" in json.loads(data)["message"]
    # Ordinary text of the same length is spoken whole.
    status, _, data = post_json(server.url + SPEECH, {**OK, "input": LONG[:4096], "response_format": "wav"}, timeout=120)
    assert status == 200 and len(data) > 48000 * 60


def test_the_small_faults(server, make_server):
    url = server.url + SPEECH
    # A malformed chunked body is a 400 (not a 413).
    sock = raw_request(server.port, b"POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
    status, head = status_line(sock)
    sock.close()
    assert status == 400, head
    # Huge blend weights mix by their ratio; the same voice twice at 1e308 overflows: a 400 on `voice`.
    assert post_json(url, {**OK, "voice": "Bella*1e308+Luna*1e308"})[0] == 200
    status, _, body = post_json(url, {**OK, "voice": "Bella*1e308+bella*1e308"})
    assert status == 400 and json.loads(body)["error"]["param"] == "voice"
    # `"mode": null` is an OpenAI request.
    status, headers, body = post_json(url, {**OK, "mode": None})
    assert status == 200 and headers["content-type"] == "audio/pcm"
    # --max-queue 0 and other zero limits are refused at start, naming the flag.
    p = subprocess.run([BIN, "--model", FIXTURE, "--port", "1", "--max-queue", "0"], capture_output=True, text=True, timeout=30)
    assert p.returncode != 0 and "--max-queue" in p.stderr and "at least 1" in p.stderr
    # /health and /metrics answer anyone by default; --auth-status puts them behind the key.
    s = make_server("--auth-status", env={"KITTENTTS_API_KEY": "s3cret"})
    for path in ("/health", "/metrics"):
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(s.url + path, timeout=5)
        assert e.value.code == 401
        req = urllib.request.Request(s.url + path, headers={"Authorization": "Bearer s3cret"})
        with urllib.request.urlopen(req, timeout=5) as r:
            assert r.status == 200


def read_chunked(f):
    """The body of a chunked response from a file object positioned after the head."""
    body = b""
    while True:
        size = int(f.readline().strip(), 16)
        if size == 0:
            return body
        body += f.read(size)
        f.readline()


def test_drain_answers_503_while_requests_in_flight_finish(make_server):
    # A small send buffer and a client that waits before it reads: its request stays in
    # flight, however fast the fixture makes the audio.
    s = make_server("--sessions", "1", "--threads", "1", "--shutdown-timeout", "60", "--send-buffer", "16384")
    expected = len(post_json(s.url + SPEECH, {**OK, "input": LONG[:1200]})[2])
    assert expected > 200_000
    c, f = slow_reader(s, LONG[:1200])
    s.proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    # The listener stays open: health checks see 503 with Retry-After, and so do new requests.
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(s.url + "/health", timeout=5)
    assert e.value.code == 503 and e.value.headers["retry-after"] and e.value.headers["connection"] == "close"
    status, headers, reply = post_json(s.url + SPEECH, OK)
    headers = {k.lower(): v for k, v in headers.items()}
    assert status == 503 and json.loads(reply)["error"]["code"] == "shutting_down" and headers["retry-after"]
    assert s.proc.poll() is None, "still draining"
    # The request in flight finishes, whole; then the process exits 0.
    assert len(read_chunked(f)) == expected
    c.close()
    assert s.proc.wait(timeout=30) == 0


def test_shutdown_gives_up_at_its_deadline(make_server):
    s = make_server("--shutdown-timeout", "2", "--sessions", "1", "--threads", "1", "--max-input-chars", "100000",
                    "--write-timeout", "0", "--header-timeout", "0", "--body-timeout", "0", "--idle-timeout", "0")
    half = socket.create_connection(("127.0.0.1", s.port))
    half.sendall(b"POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\n")  # half-sent headers
    stalled = raw_request(s.port, speech_head(100), b"{")  # a body that never comes
    reader = never_reading_request(s)
    t0 = time.perf_counter()
    s.proc.send_signal(signal.SIGTERM)
    code = s.proc.wait(timeout=30)
    took = time.perf_counter() - t0
    print(f"shutdown with stuck clients: exited {code} after {took:.2f} s (deadline 2 s)")
    assert code == 0 and 1.5 < took < 6, took
    for c in (half, stalled, reader):
        c.close()
