"""The GIL is released while the engine works; one Synthesizer serves many threads."""

import threading
import time

import numpy as np

TEXT = (
    "The lighthouse keeper climbed the spiral stairs every evening, one hundred and twelve "
    "steps in all, carrying a small brass lamp and a notebook. "
) * 12


def test_a_python_thread_runs_while_another_synthesises(tts):
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.001)

    thread = threading.Thread(target=ticker)
    thread.start()
    time.sleep(0.01)
    start = time.monotonic()
    while time.monotonic() - start < 0.3:
        tts.synthesize(TEXT)
    end = time.monotonic()
    stop.set()
    thread.join()
    during = [t for t in ticks if start < t < end]
    # With the GIL held the ticker could not run at all; released, it ticks every ~1 ms.
    assert len(during) >= 0.3 * (end - start) / 0.001


def test_two_threads_share_one_synthesizer_and_get_correct_audio(tts):
    texts = {"Bella": TEXT, "Leo": "Short and sweet. " * 30, "Hugo": "It costs $42.50. " * 20}
    expected = {v: tts.synthesize(t, voice=v).samples for v, t in texts.items()}
    results, errors = {}, []

    def work(voice):
        try:
            for i in range(2):
                results[(voice, i)] = tts.synthesize(texts[voice], voice=voice).samples
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(v,)) for v in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 6
    for (voice, _), samples in results.items():
        np.testing.assert_array_equal(samples, expected[voice])


def test_streams_in_threads_at_once(tts):
    expected = tts.synthesize(TEXT, voice="Kiki", first_chunk="whole").samples
    outputs = []

    def work():
        chunks = tts.stream(TEXT, voice="Kiki", first_chunk="whole")
        outputs.append(np.concatenate([c.samples for c in chunks]))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outputs) == 3
    for out in outputs:
        np.testing.assert_array_equal(out, expected)
