"""stream() and astream(): the chunks add up to synthesize(), asyncio, cancellation."""

import asyncio
import time

import numpy as np
import pytest

from kittentts_rs import _aio

PARAGRAPH = (
    "The lighthouse keeper climbed the spiral stairs every evening. At the top he wrote down "
    "the wind. In the winter of 1923 a storm tore the roof from the boathouse. He kept the light "
    "burning anyway. When the supply boat finally arrived, the crew found him asleep."
)


@pytest.mark.parametrize("ending", ["auto", "reference"])
def test_stream_chunks_concatenated_equal_synthesize(tts, ending):
    chunks = list(tts.stream(PARAGRAPH, voice="Jasper", ending=ending, first_chunk="whole",
                             word_timings=True))
    whole = tts.synthesize(PARAGRAPH, voice="Jasper", ending=ending, first_chunk="whole",
                           word_timings=True)
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert len(chunks) == 5
    np.testing.assert_array_equal(np.concatenate([c.samples for c in chunks]), whole.samples)
    assert [w for c in chunks for w in c.words] == whole.words
    for c in chunks:
        start, end = c.text_range
        assert PARAGRAPH[start:end].split()[0] == c.text.split()[0]


def test_a_streams_first_chunk_is_short_by_default(tts):
    first = next(iter(tts.stream(PARAGRAPH)))
    assert first.text_range[1] <= 33
    assert first.text == "The lighthouse keeper climbed,"


def test_astream_gives_the_streams_chunks_and_the_loop_keeps_running(tts):
    async def main():
        ticks = 0
        done = asyncio.Event()

        async def ticker():
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(ticker())
        chunks = [c async for c in tts.astream(PARAGRAPH * 3, voice="Luna")]
        done.set()
        await task
        return chunks, ticks

    chunks, ticks = asyncio.run(main())
    sync = list(tts.stream(PARAGRAPH * 3, voice="Luna"))
    assert len(chunks) == len(sync) > 10
    for a, b in zip(chunks, sync):
        assert a.index == b.index and a.text == b.text
        np.testing.assert_array_equal(a.samples, b.samples)
    # The loop ran other tasks while the chunks were made.
    assert ticks > len(chunks)


def test_astream_errors_reach_the_consumer(tts):
    async def main():
        return [c async for c in tts.astream("Hello.", voice="Garfield")]

    with pytest.raises(ValueError, match="Garfield"):
        asyncio.run(main())


def test_cancelling_the_consuming_task_stops_the_stream(tts):
    made = []

    def make():
        stream = tts.stream(PARAGRAPH * 20)
        made.append(stream)
        return stream

    async def main():
        first = asyncio.get_running_loop().create_future()

        async def consume():
            async for chunk in _aio.aiterate(make):
                if not first.done():
                    first.set_result(chunk)

        task = asyncio.create_task(consume())
        chunk = await first
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return chunk

    chunk = asyncio.run(main())
    assert chunk.index == 0
    # The stream was cancelled: of its 100 chunks, nothing more comes.
    assert next(made[0], None) is None


def test_dropping_or_closing_a_stream_frees_the_pool(tts):
    for _ in range(3):
        stream = tts.stream(PARAGRAPH * 20)
        next(stream)
        del stream
    with tts.stream(PARAGRAPH * 20) as stream:
        next(stream)
    assert next(stream, None) is None
    # The pool is free again: a new call completes with the normal result.
    start = time.monotonic()
    audio = tts.synthesize("Hello there.")
    assert len(audio) == len(tts.synthesize("Hello there."))
    assert time.monotonic() - start < 30
